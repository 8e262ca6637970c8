import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/v1/auth`: register (and activate), log in, refresh, log out, sessions, change, forget and reset the password.
struct AuthRoutes {
    let accounts: AccountService
    let sessions: SessionService
    let mail: AccountMailService
    let maxBodyBytes: Int

    struct TokenBody: StrictDecodable {
        typealias Fields = CodingKeys
        var token: String
        enum CodingKeys: String, CodingKey, CaseIterable { case token }
    }

    struct ForgotBody: StrictDecodable {
        typealias Fields = CodingKeys
        var email: String
        enum CodingKeys: String, CodingKey, CaseIterable { case email }
    }

    struct ResetBody: StrictDecodable {
        typealias Fields = CodingKeys
        var token: String
        var newPassword: String
        enum CodingKeys: String, CodingKey, CaseIterable {
            case token
            case newPassword = "new_password"
        }
    }

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

    struct RefreshBody: StrictDecodable {
        typealias Fields = CodingKeys
        var refreshToken: String
        enum CodingKeys: String, CodingKey, CaseIterable { case refreshToken = "refresh_token" }
    }

    struct PasswordBody: StrictDecodable {
        typealias Fields = CodingKeys
        var currentPassword: String
        var newPassword: String
        enum CodingKeys: String, CodingKey, CaseIterable {
            case currentPassword = "current_password"
            case newPassword = "new_password"
        }
    }

    struct SessionList: Encodable {
        var sessions: [SessionService.View]
    }

    /// Routes anyone may call.
    func add(to group: RouterGroup<AppRequestContext>) {
        group.post("register") { request, context in
            let body = try await JSONBody.decode(RegisterBody.self, from: request, maxBytes: maxBodyBytes)
            let tokens = try await accounts.register(email: body.email, password: body.password, name: body.name ?? "", origin: context.origin(request))
            return try JSONBody.response(tokens, status: .created)
        }
        group.post("login") { request, context in
            let body = try await JSONBody.decode(LoginBody.self, from: request, maxBytes: maxBodyBytes)
            return try JSONBody.response(try await accounts.login(email: body.email, password: body.password, origin: context.origin(request)))
        }
        group.post("activate") { request, context in
            let body = try await JSONBody.decode(TokenBody.self, from: request, maxBytes: maxBodyBytes)
            return try JSONBody.response(try await mail.activate(token: body.token, origin: context.origin(request)))
        }
        group.post("password/forgot") { request, context in
            let body = try await JSONBody.decode(ForgotBody.self, from: request, maxBytes: maxBodyBytes)
            try await mail.forgotPassword(email: body.email, origin: context.origin(request))
            return try JSONBody.response(["status": "if this address has an account, a reset link is on its way"], status: .accepted)
        }
        group.post("password/reset") { request, context in
            let body = try await JSONBody.decode(ResetBody.self, from: request, maxBytes: maxBodyBytes)
            try await mail.resetPassword(token: body.token, newPassword: body.newPassword, origin: context.origin(request))
            return Response(status: .noContent)
        }
        group.post("refresh") { request, context in
            let body = try await JSONBody.decode(RefreshBody.self, from: request, maxBytes: maxBodyBytes)
            return try JSONBody.response(try await sessions.refresh(body.refreshToken, origin: context.origin(request)))
        }
    }

    /// Routes for the logged-in user.
    func add(authenticated group: RouterGroup<AuthenticatedContext>) {
        group.post("logout") { request, context in
            guard let sessionID = context.sessionID else {
                throw APIError(.badRequest, "no_session", "this access token belongs to no session; it expires by itself")
            }
            try await sessions.revoke(sessionID, userID: context.userID, reason: "logout", origin: context.origin(request))
            return Response(status: .noContent)
        }
        group.get("sessions") { _, context in
            try JSONBody.response(SessionList(sessions: try await sessions.list(userID: context.userID, current: context.sessionID)))
        }
        group.delete("sessions/:session") { request, context in
            guard let sessionID = UUID(uuidString: try context.parameters.require("session")) else { throw APIError.notFound("session") }
            try await sessions.revoke(sessionID, userID: context.userID, reason: "revoked", origin: context.origin(request))
            return Response(status: .noContent)
        }
        group.post("password") { request, context in
            let body = try await JSONBody.decode(PasswordBody.self, from: request, maxBytes: maxBodyBytes)
            try await accounts.changePassword(
                userID: context.userID, current: body.currentPassword, new: body.newPassword, keepingSession: context.sessionID,
                origin: context.origin(request)
            )
            return Response(status: .noContent)
        }
    }
}
