import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// What a person does on an emulated platform's consent page: opens it, picks an account (the first, or the
/// one named) and presses Authorize (or Cancel), as a browser would submit the form.
package enum SandboxConsent {
    /// Follows `authorizationURL` on the sandbox and answers it; returns where the platform sends the person
    /// back (the redirect's query holds `code` and `state`, or `error`).
    package static func answer(_ authorizationURL: String, allow: Bool, on sandbox: any TestClientProtocol, account username: String? = nil) async throws -> URLComponents {
        let url = try #require(URLComponents(string: authorizationURL))
        let page = try await sandbox.execute(uri: url.path + "?" + (url.percentEncodedQuery ?? ""), method: .get, headers: [:], body: nil)
        #expect(page.status == .ok)
        let html = String(buffer: page.body)
        var fields: [(String, String)] = html.matches(of: /<input type="hidden" name="([^"]+)" value="([^"]*)">/).map {
            (String($0.output.1), unescaped(String($0.output.2)))
        }
        let options = html.matches(of: /<option value="([^"]+)">@([^<]*)</).map { (id: String($0.output.1), name: String($0.output.2)) }
        let account = try #require(username.map { name in options.first { $0.name == name }?.id } ?? options.first?.id)
        fields += [("account_id", String(account)), ("decision", allow ? "allow" : "deny")]
        let form = fields.map { "\($0.0)=\(encoded($0.1))" }.joined(separator: "&")
        let decided = try await sandbox.execute(
            uri: url.path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form)
        )
        #expect(decided.status == .found)
        return try #require(decided.headers[.location].flatMap(URLComponents.init(string:)))
    }

    private static func unescaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    private static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
    }
}

extension URLComponents {
    /// The value of query item `name`.
    package func query(_ name: String) -> String? { queryItems?.first { $0.name == name }?.value }
}
