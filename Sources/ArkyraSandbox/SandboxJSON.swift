import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Small helpers for answering like the emulated platforms do.
enum SandboxJSON {
    static func response(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Parses an ISO 8601 datetime with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return withFraction.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    /// The body's parameters, from JSON or `application/x-www-form-urlencoded` (as the platforms accept).
    static func parameters(_ body: ByteBuffer, contentType: String?) -> [String: Any]? {
        let data = Data(buffer: body)
        if data.isEmpty { return [:] }
        if contentType?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            var result: [String: Any] = [:]
            for pair in String(decoding: data, as: UTF8.self).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                result[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            return result
        }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
