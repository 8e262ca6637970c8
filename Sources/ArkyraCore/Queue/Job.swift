import Foundation

/// A unit of work on a queue. `id` deduplicates: scheduling the same id again moves the job instead of
/// adding a second one.
public struct Job: Sendable, Codable, Equatable {
    public var id: String
    /// What the job does (`publish`, ...); a consumer dispatches on it.
    public var type: String
    /// Job-specific arguments.
    public var data: [String: String]
    /// The request that caused the job, so its logs carry the same correlation id.
    public var requestID: String?

    public init(id: String, type: String, data: [String: String], requestID: String?) {
        self.id = id
        self.type = type
        self.data = data
        self.requestID = requestID
    }

    func encoded() throws -> String {
        String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> Job {
        try JSONDecoder().decode(Job.self, from: Data(text.utf8))
    }
}

/// A job read from a queue's stream, with the stream entry id that acknowledges it.
public struct ReceivedJob: Sendable {
    public var entryID: String
    public var job: Job
}
