import Foundation

/// Where media files live: the local filesystem (the embedded default) or an S3-compatible bucket.
package struct StorageConfiguration: Sendable {
    /// Root folder of the local filesystem storage; also where uploads are staged before they are stored.
    package var localPath: String
    /// The bucket, when media lives in S3, R2, MinIO, SeaweedFS or another S3-compatible store.
    package var s3: S3? = nil
    /// Limits on what users upload.
    package var limits: MediaLimits = MediaLimits()

    /// An S3-compatible bucket.
    package struct S3: Sendable {
        /// `https://s3.us-east-1.amazonaws.com`, `https://ACCOUNT.r2.cloudflarestorage.com`, `http://127.0.0.1:8333`.
        package var endpoint: URL
        package var region: String
        package var bucket: String
        package var accessKeyID: String
        package var secretAccessKey: String
        /// `endpoint/bucket/key` (MinIO, SeaweedFS, most self-hosted stores) rather than `bucket.endpoint/key` (AWS, R2).
        package var pathStyle: Bool
        /// Where objects are public (a CDN or the bucket's public domain): read URLs are this plus the key,
        /// unsigned. Without it, read URLs are presigned.
        package var publicURL: URL?
        /// Objects larger than this go up in parts of this size (S3's minimum part is 5 MiB).
        package var partSize: Int = 8 * 1024 * 1024

        package init(endpoint: URL, region: String, bucket: String, accessKeyID: String, secretAccessKey: String, pathStyle: Bool,
                     publicURL: URL? = nil, partSize: Int = 8 * 1024 * 1024) {
            self.endpoint = endpoint
            self.region = region
            self.bucket = bucket
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.pathStyle = pathStyle
            self.publicURL = publicURL
            self.partSize = partSize
        }
    }

    package init(localPath: String, s3: S3? = nil, limits: MediaLimits = MediaLimits()) {
        self.localPath = localPath
        self.s3 = s3
        self.limits = limits
    }

    /// Reads `ARKYRA_STORAGE_PATH`, `ARKYRA_STORAGE_DRIVER` (`local` or `s3`), the `ARKYRA_S3_*` keys when
    /// the driver is `s3`, and the media limits.
    /// - Throws: ``ConfigurationError`` naming a missing or malformed key.
    package init(reader: EnvironmentReader) throws {
        let driver = reader.string("ARKYRA_STORAGE_DRIVER", default: "local").lowercased()
        var s3: S3?
        switch driver {
        case "local": s3 = nil
        case "s3":
            s3 = S3(
                endpoint: try reader.url("ARKYRA_S3_ENDPOINT", default: "https://s3.amazonaws.com", schemes: ["http", "https"]),
                region: reader.string("ARKYRA_S3_REGION", default: "us-east-1"),
                bucket: try reader.required("ARKYRA_S3_BUCKET"),
                accessKeyID: try reader.required("ARKYRA_S3_ACCESS_KEY_ID"),
                secretAccessKey: try reader.required("ARKYRA_S3_SECRET_ACCESS_KEY"),
                pathStyle: try reader.bool("ARKYRA_S3_PATH_STYLE", default: false),
                publicURL: reader.string("ARKYRA_S3_PUBLIC_URL") == nil ? nil : try reader.url("ARKYRA_S3_PUBLIC_URL", default: "", schemes: ["http", "https"]),
                partSize: try reader.int("ARKYRA_S3_PART_SIZE_MB", default: 8, in: 5...512) * 1024 * 1024
            )
        default:
            throw ConfigurationError(key: "ARKYRA_STORAGE_DRIVER", problem: "must be local or s3, got '\(driver)'")
        }
        self.init(localPath: reader.string("ARKYRA_STORAGE_PATH", default: ".run/storage"), s3: s3, limits: try MediaLimits(reader: reader))
    }
}
