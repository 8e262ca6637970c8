import Foundation

/// Where media files live.
public struct StorageConfiguration: Sendable {
    /// Root folder of the local filesystem storage.
    public var localPath: String

    public init(localPath: String) {
        self.localPath = localPath
    }

    /// Reads `ARKYRA_STORAGE_PATH`.
    public init(reader: EnvironmentReader) {
        self.init(localPath: reader.string("ARKYRA_STORAGE_PATH", default: ".run/storage"))
    }
}
