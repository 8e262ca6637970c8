import Foundation
import NIOPosix

/// Media files on the local filesystem, under one root folder. File work runs on NIO's thread pool.
package struct LocalFileStorage: Sendable {
    package let root: String
    private let threadPool: NIOThreadPool

    package init(configuration: StorageConfiguration, threadPool: NIOThreadPool = .singleton) {
        self.root = configuration.localPath
        self.threadPool = threadPool
    }

    /// Creates the root when missing, then writes, reads back and deletes a small file.
    /// - Throws: the filesystem error, or ``StorageError`` when the file reads back wrong.
    package func probe() async throws {
        let root = self.root
        try await threadPool.runIfActive {
            let manager = FileManager.default
            try manager.createDirectory(atPath: root, withIntermediateDirectories: true)
            let path = (root as NSString).appendingPathComponent(".health-\(UUID().uuidString)")
            let bytes = Data("ok".utf8)
            try bytes.write(to: URL(fileURLWithPath: path))
            defer { try? manager.removeItem(atPath: path) }
            guard try Data(contentsOf: URL(fileURLWithPath: path)) == bytes else { throw StorageError.readBackMismatch }
        }
    }

    /// Why storage is unwell.
    package enum StorageError: Error {
        case readBackMismatch
    }
}
