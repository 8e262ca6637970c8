import Foundation
import HummingbirdTesting
import NIOCore

extension TestResponse {
    /// The body as a JSON object (empty when it is not one).
    package var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    /// The body as a JSON array of objects (empty when it is not one).
    package var jsonArray: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [[String: Any]] ?? []
    }

    /// `error.code` of an error response.
    package var errorCode: String? {
        (json["error"] as? [String: Any])?["code"] as? String
    }

    /// `error.message` of an error response.
    package var errorMessage: String? {
        (json["error"] as? [String: Any])?["message"] as? String
    }

    /// `error.fields` of an error response.
    package var errorFields: [String: String] {
        (json["error"] as? [String: Any])?["fields"] as? [String: String] ?? [:]
    }
}

/// A JSON request body from a literal object.
package func jsonBody(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object))
}
