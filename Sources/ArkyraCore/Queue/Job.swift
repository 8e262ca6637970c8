import Foundation

/// A unit of work on a queue. `id` deduplicates: scheduling the same id again moves the job instead of
/// adding a second one.
package struct Job: Sendable, Codable, Equatable {
    package var id: String
    /// What the job does (`publish`, ...); a consumer dispatches on it.
    package var type: String
    /// Job-specific arguments.
    package var data: [String: String]
    /// The request that caused the job, so its logs carry the same correlation id.
    package var requestID: String?
    /// Retries so far (0 on the first run).
    package var attempt: Int
    /// The consumer that held this job's work when it failed, so the retry may take that work over.
    package var staleOwner: String?
    /// When the first attempt started; set when it failed, so retries can stop after a maximum elapsed time.
    package var firstAttemptAt: Date?
    /// The error of every failed attempt so far, oldest first (kept with the job when it is buried).
    package var errors: [String]

    package init(id: String, type: String, data: [String: String], requestID: String?, attempt: Int = 0, staleOwner: String? = nil,
                 firstAttemptAt: Date? = nil, errors: [String] = []) {
        self.id = id
        self.type = type
        self.data = data
        self.requestID = requestID
        self.attempt = attempt
        self.staleOwner = staleOwner
        self.firstAttemptAt = firstAttemptAt
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey {
        case id, type, data, attempt, errors
        case requestID = "request_id"
        case staleOwner = "stale_owner"
        case firstAttemptAt = "first_attempt_at"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        type = try container.decode(String.self, forKey: .type)
        data = try container.decodeIfPresent([String: String].self, forKey: .data) ?? [:]
        requestID = try container.decodeIfPresent(String.self, forKey: .requestID)
        attempt = try container.decodeIfPresent(Int.self, forKey: .attempt) ?? 0
        staleOwner = try container.decodeIfPresent(String.self, forKey: .staleOwner)
        firstAttemptAt = try container.decodeIfPresent(Int64.self, forKey: .firstAttemptAt).map { Date(timeIntervalSince1970: Double($0) / 1000) }
        errors = try container.decodeIfPresent([String].self, forKey: .errors) ?? []
    }

    /// The job as JSON. Written by hand: it is on the enqueue hot path, where JSONEncoder dominated the cost.
    func encoded() throws -> String {
        var json = "{\"id\":"
        JSONText.appendQuoted(id, to: &json)
        json += ",\"type\":"
        JSONText.appendQuoted(type, to: &json)
        json += ",\"data\":{"
        for (index, key) in data.keys.sorted().enumerated() {
            if index > 0 { json += "," }
            JSONText.appendQuoted(key, to: &json)
            json += ":"
            JSONText.appendQuoted(data[key]!, to: &json)
        }
        json += "},\"attempt\":\(attempt)"
        if let requestID {
            json += ",\"request_id\":"
            JSONText.appendQuoted(requestID, to: &json)
        }
        if let staleOwner {
            json += ",\"stale_owner\":"
            JSONText.appendQuoted(staleOwner, to: &json)
        }
        if let firstAttemptAt {
            json += ",\"first_attempt_at\":\(firstAttemptAt.millisecondsSince1970)"
        }
        if !errors.isEmpty {
            json += ",\"errors\":["
            for (index, error) in errors.enumerated() {
                if index > 0 { json += "," }
                JSONText.appendQuoted(error, to: &json)
            }
            json += "]"
        }
        json += "}"
        return json
    }

    static func decode(_ text: String) throws -> Job {
        try JSONDecoder().decode(Job.self, from: Data(text.utf8))
    }
}

/// A job read from a queue's stream, with the stream entry id that acknowledges it.
package struct ReceivedJob: Sendable {
    package var entryID: String
    package var job: Job
    /// How many times the entry has been delivered (1 on first delivery; more after reclaims).
    package var deliveries: Int
    /// The consumer that held the entry before it was reclaimed from it.
    package var previousOwner: String?

    package init(entryID: String, job: Job, deliveries: Int = 1, previousOwner: String? = nil) {
        self.entryID = entryID
        self.job = job
        self.deliveries = deliveries
        self.previousOwner = previousOwner
    }

    /// The consumer whose unfinished work this delivery may take over: the one it was reclaimed from, or the
    /// one that failed it before this retry.
    package var staleOwner: String? { previousOwner ?? job.staleOwner }
}
