import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Small helpers for answering like the emulated platforms do.
enum SandboxJSON {
    static func response(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// `2026-11-30T09:00:00.000Z` (a format style: cheap, unlike building an ISO8601DateFormatter per call).
    static func timestamp(_ date: Date) -> String {
        date.formatted(Self.timestampStyle)
    }

    static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Parses an ISO 8601 datetime with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        (try? Date(text, strategy: timestampStyle)) ?? (try? Date(text, strategy: .iso8601))
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
                let value = parts.count > 1 ? parts[1] : ""
                // `media_ids[]=1&media_ids[]=2`, as Rails reads it: an array under `media_ids`.
                if parts[0].hasSuffix("[]") {
                    let name = String(parts[0].dropLast(2))
                    result[name] = ((result[name] as? [String]) ?? []) + [value]
                } else {
                    result[parts[0]] = value
                }
            }
            return result
        }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
