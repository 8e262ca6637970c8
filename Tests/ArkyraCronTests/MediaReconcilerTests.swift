import ArkyraCore
@testable import ArkyraCron
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Cron: files whose processing job was lost")
struct MediaReconcilerTests {
    @Test("a file pending for an hour is queued again, one pending for a day is failed, a fresh one is left alone")
    func reconcile() async throws {
        try await PublishingWorld.run { world in
            let repository = MediaRepository(logger: TestEnvironment.logger)
            func file(_ name: String, age: TimeInterval) async throws -> UUID {
                let created = try await repository.insert(.init(
                    organizationID: world.organizationID, name: name, format: .png, sizeBytes: 10, sha256: String(repeating: String(name.prefix(1)), count: 64),
                    storageKey: "\(world.organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased()).png", uploadedBy: nil
                ), client: world.database)
                try await world.database.query("UPDATE media SET updated_at = now() - make_interval(secs => \(age)) WHERE id = \(created.id)")
                return created.id
            }
            let fresh = try await file("a", age: 60)
            let lost = try await file("b", age: 2 * 3600)
            let ancient = try await file("c", age: 2 * 86_400)
            let queue = JobQueue(name: .media, redis: world.redis)
            let reconciler = MediaReconciler(database: world.database, queue: queue, logger: TestEnvironment.logger)
            #expect(try await reconciler.reconcile() == .init(requeued: 1, failed: 1))
            #expect(try await queue.dueTime(ofJob: MediaJob(mediaID: lost, organizationID: world.organizationID).job(requestID: nil).id) != nil)
            #expect(try await queue.dueTime(ofJob: MediaJob(mediaID: fresh, organizationID: world.organizationID).job(requestID: nil).id) == nil)
            let failed = try #require(try await repository.find(id: ancient, organizationID: world.organizationID, client: world.database))
            #expect(failed.processing == "failed")
            #expect(failed.processingError?.contains("within a day") == true)
            // A second pass does not queue it twice.
            #expect(try await reconciler.reconcile() == .init(requeued: 0, failed: 0))
        }
    }
}
