import Foundation

/// A state-changing action to record: who, in which organization, what, on what, and from where.
public struct AuditEvent: Sendable {
    public var organizationID: UUID?
    public var actorUserID: UUID?
    public var action: String
    public var targetType: String
    public var targetID: String?
    public var origin: RequestOrigin

    public init(organizationID: UUID?, actorUserID: UUID?, action: String, targetType: String, targetID: String?, origin: RequestOrigin) {
        self.organizationID = organizationID
        self.actorUserID = actorUserID
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.origin = origin
    }
}

/// Where a request came from, for the audit log and for jobs it causes.
public struct RequestOrigin: Sendable {
    public var ip: String?
    public var userAgent: String?
    public var requestID: String
    /// The public API key the request came with, when it came through the public API.
    public var apiKeyID: UUID?

    public init(ip: String?, userAgent: String?, requestID: String, apiKeyID: UUID? = nil) {
        self.ip = ip
        self.userAgent = userAgent
        self.requestID = requestID
        self.apiKeyID = apiKeyID
    }
}
