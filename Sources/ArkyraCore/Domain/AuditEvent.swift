import Foundation

/// A state-changing action to record: who, in which organization, what, on what, and from where.
package struct AuditEvent: Sendable {
    package var organizationID: UUID?
    package var actorUserID: UUID?
    package var action: String
    package var targetType: String
    package var targetID: String?
    package var origin: RequestOrigin

    package init(organizationID: UUID?, actorUserID: UUID?, action: String, targetType: String, targetID: String?, origin: RequestOrigin) {
        self.organizationID = organizationID
        self.actorUserID = actorUserID
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.origin = origin
    }
}

/// Where a request came from, for the audit log and for jobs it causes.
package struct RequestOrigin: Sendable {
    package var ip: String?
    package var userAgent: String?
    package var requestID: String
    /// The public API key the request came with, when it came through the public API.
    package var apiKeyID: UUID?

    package init(ip: String?, userAgent: String?, requestID: String, apiKeyID: UUID? = nil) {
        self.ip = ip
        self.userAgent = userAgent
        self.requestID = requestID
        self.apiKeyID = apiKeyID
    }
}
