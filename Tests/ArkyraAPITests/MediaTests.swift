import ArkyraAPI
@testable import ArkyraCore
import ArkyraTestSupport
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

/// Files a test uploads: the real signatures of each format, then bytes that make each file distinct.
enum TestMedia {
    static func png(_ seed: String = UUID().uuidString) -> Data { Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 0, count: 16) + Data(seed.utf8) }
    static func mp4(size: Int) -> Data {
        var data = Data([0, 0, 0, 0x18]) + Data("ftypisom".utf8) + Data(repeating: 0, count: 12)
        data += Data((0..<max(0, size - data.count)).map { UInt8(truncatingIfNeeded: $0) })
        return data
    }

    /// A multipart body with a `file` part and text fields.
    static func form(_ file: Data, filename: String = "photo.png", contentType: String = "image/png", fields: [String: String] = [:],
                     boundary: String = "arkyra-\(UUID().uuidString)") -> (body: ByteBuffer, contentType: String) {
        var body = ByteBuffer()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n")
        body.writeBytes(file)
        body.writeString("\r\n--\(boundary)--\r\n")
        return (body, "multipart/form-data; boundary=\(boundary)")
    }
}

extension APITestHarness {
    func upload(_ file: Data, token: String? = nil, apiKey: String? = nil, to uri: String, filename: String = "photo.png", fields: [String: String] = [:]) async throws -> TestResponse {
        let form = TestMedia.form(file, filename: filename, fields: fields)
        var headers: HTTPFields = [.contentType: form.contentType]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let apiKey { headers[.authorization] = apiKey }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: form.body)
    }
}

@Suite("API: media uploads and the library")
struct MediaTests {
    /// A storage folder of the test's own, so that what is left in it can be checked.
    static func ownStorage() -> @Sendable (inout APIConfiguration) -> Void {
        let folder = NSTemporaryDirectory() + "arkyra-media-test-\(UUID().uuidString)"
        return { configuration in
            configuration.service.storage.localPath = folder
            configuration.service.storage.limits = MediaLimits(maxImageBytes: 64 * 1024, maxVideoBytes: 256 * 1024, quotaBytesPerOrganization: 600 * 1024)
        }
    }

