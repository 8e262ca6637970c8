import Foundation

/// A channel's tokens as stored: each sealed bound to the channel's row and its column, so a token copied to
/// another channel, or an access token moved into the refresh column, does not open.
package struct ChannelSecrets: Sendable {
    package let cipher: TokenCipher

    package init(cipher: TokenCipher) {
        self.cipher = cipher
    }

    /// Where each token is stored, as associated data.
    package static func accessTokenPlace(_ integrationID: UUID) -> String {
        "integrations.access_token_encrypted:\(integrationID.uuidString.lowercased())"
    }

    package static func refreshTokenPlace(_ integrationID: UUID) -> String {
        "integrations.refresh_token_encrypted:\(integrationID.uuidString.lowercased())"
    }

    /// Seals `credentials` for the channel `integrationID`.
    package func seal(_ credentials: ProviderCredentials, integrationID: UUID) throws -> IntegrationRepository.StoredCredentials {
        IntegrationRepository.StoredCredentials(
            encryptedAccessToken: try cipher.seal(credentials.accessToken, boundTo: Self.accessTokenPlace(integrationID)),
            encryptedRefreshToken: try credentials.refreshToken.map { try cipher.seal($0, boundTo: Self.refreshTokenPlace(integrationID)) },
            expiresAt: credentials.expiresAt
        )
    }

    /// Opens the stored credentials of the channel `integrationID`.
    /// - Throws: ``TokenCipher/CipherError``.
    package func open(_ stored: IntegrationRepository.StoredCredentials, integrationID: UUID, instanceURL: String?) throws -> ProviderCredentials {
        ProviderCredentials(
            accessToken: try cipher.open(stored.encryptedAccessToken, boundTo: Self.accessTokenPlace(integrationID)),
            refreshToken: try stored.encryptedRefreshToken.map { try cipher.open($0, boundTo: Self.refreshTokenPlace(integrationID)) },
            expiresAt: stored.expiresAt,
            instanceURL: instanceURL.flatMap(URL.init(string:))
        )
    }
}
