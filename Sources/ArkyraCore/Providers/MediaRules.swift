/// What files a platform takes on one post: how many, of which kinds, how large, how long. Checked when a post
/// is scheduled, with the facts processing found, so that a post the platform would refuse is refused first.
package struct MediaRules: Sendable {
    package var maximumItems: Int
    package var kinds: Set<MediaKind>
    package var maximumImageBytes: Int
    package var maximumVideoBytes: Int
    package var maximumVideoDurationMs: Int?
    /// Whether images and a video may go together.
    package var mixesKinds: Bool
    /// Whether a post needs at least one file (Instagram); a thread's later items (comments) do not.
    package var requiresFiles = false

    package init(maximumItems: Int, kinds: Set<MediaKind>, maximumImageBytes: Int = 0, maximumVideoBytes: Int = 0,
                 maximumVideoDurationMs: Int? = nil, mixesKinds: Bool = false) {
        self.maximumItems = maximumItems
        self.kinds = kinds
        self.maximumImageBytes = maximumImageBytes
        self.maximumVideoBytes = maximumVideoBytes
        self.maximumVideoDurationMs = maximumVideoDurationMs
        self.mixesKinds = mixesKinds
    }

    /// No media at all (the platforms ARKYRA cannot upload to yet).
    package static let none = MediaRules(maximumItems: 0, kinds: [])

    /// What a file is, for the rules.
    package struct File: Sendable {
        package var kind: MediaKind
        package var sizeBytes: Int
        package var durationMs: Int?

        package init(kind: MediaKind, sizeBytes: Int, durationMs: Int?) {
            self.kind = kind
            self.sizeBytes = sizeBytes
            self.durationMs = durationMs
        }
    }

    /// Why a post without files cannot go to `platform`, or nil.
    package func problemWithoutFiles(platform: String) -> String? {
        requiresFiles ? "\(platform) posts need at least one \(kinds.contains(.video) ? "image or video" : "image")" : nil
    }

    /// Why `files` cannot go on one post of `platform`, or nil.
    package func problem(_ files: [File], platform: String) -> String? {
        guard !files.isEmpty else { return nil }
        if maximumItems == 0 { return "ARKYRA cannot publish media to \(platform) yet; send text only" }
        if files.count > maximumItems { return "\(platform) takes at most \(maximumItems) files on a post" }
        for kind in MediaKind.allCases where !kinds.contains(kind) && files.contains(where: { $0.kind == kind }) {
            return "ARKYRA publishes only \(kinds.map(\.rawValue).sorted().joined(separator: " and ")) files to \(platform) so far"
        }
        let videos = files.filter { $0.kind == .video }
        if !mixesKinds, !videos.isEmpty, videos.count != files.count || videos.count > 1 {
            return "\(platform) takes one video, or images, on a post"
        }
        for file in files {
            let limit = file.kind == .image ? maximumImageBytes : maximumVideoBytes
            if file.sizeBytes > limit { return "\(platform) takes \(file.kind.rawValue)s of at most \(Self.size(limit)); one is \(Self.size(file.sizeBytes))" }
            if file.kind == .video, let maximum = maximumVideoDurationMs, let duration = file.durationMs, duration > maximum {
                return "\(platform) takes videos of at most \(maximum / 1000) seconds; one is \(duration / 1000) seconds"
            }
        }
        return nil
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1024 * 1024 ? "\(bytes / (1024 * 1024)) MB" : "\(bytes / 1024) KB"
    }
}
