import Foundation
import NIOCore

/// Where media files are kept, by key (`ORGANIZATION/FILE.EXT`). Two implementations: ``LocalFileStorage``
/// (the embedded default) and ``S3Storage``. Writes are all or nothing: a failed store leaves no object.
package protocol MediaStorage: Sendable {
    /// Stores the local file at `path` under `key`, replacing any object there. The file may be moved into
    /// place: the caller must not need it afterwards.
    func store(file path: String, size: Int, key: String, contentType: String) async throws
    /// Starts writing `key` part by part as an upload arrives (nil: the store takes whole files only).
    func streamingUpload(key: String, contentType: String) async throws -> (any StreamingUpload)?
    /// The size of the parts a streamed upload takes.
    var streamingPartSize: Int { get }
    /// Copies the object at `key` to a new local file at `path` (for processing, and for platform uploads).
    func download(key: String, to path: String) async throws
    /// The object's size in bytes, or nil when there is none.
    func size(of key: String) async throws -> Int?
    /// Up to `count` bytes from the object's start (to tell its format).
    func prefix(of key: String, count: Int) async throws -> [UInt8]
    /// The whole object in memory, for uploads to platforms that take a file in one request (images).
    /// - Throws: ``StorageError/notFound(_:)``; ``StorageError/refused(status:code:message:)`` when it is larger than `maximumBytes`.
    func contents(of key: String, maximumBytes: Int) async throws -> ByteBuffer
    /// Deletes the object; nothing happens when there is none.
    func delete(key: String) async throws
    /// A URL anyone holding it can GET for `lifetime` (or for good when the store has a public URL).
    func readURL(key: String, lifetime: Duration) -> String
    /// A URL a browser can PUT the file to directly for `lifetime`, or nil when uploads must go through the API.
    func uploadURL(key: String, lifetime: Duration) -> String?
    /// Writes, reads back and deletes a small object (the health check).
    func probe() async throws
}

/// Why the storage failed.
package enum StorageError: Error, CustomStringConvertible, Equatable {
    /// A key outside the allowed form (a path escaping the root, an empty segment).
    case invalidKey(String)
    /// A probe read back other bytes than it wrote.
    case readBackMismatch
    /// No object at the key.
    case notFound(String)
    /// The S3 server refused: its status, error code and message.
    case refused(status: Int, code: String, message: String)
    /// The S3 server could not be reached or answered something that is not S3.
    case unavailable(String)

    package var description: String {
        switch self {
        case .invalidKey(let key): "invalid storage key '\(key)'"
        case .readBackMismatch: "the storage returned other bytes than were written"
        case .notFound(let key): "no object at '\(key)'"
        case .refused(let status, let code, let message): "the object store refused (\(status) \(code)): \(message)"
        case .unavailable(let reason): "the object store is unavailable: \(reason)"
        }
    }

    private static let keyBytes: Set<UInt8> = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.".utf8)

    /// Whether `key` is a relative path of safe segments: letters, digits, `-`, `_` and `.`, no `..`.
    package static func check(_ key: String) throws {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        let valid = !key.isEmpty && key.utf8.count <= 512 && segments.allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".." && segment.utf8.allSatisfy(keyBytes.contains)
        }
        if !valid { throw StorageError.invalidKey(key) }
    }
}
