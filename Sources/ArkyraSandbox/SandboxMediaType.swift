import Foundation

/// What an uploaded file is, told from its bytes, as the platforms' upload endpoints do (Mastodon checks the
/// image type; a Bluesky PDS sniffs the type and keeps it over what the client said).
enum SandboxMediaType {
    /// The image types the platforms take.
    static func image(_ data: Data) -> String? {
        let head = [UInt8](data.prefix(12))
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if head.starts(with: Array("GIF8".utf8)) { return "image/gif" }
        if head.count == 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }

    /// An image or an MP4 video (`ftyp` box first).
    static func sniff(_ data: Data) -> String? {
        if let image = image(data) { return image }
        let head = [UInt8](data.prefix(12))
        if head.count == 12, Array(head[4..<8]) == Array("ftyp".utf8) { return "video/mp4" }
        return nil
    }

    /// A video container the video platforms take: MP4 or QuickTime (`ftyp` box first) or WebM (EBML header).
    static func video(_ head: [UInt8]) -> String? {
        if head.count >= 12, Array(head[4..<8]) == Array("ftyp".utf8) { return Array(head[8..<10]) == Array("qt".utf8) ? "video/quicktime" : "video/mp4" }
        if head.starts(with: [0x1A, 0x45, 0xDF, 0xA3]) { return "video/webm" }
        return nil
    }

    /// A PNG's size from its IHDR chunk.
    static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        return (width, height)
    }
}
