import Crypto
import Foundation
import NIOCore
import NIOFileSystem

/// An upload on its way in: its bytes go to a file in the staging folder as they arrive, hashed and counted,
/// so that a file of any size passes through in constant memory. The format is told from the first bytes and
/// the limit of its kind applies from then on: a file over it is refused at the byte that crosses it.
/// With a store that takes streamed uploads (S3), the bytes go to the bucket in parts as they arrive instead,
/// once the format is known, and no staging file is written.
/// Use from one task: ``write(_:)`` each chunk, then ``finish()``; ``discard()`` when anything fails.
package final class MediaStaging: @unchecked Sendable {
    // @unchecked: one task at a time uses it — the one reading the upload, or a child it awaits (the
    // download of upload-from-url runs under a deadline in a child task); never two at once.
    private let handle: WriteFileHandle
    package let path: String
    private let limits: MediaLimits
    private var hasher = SHA256()
    private var head: [UInt8] = []
    private var format: MediaFormat?
    private var size = 0
    /// Small chunks gathered into one write.
    private var pending = ByteBuffer()
    private var offset: Int64 = 0
    private var closed = false
    /// Starts a streamed upload for a file of the format (nil: stage to the file).
    private let streaming: (@Sendable (MediaFormat) async throws -> (key: String, upload: any StreamingUpload)?)?
    private var stream: (key: String, upload: any StreamingUpload)?
    private let partSize: Int

    /// What was staged.
    package struct File: Sendable {
        package var path: String
        package var size: Int
        package var sha256: String
        package var format: MediaFormat
        /// The key the bytes were streamed to (then `path` holds nothing).
        package var storedAt: String? = nil
    }

    /// Why an upload is refused; `message` is fit for the user.
    package enum Refusal: Error, Equatable {
        case tooLarge(limit: Int, kind: MediaKind?)
        case unsupportedFormat
        case empty

        package var message: String {
            switch self {
            case .tooLarge(let limit, let kind):
                "the \(kind?.rawValue ?? "file") is larger than the limit of \(limit / (1024 * 1024)) MB"
            case .unsupportedFormat: "is not a JPEG, PNG, GIF or WebP image, or an MP4, QuickTime or WebM video"
            case .empty: "is empty"
            }
        }
    }

    /// Opens a new file in `folder` (created when missing).
    /// - Parameters:
    ///   - streaming: starts a streamed upload once the format is known (nil, or answering nil: the file is staged).
    ///   - partSize: the size of the streamed parts (the last may be smaller).
    package init(folder: String, limits: MediaLimits, fileSystem: FileSystem = .shared, partSize: Int = 8 * 1024 * 1024,
                 streaming: (@Sendable (MediaFormat) async throws -> (key: String, upload: any StreamingUpload)?)? = nil) async throws {
        self.streaming = streaming
        self.partSize = partSize
        try await fileSystem.createDirectory(at: FilePath(folder), withIntermediateDirectories: true, permissions: nil)
        path = folder + "/upload-\(UUID().uuidString)"
        handle = try await fileSystem.openFile(forWritingAt: FilePath(path), options: .newFile(replaceExisting: false))
        self.limits = limits
    }

    /// Appends a chunk.
    /// - Throws: ``Refusal`` once the format is known not to be accepted or the size passes its kind's limit.
    package func write(_ chunk: ByteBuffer) async throws {
        size += chunk.readableBytes
        if format == nil {
            head += chunk.readableBytesView.prefix(MediaFormat.signatureLength - head.count)
            if head.count >= MediaFormat.signatureLength {
                guard let sniffed = MediaFormat.sniff(head) else { throw Refusal.unsupportedFormat }
                format = sniffed
                // Only when nothing went to the file yet (the first bytes are still pending).
                if offset == 0 { stream = try await streaming?(sniffed) }
            } else if size > limits.maxBytes {
                throw Refusal.tooLarge(limit: limits.maxBytes, kind: nil)
            }
        }
        if let format, size > limits.maxBytes(for: format.kind) { throw Refusal.tooLarge(limit: limits.maxBytes(for: format.kind), kind: format.kind) }
        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        var chunk = chunk
        pending.writeBuffer(&chunk)
        if let stream {
            while pending.readableBytes >= partSize, let part = pending.readSlice(length: partSize) {
                try await stream.upload.write(part)
            }
        } else if pending.readableBytes >= 1024 * 1024 {
            try await flush()
        }
    }

    private func flush() async throws {
        guard pending.readableBytes > 0 else { return }
        if let stream {
            try await stream.upload.write(pending)
            pending = ByteBuffer()
            return
        }
        try await handle.write(contentsOf: pending, toAbsoluteOffset: offset)
        offset += Int64(pending.readableBytes)
        pending.clear()
    }

    /// Closes the file and says what it holds.
    /// - Throws: ``Refusal`` for an empty file or one too short to have a known format.
    package func finish() async throws -> File {
        if size == 0 { throw Refusal.empty }
        if format == nil { format = MediaFormat.sniff(head) }
        guard let format else { throw Refusal.unsupportedFormat }
        try await flush()
        closed = true
        if let stream {
            try await handle.close(makeChangesVisible: false)
            try await stream.upload.finish()
            return File(path: path, size: size, sha256: Data(hasher.finalize()).hexString, format: format, storedAt: stream.key)
        }
        try await handle.close()
        return File(path: path, size: size, sha256: Data(hasher.finalize()).hexString, format: format)
    }

    /// Closes (when still open) and deletes the staged file.
    package func discard() async {
        // Unfinished, the file never becomes visible (it is created in place only when closed complete).
        if !closed { try? await handle.close(makeChangesVisible: false) }
        closed = true
        await stream?.upload.abort()
        _ = try? await FileSystem.shared.removeItem(at: FilePath(path), recursively: false)
    }

    /// Deletes a staged file once it has been stored.
    package static func remove(_ file: File) async {
        _ = try? await FileSystem.shared.removeItem(at: FilePath(file.path), recursively: false)
    }
}

extension MediaStaging {
    /// What a file already on disk holds (an object a browser put straight into the bucket, downloaded),
    /// with the same checks as an upload through the API.
    /// - Throws: ``Refusal`` for a file that is empty, too large for its kind or not a format ARKYRA takes.
    package static func inspect(path: String, limits: MediaLimits, fileSystem: FileSystem = .shared) async throws -> File {
        try await fileSystem.withFileHandle(forReadingAt: FilePath(path)) { handle in
            var hasher = SHA256()
            var head: [UInt8] = []
            var size = 0
            for try await chunk in handle.readChunks(chunkLength: .mebibytes(1)) {
                if head.count < MediaFormat.signatureLength { head += chunk.readableBytesView.prefix(MediaFormat.signatureLength - head.count) }
                size += chunk.readableBytes
                chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            }
            if size == 0 { throw Refusal.empty }
            guard let format = MediaFormat.sniff(head) else { throw Refusal.unsupportedFormat }
            guard size <= limits.maxBytes(for: format.kind) else { throw Refusal.tooLarge(limit: limits.maxBytes(for: format.kind), kind: format.kind) }
            return File(path: path, size: size, sha256: Data(hasher.finalize()).hexString, format: format)
        }
    }
}
