@testable import ArkyraAPI
import ArkyraCore
import Foundation
import Testing

@Suite("API: a post too long for its platform is refused with the platform's own counting explained")
struct ContentLengthTests {
    let http = PlatformHTTP(client: .shared, timeout: .seconds(1), policy: OutboundURLPolicy(allowPrivateHosts: false))

    @Test("LinkedIn: 1,501 # are 3,002 as LinkedIn counts, and the message says why")
    func linkedIn() {
        let provider = LinkedInProvider(http: http, app: nil)
        #expect(PostService.contentProblem(String(repeating: "#", count: 1500), provider: provider) == nil)
        let problem = PostService.contentProblem(String(repeating: "#", count: 1501), provider: provider)
        #expect(problem?.hasPrefix("is 3002 characters; linkedin takes at most 3000 (LinkedIn counts each of") == true)
    }

    @Test("X: a long link counts 23, and past 280 the message names the rule")
    func x() {
        let provider = XProvider(http: http, app: nil)
        let link = "https://example.com/" + String(repeating: "a", count: 300)
        #expect(PostService.contentProblem(link, provider: provider) == nil)
        let problem = PostService.contentProblem(String(repeating: "語", count: 141), provider: provider)
        #expect(problem == "is 282 characters; x takes at most 280 (X counts every link as 23, and emoji and CJK characters as 2)")
    }

    @Test("Threads: an emoji counts its UTF-8 bytes, CJK and accents count one each, and a sixth link is refused by name")
    func threads() {
        let provider = ThreadsProvider(http: http, app: nil)
        // Threads' documentation: "Emojis are counted as the number of UTF-8 bytes."
        #expect(provider.characterCount(of: "🚀") == 4)
        #expect(provider.characterCount(of: "👍🏽") == 8)
        #expect(provider.characterCount(of: "❤️") == 6)
        #expect(provider.characterCount(of: "語é1#") == 4)
        #expect(PostService.contentProblem(String(repeating: "a", count: 496) + "🚀", provider: provider) == nil)
        #expect(PostService.contentProblem(String(repeating: "a", count: 497) + "🚀", provider: provider)
            == "is 501 characters; threads takes at most 500 (Threads counts an emoji as its UTF-8 bytes (most emoji count 4))")
        let five = (1...5).map { "https://example.com/\($0)" }.joined(separator: " ")
        #expect(PostService.contentProblem(five + " " + "https://example.com/1", provider: provider) == nil)
        #expect(PostService.contentProblem(five + " www.example.org", provider: provider) == "has 6 different links; Threads takes at most 5 in a post")
    }
}
