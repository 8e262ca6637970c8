@testable import ArkyraCore
import ArkyraTestSupport
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOFoundationCompat
import Testing

/// S3Storage against a real S3-compatible server that verifies signatures (SeaweedFS, started by
/// scripts/s3-server.sh), and a plain HTTP client for the presigned URLs, as a browser or a platform uses them.
@Suite("Storage: S3 against SeaweedFS")
struct S3StorageTests {
    let storage = S3Storage(configuration: TestS3.configuration(), client: .shared)
    let prefix = "tests/\(UUID().uuidString.lowercased())"

    /// A file of `size` pseudo-random bytes.
    static func file(size: Int) throws -> (path: String, bytes: Data) {
        var generator = SystemRandomNumberGenerator()
        let bytes = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let path = NSTemporaryDirectory() + "s3-test-\(UUID().uuidString)"
        try bytes.write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    static func get(_ url: String, method: NIOHTTP1.HTTPMethod = .GET, body: Data? = nil) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.body = .bytes(ByteBuffer(data: body))
            request.headers.add(name: "Content-Length", value: String(body.count))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), Data(buffer: try await response.body.collect(upTo: 64 * 1024 * 1024)))
    }

    @Test("an object stored in one PUT reads back whole, by prefix, by size and by download, and is gone once deleted")
    func singlePut() async throws {
        let (path, bytes) = try Self.file(size: 200_000)
        let key = "\(prefix)/small.bin"
        try await storage.store(file: path, size: bytes.count, key: key, contentType: "application/octet-stream")
        #expect(try await storage.size(of: key) == bytes.count)
        #expect(try await storage.prefix(of: key, count: 16) == Array(bytes.prefix(16)))
        let copy = path + ".copy"
        try await storage.download(key: key, to: copy)
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == bytes)
        try await storage.delete(key: key)
        #expect(try await storage.size(of: key) == nil)
        try await storage.delete(key: key) // deleting what is not there is fine
    }

    @Test("a presigned GET works with a plain HTTP client; the same URL tampered with, or expired, is refused with 403")
    func presignedGet() async throws {
        let (path, bytes) = try Self.file(size: 1000)
        let key = "\(prefix)/shared.jpg"
        try await storage.store(file: path, size: bytes.count, key: key, contentType: "image/jpeg")
        let url = storage.readURL(key: key, lifetime: .seconds(60))
        let fetched = try await Self.get(url)
        #expect(fetched.status == 200)
        #expect(fetched.body == bytes)
        // Another key under the same signature.
        #expect(try await Self.get(url.replacingOccurrences(of: "shared.jpg", with: "other.jpg")).status == 403)
        // A changed signature.
        let signature = url.components(separatedBy: "X-Amz-Signature=")[1]
        let flipped = (signature.first == "0" ? "1" : "0") + signature.dropFirst()
        #expect(try await Self.get(url.replacingOccurrences(of: signature, with: flipped)).status == 403)
        // A longer lifetime than was signed.
        #expect(try await Self.get(url.replacingOccurrences(of: "X-Amz-Expires=60", with: "X-Amz-Expires=600")).status == 403)
    }

    @Test("a presigned PUT takes a file from a plain HTTP client; a PUT to a tampered URL is refused and stores nothing")
    func presignedPut() async throws {
        let key = "\(prefix)/direct.png"
        let url = try #require(storage.uploadURL(key: key, lifetime: .seconds(60)))
        let body = Data("a file the browser sends".utf8)
        #expect(try await Self.get(url.replacingOccurrences(of: "direct.png", with: "elsewhere.png"), method: .PUT, body: body).status == 403)
        #expect(try await storage.size(of: "\(prefix)/elsewhere.png") == nil)
        #expect(try await Self.get(url, method: .PUT, body: body).status == 200)
        #expect(try await storage.size(of: key) == body.count)
    }

    @Test("requests signed with the wrong secret are refused as SignatureDoesNotMatch")
    func wrongSecret() async throws {
        let wrong = S3Storage(configuration: TestS3.configuration(secret: "not-the-secret"), client: .shared)
        let (path, bytes) = try Self.file(size: 100)
        do {
            try await wrong.store(file: path, size: bytes.count, key: "\(prefix)/refused.bin", contentType: "application/octet-stream")
            Issue.record("a wrongly signed PUT was accepted")
        } catch let error as StorageError {
            guard case .refused(let status, let code, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(status == 403)
            #expect(code == "SignatureDoesNotMatch")
        }
        #expect(try await storage.size(of: "\(prefix)/refused.bin") == nil)
    }

    @Test("a file larger than the part size goes up in parts and reads back byte for byte")
    func multipart() async throws {
        let (path, bytes) = try Self.file(size: 11 * 1024 * 1024 + 123)
        let key = "\(prefix)/large.mp4"
        try await storage.store(file: path, size: bytes.count, key: key, contentType: "video/mp4")
        #expect(try await storage.size(of: key) == bytes.count)
        let copy = path + ".copy"
        try await storage.download(key: key, to: copy)
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == bytes)
    }

    @Test("a multipart upload that fails part-way is aborted: no object, no parts left pending")
    func multipartAborted() async throws {
        // The file is shorter than the size given, so the third part cannot be read.
        let (path, _) = try Self.file(size: 7 * 1024 * 1024)
        let key = "\(prefix)/broken.mp4"
        await #expect(throws: StorageError.self) {
            try await storage.store(file: path, size: 12 * 1024 * 1024, key: key, contentType: "video/mp4")
        }
        #expect(try await storage.size(of: key) == nil)
        let pending = try await storage.send("GET", key: "", query: [("uploads", ""), ("prefix", key)], expecting: [200])
        #expect(!pending.text.contains("<UploadId>"), "\(pending.text)")
    }

    @Test("the health probe writes, reads back and deletes")
    func probe() async throws {
        try await storage.probe()
        await #expect(throws: StorageError.self) {
            try await S3Storage(configuration: TestS3.configuration(secret: "not-the-secret"), client: .shared).probe()
        }
    }
}
