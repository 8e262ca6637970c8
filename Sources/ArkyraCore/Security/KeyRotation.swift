import Foundation
import Logging

/// Re-encrypts every stored secret under the first configured key, bound to its place: channels' tokens
/// (removed channels' too, so the old key can go) and the sealed parts of dead email jobs that can still be
/// redriven. Each row is replaced by compare-and-set, so a token refreshed or reconnected meanwhile is never
/// overwritten; a channel whose refresh is in flight is retried until its lease ends.
///
/// Emails waiting on the notification queue in Redis are not rewritten: they are sent within minutes, so
/// keep the old key configured until the queue has drained.
package struct KeyRotation: Sendable {
    let database: Database
    let cipher: TokenCipher
    let logger: Logger
    /// How long channels busy refreshing are retried before they are reported as left over.
    var waitForBusy: Duration
    var batchSize = 200

    package init(database: Database, cipher: TokenCipher, logger: Logger, waitForBusy: Duration = .seconds(120)) {
        self.database = database
        self.cipher = cipher
        self.logger = logger
        self.waitForBusy = waitForBusy
    }

    /// What a rotation did.
    package struct Report: Sendable, Equatable {
        /// Secrets rewritten under the current key (a channel's two tokens count once).
        package var rewritten = 0
        /// Secrets that were current already.
        package var current = 0
        /// Rows that could not be opened with any configured key, or were altered: `table id: why`.
        package var unreadable: [String] = []
        /// Channels still refreshing when the wait ran out; running the rotation again finishes them.
        package var busy: [UUID] = []

        package var isComplete: Bool { unreadable.isEmpty && busy.isEmpty }
    }

    package func run() async throws -> Report {
        var report = Report()
        var pending = try await rotateChannels(ids: nil, into: &report)
        let giveUp = ContinuousClock.now + waitForBusy
        while !pending.isEmpty, ContinuousClock.now < giveUp {
            try await Task.sleep(for: .seconds(1))
            pending = try await rotateChannels(ids: pending, into: &report)
        }
        report.busy = pending
        try await rotateDeadEmails(into: &report)
        return report
    }

    private struct SealedChannel {
        var id: UUID
        var access: String
        var refresh: String?
    }

    /// Rotates every channel (`ids` nil) or those of `ids`; returns the ones to try again (refreshing, or
    /// changed while this pass read them).
    private func rotateChannels(ids: [UUID]?, into report: inout Report) async throws -> [UUID] {
        var retry: [UUID] = []
        var after = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        while true {
            var batch: [SealedChannel] = []
            let rows = try await database.query(
                """
                SELECT id, access_token_encrypted, refresh_token_encrypted FROM integrations
                WHERE id > \(after) AND (\(ids == nil) OR id = ANY(\(ids ?? [])))
                ORDER BY id LIMIT \(batchSize)
                """,
                logger: logger
            )
            for try await (id, access, refresh) in rows.decode((UUID, String, String?).self) {
                batch.append(SealedChannel(id: id, access: access, refresh: refresh))
            }
            guard let last = batch.last else { return retry }
            after = last.id
            for channel in batch {
                if cipher.isCurrent(channel.access), channel.refresh.map(cipher.isCurrent) ?? true {
                    report.current += 1
                    continue
                }
                let access: String, refresh: String?
                do {
                    access = try cipher.reseal(channel.access, boundTo: ChannelSecrets.accessTokenPlace(channel.id))
                    refresh = try channel.refresh.map { try cipher.reseal($0, boundTo: ChannelSecrets.refreshTokenPlace(channel.id)) }
                } catch {
                    report.unreadable.append("integrations \(channel.id.uuidString.lowercased()): \(error)")
                    continue
                }
                let replaced = try await database.query(
                    """
                    UPDATE integrations SET access_token_encrypted = \(access), refresh_token_encrypted = \(refresh)
                    WHERE id = \(channel.id) AND access_token_encrypted = \(channel.access)
                      AND refresh_token_encrypted IS NOT DISTINCT FROM \(channel.refresh)
                      AND (refresh_lease_until IS NULL OR refresh_lease_until < now())
                    RETURNING id
                    """,
                    logger: logger
                )
                if try await replaced.decode(UUID.self).contains(where: { _ in true }) {
                    report.rewritten += 1
                } else {
                    retry.append(channel.id)
                }
            }
        }
    }

    /// Rotates the sealed subject and body of dead email jobs not redriven yet.
    private func rotateDeadEmails(into report: inout Report) async throws {
        let rows = try await database.query(
            "SELECT id, job::text FROM dead_jobs WHERE job_type = \(EmailJob.type) AND redriven_at IS NULL ORDER BY id",
            logger: logger
        )
        var dead: [(UUID, Job)] = []
        for try await (id, text) in rows.decode((UUID, String).self) {
            dead.append((id, try Job.decode(text)))
        }
        for (id, job) in dead {
            let fields = [EmailJob.subjectField, EmailJob.bodyField].filter { job.data[$0] != nil }
            guard fields.contains(where: { !cipher.isCurrent(job.data[$0]!) }) else {
                report.current += 1
                continue
            }
            var rotated = job
            do {
                for field in fields {
                    rotated.data[field] = try cipher.reseal(job.data[field]!, boundTo: EmailJob.place(field, jobID: job.id))
                }
            } catch {
                report.unreadable.append("dead_jobs \(id.uuidString.lowercased()): \(error)")
                continue
            }
            try await database.query(
                "UPDATE dead_jobs SET job = \(try rotated.encoded())::jsonb WHERE id = \(id) AND redriven_at IS NULL",
                logger: logger
            )
            report.rewritten += 1
        }
    }
}
