import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird

/// Reads the public API's key: `Authorization: <api key>` as Postiz's clients send it, or
/// `Authorization: Bearer <api key>`. A missing or unknown key is refused with 401.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let keys: APIKeyService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard var secret = request.headers[.authorization]?.trimmingCharacters(in: .whitespaces), !secret.isEmpty else {
            throw APIError(.unauthorized, "unauthorized", "an API key is required (Authorization: <api key>)")
        }
        if secret.lowercased().hasPrefix("bearer ") { secret = String(secret.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        let key = try await keys.authenticate(secret)
        var context = context
        context.apiKeyID = key.keyID
        context.apiOrganizationID = key.organizationID
        context.logger[metadataKey: "api_key_id"] = .string(key.keyID.uuidString)
        return try await next(request, context)
    }
}
