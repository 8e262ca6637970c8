@testable import ArkyraCore
import Foundation
import Testing

@Suite("LinkedIn: little text format, length, threads and daily limits")
struct LinkedInTextTests {
    @Test("every reserved character is escaped with a backslash, nothing else is touched")
    func escaping() {
        #expect(LinkedInText.escaped("Hi (all) #1 @me [x] {y} <z> *b* _i_ ~s~ a|b \\") == ##"Hi \(all\) \#1 \@me \[x\] \{y\} \<z\> \*b\* \_i\_ \~s\~ a\|b \\"##)
        #expect(LinkedInText.escaped("Plain words, émoji 🎉 and 日本語.") == "Plain words, émoji 🎉 and 日本語.")
    }

    @Test("length is what is sent: escapes count, and characters outside the BMP count twice (UTF-16)")
    func length() {
        #expect(LinkedInText.count("abc") == 3)
        #expect(LinkedInText.count("(a)") == 5)
        #expect(LinkedInText.count("🎉") == 2)
        #expect(LinkedInText.count("日本") == 2)
        let provider = LinkedInProvider(http: PlatformHTTP(client: .shared, timeout: .seconds(1), policy: OutboundURLPolicy(allowPrivateHosts: false)), app: nil)
        #expect(provider.characterCount(of: String(repeating: "#", count: 1500)) == 3000)
        #expect(provider.characterCount(of: String(repeating: "#", count: 1501)) > provider.maximumCharacters)
    }

    @Test("a thread item after a comment comments on the thread's post, not on the comment")
    func threadTarget() {
        #expect(LinkedInProvider.commentedPost("urn:li:share:7400000000000000001") == "urn:li:share:7400000000000000001")
        #expect(LinkedInProvider.commentedPost("urn:li:comment:(urn:li:share:74001,74002)") == "urn:li:share:74001")
        #expect(LinkedInProvider.commentedPost("urn:li:comment:(urn:li:activity:1,2)") == "urn:li:activity:1")
    }

    @Test("daily limits lift at the next midnight UTC, whatever the server's zone")
    func midnight() throws {
        let late = try Date("2026-12-03T23:59:30Z", strategy: .iso8601)
        #expect(LinkedInProvider.nextMidnightUTC(after: late) == (try Date("2026-12-04T00:00:00Z", strategy: .iso8601)))
        let exact = try Date("2026-12-04T00:00:00Z", strategy: .iso8601)
        #expect(LinkedInProvider.nextMidnightUTC(after: exact) == (try Date("2026-12-05T00:00:00Z", strategy: .iso8601)))
    }
}
