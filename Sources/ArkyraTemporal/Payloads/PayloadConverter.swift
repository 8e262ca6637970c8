import Foundation
import SwiftProtobuf

public typealias Payload = Temporal_Api_Common_V1_Payload
public typealias Payloads = Temporal_Api_Common_V1_Payloads

/// Values to and from Temporal payloads in the encodings every Temporal SDK reads by default: `json/plain` for a
/// value (JSON of its Codable form, dates in ISO 8601) and `binary/null` for nothing, so the Temporal UI shows our
/// inputs and results and a Python or Go client decodes them.
public enum PayloadConverter {
    static let encodingKey = "encoding"
    static let json = Data("json/plain".utf8)
    static let null = Data("binary/null".utf8)

    public static func payload(_ value: some Encodable) throws -> Payload {
        var payload = Payload()
        if let optional = value as? any OptionalProtocol, optional.isNone {
            payload.metadata[encodingKey] = null
            return payload
        }
        payload.metadata[encodingKey] = json
        payload.data = try encoder.encode(value)
        return payload
    }

    public static func payloads(_ values: any Encodable...) throws -> Payloads {
        var payloads = Payloads()
        payloads.payloads = try values.map { try payload($0) }
        return payloads
    }

    /// Search attributes of Temporal's Keyword type (exact-match strings), as a start or an upsert sends them.
    static func keywordSearchAttributes(_ attributes: [String: String]) -> Temporal_Api_Common_V1_SearchAttributes {
        var result = Temporal_Api_Common_V1_SearchAttributes()
        for (name, value) in attributes {
            var payload = Payload()
            payload.metadata[encodingKey] = json
            payload.data = (try? JSONEncoder().encode(value)) ?? Data("\"\"".utf8)
            payload.metadata["type"] = Data("Keyword".utf8)
            result.indexedFields[name] = payload
        }
        return result
    }

    /// The value of a payload; a missing payload or `binary/null` decodes only as an optional or `Empty`.
    public static func value<T: Decodable>(_ type: T.Type, from payload: Payload?) throws -> T {
        guard let payload, payload.metadata[encodingKey] != null else {
            if let empty = Empty() as? T { return empty }
            if let nothing = (type as? any OptionalProtocol.Type)?.none as? T { return nothing }
            throw PayloadError.missing(String(describing: type))
        }
        guard payload.metadata[encodingKey] == json else {
            let encoding = payload.metadata[encodingKey].map { String(decoding: $0, as: UTF8.self) } ?? "none"
            throw PayloadError.unsupportedEncoding(encoding)
        }
        do {
            return try decoder.decode(type, from: payload.data)
        } catch {
            throw PayloadError.undecodable(String(describing: type), String(describing: error))
        }
    }

    public static func value<T: Decodable>(_ type: T.Type, from payloads: Payloads?) throws -> T {
        try value(type, from: payloads?.payloads.first)
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// The input or output of a workflow, signal, query or activity that carries nothing.
public struct Empty: Codable, Sendable, Equatable {
    public init() {}
}

public enum PayloadError: Error, CustomStringConvertible {
    case missing(String)
    case unsupportedEncoding(String)
    case undecodable(String, String)

    public var description: String {
        switch self {
        case .missing(let type): "expected a payload of \(type), got none"
        case .unsupportedEncoding(let encoding): "payload encoding \(encoding) is not supported (json/plain and binary/null are)"
        case .undecodable(let type, let reason): "payload is not a \(type): \(reason)"
        }
    }
}

protocol OptionalProtocol {
    var isNone: Bool { get }
    static var none: Self { get }
}

extension Optional: OptionalProtocol {
    var isNone: Bool { self == nil }
}
