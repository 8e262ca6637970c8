import Foundation

/// Where media files live.
package struct StorageConfiguration: Sendable {
    /// Root folder of the local filesystem storage.
    package var localPath: String

    package init(localPath: String) {
        self.localPath = localPath
    }

    /// Reads `ARKYRA_STORAGE_PATH`.
    package init(reader: EnvironmentReader) {
        self.init(localPath: reader.string("ARKYRA_STORAGE_PATH", default: ".run/storage"))
    }
}
