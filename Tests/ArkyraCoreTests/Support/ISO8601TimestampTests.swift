import ArkyraCore
import Foundation
import Testing

@Suite("Timestamps in ISO 8601")
struct ISO8601TimestampTests {
    @Test("formatting by hand gives Foundation's text, rounded to the millisecond, from 1583 to 9999, across leap days and 1970")
    func formatMatchesFoundation() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var generator = SystemRandomNumberGenerator()
        let fixed: [Double] = [0, -0.001, -1, 951_782_400, 951_868_799.999, 4_107_542_399.9995, -12_212_553_600, 253_402_300_799.999, 1_800_000_000.123]
        let random = (0..<5000).map { _ in Double(Int64.random(in: -12_212_553_600_000...253_402_300_799_000, using: &generator)) / 1000 }
        for seconds in fixed + random {
            let rounded = (seconds * 1000).rounded()
            let expected = Date(timeIntervalSince1970: (rounded + 0.5) / 1000).formatted(style)
            #expect(ISO8601Timestamp.format(Date(timeIntervalSince1970: seconds)) == expected, "\(seconds)")
        }
        #expect(ISO8601Timestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
    }

    @Test("what it writes, it reads back, also before 1583 where Foundation formats it")
    func roundTrip() throws {
        // 2027, then 1200 and year 1 (Julian in Foundation's calendar).
        for seconds in [1_800_000_000.457, -24_298_790_400.25, -62_135_596_800.0] {
            let date = Date(timeIntervalSince1970: seconds)
            let parsed = try #require(ISO8601Timestamp.parse(ISO8601Timestamp.format(date)), "\(seconds)")
            #expect(abs(parsed.timeIntervalSince(date)) < 0.001, "\(seconds)")
        }
    }
}
