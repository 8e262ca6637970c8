import ArkyraCore
import Foundation
import Hummingbird
import NIOCore

/// A submitted HTML form (`application/x-www-form-urlencoded`), bounded in size, whose CSRF field has been
/// checked: handlers receive a `WebForm` only from ``read(_:expecting:maxBytes:)``, so none can forget it.
struct WebForm: Sendable {
    private(set) var fields: [(name: String, value: String)] = []

    subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    static let maxBytes = 256 * 1024

    /// Reads the form and checks `_csrf` against the token the page was given.
    /// - Throws: 403 `csrf_failed` when the token is absent or wrong; 413 over `maxBytes`.
    static func read(_ request: Request, expecting token: String?, maxBytes: Int = maxBytes) async throws -> WebForm {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "payload_too_large", "the form is larger than \(maxBytes) bytes")
        }
        let form = parse(String(buffer: buffer))
        guard tokenMatches(form[BrowserSession.csrfField], token) else { throw csrfFailed }
        return form
    }

    /// Whether a form's `_csrf` is the token its page was given (for a multipart form, read by its own parser).
    static func tokenMatches(_ presented: String?, _ expected: String?) -> Bool {
        guard let expected, !expected.isEmpty, let presented else { return false }
        return CSRFToken.equal(presented, expected)
    }

    static let csrfFailed = APIError(.forbidden, "csrf_failed", "this form has expired or was not sent by this site; reload the page and try again")

    static func parse(_ text: String) -> WebForm {
        var form = WebForm()
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            form.fields.append((decode(parts[0]), parts.count > 1 ? decode(parts[1]) : ""))
        }
        return form
    }
}
