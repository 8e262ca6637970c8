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
        guard let header = request.headers[.authorization]?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            throw APIError(.unauthorized, "unauthorized", "an API key is required (Authorization: <api key>)")
        }
        // Postiz's clients send the key bare; `Bearer <key>` works too.
        let key = try await keys.authenticate(BearerToken.from(header) ?? header)
        var context = context
        context.apiKeyID = key.keyID
        context.apiOrganizationID = key.organizationID
        context.logger[metadataKey: "api_key_id"] = .string(key.keyID.uuidString)
        return try await next(request, context)
    }
}
