import ArkyraCore
import Foundation
import Hummingbird
import NIOCore

/// The context of routes that need a logged-in user. Building it fails with 401 when there is none, so a
/// handler written against this type cannot run unauthenticated.
package struct AuthenticatedContext: ChildRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let userID: UUID
    package let sessionID: UUID?
    package let requestID: String
    /// The client's address (see ``AppRequestContext/clientAddress``).
    package let clientAddress: String?

    package init(context: AppRequestContext) throws {
        guard let userID = context.userID else {
            throw APIError(.unauthorized, "unauthorized", "a valid access token is required (Authorization: Bearer <token>)")
        }
        self.coreContext = context.coreContext
        self.userID = userID
        self.sessionID = context.sessionID
        self.requestID = context.requestID
        self.clientAddress = context.clientAddress
    }
}
