import ArkyraCore
import Foundation

extension PostService {
    /// A text measured against one channel's rules, as scheduling would judge it.
    struct TextCheck: Encodable, Sendable {
        var integrationID: UUID
        var provider: String
        /// Characters as the platform counts them (X's weighted count, Bluesky's graphemes, ...).
        var characters: Int
        var maximum: Int
        /// How the platform counts, when it is not plain characters (absent otherwise).
        var countingRule: String?
        /// What scheduling would refuse, in words; absent when the text passes.
        var problem: String?

        enum CodingKeys: String, CodingKey {
            case integrationID = "integration_id", provider, characters, maximum, countingRule = "counting_rule", problem
        }
    }

    static let maximumChecks = 50

    /// Measures `content` for each of the organization's channels named: the composer's live counter uses
    /// this, so the page and scheduling never count differently.
    /// - Throws: 422 for ids that are not channels of the organization, or too many.
    func check(organizationID: UUID, content: String, integrationIDs raw: [String]) async throws -> [TextCheck] {
        if raw.count > Self.maximumChecks { throw APIError.validation(["integration_ids": "must name at most \(Self.maximumChecks) channels"]) }
        if content.utf8.count > Self.maximumTextBytes { throw APIError.validation(["content": "is longer than \(Self.maximumTextBytes) bytes"]) }
        let ids = raw.compactMap(UUID.init(uuidString:))
        guard ids.count == raw.count else { throw APIError.validation(["integration_ids": "must be channel ids"]) }
        let found = try await integrations.find(ids: ids, organizationID: organizationID, client: database)
        guard Set(found.map(\.id)) == Set(ids) else { throw APIError.validation(["integration_ids": "must be channels of this organization"]) }
        return found.compactMap { channel in
            guard let provider = providers.provider(for: channel.provider) else { return nil }
            return TextCheck(integrationID: channel.id, provider: channel.provider, characters: provider.characterCount(of: content),
                             maximum: provider.maximumCharacters, countingRule: provider.countingRule,
                             problem: Self.contentProblem(content, provider: provider))
        }
    }
}
