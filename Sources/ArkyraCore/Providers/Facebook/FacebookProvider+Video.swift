import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFileSystem

/// A Page's video, through the Graph API's resumable upload on `/{page}/videos`: `upload_phase=start` names
/// the size and answers the video's id, a session and the first chunk's range; the session is kept as the
/// post's container; `transfer` sends each chunk Facebook asks for (it answers the next range) and `finish`
/// publishes the video with its description. Only `finish` publishes; a retry or a takeover sends the chunks
/// again into the same session and finishes it, which makes no second video.
extension FacebookProvider {
    static let videoSession = "video-session:"

    package func publishStep(_ post: PublishRequest) async throws -> PublishStep {
        guard post.replyTo == nil, let video = post.media.first(where: { $0.kind == .video }) else { return .published(try await publish(post)) }
        guard let page = post.accountID else { throw ProviderError.rejected(status: 0, message: "the channel has no Facebook Page id; connect the Page again") }
        let token = post.credentials.accessToken
        guard let container = post.container?.id, container.hasPrefix(Self.videoSession) else {
            let response = try await send(.POST, "/\(page)/videos", [("upload_phase", "start"), ("file_size", String(video.sizeBytes))], token: token, mutates: false)
            guard response.status == 200, let session = response.decode(FacebookUploadSession.self) else { throw Self.error(for: response, mutates: false) }
            return .processing(container: Self.videoSession + "\(session.videoID):\(session.uploadSessionID)", checkAfter: 0)
        }
        let parts = container.dropFirst(Self.videoSession.count).split(separator: ":").map(String.init)
        guard parts.count == 2 else { throw ProviderError.rejected(status: 0, message: "the kept upload session \(container) cannot be read") }
        let (videoID, session) = (parts[0], parts[1])
        try await transfer(video, of: post, page: page, session: session)
        var finish = [("upload_phase", "finish"), ("upload_session_id", session), ("description", post.content), ("published", "true")]
        if let title = post.content.split(separator: "\n").first, !title.isEmpty { finish.append(("title", String(title.prefix(255)))) }
        let response = try await send(.POST, "/\(page)/videos", finish, token: token, mutates: true)
        guard response.status == 200 else { throw Self.error(for: response, mutates: true) }
        return .published(PublishedPost(platformID: videoID, url: "https://www.facebook.com/\(page)/videos/\(videoID)/"))
    }

    /// Sends the chunks Facebook asks for, from the start, until it answers that it has the whole file.
    private func transfer(_ file: PublishMedia, of post: PublishRequest, page: String, session: String) async throws {
        guard let storage = post.storage else { throw ProviderError.rejected(status: 0, message: "the media storage is not configured") }
        let local = NSTemporaryDirectory() + "arkyra-facebook-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: local) }
        do {
            try await storage.download(key: file.storageKey, to: local)
        } catch StorageError.notFound {
            throw ProviderError.rejected(status: 0, message: "the file \(file.fileName) is no longer in the media library")
        } catch {
            throw ProviderError.unavailable(message: "the media storage: \(error)")
        }
        let url = try configuredApp().api("/\(Self.version)/\(page)/videos") + "?" + GraphAPI.form([("access_token", post.credentials.accessToken)])
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(local)) { handle in
            var range = (start: 0, end: min(file.sizeBytes, 1024 * 1024))
            while range.start < range.end {
                let chunk = try await handle.readChunk(fromAbsoluteOffset: Int64(range.start), length: .bytes(Int64(range.end - range.start)))
                var form = MultipartForm()
                form.field("upload_phase", "transfer")
                form.field("upload_session_id", session)
                form.field("start_offset", String(range.start))
                form.file("video_file_chunk", fileName: file.fileName, contentType: "application/octet-stream", contents: chunk)
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: form.contentType)
                request.body = .bytes(form.finished())
                let response = try await http.send(request, mutates: false)
                guard response.status == 200, let next = response.decode(FacebookUploadRange.self),
                      let start = Int(next.startOffset), let end = Int(next.endOffset), start >= range.start || start == 0
                else { throw Self.error(for: response, mutates: false) }
                range = (start, end)
            }
        }
    }
}

struct FacebookUploadSession: Decodable {
    var videoID: String
    var uploadSessionID: String

    enum CodingKeys: String, CodingKey { case videoID = "video_id", uploadSessionID = "upload_session_id" }
}

/// The next range Facebook asks for (as strings); equal offsets mean it has the whole file.
struct FacebookUploadRange: Decodable {
    var startOffset: String
    var endOffset: String

    enum CodingKeys: String, CodingKey { case startOffset = "start_offset", endOffset = "end_offset" }
}
