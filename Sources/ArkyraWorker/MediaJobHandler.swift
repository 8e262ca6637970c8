import ArkyraCore
import Foundation
import Logging
import NIOFileSystem

/// Processes uploaded files on the media queue: probes them with ffprobe, stores a thumbnail, and derives
/// what platforms demand (a JPEG of other images; an H.264/AAC MP4 of other videos), each stored beside the
/// original. Progress and the outcome go to the organization's event stream. A file ffmpeg cannot read is
/// marked failed with ffmpeg's reason (no retry); a storage or database failure is retried.
package struct MediaJobHandler: JobHandler {
    package let jobType = MediaJob.type
    package let retryPolicy = RetryPolicy(maxAttempts: 5, maxElapsed: .seconds(3600), baseDelay: .seconds(5), maxDelay: .seconds(300))
    let database: Database
    let media: MediaRepository
    let storage: any MediaStorage
    let tools: MediaTools
    let events: EventPublisher
    /// Where files are worked on (deleted after each job).
    let workFolder: String
    let logger: Logger

    package init(database: Database, storage: any MediaStorage, tools: MediaTools, events: EventPublisher, workFolder: String, logger: Logger) {
        self.database = database
        self.media = MediaRepository(logger: logger)
        self.storage = storage
        self.tools = tools
        self.events = events
        self.workFolder = workFolder
        self.logger = logger
    }

    package func handle(_ job: Job, context: JobContext) async throws {
        guard let request = MediaJob(job) else { throw PermanentJobError("media job without a media id") }
        guard let file = try await media.find(id: request.mediaID, client: database), file.organizationID == request.organizationID else {
            return // deleted before it was processed
        }
        let folder = workFolder + "/\(job.id)-\(UUID().uuidString.prefix(8))"
        try await FileSystem.shared.createDirectory(at: FilePath(folder), withIntermediateDirectories: true, permissions: nil)
        do {
            if request.thumbnailOnly { try await retakeThumbnail(file, in: folder) } else { try await process(file, in: folder) }
            _ = try? await FileSystem.shared.removeItem(at: FilePath(folder), recursively: true)
        } catch {
            _ = try? await FileSystem.shared.removeItem(at: FilePath(folder), recursively: true)
            throw error
        }
    }

    private func process(_ file: MediaRepository.Media, in folder: String) async throws {
        let original = folder + "/original"
        try await storage.download(key: file.storageKey, to: original)
        let probe: MediaProbe
        do {
            probe = try await tools.probe(original, kind: file.kind)
        } catch let error as MediaProbe.Unreadable {
            return try await fail(file, "the file cannot be read as \(file.kind == .image ? "an image" : "a video"): \(error.description)")
        } catch let error as MediaTools.Failed {
            return try await fail(file, "the file cannot be read as \(file.kind == .image ? "an image" : "a video"): \(error.message)")
        }
        let base = Self.derivedBase(file)
        var variants: [MediaRepository.Variant] = []
        let thumbnailKey: String?
        do {
            let thumbnail = folder + "/thumbnail.jpg"
            try await tools.thumbnail(of: original, probe: probe, at: file.thumbnailAtMs, to: thumbnail)
            thumbnailKey = base + ".thumb.jpg"
            try await store(thumbnail, key: thumbnailKey!, type: "image/jpeg")
            if file.kind == .image, file.contentType != MediaFormat.jpeg.mimeType {
                let jpeg = folder + "/variant.jpg"
                try await tools.jpeg(of: original, to: jpeg)
                let derived = try await tools.probe(jpeg, kind: .image)
                variants.append(try await stored(jpeg, name: "jpeg", key: base + ".jpeg.jpg", type: "image/jpeg", probe: derived))
            }
            if file.kind == .video, !Self.isPlatformReady(probe) {
                let mp4 = folder + "/variant.mp4"
                try await transcode(original, probe: probe, to: mp4, for: file)
                let derived = try await tools.probe(mp4, kind: .video)
                variants.append(try await stored(mp4, name: "mp4", key: base + ".h264.mp4", type: "video/mp4", probe: derived))
            }
        } catch let error as MediaTools.Failed {
            return try await fail(file, "the file could not be converted: \(error.message)")
        }
        guard try await media.markReady(id: file.id, probe: probe, thumbnailKey: thumbnailKey, variants: variants, client: database) else {
            // Deleted while it was processed: take back what was stored for it.
            for key in [thumbnailKey].compactMap({ $0 }) + variants.map(\.storageKey) { try? await storage.delete(key: key) }
            return
        }
        logger.info("media processed", metadata: ["media_id": "\(file.id)", "variants": "\(variants.map(\.name))"])
        _ = try? await events.publish(MediaEvent(type: "media.ready", organizationID: file.organizationID, mediaID: file.id, percent: 100))
    }

    /// Takes a video's thumbnail again at the frame a person chose, under a new key (so no cache shows the old
    /// one), then deletes the old one.
    private func retakeThumbnail(_ file: MediaRepository.Media, in folder: String) async throws {
        let original = folder + "/original"
        try await storage.download(key: file.storageKey, to: original)
        let thumbnail = folder + "/thumbnail.jpg"
        do {
            let probe = try await tools.probe(original, kind: file.kind)
            try await tools.thumbnail(of: original, probe: probe, at: file.thumbnailAtMs, to: thumbnail)
        } catch let error as MediaTools.Failed {
            logger.notice("the thumbnail could not be taken again", metadata: ["media_id": "\(file.id)", "reason": "\(error.message)"])
            return
        } catch is MediaProbe.Unreadable {
            return
        }
        let key = Self.derivedBase(file) + ".thumb-\(file.thumbnailAtMs ?? 0).jpg"
        try await store(thumbnail, key: key, type: "image/jpeg")
        switch try await media.replaceThumbnail(id: file.id, key: key, client: database) {
        case .some(let previous?) where previous != key: try? await storage.delete(key: previous)
        case .none: try? await storage.delete(key: key) // deleted meanwhile
        default: break
        }
        _ = try? await events.publish(MediaEvent(type: "media.ready", organizationID: file.organizationID, mediaID: file.id, percent: 100))
    }

    /// Transcodes while a child task relays the progress (only the latest percent waits when Redis is slow).
    private func transcode(_ path: String, probe: MediaProbe, to output: String, for file: MediaRepository.Media) async throws {
        let (percents, continuation) = AsyncStream<Int>.makeStream(bufferingPolicy: .bufferingNewest(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await percent in percents where percent < 100 {
                    _ = try? await events.publish(MediaEvent(type: "media.progress", organizationID: file.organizationID, mediaID: file.id, percent: percent))
                }
            }
            do {
                try await tools.mp4(of: path, probe: probe, to: output) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish()
                throw error
            }
            try await group.waitForAll()
        }
    }

    /// The original's key without its extension: derived files are stored beside it under this.
    static func derivedBase(_ file: MediaRepository.Media) -> String {
        file.storageKey.split(separator: ".").first.map(String.init) ?? file.storageKey
    }

    /// H.264 in an MP4 with AAC audio (or none) and no side over the limit: what every platform takes as it is.
    static func isPlatformReady(_ probe: MediaProbe) -> Bool {
        probe.container.contains("mp4") && probe.videoCodec == "h264" && (probe.audioCodec == nil || probe.audioCodec == "aac")
            && max(probe.width, probe.height) <= MediaTools.maximumVideoSide
    }

    /// Stores a file ffmpeg wrote (it may be moved into place); returns its size.
    @discardableResult
    private func store(_ path: String, key: String, type: String) async throws -> Int {
        guard let info = try await FileSystem.shared.info(forFileAt: FilePath(path)), info.size > 0 else {
            throw MediaTools.Failed(tool: "ffmpeg", message: "wrote no file")
        }
        try await storage.store(file: path, size: Int(info.size), key: key, contentType: type)
        return Int(info.size)
    }

    private func stored(_ path: String, name: String, key: String, type: String, probe: MediaProbe) async throws -> MediaRepository.Variant {
        let size = try await store(path, key: key, type: type)
        return MediaRepository.Variant(name: name, storageKey: key, contentType: type, sizeBytes: size, width: probe.displayWidth, height: probe.displayHeight)
    }

    private func fail(_ file: MediaRepository.Media, _ message: String) async throws {
        logger.notice("media cannot be processed", metadata: ["media_id": "\(file.id)", "reason": "\(message)"])
        try await media.markFailed(id: file.id, error: message, client: database)
        _ = try? await events.publish(MediaEvent(type: "media.failed", organizationID: file.organizationID, mediaID: file.id, message: message))
    }
}
