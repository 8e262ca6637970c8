@testable import ArkyraCore
import Foundation
import Testing

@Suite("Storage: the local disk, and telling formats from bytes")
struct LocalFileStorageTests {
    let storage = LocalFileStorage(
        configuration: StorageConfiguration(localPath: NSTemporaryDirectory() + "arkyra-local-\(UUID().uuidString)"),
        publicURL: "https://arkyra.example", signingSecret: Array("a secret for media URLs".utf8)
    )

    @Test("a stored file reads back by size, prefix and download, and is gone once deleted")
    func roundTrip() async throws {
        let source = NSTemporaryDirectory() + "local-source-\(UUID().uuidString)"
        let bytes = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: URL(fileURLWithPath: source))
        try await storage.store(file: source, size: bytes.count, key: "org/a.png", contentType: "image/png")
        #expect(try await storage.size(of: "org/a.png") == bytes.count)
        #expect(try await storage.prefix(of: "org/a.png", count: 4) == Array(bytes.prefix(4)))
        try await storage.download(key: "org/a.png", to: source + ".copy")
        #expect(try Data(contentsOf: URL(fileURLWithPath: source + ".copy")) == bytes)
        try await storage.delete(key: "org/a.png")
        #expect(try await storage.size(of: "org/a.png") == nil)
        await #expect(throws: StorageError.notFound("org/a.png")) { try await storage.download(key: "org/a.png", to: source + ".gone") }
        try await storage.probe()
    }

    @Test("keys that could leave the root are refused")
    func keys() async throws {
        for key in ["../etc/passwd", "org/../../x", "/absolute", "org//x", "org/a b.png", "org/ä.png", ""] {
            #expect(throws: StorageError.invalidKey(key)) { try storage.path(of: key) }
        }
        #expect(try storage.path(of: "0f3a/x-1_2.mp4").hasSuffix("/0f3a/x-1_2.mp4"))
    }

    @Test("read URLs are signed for their key and expiry; another key, a later expiry or the past are refused")
    func signedURLs() throws {
        let url = try #require(URLComponents(string: storage.readURL(key: "org/a.png", lifetime: .seconds(60))))
        #expect(url.path == "/media/files/org/a.png")
        let expires = try #require(url.queryItems?.first { $0.name == "expires" }?.value.flatMap(Int.init))
        let signature = try #require(url.queryItems?.first { $0.name == "signature" }?.value)
        #expect(storage.verify(key: "org/a.png", expires: expires, signature: signature))
        #expect(storage.verify(key: "org/a.png", expires: expires, signature: signature.uppercased()))
        #expect(!storage.verify(key: "org/b.png", expires: expires, signature: signature))
        #expect(!storage.verify(key: "org/a.png", expires: expires + 1, signature: signature))
        #expect(!storage.verify(key: "org/a.png", expires: expires, signature: signature, now: Date().addingTimeInterval(120)))
        #expect(!storage.verify(key: "org/a.png", expires: expires, signature: "00"))
    }

    @Test("formats come from the first bytes: images, videos, and what is neither")
    func sniffing() {
        func sniff(_ bytes: [UInt8]) -> MediaFormat? { MediaFormat.sniff(bytes + [UInt8](repeating: 0, count: 16)) }
        #expect(sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == .png)
        #expect(sniff(Array("GIF89a".utf8)) == .gif)
        #expect(sniff(Array("RIFF".utf8) + [1, 2, 3, 4] + Array("WEBP".utf8)) == .webp)
        #expect(sniff(Array("RIFF".utf8) + [1, 2, 3, 4] + Array("WAVE".utf8)) == nil)
        #expect(sniff([0, 0, 0, 0x20] + Array("ftypisom".utf8)) == .mp4)
        #expect(sniff([0, 0, 0, 0x14] + Array("ftypqt  ".utf8)) == .quicktime)
        #expect(sniff([0, 0, 0, 0x1C] + Array("ftypheic".utf8)) == nil)
        #expect(sniff([0x1A, 0x45, 0xDF, 0xA3]) == .webm)
        #expect(sniff(Array("<svg xmlns=".utf8)) == nil)
        #expect(MediaFormat.sniff([0xFF, 0xD8]) == nil)
    }
}
