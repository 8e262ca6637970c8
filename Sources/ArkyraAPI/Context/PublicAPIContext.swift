import ArkyraCore
import Foundation
import Hummingbird
import NIOCore

/// The context of the public API: requests authenticated by an organization's API key. Building it fails
/// with 401 when the key middleware found none, so a public handler cannot run without a key.
public struct PublicAPIContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let organizationID: UUID
    public let apiKeyID: UUID
    public let requestID: String
    /// The client's address (see ``AppRequestContext/clientAddress``).
    public let clientAddress: String?

    public init(context: AppRequestContext) throws {
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
