/// Whether a media file is a still image or a video.
package enum MediaKind: String, Sendable, Codable, CaseIterable {
    case image, video
}

/// The file formats ARKYRA accepts, told apart by their first bytes (never by the name or the declared type).
package enum MediaFormat: String, Sendable, CaseIterable {
    case jpeg, png, gif, webp, mp4, quicktime, webm

    /// How many leading bytes ``sniff(_:)`` needs.
    package static let signatureLength = 16

    package var mimeType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .mp4: "video/mp4"
        case .quicktime: "video/quicktime"
        case .webm: "video/webm"
        }
    }

    package var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .quicktime: "mov"
        default: rawValue
        }
    }

    package var kind: MediaKind {
        switch self {
        case .jpeg, .png, .gif, .webp: .image
        case .mp4, .quicktime, .webm: .video
        }
    }

    /// The format whose signature `bytes` (a file's first ``signatureLength`` bytes or more) start with.
    package static func sniff(_ bytes: some Collection<UInt8>) -> MediaFormat? {
        let head = Array(bytes.prefix(signatureLength))
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + signature.count && Array(head[offset..<(offset + signature.count)]) == signature
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return .webm }
        if starts(Array("ftyp".utf8), at: 4) {
            // ISO base media: the major brand says QuickTime, or an image format (AVIF, HEIC) we do not take.
            let brand = String(decoding: head[8..<min(12, head.count)], as: UTF8.self)
            if brand == "qt  " { return .quicktime }
            if ["avif", "avis", "heic", "heix", "mif1", "msf1"].contains(brand) { return nil }
            return .mp4
        }
        return nil
    }
}
