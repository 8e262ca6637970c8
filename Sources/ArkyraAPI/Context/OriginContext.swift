import ArkyraCore
import Foundation
import Hummingbird
import NIOCore

/// A request context that knows where its request came from.
protocol OriginContext {
    var clientAddress: String? { get }
    var requestID: String { get }
    /// The public API key the request came with, if any.
    var originAPIKeyID: UUID? { get }
}

extension OriginContext {
    /// Where the request came from, for the audit log and the jobs it causes.
    func origin(_ request: Request) -> RequestOrigin {
        RequestOrigin(ip: clientAddress, userAgent: request.headers[.userAgent], requestID: requestID, apiKeyID: originAPIKeyID)
    }
}

extension AppRequestContext: OriginContext {
    var originAPIKeyID: UUID? { apiKeyID }
}

extension AuthenticatedContext: OriginContext {
    var originAPIKeyID: UUID? { nil }
}

extension PublicAPIContext: OriginContext {
    var originAPIKeyID: UUID? { apiKeyID }
}
