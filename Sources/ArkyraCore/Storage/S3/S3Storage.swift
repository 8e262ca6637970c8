import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFileSystem
import NIOHTTP1

/// Media in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, SeaweedFS), over S3's REST API signed
/// with SigV4. Files up to the part size go up in one PUT; larger ones as a multipart upload, one part in
/// memory at a time, aborted when any step fails so that no half-written object or orphaned part is left.
package struct S3Storage: MediaStorage {
    let configuration: StorageConfiguration.S3
    let client: HTTPClient
    let signer: SigV4Signer
    private let fileSystem: FileSystem
    /// Parts of a multipart upload sent at once.
    static let partsInFlight = 2
    /// How long one request may take (a part of the part size included).
    let timeout: TimeAmount

    package init(configuration: StorageConfiguration.S3, client: HTTPClient, timeout: Duration = .seconds(300), fileSystem: FileSystem = .shared) {
        self.configuration = configuration
        self.client = client
        self.signer = SigV4Signer(accessKeyID: configuration.accessKeyID, secretAccessKey: configuration.secretAccessKey, region: configuration.region)
        self.timeout = .seconds(Int64(timeout.components.seconds))
        self.fileSystem = fileSystem
    }

    // MARK: MediaStorage

    package func store(file path: String, size: Int, key: String, contentType: String) async throws {
        try StorageError.check(key)
        try await fileSystem.withFileHandle(forReadingAt: FilePath(path)) { file in
            if size <= configuration.partSize {
                let body = try await file.readChunk(fromAbsoluteOffset: 0, length: .bytes(Int64(size)))
                _ = try await send("PUT", key: key, headers: [("Content-Type", contentType)], body: body, expecting: [200])
            } else {
                try await storeInParts(file, size: size, key: key, contentType: contentType)
            }
        }
    }

    package func streamingUpload(key: String, contentType: String) async throws -> (any StreamingUpload)? {
        try StorageError.check(key)
        return S3StreamingUpload(storage: self, key: key, uploadID: try await createUpload(key: key, contentType: contentType))
    }

    package var streamingPartSize: Int { configuration.partSize }

    func createUpload(key: String, contentType: String) async throws -> String {
        let created = try await send("POST", key: key, query: [("uploads", "")], headers: [("Content-Type", contentType)], expecting: [200])
        guard let uploadID = S3XML.value(of: "UploadId", in: created.text) else {
            throw StorageError.unavailable("CreateMultipartUpload answered without an UploadId")
        }
        return uploadID
    }

    /// Sends part `number` (from 1); returns its ETag.
    func uploadPart(_ part: ByteBuffer, number: Int, key: String, uploadID: String) async throws -> String {
        let answer = try await send("PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: part, expecting: [200])
        guard let etag = answer.headers.first(name: "ETag") else { throw StorageError.unavailable("UploadPart answered without an ETag") }
        return etag
    }

    func completeUpload(key: String, uploadID: String, etags: [String]) async throws {
        let parts = etags.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(S3XML.escape($0.element))</ETag></Part>" }
        let body = ByteBuffer(string: "<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>")
        let completed = try await send("POST", key: key, query: [("uploadId", uploadID)], headers: [("Content-Type", "application/xml")], body: body, expecting: [200])
        // S3 may answer 200 and still fail the completion, in the body.
        if let code = S3XML.value(of: "Code", in: completed.text) {
            throw StorageError.refused(status: 200, code: code, message: S3XML.value(of: "Message", in: completed.text) ?? "")
        }
    }

    func abortUpload(key: String, uploadID: String) async {
        _ = try? await send("DELETE", key: key, query: [("uploadId", uploadID)], expecting: [204, 200, 404])
    }

    private func storeInParts(_ file: ReadFileHandle, size: Int, key: String, contentType: String) async throws {
        let uploadID = try await createUpload(key: key, contentType: contentType)
        do {
            // Two parts in flight: one is read and signed while the other travels (two parts in memory at most).
            let count = (size + configuration.partSize - 1) / configuration.partSize
            var etags = [String](repeating: "", count: count)
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var next = 0
                func add() {
                    let number = next
                    next += 1
                    group.addTask {
                        let offset = number * configuration.partSize
                        let length = min(configuration.partSize, size - offset)
                        let part = try await file.readChunk(fromAbsoluteOffset: Int64(offset), length: .bytes(Int64(length)))
                        guard part.readableBytes == length else { throw StorageError.unavailable("the staged file ended early") }
                        return (number, try await uploadPart(part, number: number + 1, key: key, uploadID: uploadID))
                    }
                }
                for _ in 0..<min(Self.partsInFlight, count) { add() }
                while let (number, etag) = try await group.next() {
                    etags[number] = etag
                    if next < count { add() }
                }
            }
            try await completeUpload(key: key, uploadID: uploadID, etags: etags)
        } catch {
            await abortUpload(key: key, uploadID: uploadID)
            throw error
        }
    }

    package func download(key: String, to path: String) async throws {
        let response = try await object(key)
        try await fileSystem.withFileHandle(forWritingAt: FilePath(path), options: .newFile(replaceExisting: true)) { output in
            var offset: Int64 = 0
            for try await chunk in response.body {
                try await output.write(contentsOf: chunk, toAbsoluteOffset: offset)
                offset += Int64(chunk.readableBytes)
            }
        }
    }

    package func size(of key: String) async throws -> Int? {
        let answer = try await send("HEAD", key: key, expecting: [200, 404])
        guard answer.status == 200 else { return nil }
        return answer.headers.first(name: "Content-Length").flatMap(Int.init)
    }

    package func prefix(of key: String, count: Int) async throws -> [UInt8] {
        let answer = try await send("GET", key: key, headers: [("Range", "bytes=0-\(count - 1)")], expecting: [200, 206])
        return Array(answer.body.readableBytesView.prefix(count))
    }

    package func contents(of key: String, maximumBytes: Int) async throws -> ByteBuffer {
        let response = try await object(key)
        do {
            return try await response.body.collect(upTo: maximumBytes)
        } catch {
            throw StorageError.refused(status: 413, code: "TooLarge", message: "\(key) is larger than \(maximumBytes) bytes")
        }
    }

    package func delete(key: String) async throws {
        _ = try await send("DELETE", key: key, expecting: [204, 200, 404])
    }

    package func readURL(key: String, lifetime: Duration) -> String {
        if let publicURL = configuration.publicURL {
            return publicURL.absoluteString.trimmingSuffix("/") + "/" + SigV4Signer.encodePath(key)
        }
        return presigned("GET", key: key, lifetime: lifetime)
    }

    package func uploadURL(key: String, lifetime: Duration) -> String? {
        presigned("PUT", key: key, lifetime: lifetime)
    }

    package func probe() async throws {
        let key = ".health/\(UUID().uuidString)"
        let bytes = ByteBuffer(string: "ok")
        _ = try await send("PUT", key: key, headers: [("Content-Type", "text/plain")], body: bytes, expecting: [200])
        let read = try await send("GET", key: key, expecting: [200])
        try await delete(key: key)
        guard read.body == bytes else { throw StorageError.readBackMismatch }
    }

    // MARK: Requests

    /// What S3 answered.
    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
        var text: String { String(buffer: body) }
    }

    /// Sends a signed request and collects the answer (bodies of these calls are small).
    /// - Throws: ``StorageError/refused(status:code:message:)`` for a status outside `expecting`.
    func send(_ method: String, key: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
              body: ByteBuffer? = nil, expecting: Set<Int>) async throws -> Answer {
        let response = try await execute(try signedRequest(method, key: key, query: query, headers: headers, body: body))
        guard expecting.contains(Int(response.status.code)) else { throw try await failure(response, key: key) }
        let collected = method == "HEAD" ? ByteBuffer() : try await response.body.collect(upTo: 1024 * 1024)
        return Answer(status: Int(response.status.code), headers: response.headers, body: collected)
    }

    /// Sends `request`; a failure to reach the server is ``StorageError/unavailable(_:)``.
    func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        do {
            return try await client.execute(request, timeout: timeout)
        } catch {
            throw StorageError.unavailable(String(describing: error))
        }
    }

    /// A GET of the object whose body the caller streams.
    /// - Throws: ``StorageError/notFound(_:)`` and the other refusals.
    func object(_ key: String) async throws -> HTTPClientResponse {
        let response = try await execute(try signedRequest("GET", key: key, query: [], headers: [], body: nil))
        guard response.status == .ok else { throw try await failure(response, key: key) }
        return response
    }

    func signedRequest(_ method: String, key: String, query: [(name: String, value: String)], headers: [(name: String, value: String)],
                       body: ByteBuffer?) throws -> HTTPClientRequest {
        let target = location(of: key)
        let payloadHash = body.map { Data($0.readableBytesView).sha256Hex } ?? Data().sha256Hex
        let signing = SigV4Signer.Request(method: method, host: target.host, path: target.path, query: query, headers: headers)
        var url = "\(target.origin)\(target.path)"
        if !query.isEmpty { url += "?" + SigV4Signer.canonicalQuery(query) }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        for (name, value) in signer.authorizationHeaders(for: signing, payloadHash: payloadHash, date: Date()) { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Length", value: String(body.readableBytes))
            request.body = .bytes(body)
        }
        return request
    }

    func presigned(_ method: String, key: String, lifetime: Duration) -> String {
        let target = location(of: key)
        let expires = max(1, min(604_800, Int(lifetime.components.seconds)))
        let query = signer.presignedQuery(for: .init(method: method, host: target.host, path: target.path), expires: expires, date: Date())
        return "\(target.origin)\(target.path)?\(query)"
    }

    /// The origin (`scheme://host[:port]`), the `Host` header and the encoded path of `key`, path-style or virtual-host style.
    func location(of key: String) -> (origin: String, host: String, path: String) {
        let endpoint = configuration.endpoint
        let scheme = endpoint.scheme ?? "https"
        var host = configuration.pathStyle ? (endpoint.host ?? "") : "\(configuration.bucket).\(endpoint.host ?? "")"
        if let port = endpoint.port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) { host += ":\(port)" }
        let base = endpoint.path.trimmingSuffix("/")
        let path = (configuration.pathStyle ? "\(base)/\(SigV4Signer.encode(configuration.bucket))/" : "\(base)/") + SigV4Signer.encodePath(key)
        return ("\(scheme)://\(host)", host, path)
    }

    /// The S3 error in a response's body.
    func failure(_ response: HTTPClientResponse, key: String) async throws -> StorageError {
        let text = String(buffer: (try? await response.body.collect(upTo: 64 * 1024)) ?? ByteBuffer())
        let status = Int(response.status.code)
        if status == 404 && S3XML.value(of: "Code", in: text) != "NoSuchBucket" { return .notFound(key) }
        return .refused(status: status, code: S3XML.value(of: "Code", in: text) ?? response.status.reasonPhrase,
                        message: S3XML.value(of: "Message", in: text) ?? String(text.prefix(200)))
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while !suffix.isEmpty && text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
