import Foundation

/// Meta's Graph API error answer (Facebook, Instagram and Threads): `{"error": {message, type, code,
/// error_subcode, is_transient, error_user_msg, fbtrace_id}}`.
struct GraphError: Decodable {
    var error: Problem

    struct Problem: Decodable {
        var message: String?
        var type: String?
        var code: Int?
        var errorSubcode: Int?
        var isTransient: Bool?
        var errorUserMessage: String?

        enum CodingKeys: String, CodingKey {
            case message, type, code, errorSubcode = "error_subcode", isTransient = "is_transient", errorUserMessage = "error_user_msg"
        }
    }

    /// The problem in a refused answer, if it is a Graph error.
    static func problem(in response: PlatformHTTP.Response) -> Problem? {
        response.decode(GraphError.self)?.error
    }

    /// Reads a refused Graph call: code 190 for a token that expired or was revoked, 10 and 200–299 for a
    /// missing permission, 4, 17, 32 and 613 for call limits and 9 for a publishing limit, 1 and 2 (or
    /// `is_transient`) for Meta's own trouble, anything else (100: a parameter it refuses) a refusal.
    static func classify(_ response: PlatformHTTP.Response, mutates: Bool, platform: String) -> ProviderError {
        guard let problem = problem(in: response) else {
            return ProviderError.classify(status: response.status, message: response.summary, mutates: mutates, retryAt: nil)
        }
        let message = [problem.errorUserMessage ?? problem.message, problem.code.map { "(code \($0))" }].compactMap { $0 }.joined(separator: " ")
        switch problem.code ?? 0 {
        case 190, 102: return .tokenExpired(message: message)
        case 10, 200...299:
            return .invalidCredentials(message: "\(platform) refused the permission (\(message)); connect the account again granting posting")
        case 4, 9, 17, 32, 613: return .rateLimited(retryAt: nil, message: message)
        case 1, 2: return mutates ? .outcomeUnknown(message: message) : .unavailable(message: message)
        default:
            if problem.isTransient == true || response.status >= 500 {
                return mutates ? .outcomeUnknown(message: message) : .unavailable(message: message)
            }
            return .rejected(status: response.status, message: message)
        }
    }
}
