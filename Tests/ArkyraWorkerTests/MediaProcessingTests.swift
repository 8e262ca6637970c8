import ArkyraCore
@testable import ArkyraWorker
import ArkyraTestSupport
import Foundation
import Testing

/// The media queue's handler on real files that ffmpeg makes for the test, with the real ffprobe and ffmpeg,
/// the local storage and PostgreSQL.
@Suite("Worker: media processing with ffmpeg")
struct MediaProcessingTests {
    static let tools = MediaTools(ffmpeg: "/usr/bin/ffmpeg", ffprobe: "/usr/bin/ffprobe")

    /// Makes a file with ffmpeg from lavfi sources.
    static func make(_ name: String, _ arguments: [String]) async throws -> String {
        let path = NSTemporaryDirectory() + "media-\(UUID().uuidString)-\(name)"
        let outcome = try await Subprocess.run(tools.ffmpeg, ["-v", "error", "-y"] + arguments + [path], deadline: .seconds(60))
        #expect(outcome.status == 0, "\(outcome.errorTail)")
        return path
    }

    struct Setup {
        var handler: MediaJobHandler
        var storage: LocalFileStorage
        var repository: MediaRepository
    }

    static func setUp(_ world: PublishingWorld) -> Setup {
        let root = NSTemporaryDirectory() + "arkyra-processing-\(UUID().uuidString)"
        let storage = LocalFileStorage(configuration: StorageConfiguration(localPath: root), publicURL: "http://127.0.0.1:8080", signingSecret: [1, 2, 3])
        let handler = MediaJobHandler(database: world.database, storage: storage, tools: tools, events: EventPublisher(redis: world.redis),
                                      workFolder: root + "/.processing", logger: TestEnvironment.logger)
        return Setup(handler: handler, storage: storage, repository: MediaRepository(logger: TestEnvironment.logger))
    }

    /// Stores `path` as a library file of the world's organization and processes it; returns the row after.
    static func process(_ path: String, format: MediaFormat, _ world: PublishingWorld, _ setup: Setup) async throws -> MediaRepository.Media {
        let staged = try await MediaStaging.inspect(path: path, limits: MediaLimits())
        #expect(staged.format == format)
        let key = "\(world.organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased()).\(format.fileExtension)"
        try await setup.storage.store(file: path, size: staged.size, key: key, contentType: format.mimeType)
        let file = try await setup.repository.insert(.init(organizationID: world.organizationID, name: "x", format: format, sizeBytes: staged.size,
                                                          sha256: staged.sha256, storageKey: key, uploadedBy: nil), client: world.database)
        #expect(file.processing == "pending")
        try await setup.handler.handle(MediaJob(mediaID: file.id, organizationID: world.organizationID).job(requestID: nil),
                                       context: JobContext(consumer: "test", deliveries: 1, staleOwner: nil))
        return try #require(try await setup.repository.find(id: file.id, organizationID: world.organizationID, client: world.database))
    }

    @Test("a PNG is probed, gets a thumbnail and a JPEG beside it")
    func image() async throws {
        try await PublishingWorld.run { world in
            let setup = Self.setUp(world)
            let png = try await Self.make("a.png", ["-f", "lavfi", "-i", "testsrc=size=640x400:rate=1", "-frames:v", "1"])
            let file = try await Self.process(png, format: .png, world, setup)
            #expect(file.processing == "ready")
            #expect(file.width == 640 && file.height == 400)
            #expect(file.durationMs == nil)
            #expect(file.videoCodec == "png")
            let thumbnail = try #require(file.thumbnailKey)
            #expect(try await setup.storage.prefix(of: thumbnail, count: 3) == [0xFF, 0xD8, 0xFF])
            let variants = try await setup.repository.variants(of: [file.id], client: world.database)[file.id] ?? []
            #expect(variants.map(\.name) == ["jpeg"])
            #expect(variants.first?.width == 640)
            #expect(try await setup.storage.prefix(of: variants[0].storageKey, count: 3) == [0xFF, 0xD8, 0xFF])
        }
    }

