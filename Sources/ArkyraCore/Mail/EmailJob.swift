import Foundation

/// An email to send, as a job on the notification queue. The subject and body are encrypted with the
/// token keys: they carry one-time links, which must not sit readable in Redis or in the dead-letter table.
public struct EmailJob: Sendable, Equatable {
    public static let type = "email"

    public var to: String
    public var subject: String
    public var body: String

    public init(to: String, subject: String, body: String) {
        self.to = to
        self.subject = subject
        self.body = body
    }

    /// The queue job (a fresh id: every email is its own job).
    public func job(cipher: TokenCipher, requestID: String?) throws -> Job {
        Job(id: "email-\(UUID().uuidString)", type: Self.type,
            data: ["to": to, "sealed_subject": try cipher.seal(subject), "sealed_body": try cipher.seal(body)], requestID: requestID)
    }

    /// Reads a job's email; nil when it is not a well-formed email job.
    /// - Throws: when the sealed parts cannot be opened (keys rotated away).
    public init?(_ job: Job, cipher: TokenCipher) throws {
        guard job.type == Self.type, let to = job.data["to"], let subject = job.data["sealed_subject"], let body = job.data["sealed_body"] else {
            return nil
        }
        self.init(to: to, subject: try cipher.open(subject), body: try cipher.open(body))
    }
}
