import Crypto
import Foundation

/// AWS Signature Version 4 as S3 and the S3-compatible stores (R2, MinIO, SeaweedFS) check it: the
/// `Authorization` header for requests ARKYRA sends, and query-string signatures for presigned URLs that
/// browsers and platforms use. Pure: the time is passed in.
package struct SigV4Signer: Sendable {
    package let accessKeyID: String
    private let secretAccessKey: String
    package let region: String
    package let service: String

    package init(accessKeyID: String, secretAccessKey: String, region: String, service: String = "s3") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.region = region
        self.service = service
    }

    /// A request to sign. `path` is the canonical URI, already percent-encoded (``encodePath(_:)``); the
    /// query's names and values are raw.
    package struct Request: Sendable {
        package var method: String
        package var host: String
        package var path: String
        package var query: [(name: String, value: String)]
        package var headers: [(name: String, value: String)]

        package init(method: String, host: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = []) {
            self.method = method
            self.host = host
            self.path = path
            self.query = query
            self.headers = headers
        }
    }

    /// The payload hash S3 accepts when the body is not hashed (presigned URLs).
    package static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The headers to add to `request` (`x-amz-date`, `x-amz-content-sha256`, `Authorization`). Every header
    /// of the request is signed, with `host`.
    package func authorizationHeaders(for request: Request, payloadHash: String, date: Date) -> [(name: String, value: String)] {
        let stamp = Self.timestamp(date)
        var headers = request.headers
        headers.append(("host", request.host))
        headers.append(("x-amz-content-sha256", payloadHash))
        headers.append(("x-amz-date", stamp))
        let canonical = Self.canonicalHeaders(headers)
        let signature = self.signature(
            canonicalRequest: canonicalRequest(request, canonicalHeaders: canonical.text, signedHeaders: canonical.signed, payloadHash: payloadHash),
            timestamp: stamp
        )
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope(stamp)), SignedHeaders=\(canonical.signed), Signature=\(signature)"
        return [("x-amz-date", stamp), ("x-amz-content-sha256", payloadHash), ("Authorization", authorization)]
    }

    /// The query of a presigned URL for `request` (only `host` signed), valid for `expires` seconds from
    /// `date` (S3 allows 1 to 604800): the request's own query plus the `X-Amz-*` parameters, encoded.
    package func presignedQuery(for request: Request, expires: Int, date: Date) -> String {
        let stamp = Self.timestamp(date)
        var query = request.query
        query.append(("X-Amz-Algorithm", "AWS4-HMAC-SHA256"))
        query.append(("X-Amz-Credential", "\(accessKeyID)/\(scope(stamp))"))
        query.append(("X-Amz-Date", stamp))
        query.append(("X-Amz-Expires", String(expires)))
        query.append(("X-Amz-SignedHeaders", "host"))
        var signing = request
        signing.query = query
        let canonical = Self.canonicalHeaders([("host", request.host)])
        let signature = self.signature(
            canonicalRequest: canonicalRequest(signing, canonicalHeaders: canonical.text, signedHeaders: canonical.signed, payloadHash: Self.unsignedPayload),
            timestamp: stamp
        )
        return Self.canonicalQuery(query) + "&X-Amz-Signature=" + signature
    }

    // MARK: The steps, as AWS names them

    func canonicalRequest(_ request: Request, canonicalHeaders: String, signedHeaders: String, payloadHash: String) -> String {
        [request.method, request.path.isEmpty ? "/" : request.path, Self.canonicalQuery(request.query), canonicalHeaders, signedHeaders, payloadHash]
            .joined(separator: "\n")
    }

    func signature(canonicalRequest: String, timestamp: String) -> String {
        let stringToSign = ["AWS4-HMAC-SHA256", timestamp, scope(timestamp), Data(SHA256.hash(data: Data(canonicalRequest.utf8))).hexString]
            .joined(separator: "\n")
        return Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(day: String(timestamp.prefix(8))))).hexString
    }

    func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    func scope(_ timestamp: String) -> String { "\(timestamp.prefix(8))/\(region)/\(service)/aws4_request" }

    /// Lowercased names sorted, values trimmed with inner runs of spaces collapsed, and the signed names.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (text: String, signed: String) {
        let lines = headers
            .map { (name: $0.name.lowercased(), value: $0.value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")) }
            .sorted { $0.name < $1.name }
        return (lines.map { "\($0.name):\($0.value)\n" }.joined(), lines.map(\.name).joined(separator: ";"))
    }

    /// Names and values encoded, sorted by name then value, `name=value` joined by `&`.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (encode($0.name), encode($0.value)) }
        let sorted = encoded.sorted { (left: (name: String, value: String), right: (name: String, value: String)) -> Bool in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// RFC 3986 encoding as SigV4 wants it: everything but `A-Z a-z 0-9 - . _ ~` as `%XX` (uppercase).
    package static func encode(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                encoded.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }

    private static let unreserved: Set<UInt8> = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    /// An object key as a URI path: each segment encoded, the slashes kept.
    package static func encodePath(_ key: String) -> String {
        key.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }.joined(separator: "/")
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        let components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", components.year!, components.month!, components.day!, components.hour!, components.minute!, components.second!)
    }
}
