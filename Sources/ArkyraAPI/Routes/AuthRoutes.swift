import ArkyraCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /api/v1/auth/register` and `POST /api/v1/auth/login`.
struct AuthRoutes {
    let accounts: AccountService
    let maxBodyBytes: Int

    struct RegisterBody: StrictDecodable {
        typealias Fields = CodingKeys
        var email: String
        var password: String
        var name: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case email, password, name }
    }

    struct LoginBody: StrictDecodable {
        typealias Fields = CodingKeys
        var email: String
        var password: String
        enum CodingKeys: String, CodingKey, CaseIterable { case email, password }
    }

    func add(to group: RouterGroup<AppRequestContext>) {
        group.post("register") { request, context in
            let body = try await JSONBody.decode(RegisterBody.self, from: request, maxBytes: maxBodyBytes)
            let origin = RequestOrigin(ip: context.remoteAddress?.ipAddress, userAgent: request.headers[.userAgent], requestID: context.requestID)
            let session = try await accounts.register(email: body.email, password: body.password, name: body.name ?? "", origin: origin)
            return try JSONBody.response(session, status: .created)
        }
        group.post("login") { request, _ in
            let body = try await JSONBody.decode(LoginBody.self, from: request, maxBytes: maxBodyBytes)
            return try JSONBody.response(try await accounts.login(email: body.email, password: body.password))
        }
    }
}
