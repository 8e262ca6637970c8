import Foundation

/// The length of a post as X counts it (twitter-text's version 3 configuration): after NFC normalisation,
/// code points in Latin, Greek, Cyrillic and the common punctuation ranges count 1 and all others 2 (CJK
/// counts double), a link counts 23 whatever its length, and an emoji counts 2 however many code points its
/// sequence has (skin tones, ZWJ families, flags). A post may count 280.
///
/// Links are those with a scheme (`http://`, `https://`) or starting `www.`; twitter-text also finds bare
/// domains such as `example.com`, which are counted here by their characters.
package enum XTextLength {
    package static let maximum = 280
    static let linkLength = 23
    /// Code points counting 1; everything else counts 2.
    static let singleRanges: [ClosedRange<UInt32>] = [0...4351, 8192...8205, 8208...8223, 8242...8247]

    package static func count(_ text: String) -> Int {
        var normalized = text.precomposedStringWithCanonicalMapping
        var links = 0
        normalized.replace(/(?i)(?:https?:\/\/|www\.)[^\s]+/) { _ in
            links += 1
            return ""
        }
        var total = links * linkLength
        for cluster in normalized {
            if isEmoji(cluster) {
                total += 2
            } else {
                for scalar in cluster.unicodeScalars {
                    total += singleRanges.contains { $0.contains(scalar.value) } ? 1 : 2
                }
            }
        }
        return total
    }

    /// An emoji as a person sees one: a pictograph shown as emoji by default, a character made emoji by the
    /// variation selector U+FE0F or a keycap, or a flag (a pair of regional indicators).
    static func isEmoji(_ cluster: Character) -> Bool {
        guard let first = cluster.unicodeScalars.first else { return false }
        if first.properties.isEmojiPresentation { return true }
        if (0x1F1E6...0x1F1FF).contains(first.value) { return true }
        return first.properties.isEmoji && cluster.unicodeScalars.contains { $0.value == 0xFE0F || $0.value == 0x20E3 }
    }
}
