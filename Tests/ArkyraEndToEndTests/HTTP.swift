import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A tiny JSON client over AsyncHTTPClient for driving the real binaries.
struct HTTP {
    let base: String

    struct Reply {
        var status: Int
        var json: [String: Any]
    }

    func send(_ method: NIOHTTP1Method, _ path: String, token: String? = nil, json: [String: Any]? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        return Reply(status: Int(response.status.code), json: object)
    }

    /// The status and text of a GET (`/metrics`).
    func text(_ path: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + path), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// Polls `path` until it answers 200, up to `limit`.
    func waitUntilHealthy(_ path: String = "/health", limit: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let reply = try? await send(.GET, path), reply.status == 200 { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}

typealias NIOHTTP1Method = HTTPMethod
