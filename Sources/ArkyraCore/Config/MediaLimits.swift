/// What users may upload: sizes per kind and the storage an organization may use.
package struct MediaLimits: Sendable {
    package var maxImageBytes: Int
    package var maxVideoBytes: Int
    /// Storage an organization's media may use in all.
    package var quotaBytesPerOrganization: Int

    package init(maxImageBytes: Int = 20 * 1024 * 1024, maxVideoBytes: Int = 1024 * 1024 * 1024, quotaBytesPerOrganization: Int = 10 * 1024 * 1024 * 1024) {
        self.maxImageBytes = maxImageBytes
        self.maxVideoBytes = maxVideoBytes
        self.quotaBytesPerOrganization = quotaBytesPerOrganization
    }

    /// The largest file of any kind.
    package var maxBytes: Int { max(maxImageBytes, maxVideoBytes) }

    /// The limit for files of `kind`.
    package func maxBytes(for kind: MediaKind) -> Int { kind == .image ? maxImageBytes : maxVideoBytes }

    /// Reads `ARKYRA_MEDIA_MAX_IMAGE_MB`, `ARKYRA_MEDIA_MAX_VIDEO_MB` and `ARKYRA_MEDIA_QUOTA_MB`.
    /// - Throws: ``ConfigurationError`` naming a key that is not a whole number of megabytes in range.
    package init(reader: EnvironmentReader) throws {
        let megabyte = 1024 * 1024
        self.init(
            maxImageBytes: try reader.int("ARKYRA_MEDIA_MAX_IMAGE_MB", default: 20, in: 1...1024) * megabyte,
            maxVideoBytes: try reader.int("ARKYRA_MEDIA_MAX_VIDEO_MB", default: 1024, in: 1...16384) * megabyte,
            quotaBytesPerOrganization: try reader.int("ARKYRA_MEDIA_QUOTA_MB", default: 10240, in: 1...100_000_000) * megabyte
        )
    }
}
