import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PostgresNIO

/// `/api/v1/organizations/:organization/dead-jobs`: jobs that will not run again by themselves, for admins
/// to inspect and run again.
struct DeadJobRoutes {
    let organizations: OrganizationService
    let deadJobs: DeadJobRepository
    let posts: PostRepository
    let database: Database
    let redis: RedisClient

    struct Listing: Encodable {
        var deadJobs: [DeadJobRepository.DeadJob]
    }

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get { _, context in
            let organization = try await organizations.authorize(.manageJobs, in: context)
            return try JSONBody.response(Listing(deadJobs: try await deadJobs.list(organizationID: organization.id)))
        }
        group.get(":job") { _, context in
            let organization = try await organizations.authorize(.manageJobs, in: context)
            guard let id = UUID(uuidString: try context.parameters.require("job")), let job = try await deadJobs.find(id: id, organizationID: organization.id) else {
                throw APIError.notFound("dead job")
            }
            return try JSONBody.response(job)
        }
        group.post(":job/redrive") { request, context in
            let organization = try await organizations.authorize(.manageJobs, in: context)
            guard let id = UUID(uuidString: try context.parameters.require("job")), let dead = try await deadJobs.find(id: id, organizationID: organization.id) else {
                throw APIError.notFound("dead job")
            }
            guard dead.redrivenAt == nil else { throw APIError(.conflict, "already_redriven", "this job was run again already") }
            guard let queueName = QueueName(rawValue: dead.queue) else { throw APIError(.conflict, "unknown_queue", "the job's queue no longer exists") }
            var job = dead.job
            job.attempt = 0
            job.requestID = context.requestID
            // A publish job whose post is stuck publishing may take it over from the worker that held it.
            if let publish = PublishJob(job), let post = try await posts.find(id: publish.postID, organizationID: organization.id, client: database),
               post.state == .publishing {
                job.staleOwner = try await posts.leaseOwner(id: post.id, client: database)
            }
            // Marked and scheduled in one transaction: if Redis refuses, the job stays dead and can be redriven again.
            let redriven = try await database.inTransaction(logger: context.logger) { connection -> DeadJobRepository.DeadJob in
                guard let redriven = try await deadJobs.markRedriven(id: id, organizationID: organization.id, on: connection) else {
                    throw APIError(.conflict, "already_redriven", "this job was run again already")
                }
                try await JobQueue(name: queueName, redis: redis).schedule(job, at: Date())
                return redriven
            }
            return try JSONBody.response(redriven, status: .accepted)
        }
    }
}
