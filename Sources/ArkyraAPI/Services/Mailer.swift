import ArkyraCore
import Foundation

/// Email leaves the API as an encrypted job on the notification queue (no secret readable in Redis); the
/// worker sends it over SMTP. Off when no SMTP server is configured.
struct Mailer: Sendable {
    let queue: JobQueue
    let cipher: TokenCipher
    let configuration: MailConfiguration

    var enabled: Bool { configuration.smtp != nil }
    /// Where people open ARKYRA, for links in emails.
    var publicURL: String { configuration.publicURL }

    /// Queues `email` for the worker to send now.
    func send(_ email: EmailJob, origin: RequestOrigin) async throws {
        try await queue.schedule(try email.job(cipher: cipher, requestID: origin.requestID), at: Date())
    }
}
