import Foundation
import Hummingbird
import NIOCore

extension ControlRoutes {
    /// YouTube's videos with their comments and counts; TikTok's uploads and videos, the privacy levels its
    /// creators get (`["SELF_ONLY"]` for an app TikTok has not audited) and how long processing takes.
    func addVideoPlatforms(to group: RouterGroup<BasicRequestContext>) {
        group.get("youtube/videos") { _, _ in
            let comments = await youTube.comments
            let videos = await youTube.videos.map { video -> [String: Any] in
                ["id": video.id, "channel_id": video.channelID, "title": video.title, "description": video.description, "privacy": video.privacy,
                 "bytes": video.bytes, "upload_status": video.uploadStatus,
                 "comments": comments.filter { $0.videoID == video.id }.map { ["id": $0.id, "text": $0.text, "channel_id": $0.channelID] }]
            }
            return SandboxJSON.response(["videos": videos])
        }
        group.post("youtube/videos/:id/statistics") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let counts = (SandboxJSON.parameters(body, contentType: "application/json") ?? [:]).compactMapValues { $0 as? Int }
            guard await youTube.setStatistics(id: context.parameters.get("id") ?? "", counts) else {
                return SandboxJSON.response(["error": "no such video"], status: .notFound)
            }
            return Response(status: .noContent)
        }
        group.get("tiktok/publishes") { _, _ in
            let publishes = await tikTok.publishes.map { publish -> [String: Any] in
                ["publish_id": publish.id, "owner_id": publish.ownerID, "caption": publish.caption, "privacy": publish.privacy, "size": publish.size,
                 "received": publish.received, "video_id": publish.videoID as Any? ?? NSNull(), "fail_reason": publish.failReason as Any? ?? NSNull()]
            }
            return SandboxJSON.response(["publishes": publishes])
        }
        group.post("tiktok/videos/:id/metrics") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let counts = (SandboxJSON.parameters(body, contentType: "application/json") ?? [:]).compactMapValues { $0 as? Int }
            guard await tikTok.setMetrics(id: context.parameters.get("id") ?? "", counts) else {
                return SandboxJSON.response(["error": "no such video"], status: .notFound)
            }
            return Response(status: .noContent)
        }
        group.post("tiktok/privacy") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let options = (SandboxJSON.parameters(body, contentType: "application/json") ?? [:])["options"] as? [String], !options.isEmpty else {
                return SandboxJSON.response(["error": "send {options: [PUBLIC_TO_EVERYONE|MUTUAL_FOLLOW_FRIENDS|FOLLOWER_OF_CREATOR|SELF_ONLY]}"], status: .badRequest)
            }
            await tikTok.setPrivacyOptions(options)
            return Response(status: .noContent)
        }
        group.post("tiktok/processing") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let parameters = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
            guard let seconds = parameters["seconds"] as? Double, seconds >= 0 else {
                return SandboxJSON.response(["error": "send {seconds, fail_reason?}"], status: .badRequest)
            }
            await tikTok.setProcessing(seconds: seconds, failure: parameters["fail_reason"] as? String)
            return Response(status: .noContent)
        }
    }
}
