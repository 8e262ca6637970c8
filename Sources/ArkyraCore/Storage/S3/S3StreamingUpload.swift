import Foundation
import NIOCore

/// A multipart upload fed while the file arrives: each part is sent while the next one fills (one part in
/// flight), completed at the end, aborted on any failure or refusal.
actor S3StreamingUpload: StreamingUpload {
    private let storage: S3Storage
    private let key: String
    private let uploadID: String
    private var etags: [String] = []
    /// The part being sent. It is awaited before the next is sent, at the end, and on abort, so it never
    /// outlives the upload.
    private var inFlight: Task<String, any Error>?

    init(storage: S3Storage, key: String, uploadID: String) {
        self.storage = storage
        self.key = key
        self.uploadID = uploadID
    }

    func write(_ part: ByteBuffer) async throws {
        try await settle()
        let number = etags.count + 1
        let (storage, key, uploadID) = (storage, key, uploadID)
        inFlight = Task { try await storage.uploadPart(part, number: number, key: key, uploadID: uploadID) }
    }

    private func settle() async throws {
        guard let running = inFlight else { return }
        inFlight = nil
        etags.append(try await running.value)
    }

    func finish() async throws {
        do {
            try await settle()
            try await storage.completeUpload(key: key, uploadID: uploadID, etags: etags)
        } catch {
            await abort()
            throw error
        }
    }

    func abort() async {
        if let running = inFlight {
            running.cancel()
            _ = try? await running.value
            inFlight = nil
        }
        await storage.abortUpload(key: key, uploadID: uploadID)
    }
}
