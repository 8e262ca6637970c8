import Foundation

/// An email to send, as a job on the notification queue. The subject and body are encrypted with the
/// token keys: they carry one-time links, which must not sit readable in Redis or in the dead-letter table.
package struct EmailJob: Sendable, Equatable {
    package static let type = "email"

    package var to: String
    package var subject: String
    package var body: String

    package init(to: String, subject: String, body: String) {
        self.to = to
        self.subject = subject
        self.body = body
    }

    /// The queue job (a fresh id: every email is its own job).
    package func job(cipher: TokenCipher, requestID: String?) throws -> Job {
        let id = "email-\(UUID().uuidString)"
        return Job(id: id, type: Self.type, data: [
            "to": to,
            Self.subjectField: try cipher.seal(subject, boundTo: Self.place(Self.subjectField, jobID: id)),
            Self.bodyField: try cipher.seal(body, boundTo: Self.place(Self.bodyField, jobID: id)),
        ], requestID: requestID)
    }

    /// The job fields that hold sealed text, each bound to the job's id.
    package static let subjectField = "sealed_subject"
    package static let bodyField = "sealed_body"

    package static func place(_ field: String, jobID: String) -> String {
        "email.\(field):\(jobID)"
    }

    /// Reads a job's email; nil when it is not a well-formed email job.
    /// - Throws: when the sealed parts cannot be opened (keys rotated away).
    package init?(_ job: Job, cipher: TokenCipher) throws {
        guard job.type == Self.type, let to = job.data["to"], let subject = job.data[Self.subjectField], let body = job.data[Self.bodyField] else {
            return nil
        }
        self.init(to: to, subject: try cipher.open(subject, boundTo: Self.place(Self.subjectField, jobID: job.id)),
                  body: try cipher.open(body, boundTo: Self.place(Self.bodyField, jobID: job.id)))
    }
}
