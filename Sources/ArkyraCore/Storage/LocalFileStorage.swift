import Crypto
import Foundation
import NIOCore
import NIOFileSystem

/// Media files on the local filesystem, under one root folder. The API serves them at
/// `PUBLIC_URL/media/files/KEY?expires=…&signature=…`, an HMAC over the key and the expiry (``signature(key:expires:)``).
package struct LocalFileStorage: MediaStorage {
    package let root: String
    /// Where the API is reached (`ARKYRA_PUBLIC_URL`), for read URLs.
    let publicURL: String
    private let signingKey: SymmetricKey
    private let fileSystem: FileSystem

    /// - Parameter signingSecret: the secret read URLs are signed with (the API derives it from its JWT secret).
    package init(configuration: StorageConfiguration, publicURL: String, signingSecret: [UInt8], fileSystem: FileSystem = .shared) {
        self.root = configuration.localPath
        self.publicURL = publicURL
        self.signingKey = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data("arkyra media urls".utf8), using: SymmetricKey(data: signingSecret)))
        self.fileSystem = fileSystem
    }

    /// Where the object at `key` is on disk.
    /// - Throws: ``StorageError/invalidKey(_:)`` for a key that could leave the root.
    package func path(of key: String) throws -> String {
        try StorageError.check(key)
        return root + "/" + key
    }

    /// Files are staged on the same disk and moved into place, which is cheaper than streaming.
    package func streamingUpload(key: String, contentType: String) async throws -> (any StreamingUpload)? { nil }
    package var streamingPartSize: Int { 0 }

    /// Moves the file into place when it is on the same filesystem (staging is under the root), else copies it.
    package func store(file path: String, size: Int, key: String, contentType: String) async throws {
        let target = try self.path(of: key)
        try await fileSystem.createDirectory(at: FilePath(target).removingLastComponent(), withIntermediateDirectories: true, permissions: nil)
        if rename(path, target) == 0 { return }
        try await copy(from: path, to: target)
    }

    package func download(key: String, to path: String) async throws {
        let source = try self.path(of: key)
        guard try await fileSystem.info(forFileAt: FilePath(source)) != nil else { throw StorageError.notFound(key) }
        try await copy(from: source, to: path)
    }

    /// Copies through a hidden file that becomes visible only when complete.
    private func copy(from source: String, to target: String) async throws {
        try await fileSystem.withFileHandle(forReadingAt: FilePath(source)) { input in
            try await fileSystem.withFileHandle(forWritingAt: FilePath(target), options: .newFile(replaceExisting: true)) { output in
                var offset: Int64 = 0
                for try await chunk in input.readChunks(chunkLength: .mebibytes(1)) {
                    try await output.write(contentsOf: chunk, toAbsoluteOffset: offset)
                    offset += Int64(chunk.readableBytes)
                }
            }
        }
    }

    package func size(of key: String) async throws -> Int? {
        guard let info = try await fileSystem.info(forFileAt: FilePath(try path(of: key))), info.type == .regular else { return nil }
        return Int(info.size)
    }

    package func prefix(of key: String, count: Int) async throws -> [UInt8] {
        guard try await size(of: key) != nil else { throw StorageError.notFound(key) }
        return try await fileSystem.withFileHandle(forReadingAt: FilePath(try path(of: key))) { handle in
            Array(try await handle.readChunk(fromAbsoluteOffset: 0, length: .bytes(Int64(count))).readableBytesView)
        }
    }

    package func contents(of key: String, maximumBytes: Int) async throws -> ByteBuffer {
        guard let size = try await size(of: key) else { throw StorageError.notFound(key) }
        guard size <= maximumBytes else { throw StorageError.refused(status: 413, code: "TooLarge", message: "\(key) has \(size) bytes, more than \(maximumBytes)") }
        return try await fileSystem.withFileHandle(forReadingAt: FilePath(try path(of: key))) { try await $0.readToEnd(maximumSizeAllowed: .bytes(Int64(maximumBytes))) }
    }

    package func delete(key: String) async throws {
        try await fileSystem.removeItem(at: FilePath(try path(of: key)), recursively: false)
    }

    package func readURL(key: String, lifetime: Duration) -> String {
        let expires = Int(Date().timeIntervalSince1970) + Int(lifetime.components.seconds)
        return "\(publicURL)/media/files/\(key)?expires=\(expires)&signature=\(signature(key: key, expires: expires))"
    }

    /// Local storage takes uploads through the API only.
    package func uploadURL(key: String, lifetime: Duration) -> String? { nil }

    /// The signature of a read URL for `key` until `expires` (seconds since 1970).
    package func signature(key: String, expires: Int) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data("\(key)\n\(expires)".utf8), using: signingKey)).hexString
    }

    /// Whether a read URL's `expires` and `signature` are valid for `key` now.
    package func verify(key: String, expires: Int, signature given: String, now: Date = Date()) -> Bool {
        guard expires >= Int(now.timeIntervalSince1970) else { return false }
        let expected = Array(signature(key: key, expires: expires).utf8)
        let actual = Array(given.lowercased().utf8)
        guard expected.count == actual.count else { return false }
        return zip(expected, actual).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Creates the root when missing, then writes, reads back and deletes a small file.
    package func probe() async throws {
        try await fileSystem.createDirectory(at: FilePath(root), withIntermediateDirectories: true, permissions: nil)
        let path = FilePath(root + "/.health-\(UUID().uuidString)")
        let bytes = ByteBuffer(string: "ok")
        try await fileSystem.withFileHandle(forWritingAt: path, options: .newFile(replaceExisting: true)) { handle in
            _ = try await handle.write(contentsOf: bytes, toAbsoluteOffset: 0)
        }
        let read: ByteBuffer
        do {
            read = try await fileSystem.withFileHandle(forReadingAt: path) { try await $0.readToEnd(maximumSizeAllowed: .bytes(16)) }
        } catch {
            _ = try? await fileSystem.removeItem(at: path, recursively: false)
            throw error
        }
        try await fileSystem.removeItem(at: path, recursively: false)
        guard read == bytes else { throw StorageError.readBackMismatch }
    }
}
