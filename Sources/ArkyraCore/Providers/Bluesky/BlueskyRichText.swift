import Foundation

/// The rich text of a Bluesky post: links, mentions and hashtags are not found by readers in the text but
/// named by facets, each over a range of the text's UTF-8 bytes (`app.bsky.richtext.facet`). This finds
/// them as Bluesky's own app does: links starting with `http(s)://` (trailing punctuation left out),
/// mentions `@handle.domain`, and hashtags `#tag` that are not only digits.
package enum BlueskyRichText {
    /// A part of the text a facet will name, by UTF-8 byte offsets.
    package struct Span: Equatable, Sendable {
        package enum Kind: Equatable, Sendable {
            case link(String)
            /// The handle, without `@`; the post names it by DID once resolved.
            case mention(String)
            /// The tag, without `#`.
            case tag(String)
        }

        package var byteStart: Int
        package var byteEnd: Int
        package var kind: Kind
    }

    package static func spans(in text: String) -> [Span] {
        var spans: [Span] = []
        func add(_ range: Range<String.Index>, _ kind: Span.Kind) {
            let start = text.utf8.distance(from: text.utf8.startIndex, to: range.lowerBound)
            spans.append(Span(byteStart: start, byteEnd: start + text[range].utf8.count, kind: kind))
        }
        // Each pattern starts the text or follows a space (or an opening parenthesis): the first group.
        for match in text.matches(of: /(?:^|[\s(])(https?:\/\/[^\s]+)/) {
            let found = match.output.1
            var end = found.endIndex
            // Trailing punctuation belongs to the sentence; a closing parenthesis only when none opened.
            while end > found.startIndex, let last = text[..<end].last, ".,;:!?\"'".contains(last)
                    || (last == ")" && !text[found.startIndex..<end].dropLast().contains("(")) {
                end = text.index(before: end)
            }
            add(found.startIndex..<end, .link(String(text[found.startIndex..<end])))
        }
        for match in text.matches(of: /(?:^|[\s(])(@(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)/) {
            let found = match.output.1
            add(found.startIndex..<found.endIndex, .mention(String(found.dropFirst())))
        }
        for match in text.matches(of: /(?:^|\s)(#[^\s#.,;:!?\)\]]+)/) {
            let found = match.output.1
            let tag = String(found.dropFirst())
            guard !tag.allSatisfy({ $0.isNumber }), tag.count <= 64 else { continue }
            add(found.startIndex..<found.endIndex, .tag(tag))
        }
        return spans.sorted { $0.byteStart < $1.byteStart }
    }

    /// The facets for `spans`, with mentions named by `dids` (a mention whose handle did not resolve stays
    /// plain text).
    package static func facets(_ spans: [Span], dids: [String: String]) -> [[String: Any]] {
        spans.compactMap { span in
            let feature: [String: Any]
            switch span.kind {
            case .link(let uri): feature = ["$type": "app.bsky.richtext.facet#link", "uri": uri]
            case .mention(let handle):
                guard let did = dids[handle.lowercased()] else { return nil }
                feature = ["$type": "app.bsky.richtext.facet#mention", "did": did]
            case .tag(let tag): feature = ["$type": "app.bsky.richtext.facet#tag", "tag": tag]
            }
            return ["index": ["byteStart": span.byteStart, "byteEnd": span.byteEnd], "features": [feature]]
        }
    }
}
