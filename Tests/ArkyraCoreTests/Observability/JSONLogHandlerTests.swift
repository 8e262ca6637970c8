@testable import ArkyraCore
import Foundation
import Logging
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test("a line is one JSON object: fixed fields first, metadata sorted, everything escaped")
    func render() throws {
        let data = JSONLogHandler.render(
            time: Date(timeIntervalSince1970: 1_800_000_000), level: .warning, service: "arkyra-worker", logger: "queue",
            message: "said \"no\"\nthen\tstopped \u{1}",
            metadata: ["zeta": "1", "alpha": .array(["a", .dictionary(["k": "v"])]), "msg": "ignored: reserved key"]
        )
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasSuffix("}\n"))
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.hasPrefix(#"{"ts":"2027-01-15T08:00:00.000Z","level":"warning","service":"arkyra-worker","logger":"queue","msg":"#))
        #expect(try #require(text.range(of: "\"alpha\"")).lowerBound < text.range(of: "\"zeta\"")!.lowerBound)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["msg"] as? String == "said \"no\"\nthen\tstopped \u{1}")
        #expect(object["zeta"] as? String == "1")
        #expect((object["alpha"] as? [Any])?.count == 2)
    }
}
