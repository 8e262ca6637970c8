@testable import ArkyraCore
import ArkyraTestSupport
import Foundation
import Testing

@Suite("Job encoding")
struct JobEncodingTests {
    @Test("the hand-written JSON round-trips quotes, backslashes, control characters and non-ASCII text")
    func roundTrip() throws {
        let job = Job(
            id: "id \"quoted\"", type: "t\\ype", data: ["text": "line\nbreak\ttab\u{01}é🙂", "b": ""], requestID: "r-1",
            attempt: 3, staleOwner: "worker \"a\""
        )
        let text = try job.encoded()
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
        #expect(try Job.decode(text) == job)
        let plain = Job(id: "x", type: "y", data: [:], requestID: nil)
        #expect(try Job.decode(try plain.encoded()) == plain)
    }
}
