import ArkyraCore
import Foundation
import Hummingbird
import NIOCore

/// The context of the public API: requests authenticated by an organization's API key. Building it fails
/// with 401 when the key middleware found none, so a public handler cannot run without a key.
package struct PublicAPIContext: ChildRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let organizationID: UUID
    package let apiKeyID: UUID
    package let requestID: String
    /// The client's address (see ``AppRequestContext/clientAddress``).
    package let clientAddress: String?

    package init(context: AppRequestContext) throws {
        guard let organizationID = context.apiOrganizationID, let apiKeyID = context.apiKeyID else {
            throw APIError(.unauthorized, "unauthorized", "an API key is required (Authorization: <api key>)")
        }
        self.coreContext = context.coreContext
        self.organizationID = organizationID
        self.apiKeyID = apiKeyID
        self.requestID = context.requestID
        self.clientAddress = context.clientAddress
    }
}
