import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Bluesky's video service: a service token from the account's PDS, the upload, the job's status.
extension BlueskyProvider {
    /// Sends the video (its MP4 copy) to the video service; returns the job's id. Sending the same bytes
    /// again answers the job that has them (409 `already_exists`), so a retry makes no second video.
    func uploadVideo(_ file: PublishMedia, for post: PublishRequest) async throws -> String {
        guard let stored = file.stored(as: ["video/mp4"]) else {
            throw ProviderError.rejected(status: 0, message: "Bluesky takes MP4 videos; \(file.fileName) has no MP4 copy yet (is its processing finished?)")
        }
        let did = try Self.subject(of: post.credentials.accessToken)
        let token = try await serviceToken(for: post.credentials, method: "com.atproto.repo.uploadBlob")
        guard let storage = post.storage else { throw ProviderError.rejected(status: 0, message: "the media storage is not configured") }
        let bytes: ByteBuffer
        do {
            bytes = try await storage.contents(of: stored.storageKey, maximumBytes: mediaRules.maximumVideoBytes)
        } catch let error as StorageError {
            if case .notFound = error { throw ProviderError.rejected(status: 0, message: "the file \(file.fileName) is no longer in the media library") }
            throw ProviderError.unavailable(message: "the media storage: \(error)")
        }
        let name = file.fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._"))) ?? "video.mp4"
        var request = HTTPClientRequest(url: Self.base(videoService) + "/xrpc/app.bsky.video.uploadVideo?did=\(did)&name=\(name)")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "video/mp4")
        request.headers.add(name: "Content-Length", value: String(bytes.readableBytes))
        request.body = .bytes(bytes)
        // An upload publishes nothing, and the same bytes again answer the same job.
        let response = try await http.send(request, mutates: false)
        let status = response.decode(BlueskyVideoJob.Wrapped.self)?.jobStatus ?? response.decode(BlueskyVideoJob.self)
        if response.status == 200 || (response.status == 409 && status?.error == "already_exists"), let jobID = status?.jobId {
            return jobID
        }
        throw Self.error(for: response, mutates: false)
    }

    /// `app.bsky.video.getJobStatus` (no token needed).
    func jobStatus(_ jobID: String) async throws -> BlueskyVideoJob {
        var request = HTTPClientRequest(url: Self.base(videoService) + "/xrpc/app.bsky.video.getJobStatus?jobId=\(jobID)")
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await http.send(request, mutates: false)
        if response.status == 404 { throw ProviderError.rejected(status: 404, message: "Bluesky's video service no longer knows the upload; schedule the post again") }
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        guard let status = response.decode(BlueskyVideoJob.Wrapped.self)?.jobStatus else {
            throw ProviderError.unavailable(message: "the video service did not answer like Bluesky's: \(response.summary)")
        }
        return status
    }

    /// A token for the video service to act on the account's PDS (`com.atproto.server.getServiceAuth`), its
    /// audience the PDS that holds the account (from the session's DID document, which an entryway like
    /// bsky.social names).
    private func serviceToken(for credentials: ProviderCredentials, method: String) async throws -> String {
        let instance = credentials.instanceURL ?? defaultInstanceURL!
        let session = try await xrpc(instance, "com.atproto.server.getSession", token: credentials.accessToken)
        let endpoint = session.decode(BlueskySessionDocument.self)?.didDoc?.service?.first { $0.id.hasSuffix("#atproto_pds") }?.serviceEndpoint
        guard let host = URL(string: endpoint ?? instance.absoluteString).flatMap({ url in url.host.map { host in url.port.map { "\(host)%3A\($0)" } ?? host } }) else {
            throw ProviderError.rejected(status: 0, message: "the account's server has no host name")
        }
        let expiry = Int(Date().timeIntervalSince1970) + 1800
        let answer = try await xrpc(instance, "com.atproto.server.getServiceAuth?aud=did:web:\(host)&lxm=\(method)&exp=\(expiry)", token: credentials.accessToken)
        guard let token = answer.decode([String: String].self)?["token"] else {
            throw ProviderError.unavailable(message: "getServiceAuth's answer could not be read: \(answer.summary)")
        }
        return token
    }

    private func xrpc(_ instance: URL, _ call: String, token: String) async throws -> PlatformHTTP.Response {
        var request = HTTPClientRequest(url: Self.base(instance) + "/xrpc/" + call)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await http.send(request, mutates: false)
        guard response.status == 200 else { throw Self.error(for: response, mutates: false) }
        return response
    }

    static func base(_ url: URL) -> String {
        var text = url.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}

/// `app.bsky.video.defs#jobStatus`.
struct BlueskyVideoJob: Decodable {
    var jobId: String
    var state: String
    var blob: JSONValue?
    var error: String?
    var message: String?

    struct Wrapped: Decodable { var jobStatus: BlueskyVideoJob }

    /// The blob reference as Foundation JSON, to embed unchanged.
    var blobObject: Any? { blob.flatMap { try? $0.text() }.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } }
}

struct BlueskySessionDocument: Decodable {
    var didDoc: Document?

    struct Document: Decodable { var service: [Service]? }
    struct Service: Decodable {
        var id: String
        var serviceEndpoint: String
    }
}
