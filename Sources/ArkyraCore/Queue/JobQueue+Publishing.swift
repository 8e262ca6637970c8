import Foundation
import Logging

extension JobQueue {
    /// Schedules the publish jobs of committed posts. Jobs go to Redis only after the commit: a worker handed a job
    /// earlier could look for its post before the post exists and drop the job. When Redis refuses, the posts are
    /// safe in PostgreSQL and the reconciler creates their jobs once Redis answers.
    package func schedulePublishing(_ scheduled: [Post], requestID: String?, logger: Logger) async {
        for post in scheduled {
            guard let due = post.publishAt else { continue }
            do {
                try await schedule(PublishJob(postID: post.id, organizationID: post.organizationID).job(requestID: requestID), at: due)
            } catch {
                logger.warning("post stored but its job not scheduled; the reconciler will schedule it",
                               metadata: ["post_id": "\(post.id)", "error": "\(error)"])
            }
        }
    }
}
