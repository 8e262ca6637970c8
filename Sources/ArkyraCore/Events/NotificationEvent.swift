import Foundation

/// A notification added by a workflow step (a reminder, an escalation, a decision), as browsers receive it over
/// the organization's event stream. The notifications of publishing outcomes arrive as their PostEvent.
package struct NotificationEvent: Sendable, Codable, Equatable {
    /// Always `notification.created`.
    package var type = "notification.created"
    package var organizationID: UUID
    package var notificationID: UUID
    package var kind: String
    package var message: String
    package var at: Date

    package init(organizationID: UUID, notificationID: UUID, kind: String, message: String, at: Date = Date()) {
        self.organizationID = organizationID
        self.notificationID = notificationID
        self.kind = kind
        self.message = message
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case type, kind, message, at
        case organizationID = "organization_id"
        case notificationID = "notification_id"
    }
}
