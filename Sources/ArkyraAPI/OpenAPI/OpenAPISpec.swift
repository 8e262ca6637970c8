import Foundation

/// The API's OpenAPI 3.1 description as JSON text (what `/openapi.json` serves).
package func openAPIDocument() throws -> Data {
    try OpenAPISpec.json()
}

/// The OpenAPI 3.1 description of every route, served at `/openapi.json` and written to docs/openapi.json.
/// A test checks that it lists exactly the routes the router has.
enum OpenAPISpec {
    static let operations = ownOperations + publicOperations + serviceOperations

    /// The whole document as JSON.
    static func document() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for operation in operations {
            paths[operation.openAPIPath, default: [:]][operation.method.lowercased()] = operation.json
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "ARKYRA API",
                "version": "1",
                "description": "ARKYRA's own API (/api/v1, access tokens) and the public API for integrators (/public/v1, API keys, compatible with Postiz's). Errors are always {\"error\": {\"code\", \"message\", \"fields\"?}}.",
            ],
            "paths": paths,
            "components": [
                "schemas": schemas.mapValues(\.json),
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"],
                    "apiKey": ["type": "apiKey", "in": "header", "name": "Authorization"],
                ],
            ],
        ]
    }

    /// The document as pretty, stable JSON text.
    static func json() throws -> Data {
        try JSONSerialization.data(withJSONObject: document(), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    static let schemas: [String: JSONSchema] = [
        "Error": .object(properties: [
            "error": .object(properties: ["code": .text, "message": .text, "fields": .map(.text)], required: ["code", "message"]),
        ], required: ["error"]),
        "User": .object(properties: ["id": .uuid, "email": .text, "name": .text, "created_at": .dateTime], required: ["id", "email", "name", "created_at"]),
        "Tokens": .object(properties: [
            "user": .ref("User"), "access_token": .text, "token_type": .string(values: ["Bearer"]), "expires_in": .integer(),
            "refresh_token": .text, "session_id": .uuid,
        ], required: ["user", "access_token", "token_type", "expires_in", "refresh_token", "session_id"]),
        "Session": .object(properties: [
            "id": .uuid, "created_at": .dateTime, "last_used_at": .dateTime, "expires_at": .dateTime, "ip": .text, "user_agent": .text,
            "current": .boolean,
        ], required: ["id", "created_at", "last_used_at", "expires_at", "current"]),
        "Organization": .object(properties: ["id": .uuid, "name": .text, "created_at": .dateTime], required: ["id", "name", "created_at"]),
        "MemberOrganization": .object(properties: ["organization": .ref("Organization"), "role": .ref("Role")], required: ["organization", "role"]),
        "Role": .string(values: ["owner", "admin", "editor", "viewer"]),
        "Member": .object(properties: ["user_id": .uuid, "email": .text, "name": .text, "role": .ref("Role"), "joined_at": .dateTime],
                          required: ["user_id", "email", "name", "role", "joined_at"]),
        "Invitation": .object(properties: [
            "id": .uuid, "organization_id": .uuid, "email": .text, "role": .ref("Role"), "invited_by": .uuid, "created_at": .dateTime,
            "expires_at": .dateTime,
        ], required: ["id", "organization_id", "role", "created_at", "expires_at"]),
        "Integration": .object(properties: [
            "id": .uuid, "organization_id": .uuid, "provider": .text, "external_id": .text, "name": .text, "username": .text,
            "avatar_url": .text, "instance_url": .text, "state": .string(values: ["connected", "refresh_needed", "disabled"]), "created_at": .dateTime,
            "customer_id": .uuid, "posting_times": .array(.integer(minimum: 0, maximum: 1439)),
        ], required: ["id", "organization_id", "provider", "external_id", "name", "username", "state", "created_at", "posting_times"]),
        "Media": .object(properties: [
            "id": .uuid, "name": .text, "content_type": .text, "kind": .string(values: ["image", "video"]), "size_bytes": .integer(minimum: 1),
            "sha256": .text, "alt": .text, "url": .text, "processing": .string(values: ["pending", "ready", "failed"]), "processing_error": .text,
            "width": .integer(), "height": .integer(), "duration_ms": .integer(), "video_codec": .text, "audio_codec": .text, "thumbnail_url": .text, "thumbnail_at_ms": .integer(),
            "variants": .array(.object(properties: [
                "name": .string(values: ["jpeg", "mp4"]), "content_type": .text, "size_bytes": .integer(), "width": .integer(), "height": .integer(), "url": .text,
            ], required: ["name", "content_type", "size_bytes", "url"])),
            "created_at": .dateTime, "updated_at": .dateTime,
        ], required: ["id", "name", "content_type", "kind", "size_bytes", "sha256", "url", "processing", "variants", "created_at", "updated_at"]),
        "PostizMedia": .object(properties: [
            "id": .text, "name": .text, "originalName": .nullable(.text), "path": .text, "thumbnail": .nullable(.text), "alt": .nullable(.text),
        ], required: ["id", "name", "path"]),
        "PendingChoice": .object(properties: [
            "status": .string(values: ["choose"]), "id": .text, "provider": .text, "account": .text, "expires_in": .integer(),
            "choices": .array(.object(properties: ["id": .text, "name": .text, "kind": .text], required: ["id", "name", "kind"])),
        ], required: ["status", "id", "provider", "account", "choices", "expires_in"]),
        "Customer": .object(properties: ["id": .uuid, "name": .text, "created_at": .dateTime], required: ["id", "name", "created_at"]),
        "Recurrence": .oneOf([
            .object(properties: ["unit": .string(values: ["day", "week"]), "every": .integer(minimum: 1, maximum: 365)], required: ["unit", "every"]),
            .object(properties: ["cron": .text], required: ["cron"]),
        ]),
        "Post": .object(properties: [
            "id": .uuid, "organization_id": .uuid, "group_id": .uuid, "parent_id": .uuid, "position": .integer(minimum: 0),
            "integration_id": .uuid, "content": .text, "media_ids": .array(.uuid),
            "state": .string(values: ["draft", "waiting", "scheduled", "publishing", "published", "failed", "unconfirmed"]),
            "publish_at": .dateTime, "time_zone": .text, "platform_post_id": .text, "platform_url": .text, "error": .text,
            "published_at": .dateTime, "created_at": .dateTime, "updated_at": .dateTime, "attempt": .integer(minimum: 0),
            "recurrence": .ref("Recurrence"),
            "platform_removal": .object(properties: [
                "state": .string(values: ["requested", "removed", "failed"]), "requested_at": .dateTime, "requested_by": .uuid,
                "removed_at": .dateTime, "error": .text,
            ], required: ["state", "requested_at"]),
        ], required: ["id", "organization_id", "group_id", "position", "integration_id", "content", "state", "time_zone", "created_at", "updated_at", "attempt"]),
        "Notification": .object(properties: [
            "id": .uuid, "post_id": .uuid, "kind": .text, "message": .text, "created_at": .dateTime, "read_at": .dateTime,
        ], required: ["id", "kind", "message", "created_at"]),
        "Job": .object(properties: [
            "id": .text, "type": .text, "data": .map(.text), "request_id": .text, "attempt": .integer(minimum: 0), "stale_owner": .text,
            "first_attempt_at": .dateTime, "errors": .array(.text),
        ], required: ["id", "type", "data", "attempt", "errors"]),
        "DeadJob": .object(properties: [
            "id": .uuid, "queue": .text, "job": .ref("Job"), "deliveries": .integer(minimum: 0), "last_error": .text,
            "created_at": .dateTime, "redriven_at": .dateTime,
        ], required: ["id", "queue", "job", "deliveries", "last_error", "created_at"]),
        "APIKey": .object(properties: [
            "id": .uuid, "organization_id": .uuid, "name": .text, "prefix": .text, "created_by": .uuid, "created_at": .dateTime,
            "last_used_at": .dateTime,
        ], required: ["id", "organization_id", "name", "prefix", "created_at"]),
        "AuditEntry": .object(properties: [
            "id": .integer(), "actor_user_id": .uuid, "actor_email": .text, "action": .text, "target_type": .text, "target_id": .text,
            "ip": .text, "user_agent": .text, "request_id": .text, "api_key_id": .text, "created_at": .dateTime,
        ], required: ["id", "action", "target_type", "created_at"]),
        "Health": .object(properties: [
            "status": .string(values: ["ok", "unavailable"]),
            "checks": .map(.object(properties: ["status": .text, "latency_ms": .integer(), "error": .text], required: ["status", "latency_ms"])),
        ], required: ["status", "checks"]),
        "PostizPost": .object(properties: [
            "id": .uuid, "content": .text, "publishDate": .dateTime, "releaseURL": .text, "releaseId": .text,
            "state": .string(values: ["QUEUE", "PUBLISHED", "ERROR", "DRAFT"]), "intervalInDays": .integer(minimum: 1), "group": .uuid,
            "settings": .text, "image": .text,
            "tags": .array(.object(properties: ["tag": .object(properties: ["name": .text], required: ["name"])], required: ["tag"])),
            "integration": .object(properties: ["id": .uuid, "providerIdentifier": .text, "name": .text, "picture": .text], required: ["id"]),
            "parentId": .uuid, "error": .text,
            "arkyraState": .string(values: ["draft", "waiting", "scheduled", "publishing", "published", "failed", "unconfirmed"]),
        ], required: ["id", "content", "state", "group", "settings", "image", "tags", "integration", "arkyraState"]),
        "Approval": .object(properties: [
            "workflow_id": .text, "group_id": .uuid, "status": .string(values: ["pending", "changes_requested", "approved", "rejected"]),
            "run_status": .text, "reminders": .integer(minimum: 0), "escalated": .boolean, "scheduled_posts": .integer(minimum: 0),
            "submitted_at": .dateTime,
            "decisions": .array(.object(properties: [
                "verdict": .string(values: ["approve", "reject", "request_changes"]), "by": .uuid, "comment": .text,
            ], required: ["verdict", "by"])),
        ], required: ["workflow_id", "group_id", "status", "run_status", "decisions", "reminders", "escalated", "submitted_at"]),
        "Series": .object(properties: [
            "workflow_id": .text, "template_group_id": .uuid, "status": .string(values: ["running", "paused", "stopped", "finished"]),
            "run_status": .text, "made": .integer(minimum: 0), "next_at": .dateTime, "last_group_id": .uuid, "started_at": .dateTime,
        ], required: ["workflow_id", "template_group_id", "status", "run_status", "made", "started_at"]),
        "Campaign": .object(properties: [
            "campaign_id": .uuid, "workflow_id": .text, "name": .text, "status": .string(values: ["in_review", "rejected", "running", "finished"]),
            "run_status": .text, "group_ids": .array(.uuid), "review": .ref("Approval"), "created_at": .dateTime,
            "collections": .array(.object(properties: ["group_id": .uuid, "at": .dateTime], required: ["group_id", "at"])),
            "results": .array(.object(properties: [
                "group_id": .uuid, "collected_at": .dateTime,
                "posts": .array(.object(properties: [
                    "post_id": .uuid, "integration_id": .uuid, "state": .text, "published_at": .dateTime, "url": .text, "error": .text,
                    "counts": .object(properties: [:], closed: false), "counts_at": .dateTime, "counts_error": .text,
                ], required: ["post_id", "integration_id", "state", "counts"])),
            ], required: ["group_id", "collected_at", "posts"])),
        ], required: ["campaign_id", "workflow_id", "name", "status", "run_status", "group_ids", "collections", "results", "created_at"]),
        "WorkflowRun": .object(properties: [
            "workflow_id": .text, "run_id": .text, "type": .text, "status": .text, "started_at": .dateTime, "closed_at": .dateTime,
        ], required: ["workflow_id", "run_id", "type", "status", "started_at"]),
        "Comment": .object(properties: [
            "id": .uuid, "group_id": .uuid, "author_id": .uuid, "author_name": .text, "via_preview": .boolean, "body": .text, "created_at": .dateTime,
        ], required: ["id", "group_id", "author_name", "via_preview", "body", "created_at"]),
        "PreviewLink": .object(properties: [
            "id": .uuid, "group_id": .uuid, "allow_comments": .boolean, "created_by": .uuid, "created_at": .dateTime, "expires_at": .dateTime,
        ], required: ["id", "group_id", "allow_comments", "created_at", "expires_at"]),
        "Preview": .object(properties: [
            "group_id": .uuid, "allow_comments": .boolean, "comments": .array(.ref("Comment")),
            "posts": .array(.object(properties: [
                "id": .uuid, "parent_id": .uuid, "channel": .text, "provider": .text, "content": .text, "state": .text, "publish_at": .dateTime,
            ], required: ["id", "channel", "provider", "content", "state"])),
        ], required: ["group_id", "allow_comments", "comments", "posts"]),
        "PostSet": .object(properties: [
            "id": .uuid, "name": .text, "content": .object(properties: [:], closed: false), "created_at": .dateTime, "updated_at": .dateTime,
        ], required: ["id", "name", "content", "created_at", "updated_at"]),
        "Signature": .object(properties: ["id": .uuid, "name": .text, "text": .text, "is_default": .boolean, "created_at": .dateTime],
                             required: ["id", "name", "text", "is_default", "created_at"]),
        "PostizIntegration": .object(properties: [
            "id": .uuid, "name": .text, "identifier": .text, "picture": .text, "disabled": .boolean, "profile": .text,
            "customer": .object(properties: ["id": .uuid, "name": .text], required: ["id", "name"]),
        ], required: ["id", "name", "identifier", "disabled", "profile"]),
    ]
}
