import ArkyraCore
import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import PostgresNIO

/// Turns every error into the API's error shape. Deliberate ``APIError``s pass through; an outage of
/// PostgreSQL or Redis becomes 503; anything else is logged in full and answered with an opaque 500 that
/// carries the request id.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var apiError = Self.apiError(for: error, requestID: context.requestID, logger: context.logger)
            // The web app's scripts (the browser sends the page's language cookie) read it in the page's language.
            if let language = ErrorMessages.pageLanguage(of: request) { apiError = ErrorMessages.bundled.translate(apiError, language) }
            var headers = HTTPFields()
            for (name, value) in apiError.headers {
                if let name = HTTPField.Name(name) { headers[name] = value }
            }
            return try JSONBody.response(ErrorBody(error: apiError), status: apiError.status, headers: headers)
        }
    }

    static func apiError(for error: any Error, requestID: String, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as HTTPError:
            switch error.status {
            case .notFound: return APIError(.notFound, "not_found", "no such route")
            case .methodNotAllowed: return APIError(.methodNotAllowed, "method_not_allowed", "this route does not take \(error.status)")
            case .contentTooLarge: return APIError(.contentTooLarge, "payload_too_large", "the body is too large")
            default: return APIError(error.status, "http_error", error.body ?? error.status.reasonPhrase)
            }
        case let error as DatabaseBusyError:
            logger.warning("database busy", metadata: ["error": "\(error)"])
            return .serviceUnavailable
        case let error as DatabaseConnectionClosedError:
            logger.warning("database connection lost", metadata: ["error": "\(error)"])
            return .serviceUnavailable
        case let error as PSQLError:
            if let refusal = Self.refusal(error) {
                logger.notice("database refused the request's data", metadata: ["error": "\(String(reflecting: error))"])
                return refusal
            }
            logger.error("database failure", metadata: ["error": "\(String(reflecting: error))"])
            return .serviceUnavailable
        case is PostgresTransactionError:
            logger.error("database failure", metadata: ["error": "\(String(reflecting: error))"])
            return .serviceUnavailable
        case let error as RedisError where [.unavailable, .connectionClosed, .timeout].contains(error.code):
            logger.error("redis failure", metadata: ["error": "\(error)"])
            return .serviceUnavailable
        default:
            logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return APIError(.internalServerError, "internal_error", "something went wrong; quote request id \(requestID) when reporting it")
        }
    }
}

extension ErrorMiddleware {
    /// The answer to a statement PostgreSQL refused because of the data it carried (a constraint or a value
    /// it cannot store): the client's doing, so 409 or 422 rather than 503. Nil for every other failure.
    static func refusal(_ error: PSQLError) -> APIError? {
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return nil }
        switch state {
        case "23505", "23P01":
            return APIError(.conflict, "conflict", "this conflicts with something that already exists")
        case "23503":
            return APIError(.conflict, "conflict", "this refers to something that no longer exists, or is still referred to")
        case _ where state.hasPrefix("23") || state.hasPrefix("22"):
            return APIError(.unprocessableContent, "invalid_value", "a value in the request cannot be stored (out of range or malformed)")
        default:
            return nil
        }
    }
}

/// The JSON body of every error response.
struct ErrorBody: Encodable {
    let error: APIError

    struct Payload: Encodable {
        let code: String
        let message: String
        let fields: [String: String]?
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Payload(code: error.code, message: error.message, fields: error.fields), forKey: .error)
    }

    enum CodingKeys: String, CodingKey { case error }
}
