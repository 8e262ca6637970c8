@testable import ArkyraCore
import Foundation
import Testing

/// The examples AWS publishes for S3's Signature Version 4 (the S3 API reference, "Examples: Signature
/// Calculations" and "Authenticating Requests: Using Query Parameters"): the example keys, bucket
/// `examplebucket`, 24 May 2013 00:00:00 UTC.
@Suite("SigV4 signing (AWS's published S3 examples)")
struct SigV4SignerTests {
    let signer = SigV4Signer(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
    let date = Date(timeIntervalSince1970: 1_369_353_600)
    let host = "examplebucket.s3.amazonaws.com"
    let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    func signature(_ headers: [(name: String, value: String)]) -> String? {
        headers.first { $0.name == "Authorization" }?.value.components(separatedBy: "Signature=").last
    }

    @Test("GET an object with a Range header")
    func getObject() {
        let headers = signer.authorizationHeaders(
            for: .init(method: "GET", host: host, path: "/test.txt", headers: [("Range", "bytes=0-9")]), payloadHash: emptyHash, date: date
        )
        #expect(signature(headers) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(headers.first { $0.name == "Authorization" }?.value.contains("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,") == true)
    }

    @Test("PUT an object whose key needs encoding, with a storage class and a Date header")
    func putObject() {
        let body = "Welcome to Amazon S3."
        #expect(Data(body.utf8).sha256Hex == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let headers = signer.authorizationHeaders(
            for: .init(method: "PUT", host: host, path: "/" + SigV4Signer.encodePath("test$file.text"),
                       headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")]),
            payloadHash: Data(body.utf8).sha256Hex, date: date
        )
        #expect(signature(headers) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test("GET a bucket's lifecycle (a query parameter without a value)")
    func getLifecycle() {
        let headers = signer.authorizationHeaders(
            for: .init(method: "GET", host: host, path: "/", query: [("lifecycle", "")]), payloadHash: emptyHash, date: date
        )
        #expect(signature(headers) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test("list objects (query parameters sorted)")
    func listObjects() {
        let headers = signer.authorizationHeaders(
            for: .init(method: "GET", host: host, path: "/", query: [("prefix", "J"), ("max-keys", "2")]), payloadHash: emptyHash, date: date
        )
        #expect(signature(headers) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test("a presigned GET valid for a day")
    func presignedGet() {
        let query = signer.presignedQuery(for: .init(method: "GET", host: host, path: "/test.txt"), expires: 86400, date: date)
        #expect(query == "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test("keys encode every byte but the unreserved ones, and keep their slashes")
    func pathEncoding() {
        #expect(SigV4Signer.encodePath("org/a b+c/é.jpg") == "org/a%20b%2Bc/%C3%A9.jpg")
        #expect(SigV4Signer.encode("a/b~c") == "a%2Fb~c")
    }
}
