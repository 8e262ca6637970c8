import ArkyraCore
import Foundation
import Logging

/// Sends the emails of the notification queue through the configured SMTP relay. A refusal for good (5xx)
/// buries the job with the server's answer; anything else is retried with backoff.
package struct EmailJobHandler: JobHandler {
    package let jobType = EmailJob.type
    package let retryPolicy = RetryPolicy(maxAttempts: 8, maxElapsed: .seconds(6 * 3600), baseDelay: .seconds(5), maxDelay: .seconds(900))
    let client: SMTPClient
    let mail: MailConfiguration
    let cipher: TokenCipher
    let logger: Logger

    package init(client: SMTPClient, mail: MailConfiguration, cipher: TokenCipher, logger: Logger) {
        self.client = client
        self.mail = mail
        self.cipher = cipher
        self.logger = logger
    }

    package func handle(_ job: Job, context: JobContext) async throws {
        guard let email = try EmailJob(job, cipher: cipher) else { throw PermanentJobError("email job without recipient, subject or body") }
        do {
            try await client.send(EmailMessage(from: mail.from, to: email.to, subject: email.subject, body: email.body))
            logger.info("email sent", metadata: ["job_id": "\(job.id)"])
        } catch let error as SMTPError where error.permanent {
            throw PermanentJobError("\(error)")
        }
    }
}
