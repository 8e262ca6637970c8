@testable import ArkyraCore
import Foundation
import Testing

@Suite("The SSRF guard: URLs users supply may not reach private networks")
struct OutboundURLPolicyTests {
    let strict = OutboundURLPolicy(allowPrivateHosts: false)

    @Test("private, loopback and link-local hosts are refused in every form a resolver accepts")
    func refusedForms() throws {
        #expect(try strict.validate("https://mastodon.social/").get().absoluteString == "https://mastodon.social")
        #expect(try strict.validate("https://8.8.8.8/").get().absoluteString == "https://8.8.8.8")
        for refused in [
            "http://mastodon.social", "https://127.0.0.1", "https://10.1.2.3", "https://192.168.0.1", "https://172.20.0.1",
            "https://169.254.169.254", "https://100.64.0.1", "https://0.0.0.0", "https://localhost:8080", "https://LOCALHOST./",
            "https://db.internal", "https://[::1]/", "https://[0:0:0:0:0:0:0:1]/", "https://[::]/", "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:7f00:1]/", "https://[fe80::1]/", "https://[fd12::1]/", "https://[64:ff9b::a00:1]/", "https://[2002:7f00:1::]/",
            "https://127.1", "https://2130706433", "https://0", "https://0x7f.1", "https://0x7f000001", "https://017700000001",
            "https://user:pw@example.com", "not a url",
        ] {
            #expect((try? strict.validate(refused).get()) == nil, "\(refused)")
        }
        #expect(try OutboundURLPolicy(allowPrivateHosts: true).validate("http://127.0.0.1:8090/mastodon/").get().absoluteString == "http://127.0.0.1:8090/mastodon")
    }

    @Test("addresses parse strictly and classify by range, IPv4-mapped and embedded forms included")
    func addresses() throws {
        #expect(IPAddress("127.1") == nil)
        #expect(IPAddress("2130706433") == nil)
        #expect(IPAddress("::ffff:127.0.0.1") == IPAddress("127.0.0.1"))
        #expect(try #require(IPAddress("[::ffff:7f00:1]")).description == "127.0.0.1")
        for open in ["8.8.8.8", "1.1.1.1", "2a00:1450:4001::1", "172.32.0.1"] {
            #expect(IPAddress(open)?.isPublic == true, "\(open)")
        }
        for closed in ["127.0.0.1", "10.0.0.1", "172.31.255.255", "192.168.1.1", "169.254.1.1", "::1", "fe80::1", "fc00::1", "224.0.0.1",
                       "255.255.255.255", "64:ff9b::7f00:1", "2002:a00:1::", "::10.0.0.1"] {
            #expect(IPAddress(closed)?.isPublic == false, "\(closed)")
        }
        let range = try #require(IPRange("10.0.0.0/8"))
        #expect(range.contains(IPAddress("10.200.1.1")!))
        #expect(!range.contains(IPAddress("11.0.0.1")!))
        #expect(IPRange("10.0.0.0/33") == nil)
    }

    @Test("before connecting, a name is resolved and refused when any address it has is not public")
    func resolvedNames() async throws {
        let loopback = try await OutboundURLPolicy.resolve("localhost")
        #expect(!loopback.isEmpty)
        #expect(loopback.allSatisfy { !$0.isPublic })
        // This machine's own name resolves to one of its addresses, which are private or loopback.
        #expect(await strict.refusal(connectingTo: "https://\(ProcessInfo.processInfo.hostName)/api") != nil)
        #expect(await strict.refusal(connectingTo: "https://2130706433/") == .malformed)
        #expect(await strict.refusal(connectingTo: "https://[::ffff:10.0.0.1]/") == .privateHost)
        #expect(await strict.refusal(connectingTo: "https://name.invalid/") == .unresolvable)
        #expect(await OutboundURLPolicy(allowPrivateHosts: true).refusal(connectingTo: "http://127.0.0.1:1/") == nil)
    }
}