    static func staged(in configuration: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: configuration + "/.staging")) ?? []
    }

    @Test("an upload joins the library once per content; it is listed, searched, renamed, described and deleted; its signed URL serves the bytes")
    func library() async throws {
        let folder = NSTemporaryDirectory() + "arkyra-media-test-\(UUID().uuidString)"
        try await APITestHarness.run(configure: { $0.service.storage.localPath = folder }) { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let base = "/api/v1/organizations/\(organization)/media"
            let image = TestMedia.png()
            // The declared type says JPEG and the name says .gif: the bytes say PNG.
            let created = try await api.upload(image, token: owner, to: base, filename: "../../Summer sale.gif", fields: ["alt": "ignored here"])
            #expect(created.status == .created)
            #expect(created.json["content_type"] as? String == "image/png")
            #expect(created.json["kind"] as? String == "image")
            #expect(created.json["name"] as? String == "Summer sale.gif")
            #expect(created.json["size_bytes"] as? Int == image.count)
            #expect(created.json["sha256"] as? String == image.sha256Hex)
            let id = try #require(created.json["id"] as? String)

            let again = try await api.upload(image, token: owner, to: base, filename: "copy.png")
            #expect(again.status == .ok)
            #expect(again.json["id"] as? String == id)
            let video = try await api.upload(TestMedia.mp4(size: 5000), token: owner, to: base, filename: "clip.mp4")
            #expect(video.json["kind"] as? String == "video")

            let listing = try await api.request(.get, base, token: owner)
            #expect((listing.json["media"] as? [[String: Any]])?.count == 2)
            #expect(listing.json["total"] as? Int == 2)
            #expect(listing.json["bytes_used"] as? Int == image.count + 5000)
            #expect((try await api.request(.get, "\(base)?kind=video", token: owner).json["media"] as? [[String: Any]])?.first?["name"] as? String == "clip.mp4")
            #expect((try await api.request(.get, "\(base)?search=SUMMER", token: owner).json["media"] as? [[String: Any]])?.count == 1)
            #expect((try await api.request(.get, "\(base)?search=%25", token: owner).json["media"] as? [[String: Any]])?.isEmpty == true)
            #expect((try await api.request(.get, "\(base)?per_page=1&page=2", token: owner).json["media"] as? [[String: Any]])?.count == 1)
            #expect(try await api.request(.get, "\(base)?kind=pdf&per_page=0", token: owner).errorFields.keys.sorted() == ["kind", "per_page"])

            let renamed = try await api.request(.patch, "\(base)/\(id)", token: owner, json: ["name": "Banner", "alt": "A red banner"])
            #expect(renamed.json["name"] as? String == "Banner")
            #expect(renamed.json["alt"] as? String == "A red banner")
            #expect(try await api.request(.patch, "\(base)/\(id)", token: owner, json: ["alt": NSNull()]).json["alt"] == nil)
            #expect(try await api.request(.patch, "\(base)/\(id)", token: owner, json: ["name": ""]).status == .unprocessableContent)
            #expect(try await api.request(.patch, "\(base)/\(id)", token: owner, json: ["thumbnail_at_ms": 1000]).errorFields["thumbnail_at_ms"] == "applies to videos only")

            // The signed URL serves the bytes; altered or expired, it is refused.
            let url = try #require(created.json["url"] as? String)
            let path = String(url.dropFirst("http://127.0.0.1:8080".count))
            let served = try await api.client.execute(uri: path, method: .get, headers: [:], body: nil)
            #expect(served.status == .ok)
            #expect(Data(buffer: served.body) == image)
            #expect(served.headers[.contentType] == "image/png")
            #expect(try await api.client.execute(uri: path.replacingOccurrences(of: "signature=", with: "signature=0"), method: .get, headers: [:], body: nil).status == .forbidden)
            let expires = try #require(path.components(separatedBy: "expires=").last?.prefix { $0.isNumber })
            #expect(try await api.client.execute(uri: path.replacingOccurrences(of: "expires=\(expires)", with: "expires=\(Int(expires)! + 1)"),
                                                 method: .get, headers: [:], body: nil).status == .forbidden)

            // Another organization's member sees nothing.
            let stranger = try await api.signUp()
            #expect(try await api.request(.get, "\(base)/\(id)", token: stranger).status == .notFound)
            let theirs = try await api.createOrganization(stranger)
            #expect(try await api.request(.get, "/api/v1/organizations/\(theirs)/media/\(id)", token: stranger).status == .notFound)
            #expect(try await api.request(.delete, "/api/v1/organizations/\(theirs)/media/\(id)", token: stranger).status == .notFound)
            // A viewer lists but cannot upload.
            let viewer = try await api.member("viewer", of: organization, invitedBy: owner)
            #expect(try await api.request(.get, base, token: viewer.token).status == .ok)
            #expect(try await api.upload(TestMedia.png(), token: viewer.token, to: base).status == .forbidden)

            #expect(try await api.request(.delete, "\(base)/\(id)", token: owner).status == .noContent)
            #expect(try await api.request(.get, "\(base)/\(id)", token: owner).status == .notFound)
            #expect(try await api.client.execute(uri: path, method: .get, headers: [:], body: nil).status == .notFound)
            #expect(Self.staged(in: folder).isEmpty)
        }
    }

    @Test("bad uploads get clear errors and leave nothing staged or stored")
    func badUploads() async throws {
        let folder = NSTemporaryDirectory() + "arkyra-media-test-\(UUID().uuidString)"
        try await APITestHarness.run(configure: { configuration in
            configuration.service.storage.localPath = folder
            configuration.service.storage.limits = MediaLimits(maxImageBytes: 64 * 1024, maxVideoBytes: 256 * 1024, quotaBytesPerOrganization: 400 * 1024)
        }) { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let base = "/api/v1/organizations/\(organization)/media"
            #expect(try await api.request(.post, base, token: owner, json: ["file": "x"]).errorCode == "multipart_required")
            var noFile = ByteBuffer(string: "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--b--\r\n")
            #expect(try await api.client.execute(uri: base, method: .post, headers: [.authorization: "Bearer \(owner)", .contentType: "multipart/form-data; boundary=b"],
                                                 body: noFile).errorCode == "file_missing")
            noFile = ByteBuffer(string: "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n\u{89}PNG")
            #expect(try await api.client.execute(uri: base, method: .post, headers: [.authorization: "Bearer \(owner)", .contentType: "multipart/form-data; boundary=b"],
                                                 body: noFile).errorCode == "invalid_multipart")
            let html = try await api.upload(Data("<html><script>alert(1)</script></html>".utf8), token: owner, to: base, filename: "cat.png")
            #expect(html.status == .unsupportedMediaType)
            #expect(html.errorFields["file"] != nil)
            #expect(try await api.upload(Data(), token: owner, to: base).status == .unsupportedMediaType)
            let tooLarge = try await api.upload(TestMedia.png() + Data(count: 65 * 1024), token: owner, to: base)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.errorCode == "file_too_large")
            // Videos have their own limit.
            #expect(try await api.upload(TestMedia.mp4(size: 200 * 1024), token: owner, to: base, filename: "a.mp4").status == .created)
            #expect(try await api.upload(TestMedia.mp4(size: 257 * 1024), token: owner, to: base, filename: "b.mp4").status == .contentTooLarge)
            // The quota: 200 KiB used of 400; another 250 KiB does not fit.
            let overQuota = try await api.upload(TestMedia.mp4(size: 250 * 1024) + Data("other".utf8), token: owner, to: base, filename: "c.mp4")
            #expect(overQuota.errorCode == "storage_quota_exceeded")
            #expect(Self.staged(in: folder).isEmpty)
            let stored = (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/\(organization.lowercased())")) ?? []
            #expect(stored.count == 1, "only the one accepted video is stored: \(stored)")
        }
    }

    @Test("Postiz's upload and upload-from-url answer Postiz's media object; a private address is refused")
    func postizUploads() async throws {
        // A server to fetch from: a file, a redirect to it, a page that is not media, and a file too large.
        let image = TestMedia.png("from a URL")
        let router = Router()
        router.get("image") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(data: image))) }
        router.get("moved") { _, _ in Response(status: .found, headers: [.location: "/image"]) }
        router.get("loop") { _, _ in Response(status: .found, headers: [.location: "/loop"]) }
        router.get("page") { _, _ in Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(string: "<html></html>"))) }
        router.get("huge") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(data: TestMedia.png() + Data(count: 70 * 1024)))) }
        let origin = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: TestEnvironment.logger)
        try await origin.test(.live) { originClient in
            let site = "http://127.0.0.1:\(originClient.port!)"
            try await APITestHarness.run(configure: Self.ownStorage()) { api in
                let owner = try await api.signUp()
                let organization = try await api.createOrganization(owner)
                let key = try #require(try await api.request(.post, "/api/v1/organizations/\(organization)/api-keys", token: owner, json: ["name": "n8n"]).json["key"] as? String)
                let uploaded = try await api.upload(TestMedia.png(), apiKey: key, to: "/public/v1/upload", filename: "logo.png")
                #expect(uploaded.status == .created)
                #expect(Set(uploaded.json.keys).isSuperset(of: ["id", "name", "path"]))
                #expect(uploaded.json["name"] as? String == "logo.png")
                #expect((uploaded.json["path"] as? String)?.contains("/media/files/") == true)

                func fromURL(_ path: String) async throws -> TestResponse {
                    try await api.client.execute(uri: "/public/v1/upload-from-url", method: .post, headers: [.authorization: key, .contentType: "application/json"],
                                                 body: ByteBuffer(string: #"{"url": "\#(site)\#(path)"}"#))
                }
                let fetched = try await fromURL("/moved")
                #expect(fetched.status == .created)
                // Postiz names what it fetched `upload.EXT`, with the extension of the sniffed type.
                #expect(fetched.json["name"] as? String == "upload.png")
                let listed = try await api.request(.get, "/api/v1/organizations/\(organization)/media", token: owner)
                #expect((listed.json["media"] as? [[String: Any]])?.contains { $0["sha256"] as? String == image.sha256Hex } == true)
                #expect(try await fromURL("/page").status == .unsupportedMediaType)
                #expect(try await fromURL("/huge").status == .contentTooLarge)
                #expect(try await fromURL("/loop").errorFields["url"]?.contains("redirected more than") == true)
                #expect(try await fromURL("/missing").errorFields["url"] == "answered HTTP 404")

                // A Postiz post carries the uploaded image by id, and reads back with it.
                let channel = try await api.connectMastodon(owner, organization: organization)
                let imageID = try #require(uploaded.json["id"] as? String)
                let post = try await api.client.execute(
                    uri: "/public/v1/posts", method: .post, headers: [.authorization: key, .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"type": "schedule", "date": "\#(APITestHarness.future())", "posts": [{"integration": {"id": "\#(channel)"}, "value": [{"content": "Logo", "image": [{"id": "\#(imageID)", "path": "ignored"}]}]}]}"#)
                )
                #expect(post.status == .created)
                let postID = try #require(post.jsonArray.first?["postId"] as? String)
                let read = try await api.client.execute(uri: "/public/v1/posts/\(postID)", method: .get, headers: [.authorization: key], body: nil)
                let image = try #require(read.json["image"] as? String)
                let entries = try JSONSerialization.jsonObject(with: Data(image.utf8)) as? [[String: String]]
                #expect(entries?.first?["id"] == imageID)
                #expect(entries?.first?["path"]?.contains("/media/files/") == true)
            }
            // Without the sandbox allowance, loopback addresses are refused before any connection.
            try await APITestHarness.run(configure: { configuration in
                Self.ownStorage()(&configuration)
                configuration.service.outbound.allowPrivateHosts = false
            }) { api in
                let owner = try await api.signUp()
                let organization = try await api.createOrganization(owner)
                let refused = try await api.request(.post, "/api/v1/organizations/\(organization)/media/from-url", token: owner, json: ["url": "\(site)/image"])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.errorFields["url"] != nil)
                let internalName = try await api.request(.post, "/api/v1/organizations/\(organization)/media/from-url", token: owner, json: ["url": "https://localhost/x.png"])
                #expect(internalName.errorFields["url"] == "must not point at a private or loopback address")
            }
        }
    }

    @Test("direct upload to S3: a presigned PUT, then completion checks the object; a bad object is deleted from the bucket")
    func directUpload() async throws {
        try await APITestHarness.run(configure: { configuration in
            Self.ownStorage()(&configuration)
            configuration.service.storage.s3 = TestS3.configuration()
        }) { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let base = "/api/v1/organizations/\(organization)/media"
            func put(_ url: String, _ body: Data) async throws -> Int {
                var request = HTTPClientRequest(url: url)
                request.method = .PUT
                request.body = .bytes(ByteBuffer(data: body))
                request.headers.add(name: "Content-Length", value: String(body.count))
                return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(30)).status.code)
            }
            let started = try await api.request(.post, "\(base)/uploads", token: owner, json: ["name": "hero.png"])
            #expect(started.status == .created)
            let upload = try #require(started.json["upload_id"] as? String)
            let url = try #require(started.json["url"] as? String)
            // Completing before anything was put is refused (and the upload is used up).
            let image = TestMedia.png()
            #expect(try await put(url, image) == 200)
            let completed = try await api.request(.post, "\(base)/uploads/\(upload)/complete", token: owner)
            #expect(completed.status == .created)
            #expect(completed.json["name"] as? String == "hero.png")
            #expect(completed.json["sha256"] as? String == image.sha256Hex)
            let readURL = try #require(completed.json["url"] as? String)
            let read = try await HTTPClient.shared.execute(HTTPClientRequest(url: readURL), timeout: .seconds(30))
            #expect(Data(buffer: try await read.body.collect(upTo: 1 << 20)) == image)
            #expect(try await api.request(.post, "\(base)/uploads/\(upload)/complete", token: owner).status == .notFound)

            let empty = try #require(try await api.request(.post, "\(base)/uploads", token: owner, json: [:]).json["upload_id"] as? String)
            #expect(try await api.request(.post, "\(base)/uploads/\(empty)/complete", token: owner).errorCode == "upload_missing")

            let bad = try await api.request(.post, "\(base)/uploads", token: owner, json: [:])
            let badURL = try #require(bad.json["url"] as? String)
            #expect(try await put(badURL, Data("#!/bin/sh\nrm -rf /\n".utf8)) == 200)
            let refused = try await api.request(.post, "\(base)/uploads/\(try #require(bad.json["upload_id"] as? String))/complete", token: owner)
            #expect(refused.status == .unsupportedMediaType)
            let key = try #require(URL(string: badURL)?.path.split(separator: "/").dropFirst().joined(separator: "/"))
            #expect(try await S3Storage(configuration: TestS3.configuration(), client: .shared).size(of: key) == nil)

            // Another organization cannot complete this organization's upload.
            let stranger = try await api.signUp()
            let theirs = try await api.createOrganization(stranger)
            let mine = try #require(try await api.request(.post, "\(base)/uploads", token: owner, json: [:]).json["upload_id"] as? String)
            #expect(try await api.request(.post, "/api/v1/organizations/\(theirs)/media/uploads/\(mine)/complete", token: stranger).status == .notFound)
        }
    }

    @Test("local storage has no direct upload: the answer says to upload through the API")
    func noDirectUploadLocally() async throws {
        try await APITestHarness.run(configure: Self.ownStorage()) { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            #expect(try await api.request(.post, "/api/v1/organizations/\(organization)/media/uploads", token: owner, json: [:]).errorCode == "direct_upload_unavailable")
        }
    }

    @Test("posts carry library files within their platform's rules; a file in use is deleted only when forced")
    func postsWithMedia() async throws {
        try await APITestHarness.run(configure: Self.ownStorage()) { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let channel = try await api.connectMastodon(owner, organization: organization)
            let base = "/api/v1/organizations/\(organization)"
            var images: [String] = []
            for _ in 0..<5 { images.append(try #require(try await api.upload(TestMedia.png(), token: owner, to: "\(base)/media").json["id"] as? String)) }
            let video = try #require(try await api.upload(TestMedia.mp4(size: 4000), token: owner, to: "\(base)/media", filename: "v.mp4").json["id"] as? String)
            func schedule(_ media: [String], thread: [String] = []) async throws -> TestResponse {
                try await api.request(.post, "\(base)/posts", token: owner, json: [
                    "publish_at": APITestHarness.future(),
                    "variants": [["integration_id": channel, "content": "With media \(UUID())", "media": media,
                                  "thread": [["content": "and more", "media": thread]]]],
                ])
            }
            let created = try await schedule([images[0], images[1]], thread: [images[2]])
            #expect(created.status == .created)
            let posts = try #require(created.json["posts"] as? [[String: Any]])
            #expect(posts.first?["media_ids"] as? [String] == [images[0], images[1]].map { $0.uppercased() })
            #expect(posts.last?["media_ids"] as? [String] == [images[2].uppercased()])
            let listed = try await api.posts(owner, organization: organization)
            #expect(listed.contains { ($0["media_ids"] as? [String])?.count == 2 })

            #expect(try await schedule(images).errorFields["variants[0].media"] == "Mastodon takes at most 4 files on a post")
            #expect(try await schedule([images[0], video]).errorFields["variants[0].media"] == "Mastodon takes one video, or images, on a post")
            #expect(try await schedule([images[0], images[0]]).errorFields["variants[0].media[1]"] == "names the same file twice")
            #expect(try await schedule([UUID().uuidString, "junk"]).errorFields.keys.sorted() == ["variants[0].media[0]", "variants[0].media[1]"])
            #expect(try await schedule([], thread: ["junk"]).errorFields.keys.sorted() == ["variants[0].thread[0].media[0]"])
            // Another organization's file cannot be attached.
            let stranger = try await api.signUp()
            let theirs = try await api.createOrganization(stranger)
            let foreign = try #require(try await api.upload(TestMedia.png(), token: stranger, to: "/api/v1/organizations/\(theirs)/media").json["id"] as? String)
            #expect(try await schedule([foreign]).errorFields["variants[0].media[0]"] == "is not a file of this organization's media library")

            let uses = try await api.request(.get, "\(base)/media/\(images[0])/posts", token: owner)
            #expect((uses.json["posts"] as? [[String: Any]])?.count == 1)
            let refused = try await api.request(.delete, "\(base)/media/\(images[0])", token: owner)
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "media_in_use")
            #expect(try await api.request(.delete, "\(base)/media/\(images[0])?force=true", token: owner).status == .noContent)
            let after = try await api.posts(owner, organization: organization)
            #expect(after.first { $0["position"] as? Int == 0 }?["media_ids"] as? [String] == [images[1].uppercased()])
        }
    }

    @Test("uploads to S3 stream into a multipart upload as they arrive; a duplicate or a refused one leaves no object and no pending part")
    func streamedToS3() async throws {
        try await APITestHarness.run(configure: { configuration in
            configuration.service.storage.localPath = NSTemporaryDirectory() + "arkyra-media-test-\(UUID().uuidString)"
            configuration.service.storage.s3 = TestS3.configuration()
            configuration.service.storage.limits = MediaLimits(maxImageBytes: 1024 * 1024, maxVideoBytes: 20 * 1024 * 1024)
        }) { api in
            let owner = try await api.signUp()
            let organization = try await api.createOrganization(owner)
            let base = "/api/v1/organizations/\(organization)/media"
            let s3 = S3Storage(configuration: TestS3.configuration(), client: .shared)
            func objects() async throws -> Int {
                let listing = try await s3.send("GET", key: "", query: [("list-type", "2"), ("prefix", organization.lowercased() + "/")], expecting: [200])
                return listing.text.components(separatedBy: "<Key>").count - 1
            }
            func pendingParts() async throws -> Bool {
                try await s3.send("GET", key: "", query: [("uploads", ""), ("prefix", organization.lowercased() + "/")], expecting: [200]).text.contains("<UploadId>")
            }
            let video = TestMedia.mp4(size: 12 * 1024 * 1024 + 77)
            let created = try await api.upload(video, token: owner, to: base, filename: "big.mp4")
            #expect(created.status == .created)
            #expect(created.json["size_bytes"] as? Int == video.count)
            let url = try #require(created.json["url"] as? String)
            let read = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            #expect(Data(buffer: try await read.body.collect(upTo: 64 << 20)) == video)
            #expect(try await api.upload(video, token: owner, to: base, filename: "again.mp4").status == .ok)
            #expect(try await objects() == 1)
            #expect(try await api.upload(TestMedia.mp4(size: 21 * 1024 * 1024), token: owner, to: base, filename: "huge.mp4").status == .contentTooLarge)
            #expect(try await objects() == 1)
            #expect(try await !pendingParts())
        }
    }
}
