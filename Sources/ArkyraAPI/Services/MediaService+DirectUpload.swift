import ArkyraCore
import Foundation
import NIOFileSystem

/// Uploads straight from the browser to the bucket: a presigned PUT URL, then a completion call that checks
/// the object (size, format from its bytes, content hash) before it joins the library. The pending upload
/// lives in Redis for the URL's lifetime, bound to the organization and the user who asked.
extension MediaService {
    struct PendingUpload: Codable {
        var organizationID: UUID
        var userID: UUID?
        var key: String
        var name: String?
    }

    struct DirectUpload: Encodable {
        var uploadID: String
        var method = "PUT"
        var url: String
        var expiresAt: Date
    }

    static let directUploadLifetime: Duration = .seconds(3600)

    /// - Throws: 409 when the storage takes uploads only through the API (the local store).
    func startDirectUpload(organizationID: UUID, userID: UUID?, name: String?, redis: RedisClient) async throws -> DirectUpload {
        let key = Self.newKey(organizationID: organizationID, format: nil)
        guard let url = storage.uploadURL(key: key, lifetime: Self.directUploadLifetime) else {
            throw APIError(.conflict, "direct_upload_unavailable",
                           "this installation stores media on its own disk; upload through POST …/media as multipart/form-data")
        }
        let id = SecretToken.generate(prefix: "up_")
        let pending = String(decoding: try JSONEncoder().encode(PendingUpload(organizationID: organizationID, userID: userID, key: key, name: name)), as: UTF8.self)
        _ = try await redis.set(redis.key("media-upload:\(id)"), pending, expiresIn: Self.directUploadLifetime)
        return DirectUpload(uploadID: id, url: url, expiresAt: Date().addingTimeInterval(TimeInterval(Self.directUploadLifetime.components.seconds)))
    }

    /// Checks the uploaded object and adds it to the library (or answers the organization's file with the
    /// same content, deleting the new object). A refused object is deleted from the bucket.
    func completeDirectUpload(id: String, organizationID: UUID, by userID: UUID?, origin: RequestOrigin, redis: RedisClient) async throws
        -> (media: MediaRepository.Media, created: Bool) {
        guard id.count <= 64, let text = try await redis.take(redis.key("media-upload:\(id)")),
              let pending = try? JSONDecoder().decode(PendingUpload.self, from: Data(text.utf8)), pending.organizationID == organizationID
        else { throw APIError.notFound("upload") }
        guard let size = try await storage.size(of: pending.key) else {
            throw APIError(.conflict, "upload_missing", "nothing was uploaded to the URL; PUT the file there, then complete the upload again with a new one")
        }
        guard size <= limits.maxBytes else {
            try? await storage.delete(key: pending.key)
            throw MultipartUpload.tooLarge(.tooLarge(limit: limits.maxBytes, kind: nil))
        }
        try await FileSystem.shared.createDirectory(at: FilePath(stagingFolder), withIntermediateDirectories: true, permissions: nil)
        let path = stagingFolder + "/direct-\(UUID().uuidString)"
        let staged: MediaStaging.File
        do {
            try await storage.download(key: pending.key, to: path)
            staged = try await MediaStaging.inspect(path: path, limits: limits)
        } catch {
            _ = try? await FileSystem.shared.removeItem(at: FilePath(path), recursively: false)
            if error is MediaStaging.Refusal { try? await storage.delete(key: pending.key) }
            throw MultipartUpload.describe(error)
        }
        return try await ingest(staged, name: pending.name, organizationID: organizationID, by: pending.userID ?? userID, origin: origin, storedAt: pending.key)
    }
}
