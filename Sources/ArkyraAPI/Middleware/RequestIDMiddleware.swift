import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Takes the caller's `X-Request-ID` (when it is a sane token) or makes one, puts it in the context and in
/// every log line of the request, and echoes it on the response.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = Self.accept(request.headers[.xRequestID]) ?? UUID().uuidString.lowercased()
        context.requestID = requestID
        context.logger[metadataKey: "request_id"] = .string(requestID)
        var response = try await next(request, context)
        response.headers[.xRequestID] = requestID
        return response
    }

    /// A caller's id is kept when it is 1...128 characters of letters, digits, `-`, `_`, `.` and `:`.
    static func accept(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.count) else { return nil }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.:"))
        guard value.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }) else { return nil }
        return value
    }
}

extension HTTPField.Name {
    static let xRequestID = Self("X-Request-ID")!
}
