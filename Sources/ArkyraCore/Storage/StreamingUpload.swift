import NIOCore

/// An object being written part by part while its bytes arrive (an S3 multipart upload). Parts are written in
/// order, all of the same size but the last; nothing is visible until ``finish()``, and ``abort()`` leaves
/// nothing behind.
package protocol StreamingUpload: Sendable {
    func write(_ part: ByteBuffer) async throws
    func finish() async throws
    func abort() async
}
