import Foundation
import Hummingbird

/// The API's error messages in the page's language. The services write their messages in English (the
/// API's clients read them as such); a page shows them beside the field in the viewer's language when the
/// message is one of these patterns, whose captured parts (numbers, names) are kept. The words are the
/// catalogue's `apierror_<id>` strings, with `{1}`, `{2}`… for the captures. A message matching no pattern
/// is shown as the API wrote it.
struct ErrorMessages: Sendable {
    let catalogue: Catalogue

    /// The patterns, by catalogue id; each matches a whole message.
    static let patterns: [(id: String, pattern: String)] = [
        ("required", #"is required"#),
        ("required_timestamp", #"is required: an ISO 8601 timestamp"#),
        ("empty", #"must not be empty"#),
        ("wrong", #"is wrong"#),
        ("login_wrong", #"the email or password is wrong"#),
        ("password_wrong", #"the (?:current )?password is wrong"#),
        ("email_taken", #"an account with this email already exists"#),
        ("email", #"must be an email address"#),
        ("email_or_link", #"must be an email address \(or leave it out for an invitation by link\)"#),
        ("at_least_characters", #"must be at least (\d+) characters"#),
        ("characters_between", #"must be (\d+) to (\d+) characters"#),
        ("at_most_characters", #"must be at most (\d+) characters"#),
        ("platform_length", #"is (\d+) characters; ([a-z0-9-]+) takes at most (\d+)(.*)"#),
        ("no_channel", #"must name at least one channel"#),
        ("not_a_channel", #"is not a channel of this organization"#),
        ("channel_disabled", #"is disabled; enable the channel first"#),
        ("channel_reconnect", #"needs to be reconnected first"#),
        ("future", #"must be in the future"#),
        ("timestamp", #"must be an ISO 8601 timestamp with a time zone(?:, such as .*)?"#),
        ("tags", #"must be at most 20 names of 1 to 100 characters"#),
        ("not_a_signature", #"is not a signature of this organization"#),
        ("not_a_customer", #"is not a customer of this organization"#),
        ("customer_exists", #"this organization already has a customer named (.+)"#),
        ("posting_times", #"must be times as HH:MM separated by commas, such as 09:30, 17:00 \((.+) is not\)"#),
        ("posting_times_empty", #"must name at least one time, such as 09:30"#),
        ("between", #"must be (\d+) to (\d+)"#),
        ("activate_first", #"activate your account with the link we emailed you first"#),
        ("login_throttled", #"too many login attempts; try again in (\d+) s"#),
        ("fields_invalid", #"some fields are invalid"#),
        ("role_too_low", #"your role \((\w+)\) cannot do this; it needs (\w+) or above"#),
        ("invitation_gone", #"this invitation does not exist, was used or revoked, or has expired"#),
        ("invitation_other", #"this invitation is for another email address"#),
        ("already_member", #"you already belong to this organization"#),
        ("owner_leaves", #"transfer ownership to another member before leaving"#),
        ("registration_disabled", #"registration is disabled on this installation; ask an administrator for an invitation"#),
    ]

    private static let compiled: [(id: String, regex: NSRegularExpression)] = patterns.map { entry in
        (entry.id, try! NSRegularExpression(pattern: "^" + entry.pattern + "$"))
    }

    /// `message` in `language` (as it is in English, or when no pattern matches).
    func translate(_ message: String, _ language: Language) -> String {
        guard language != .en else { return message }
        let range = NSRange(message.startIndex..., in: message)
        for (id, regex) in Self.compiled {
            guard let match = regex.firstMatch(in: message, range: range) else { continue }
            var captures: [String: String] = [:]
            for index in 1..<match.numberOfRanges {
                captures[String(index)] = Range(match.range(at: index), in: message).map { String(message[$0]) } ?? ""
            }
            return catalogue.text("apierror_\(id)", language, captures)
        }
        return message
    }

    /// The error with its message and each field's message in `language`.
    func translate(_ error: APIError, _ language: Language) -> APIError {
        var translated = error
        translated.message = translate(error.message, language)
        translated.fields = error.fields?.mapValues { translate($0, language) }
        return translated
    }

    /// The language the web app's own scripts want: a browser's request (it carries the session cookie or the
    /// language cookie) gets the page's language — the cookie's, else its Accept-Language; nil for anyone else
    /// (integrators, with bearer tokens, read the API's English) and for English.
    static func pageLanguage(of request: Request) -> Language? {
        guard request.cookies[BrowserSession.accessCookie] != nil || request.cookies[Language.cookie] != nil else { return nil }
        let language = Language.preferred(cookie: request.cookies[Language.cookie]?.value, acceptLanguage: request.headers[.acceptLanguage])
        return language == .en ? nil : language
    }

    /// The web app's messages, for the API's answers to its scripts.
    static let bundled = ErrorMessages(catalogue: WebAssets.bundled.catalogue)
}
