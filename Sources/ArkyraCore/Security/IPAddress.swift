#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, kept as 16 bytes (IPv4 as IPv4-mapped IPv6, so `::ffff:127.0.0.1` and `127.0.0.1`
/// are the same address). Parsing is strict (`inet_pton`): a dotted quad or an IPv6 address, nothing else.
package struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    package let bytes: [UInt8]

    /// Parses `text`, with or without IPv6 brackets; nil for anything that is not a literal address.
    package init?(_ text: String) {
        var bare = text
        if bare.hasPrefix("["), bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        if let zone = bare.firstIndex(of: "%") { bare = String(bare[..<zone]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 {
            self.init(v4: withUnsafeBytes(of: v4.s_addr) { Array($0) })
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return nil }
        self.init(v6: withUnsafeBytes(of: v6) { Array($0) })
    }

    init(v4: [UInt8]) {
        bytes = Array(repeating: 0, count: 10) + [0xFF, 0xFF] + v4
    }

    init(v6: [UInt8]) {
        bytes = v6
    }

    /// Whether this is an IPv4 address (or IPv4-mapped).
    package var isIPv4: Bool { bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF }

    /// Whether a server on the public internet could have this address: false for loopback, private,
    /// shared (CGNAT), link-local, unspecified, multicast, broadcast, documentation and unique-local ranges,
    /// and for IPv6 forms that embed IPv4 (6to4, NAT64, IPv4-compatible) around a non-public one.
    package var isPublic: Bool {
        !Self.nonPublic.contains { $0.contains(self) } && embeddedIPv4.map(\.isPublic) != false
    }

    /// The IPv4 address an IPv6 transition form carries (NAT64 `64:ff9b::/96`, 6to4 `2002::/16`,
    /// IPv4-compatible `::/96`), which a gateway may forward to.
    private var embeddedIPv4: IPAddress? {
        if isIPv4 { return nil }
        if bytes[0] == 0x20, bytes[1] == 0x02 { return IPAddress(v4: Array(bytes[2..<6])) }
        if bytes[0..<12] == [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0][...] || bytes[0..<12].allSatisfy({ $0 == 0 }) {
            return IPAddress(v4: Array(bytes[12..<16]))
        }
        return nil
    }

    static let nonPublic: [IPRange] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4", "::/128", "::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8", "2001:db8::/32",
        "100::/64",
    ].map { IPRange($0)! }

    package var description: String {
        if isIPv4 { return bytes[12..<16].map(String.init).joined(separator: ".") }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        return inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)).map { String(cString: $0) } ?? "?"
    }
}

/// A block of addresses in CIDR notation: `10.0.0.0/8`, `fd00::/8`, or one address.
package struct IPRange: Hashable, Sendable {
    package let base: IPAddress
    /// Leading bits that must match, counted over the 16-byte form.
    package let prefixBits: Int

    package init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let base = IPAddress(String(parts[0])) else { return nil }
        let maximum = base.isIPv4 ? 32 : 128
        guard let bits = parts.count == 2 ? Int(parts[1]) : maximum, (0...maximum).contains(bits) else { return nil }
        self.base = base
        prefixBits = base.isIPv4 ? 96 + bits : bits
    }

    package func contains(_ address: IPAddress) -> Bool {
        var remaining = prefixBits
        for index in 0..<16 where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address.bytes[index] & mask != base.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }
}
