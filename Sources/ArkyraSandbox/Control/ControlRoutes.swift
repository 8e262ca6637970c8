import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The sandbox's own API under `/_sandbox`, for tests and `make run`: create accounts, read what reached the
/// platforms, inject faults, reset.
struct ControlRoutes {
    let state: SandboxState

    func add(to group: RouterGroup<BasicRequestContext>) {
        group.get("health") { _, _ in
            SandboxJSON.response(["status": "ok"])
        }
        group.post("mastodon/accounts") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let parameters = SandboxJSON.parameters(body, contentType: "application/json"),
                  let username = parameters["username"] as? String, !username.isEmpty
            else { return SandboxJSON.response(["error": "username is required"], status: .badRequest) }
            let token = (parameters["token"] as? String) ?? UUID().uuidString.lowercased()
            let account = await state.addMastodonAccount(token: token, username: username, displayName: parameters["display_name"] as? String)
            return SandboxJSON.response(["id": account.id, "username": account.username, "token": account.token], status: .created)
        }
        group.get("mastodon/statuses") { _, _ in
            let statuses = await state.statuses.map { status -> [String: Any] in
                ["id": status.id, "account_id": status.accountID, "text": status.text, "created_at": SandboxJSON.timestamp(status.createdAt),
                 "in_reply_to_id": status.inReplyToID as Any? ?? NSNull()]
            }
            return SandboxJSON.response(["statuses": statuses])
        }
        group.get("requests") { request, _ in
            let platform = request.uri.queryParameters["platform"].map(String.init)
            let requests = await state.requests.filter { platform == nil || $0.platform == platform }
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            let data = try encoder.encode(["requests": requests])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
        }
        group.post("faults") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let fault = try? JSONDecoder().decode(Fault.self, from: Data(buffer: body)), fault.count > 0 else {
                return SandboxJSON.response(
                    ["error": "send {platform, kind: rate_limit|server_error|timeout_after_accept|invalid_token|slow, count, reset_in?, delay?}"],
                    status: .badRequest
                )
            }
            await state.addFault(fault)
            return SandboxJSON.response(["status": "armed"], status: .created)
        }
        group.post("reset") { _, _ in
            await state.reset()
            return Response(status: .noContent)
        }
    }
}
