import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// Bluesky's video service (video.bsky.app) as its documentation describes it, under `/bluesky-video/xrpc`:
/// `app.bsky.video.uploadVideo?did=&name=` takes the file with a service token the account's PDS issued
/// (`getServiceAuth`, `lxm=com.atproto.repo.uploadBlob`) and answers the job's status — itself, not wrapped,
/// as the real service does — or 409 `already_exists` with the job of the same bytes;
/// `app.bsky.video.getJobStatus?jobId=` (no token) answers `{jobStatus}`: `JOB_STATE_CREATED`, then
/// `JOB_STATE_COMPLETED` with the blob (now on the PDS) or `JOB_STATE_FAILED` with the error;
/// `app.bsky.video.getUploadLimits`. Videos of at most 100 MB; 25 videos and 10 GB a day per account.
struct BlueskyVideoRoutes {
    let sandbox: SandboxState
    let pds: BlueskyState
    let state: BlueskyVideoState
    static let platform = "bluesky-video"
    static let maximumBytes = 100 * 1024 * 1024
    static let videosPerDay = 25
    static let bytesPerDay = 10 * 1024 * 1024 * 1024

    func add(to group: RouterGroup<BasicRequestContext>) {
        group.post("xrpc/app.bsky.video.uploadVideo") { request, _ in
            let body = try await request.body.collect(upTo: Self.maximumBytes + 1)
            return await record(request, body: ByteBuffer(string: "(\(body.readableBytes) bytes)")) { now in
                guard let token = BlueskyRoutes.bearer(request),
                      let did = await pds.serviceTokenSubject(token, method: "com.atproto.repo.uploadBlob", now: now)
                else { return BlueskyRoutes.error(.unauthorized, "AuthMissing", "Authentication Required") }
                guard request.uri.queryParameters["did"].map(String.init) == did else {
                    return BlueskyRoutes.error(.badRequest, "InvalidRequest", "did does not match the service token")
                }
                guard body.readableBytes <= Self.maximumBytes else {
                    return BlueskyRoutes.error(.contentTooLarge, "PayloadTooLarge", "The video is larger than 100 MB")
                }
                let data = Data(buffer: body)
                guard let type = SandboxMediaType.video([UInt8](data.prefix(16))) else {
                    return BlueskyRoutes.error(.badRequest, "InvalidRequest", "The file is not a video (MP4, MOV or WebM)")
                }
                let today = await state.uploadedToday(by: did, now: now)
                if today.videos >= Self.videosPerDay || today.bytes + data.count > Self.bytesPerDay {
                    return BlueskyRoutes.error(.tooManyRequests, "RateLimitExceeded", "You have exceeded your daily video upload limit")
                }
                return await faults.answer(await sandbox.takeFault(platform: Self.platform, path: request.uri.path), now: now) {
                    let (job, existed) = await state.submit(did: did, bytes: data, mimeType: type, now: now)
                    var status = statusJSON(job)
                    if existed {
                        status["error"] = "already_exists"
                        status["message"] = "Video already processed"
                        return SandboxJSON.response(status, status: .conflict)
                    }
                    return SandboxJSON.response(status)
                }
            }
        }
        group.get("xrpc/app.bsky.video.getJobStatus") { request, _ in
            await record(request, body: ByteBuffer()) { now in
                let id = request.uri.queryParameters["jobId"].map(String.init) ?? ""
                guard let job = await state.settle(id: id, pds: pds, now: now) else {
                    return BlueskyRoutes.error(.notFound, "NotFound", "Job not found")
                }
                return SandboxJSON.response(["jobStatus": statusJSON(job)])
            }
        }
        group.get("xrpc/app.bsky.video.getUploadLimits") { request, _ in
            await record(request, body: ByteBuffer()) { now in
                guard let token = BlueskyRoutes.bearer(request),
                      let did = await pds.serviceTokenSubject(token, method: "app.bsky.video.getUploadLimits", now: now)
                else { return BlueskyRoutes.error(.unauthorized, "AuthMissing", "Authentication Required") }
                let today = await state.uploadedToday(by: did, now: now)
                let videos = max(0, Self.videosPerDay - today.videos), bytes = max(0, Self.bytesPerDay - today.bytes)
                return SandboxJSON.response(["canUpload": videos > 0 && bytes > 0, "remainingDailyVideos": videos, "remainingDailyBytes": bytes])
            }
        }
    }

    private func statusJSON(_ job: BlueskyVideoState.Job) -> [String: Any] {
        var status: [String: Any] = ["jobId": job.id, "did": job.did]
        if let cid = job.blobCID {
            status["state"] = "JOB_STATE_COMPLETED"
            status["progress"] = 100
            status["blob"] = ["$type": "blob", "ref": ["$link": cid], "mimeType": "video/mp4", "size": job.size]
        } else if let error = job.error {
            status["state"] = "JOB_STATE_FAILED"
            status["error"] = error
            status["message"] = "Video processing failed"
        } else {
            status["state"] = "JOB_STATE_CREATED"
            status["progress"] = 0
        }
        return status
    }

    private func record(_ request: Request, body: ByteBuffer, _ handler: (Date) async -> Response) async -> Response {
        let now = Date()
        let response = await handler(now)
        await sandbox.record(RecordedRequest(
            platform: Self.platform, method: request.method.rawValue, path: request.uri.path, idempotencyKey: nil,
            body: String(buffer: body), status: Int(response.status.code), receivedAt: now
        ))
        return response
    }

    private var faults: FaultResponses {
        FaultResponses(
            rateLimited: { _ in BlueskyRoutes.error(.tooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded") },
            serverError: BlueskyRoutes.error(.internalServerError, "InternalServerError", "Internal Server Error"),
            invalidToken: BlueskyRoutes.error(.unauthorized, "AuthMissing", "Authentication Required"),
            expiredToken: BlueskyRoutes.error(.unauthorized, "AuthMissing", "Authentication Required")
        )
    }
}