    @Test("a WebM with sound is transcoded to H.264/AAC MP4, with progress and the outcome on the organization's event stream")
    func webm() async throws {
        try await PublishingWorld.run { world in
            let setup = Self.setUp(world)
            let webm = try await Self.make("b.webm", ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-f", "lavfi", "-i", "sine=frequency=440",
                                                     "-t", "3", "-c:v", "libvpx", "-b:v", "200k", "-c:a", "libopus"])
            let channel = EventPublisher.channel(prefix: world.redis.configuration.keyPrefix, organizationID: world.organizationID)
            let (file, events) = try await world.redis.subscribe(to: [channel]) { messages async throws -> (MediaRepository.Media, [String]) in
                let file = try await Self.process(webm, format: .webm, world, setup)
                var types: [String] = []
                for await message in messages {
                    let event = try JSONSerialization.jsonObject(with: Data(message.payload.utf8)) as? [String: Any]
                    types.append(event?["type"] as? String ?? "?")
                    if types.last == "media.ready" { break }
                }
                return (file, types)
            }
            #expect(file.processing == "ready")
            #expect(file.videoCodec == "vp8")
            #expect(file.audioCodec == "opus")
            #expect((2900...3100).contains(file.durationMs ?? 0))
            #expect(events.last == "media.ready")
            #expect(events.dropLast().allSatisfy { $0 == "media.progress" })
            let variant = try #require((try await setup.repository.variants(of: [file.id], client: world.database)[file.id] ?? []).first)
            #expect(variant.name == "mp4")
            let copy = NSTemporaryDirectory() + "variant-\(UUID().uuidString).mp4"
            try await setup.storage.download(key: variant.storageKey, to: copy)
            let probe = try await Self.tools.probe(copy, kind: .video)
            #expect(probe.videoCodec == "h264")
            #expect(probe.audioCodec == "aac")
            #expect(MediaJobHandler.isPlatformReady(probe))

            // A person picks another frame: only the thumbnail is taken again, under a new key; the old one goes.
            let before = try #require(file.thumbnailKey)
            _ = try await setup.repository.update(id: file.id, organizationID: world.organizationID, name: nil, alt: nil, thumbnailAtMs: 2500, client: world.database)
            try await setup.handler.handle(MediaJob(mediaID: file.id, organizationID: world.organizationID, thumbnailOnly: true).job(requestID: nil),
                                           context: JobContext(consumer: "test", deliveries: 1, staleOwner: nil))
            let after = try #require(try await setup.repository.find(id: file.id, organizationID: world.organizationID, client: world.database))
            #expect(after.thumbnailKey?.hasSuffix(".thumb-2500.jpg") == true)
            #expect(try await setup.storage.size(of: before) == nil)
            #expect(try await setup.storage.prefix(of: try #require(after.thumbnailKey), count: 3) == [0xFF, 0xD8, 0xFF])
        }
    }

    @Test("an H.264 MP4 turned a quarter needs no transcode; its displayed size is swapped")
    func rotatedMP4() async throws {
        try await PublishingWorld.run { world in
            let setup = Self.setUp(world)
            let upright = try await Self.make("c.mp4", ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p"])
            // A phone's portrait video: the picture stored landscape, a display matrix saying turn it (set by remuxing).
            let mp4 = try await Self.make("d.mp4", ["-i", upright, "-c", "copy", "-metadata:s:v:0", "rotate=90"])
            let file = try await Self.process(mp4, format: .mp4, world, setup)
            #expect(file.processing == "ready")
            #expect(file.width == 240 && file.height == 320)
            #expect(file.audioCodec == nil)
            #expect((try await setup.repository.variants(of: [file.id], client: world.database)[file.id] ?? []).isEmpty)
        }
    }

    @Test("a corrupt file is marked failed with ffmpeg's reason, and nothing derived is stored")
    func corrupt() async throws {
        try await PublishingWorld.run { world in
            let setup = Self.setUp(world)
            let path = NSTemporaryDirectory() + "corrupt-\(UUID().uuidString).png"
            try (Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 0x41, count: 500)).write(to: URL(fileURLWithPath: path))
            let file = try await Self.process(path, format: .png, world, setup)
            #expect(file.processing == "failed")
            #expect(file.processingError?.hasPrefix("the file cannot be read as an image") == true)
            #expect(file.thumbnailKey == nil)
            let folder = setup.storage.root + "/" + world.organizationID.uuidString.lowercased()
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == 1, "only the original")
        }
    }

    @Test("a program past its deadline is stopped and reported")
    func deadline() async throws {
        let started = ContinuousClock.now
        await #expect(throws: Subprocess.Failure.deadlineExceeded(.milliseconds(300))) {
            try await Subprocess.run("/bin/sleep", ["30"], deadline: .milliseconds(300))
        }
        // Stopped, not waited out (sleep would take 30 s).
        #expect(ContinuousClock.now - started < .seconds(25))
        await #expect(throws: Subprocess.Failure.self) { try await Subprocess.run("/nonexistent/ffmpeg", [], deadline: .seconds(1)) }
    }
}

@Suite("Media probe (ffprobe's JSON)")
struct MediaProbeTests {
    @Test("sizes, codecs, duration and rotation from either way ffprobe reports it")
    func parse() throws {
        let json = #"""
        {"streams": [{"codec_type": "video", "codec_name": "h264", "width": 1920, "height": 1080, "side_data_list": [{"rotation": -90}]},
                     {"codec_type": "audio", "codec_name": "aac"}],
         "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "12.345"}}
        """#
        let probe = try MediaProbe.parse(Data(json.utf8), kind: .video)
        #expect(probe == MediaProbe(width: 1920, height: 1080, durationMs: 12345, videoCodec: "h264", audioCodec: "aac", rotation: 90, container: "mov,mp4,m4a,3gp,3g2,mj2"))
        #expect(probe.displayWidth == 1080 && probe.displayHeight == 1920)
        let tagged = #"{"streams": [{"codec_type": "video", "codec_name": "h264", "width": 10, "height": 20, "duration": "1.5", "tags": {"rotate": "180"}}], "format": {}}"#
        #expect(try MediaProbe.parse(Data(tagged.utf8), kind: .video).rotation == 180)
        #expect(throws: MediaProbe.Unreadable.self) { try MediaProbe.parse(Data(#"{"streams": [{"codec_type": "audio"}]}"#.utf8), kind: .video) }
        #expect(throws: MediaProbe.Unreadable.self) {
            try MediaProbe.parse(Data(#"{"streams": [{"codec_type": "video", "codec_name": "h264", "width": 1, "height": 1}], "format": {}}"#.utf8), kind: .video)
        }
        #expect(try MediaProbe.parse(Data(#"{"streams": [{"codec_type": "video", "codec_name": "png", "width": 3, "height": 4}]}"#.utf8), kind: .image).durationMs == nil)
    }
}
