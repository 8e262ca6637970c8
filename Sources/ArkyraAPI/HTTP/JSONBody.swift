import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A request body type that lists its fields, so unknown fields are refused instead of silently ignored.
protocol StrictDecodable: Decodable {
    associatedtype Fields: CodingKey & CaseIterable
    /// Fields present in `object` that this type does not know, as `path: message`. Types with nested objects
    /// override this to check them too.
    static func unknownFields(in object: [String: Any], path: String) -> [String: String]
}

extension StrictDecodable {
    static func unknownFields(in object: [String: Any], path: String) -> [String: String] {
        ownUnknownFields(in: object, path: path)
    }

    /// The keys of `object` itself (not of nested objects) that this type does not know.
    static func ownUnknownFields(in object: [String: Any], path: String) -> [String: String] {
        let known = Set(Fields.allCases.map(\.stringValue))
        var unknown: [String: String] = [:]
        for key in object.keys where !known.contains(key) {
            unknown[path + key] = "is not a known field"
        }
        return unknown
    }
}

/// Reads JSON request bodies and writes JSON responses the way every route does.
enum JSONBody {
    /// Decodes the body as `T`, refusing oversized bodies (413), malformed JSON, unknown fields and wrong
    /// types (400) with messages that name the field.
    static func decode<T: StrictDecodable>(_ type: T.Type, from request: Request, maxBytes: Int) async throws -> T {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw APIError(.contentTooLarge, "payload_too_large", "the body is larger than \(maxBytes) bytes")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "payload_too_large", "the body is larger than \(maxBytes) bytes")
        }
        let data = Data(buffer: buffer)
        guard !data.isEmpty else { throw APIError(.badRequest, "invalid_json", "the body is empty; send a JSON object") }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw APIError(.badRequest, "invalid_json", "the body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else {
            throw APIError(.badRequest, "invalid_json", "the body must be a JSON object")
        }
        // PostgreSQL's text cannot hold NUL characters; refuse them here, naming the field, rather than fail later.
        let withNul = nulFields(in: object, path: "")
        guard withNul.isEmpty else {
            throw APIError(.badRequest, "invalid_field", "text must not contain NUL characters (\\u0000)", fields: withNul)
        }
        let unknown = T.unknownFields(in: object, path: "")
        guard unknown.isEmpty else {
            throw APIError(.badRequest, "unknown_field", "the body has fields this endpoint does not take", fields: unknown)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            let (field, message) = describe(error)
            throw APIError(.badRequest, "invalid_field", "\(field) \(message)", fields: [field: message])
        }
    }

    /// The paths of strings (values or keys) in `value` that contain U+0000.
    static func nulFields(in value: Any, path: String) -> [String: String] {
        var found: [String: String] = [:]
        switch value {
        case let string as String where string.contains("\u{0}"):
            found[path.isEmpty ? "body" : path] = "must not contain NUL characters"
        case let object as [String: Any]:
            for (key, nested) in object {
                let nestedPath = path.isEmpty ? key : "\(path).\(key)"
                if key.contains("\u{0}") { found[path.isEmpty ? "body" : path] = "has a key with a NUL character" }
                found.merge(nulFields(in: nested, path: nestedPath)) { first, _ in first }
            }
        case let array as [Any]:
            for (index, nested) in array.enumerated() {
                found.merge(nulFields(in: nested, path: "\(path)[\(index)]")) { first, _ in first }
            }
        default:
            break
        }
        return found
    }

    private static func describe(_ error: DecodingError) -> (String, String) {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return (path(context.codingPath, key), "is required")
        case .typeMismatch(let type, let context):
            return (path(context.codingPath), "must be \(typeName(type))")
        case .valueNotFound(let type, let context):
            return (path(context.codingPath), "must be \(typeName(type)), not null")
        case .dataCorrupted(let context):
            return (path(context.codingPath), "is invalid: \(context.debugDescription)")
        @unknown default:
            return ("body", "is invalid")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is [Any].Type: return "an array"
        default:
            let name = "\(type)"
            return name.hasPrefix("Array") ? "an array" : (name.hasPrefix("Dictionary") ? "an object" : "an object")
        }
    }

    /// ARKYRA's own API writes snake_case keys.
    static let encoder = makeEncoder(keys: .convertToSnakeCase)
    /// The public API keeps Postiz's camelCase keys.
    static let camelCaseEncoder = makeEncoder(keys: .useDefaultKeys)

    private static func makeEncoder(keys: JSONEncoder.KeyEncodingStrategy) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = keys
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Timestamp.format(date))
        }
        return encoder
    }

    /// `value` as a JSON response with `status` (snake_case keys unless `camelCase`).
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], camelCase: Bool = false) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = try (camelCase ? camelCaseEncoder : encoder).encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
