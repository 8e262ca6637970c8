import ArkyraCore
import Foundation

/// The files a new post group carries: each must be the organization's, processed, and within its channel's
/// platform rules (count, kinds, sizes, durations as processing measured them).
extension PostService {
    /// The file ids of each variant's first item and thread items, parsed; problems added to `fields`.
    /// `channels` are the group's, as ``checkChannels`` found them.
    func checkMedia(_ variants: [Variant], channels: [UUID: Integration], organizationID: UUID, problems fields: inout [String: String]) async throws
        -> [(head: [UUID], thread: [[UUID]])] {
        for (index, variant) in variants.enumerated() where variant.media.isEmpty {
            if let provider = UUID(uuidString: variant.integrationID).flatMap({ channels[$0] }).flatMap({ providers.provider(for: $0.provider) }),
               let problem = provider.mediaRules.problemWithoutFiles(platform: provider.displayName) {
                fields["variants[\(index)].media"] = problem
            }
        }
        let all = variants.flatMap { $0.media + $0.threadMedia.flatMap { $0 } }
        // Text-only groups (the common case) cost no query.
        if all.isEmpty { return variants.map { ([], $0.thread.map { _ in [] }) } }
        let known = try await media.find(ids: all.compactMap(UUID.init(uuidString:)), organizationID: organizationID, client: database)
        let byID = Dictionary(known.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [(head: [UUID], thread: [[UUID]])] = []
        for (index, variant) in variants.enumerated() {
            let provider = UUID(uuidString: variant.integrationID).flatMap { channels[$0] }.flatMap { providers.provider(for: $0.provider) }
            func check(_ given: [String], at path: String) -> [UUID] {
                var ids: [UUID] = []
                for (position, text) in given.enumerated() {
                    guard let id = UUID(uuidString: text), let file = byID[id] else {
                        fields["\(path).media[\(position)]"] = "is not a file of this organization's media library"
                        continue
                    }
                    if ids.contains(id) { fields["\(path).media[\(position)]"] = "names the same file twice" }
                    if file.processing == "failed" { fields["\(path).media[\(position)]"] = "could not be processed: \(file.processingError ?? "unknown reason")" }
                    ids.append(id)
                }
                if let provider, ids.count == given.count,
                   let problem = provider.mediaRules.problem(ids.compactMap { byID[$0] }.map { MediaRules.File(kind: $0.kind, sizeBytes: $0.sizeBytes, durationMs: $0.durationMs) },
                                                             platform: provider.displayName) {
                    fields["\(path).media"] = problem
                }
                return ids
            }
            let path = "variants[\(index)]"
            let head = check(variant.media, at: path)
            let thread = variant.thread.indices.map { item in check(item < variant.threadMedia.count ? variant.threadMedia[item] : [], at: "\(path).thread[\(item)]") }
            result.append((head, thread))
        }
        return result
    }
}
