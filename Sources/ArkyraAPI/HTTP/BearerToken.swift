import Foundation

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case, spaces around the token
/// ignored); nil for any other header.
enum BearerToken {
    static func from(_ header: String) -> String? {
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
