import HTTPTypes
import Hummingbird
import NIOCore

/// An error meant for the client: an HTTP status, a stable machine-readable code, a human message and,
/// for invalid input, a message per field. Rendered as `{ "error": { "code", "message", "fields"? } }`.
package struct APIError: Error, Sendable, Equatable {
    package var status: HTTPResponse.Status
    package var code: String
    package var message: String
    package var fields: [String: String]?
    /// Extra response headers (`Retry-After`, ...).
    package var headers: [String: String]

    package init(_ status: HTTPResponse.Status, _ code: String, _ message: String, fields: [String: String]? = nil, headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers
    }

    /// 422 with one message per invalid field.
    static func validation(_ fields: [String: String]) -> APIError {
        APIError(.unprocessableContent, "validation_failed", "some fields are invalid", fields: fields)
    }

    static func notFound(_ what: String) -> APIError {
        APIError(.notFound, "not_found", "\(what) not found")
    }

    static let serviceUnavailable = APIError(
        .serviceUnavailable, "service_unavailable", "a backing service is unavailable or busy; try again shortly", headers: ["Retry-After": "1"]
    )
}
