import AsyncHTTPClient

extension StorageConfiguration {
    /// The storage this configuration names: the bucket when one is configured, else the local folder.
    /// - Parameters:
    ///   - client: the HTTP client S3 requests go through.
    ///   - publicURL: where the API is reached, for the read URLs of local files.
    ///   - signingSecret: what local read URLs are signed with.
    package func makeStorage(client: HTTPClient, publicURL: String, signingSecret: [UInt8]) -> any MediaStorage {
        if let s3 { return S3Storage(configuration: s3, client: client) }
        return LocalFileStorage(configuration: self, publicURL: publicURL, signingSecret: signingSecret)
    }
}
