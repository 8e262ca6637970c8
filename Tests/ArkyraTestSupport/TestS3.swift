import ArkyraCore
import Foundation

/// The S3-compatible server `scripts/s3-server.sh` starts (SeaweedFS, which checks signatures), as the
/// `ARKYRA_TEST_S3_*` variables name it (by default the script's own port and identity).
package enum TestS3 {
    package static let bucket = "arkyra-test"

    /// The bucket, path-style, with the real credentials (or `secret` instead, to be refused).
    package static func configuration(secret: String? = nil, partSize: Int = 5 * 1024 * 1024) -> StorageConfiguration.S3 {
        let environment = ProcessInfo.processInfo.environment
        return StorageConfiguration.S3(
            endpoint: URL(string: environment["ARKYRA_TEST_S3_ENDPOINT"] ?? "http://127.0.0.1:48333")!,
            region: "us-east-1", bucket: bucket,
            accessKeyID: environment["ARKYRA_TEST_S3_ACCESS_KEY_ID"] ?? "arkyra-test",
            secretAccessKey: secret ?? environment["ARKYRA_TEST_S3_SECRET_ACCESS_KEY"] ?? "arkyra-test-secret-key",
            pathStyle: true, partSize: partSize
        )
    }

    /// Whether the server answers; tests that need it fail with this message otherwise.
    package static let missing = "no S3 server at ARKYRA_TEST_S3_ENDPOINT: run `make test`, or `scripts/s3-server.sh start`"
}
