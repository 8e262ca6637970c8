/// The routes of ARKYRA's own API (`/api/v1`, access tokens).
extension OpenAPISpec {
    static func list(_ key: String, of schema: String) -> JSONSchema {
        .object(properties: [key: .array(.ref(schema))], required: [key])
    }

    static func body(_ properties: [String: JSONSchema], required: [String]) -> JSONSchema {
        .object(properties: properties, required: required)
    }

    static let organization = "/api/v1/organizations/:organization"

    static let ownOperations: [OpenAPIOperation] = authOperations + organizationOperations + contentOperations + privacyOperations
        + collaborationOperations

    static let privacyOperations: [OpenAPIOperation] = [
        .init(method: "GET", path: "/api/v1/me/export", summary: "Everything stored about you, as JSON (GDPR)", tag: "privacy", security: .bearer,
              responses: [200: .object(properties: ["exported_at": .text, "user": .object(properties: [:], closed: false)], required: ["exported_at"], closed: false)]),
        .init(method: "DELETE", path: "/api/v1/me", summary: "Erase your account (organizations you own alone go with it)", tag: "privacy",
              security: .bearer, body: body(["password": .text], required: ["password"]), responses: [204: nil]),
        .init(method: "GET", path: "\(organization)/export", summary: "Everything the organization holds, as JSON (owner)", tag: "privacy",
              security: .bearer,
              responses: [200: .object(properties: ["exported_at": .text, "organization": .object(properties: [:], closed: false)], required: ["exported_at"], closed: false)]),
        .init(method: "DELETE", path: organization, summary: "Erase the organization; repeat its name to confirm (owner)", tag: "privacy",
              security: .bearer, body: body(["name": .text], required: ["name"]), responses: [204: nil]),
    ]

    static let authOperations: [OpenAPIOperation] = [
        .init(method: "POST", path: "/api/v1/auth/register", summary: "Register and open a session", tag: "auth", security: .none,
              body: body(["email": .text, "password": .text, "name": .text], required: ["email", "password"]),
              responses: [201: .oneOf([.ref("Tokens"), .object(properties: ["user": .ref("User"), "activation_required": .boolean],
                                                                 required: ["user", "activation_required"])])]),
        .init(method: "POST", path: "/api/v1/auth/activate", summary: "Activate an account with the emailed token, and log in", tag: "auth",
              security: .none, body: body(["token": .text], required: ["token"]), responses: [200: .ref("Tokens")]),
        .init(method: "POST", path: "/api/v1/auth/password/forgot", summary: "Email a password reset link (the same answer for any address)",
              tag: "auth", security: .none, body: body(["email": .text], required: ["email"]),
              responses: [202: .object(properties: ["status": .text], required: ["status"])]),
        .init(method: "POST", path: "/api/v1/auth/password/reset", summary: "Set a new password with the emailed token (ends every session)",
              tag: "auth", security: .none, body: body(["token": .text, "new_password": .text], required: ["token", "new_password"]),
              responses: [204: nil]),
        .init(method: "POST", path: "/api/v1/auth/login", summary: "Log in (throttled per account and address)", tag: "auth", security: .none,
              body: body(["email": .text, "password": .text], required: ["email", "password"]), responses: [200: .ref("Tokens")]),
        .init(method: "POST", path: "/api/v1/auth/refresh", summary: "Exchange a refresh token (rotates; reuse revokes the session)", tag: "auth",
              security: .none, body: body(["refresh_token": .text], required: ["refresh_token"]), responses: [200: .ref("Tokens")]),
        .init(method: "POST", path: "/api/v1/auth/logout", summary: "End the current session", tag: "auth", security: .bearer, responses: [204: nil]),
        .init(method: "GET", path: "/api/v1/auth/sessions", summary: "Your live sessions", tag: "auth", security: .bearer,
              responses: [200: list("sessions", of: "Session")]),
        .init(method: "DELETE", path: "/api/v1/auth/sessions/:session", summary: "End one of your sessions", tag: "auth", security: .bearer,
              responses: [204: nil]),
        .init(method: "POST", path: "/api/v1/auth/password", summary: "Change your password (ends your other sessions)", tag: "auth",
              security: .bearer, body: body(["current_password": .text, "new_password": .text], required: ["current_password", "new_password"]),
              responses: [204: nil]),
    ]

    static let organizationOperations: [OpenAPIOperation] = [
        .init(method: "GET", path: "/api/v1/organizations", summary: "The organizations you belong to", tag: "organizations", security: .bearer,
              responses: [200: list("organizations", of: "MemberOrganization")]),
        .init(method: "POST", path: "/api/v1/organizations", summary: "Create an organization (you own it)", tag: "organizations", security: .bearer,
              body: body(["name": .text], required: ["name"]), responses: [201: .ref("MemberOrganization")]),
        .init(method: "PATCH", path: organization, summary: "Rename (admin+)", tag: "organizations", security: .bearer,
              body: body(["name": .text], required: ["name"]), responses: [200: .ref("MemberOrganization")]),
        .init(method: "GET", path: "\(organization)/members", summary: "Members (viewer+)", tag: "members", security: .bearer,
              responses: [200: list("members", of: "Member")]),
        .init(method: "PATCH", path: "\(organization)/members/:user", summary: "Change a member's role (admin+, below your role)", tag: "members",
              security: .bearer, body: body(["role": .text], required: ["role"]), responses: [204: nil]),
        .init(method: "DELETE", path: "\(organization)/members/:user", summary: "Remove a member (admin+) or leave", tag: "members",
              security: .bearer, responses: [204: nil]),
        .init(method: "GET", path: "\(organization)/invitations", summary: "Pending invitations (admin+)", tag: "members", security: .bearer,
              responses: [200: list("invitations", of: "Invitation")]),
        .init(method: "POST", path: "\(organization)/invitations", summary: "Invite by link or email (admin+)", tag: "members", security: .bearer,
              body: body(["email": .text, "role": .text], required: ["role"]),
              responses: [201: .object(properties: ["invitation": .ref("Invitation"), "token": .text], required: ["invitation", "token"])]),
        .init(method: "DELETE", path: "\(organization)/invitations/:invitation", summary: "Revoke an invitation (admin+)", tag: "members",
              security: .bearer, responses: [204: nil]),
        .init(method: "POST", path: "/api/v1/invitations/accept", summary: "Join with an invitation", tag: "members", security: .bearer,
              body: body(["token": .text], required: ["token"]), responses: [200: .ref("MemberOrganization")]),
        .init(method: "POST", path: "\(organization)/transfer-ownership", summary: "Make another member the owner (owner)", tag: "members",
              security: .bearer, body: body(["user_id": .text], required: ["user_id"]), responses: [204: nil]),
        .init(method: "GET", path: "\(organization)/api-keys", summary: "API keys (admin+)", tag: "api keys", security: .bearer,
              responses: [200: list("api_keys", of: "APIKey")]),
        .init(method: "POST", path: "\(organization)/api-keys", summary: "Create an API key, shown once (admin+)", tag: "api keys", security: .bearer,
              body: body(["name": .text], required: ["name"]),
              responses: [201: .object(properties: ["api_key": .ref("APIKey"), "key": .text], required: ["api_key", "key"])]),
        .init(method: "DELETE", path: "\(organization)/api-keys/:key", summary: "Revoke an API key (admin+)", tag: "api keys", security: .bearer,
              responses: [204: nil]),
        .init(method: "GET", path: "\(organization)/audit", summary: "The audit log, newest first (admin+)", tag: "audit", security: .bearer,
              query: [.init(name: "action", schema: .text), .init(name: "actor", schema: .uuid), .init(name: "from", schema: .dateTime),
                      .init(name: "to", schema: .dateTime), .init(name: "before", schema: .integer()), .init(name: "limit", schema: .integer(minimum: 1, maximum: 500))],
              responses: [200: .object(properties: ["entries": .array(.ref("AuditEntry")), "next_before": .integer()], required: ["entries"])]),
    ]

    static let contentOperations: [OpenAPIOperation] = [
        .init(method: "GET", path: "\(organization)/integrations", summary: "Connected channels (viewer+)", tag: "channels", security: .bearer,
              responses: [200: list("integrations", of: "Integration")]),
        .init(method: "POST", path: "\(organization)/integrations", summary: "Connect a channel (admin+)", tag: "channels", security: .bearer,
              body: body(["provider": .text, "instance_url": .text, "access_token": .text, "identifier": .text, "app_password": .text], required: ["provider"]),
              responses: [201: .ref("Integration")]),
        .init(method: "GET", path: "\(organization)/integrations/:integration/next-slot", summary: "The channel's next free posting time (viewer+)",
              tag: "channels", security: .bearer, responses: [200: .object(properties: ["date": .dateTime], required: ["date"])]),
        .init(method: "POST", path: "\(organization)/posts", summary: "Schedule a post group (editor+)", tag: "posts", security: .bearer,
              body: body([
                  "publish_at": .text, "time_zone": .text,
                  "variants": .array(body([
                      "integration_id": .text, "content": .text,
                      "thread": .array(body(["content": .text, "delay_seconds": .integer()], required: ["content"])),
                  ], required: ["integration_id", "content"])),
                  "recurrence": body(["unit": .text, "every": .integer(), "cron": .text], required: []),
                  "tags": .array(.text), "draft": .boolean, "signature_id": .text,
              ], required: ["publish_at", "variants"]),
              responses: [201: .object(properties: [
                  "group_id": .text, "posts": .array(.ref("Post")),
                  "warnings": .array(.object(properties: ["post_id": .uuid, "integration_id": .uuid, "duplicate_of": .uuid, "message": .text],
                                             required: ["post_id", "integration_id", "duplicate_of", "message"])),
              ], required: ["group_id", "posts", "warnings"])]),
        .init(method: "GET", path: "\(organization)/posts", summary: "The calendar: posts in a time range (viewer+)", tag: "posts", security: .bearer,
              query: [.init(name: "from", schema: .dateTime, required: true), .init(name: "to", schema: .dateTime, required: true),
                      .init(name: "integration_id", schema: .uuid), .init(name: "state", schema: .text), .init(name: "tag", schema: .text),
                      .init(name: "cursor", schema: .uuid), .init(name: "limit", schema: .integer(minimum: 1, maximum: 1000))],
              responses: [200: .object(properties: ["posts": .array(.ref("Post")), "next_cursor": .uuid], required: ["posts"])]),
        .init(method: "GET", path: "\(organization)/posts/:post", summary: "One post (viewer+)", tag: "posts", security: .bearer,
              responses: [200: .ref("Post")]),
        .init(method: "PATCH", path: "\(organization)/posts/:post", summary: "Change a post not yet publishing (editor+)", tag: "posts",
              security: .bearer, body: body(["content": .text, "publish_at": .text], required: []), responses: [200: .ref("Post")]),
        .init(method: "DELETE", path: "\(organization)/posts/:post", summary: "Delete a post not being published (editor+)", tag: "posts",
              security: .bearer, responses: [204: nil]),
        .init(method: "GET", path: "\(organization)/notifications", summary: "In-app notifications (viewer+)", tag: "notifications",
              security: .bearer, responses: [200: list("notifications", of: "Notification")]),
        .init(method: "GET", path: "\(organization)/events", summary: "Post events over WebSocket (viewer+; upgrade with ?access_token=)",
              tag: "notifications", security: .bearer, responses: [426: .ref("Error")]),
        .init(method: "GET", path: "\(organization)/dead-jobs", summary: "Jobs that will not run again by themselves (admin+)", tag: "jobs",
              security: .bearer, responses: [200: list("dead_jobs", of: "DeadJob")]),
        .init(method: "GET", path: "\(organization)/dead-jobs/:job", summary: "One dead job (admin+)", tag: "jobs", security: .bearer,
              responses: [200: .ref("DeadJob")]),
        .init(method: "POST", path: "\(organization)/dead-jobs/:job/redrive", summary: "Run a dead job again (admin+)", tag: "jobs",
              security: .bearer, responses: [202: .ref("DeadJob")]),
    ]

    static let post = "\(organization)/posts/:post"

    static let collaborationOperations: [OpenAPIOperation] = [
        .init(method: "GET", path: "\(post)/comments", summary: "The post group's comments (viewer+)", tag: "collaboration", security: .bearer,
              responses: [200: list("comments", of: "Comment")]),
        .init(method: "POST", path: "\(post)/comments", summary: "Comment on the post group (viewer+)", tag: "collaboration", security: .bearer,
              body: body(["body": .text], required: ["body"]), responses: [201: .ref("Comment")]),
        .init(method: "DELETE", path: "\(post)/comments/:comment", summary: "Delete your comment (admins: any)", tag: "collaboration",
              security: .bearer, responses: [204: nil]),
        .init(method: "GET", path: "\(post)/preview-links", summary: "The post group's working preview links (editor+)", tag: "collaboration",
              security: .bearer, responses: [200: list("preview_links", of: "PreviewLink")]),
        .init(method: "POST", path: "\(post)/preview-links", summary: "Share the post group without login (editor+)", tag: "collaboration",
              security: .bearer, body: body(["expires_in_days": .integer(minimum: 1, maximum: 90), "allow_comments": .boolean], required: []),
              responses: [201: .object(properties: ["preview_link": .ref("PreviewLink"), "token": .text, "url": .text], required: ["preview_link", "token", "url"])]),
        .init(method: "DELETE", path: "\(post)/preview-links/:link", summary: "Revoke a preview link (editor+)", tag: "collaboration",
              security: .bearer, responses: [204: nil]),
        .init(method: "GET", path: "/preview/:token", summary: "What a preview link shows (no login)", tag: "collaboration", security: .none,
              responses: [200: .ref("Preview")]),
        .init(method: "POST", path: "/preview/:token/comments", summary: "Comment through a preview link (no login)", tag: "collaboration",
              security: .none, body: body(["name": .text, "body": .text], required: ["name", "body"]), responses: [201: .ref("Comment")]),
        .init(method: "GET", path: "\(organization)/sets", summary: "Saved editor presets (viewer+)", tag: "templates", security: .bearer,
              responses: [200: list("sets", of: "PostSet")]),
        .init(method: "POST", path: "\(organization)/sets", summary: "Save an editor preset (editor+)", tag: "templates", security: .bearer,
              body: body(["name": .text, "content": .object(properties: [:], closed: false)], required: ["name", "content"]),
              responses: [201: .ref("PostSet")]),
        .init(method: "PATCH", path: "\(organization)/sets/:set", summary: "Change a preset (editor+)", tag: "templates", security: .bearer,
              body: body(["name": .text, "content": .object(properties: [:], closed: false)], required: []), responses: [200: .ref("PostSet")]),
        .init(method: "DELETE", path: "\(organization)/sets/:set", summary: "Delete a preset (editor+)", tag: "templates", security: .bearer,
              responses: [204: nil]),
        .init(method: "GET", path: "\(organization)/signatures", summary: "Signatures (viewer+)", tag: "templates", security: .bearer,
              responses: [200: list("signatures", of: "Signature")]),
        .init(method: "POST", path: "\(organization)/signatures", summary: "Add a signature; a new default replaces the old (editor+)", tag: "templates",
              security: .bearer, body: body(["name": .text, "text": .text, "is_default": .boolean], required: ["name", "text"]),
              responses: [201: .ref("Signature")]),
        .init(method: "PATCH", path: "\(organization)/signatures/:signature", summary: "Change a signature (editor+)", tag: "templates",
              security: .bearer, body: body(["name": .text, "text": .text, "is_default": .boolean], required: []), responses: [200: .ref("Signature")]),
        .init(method: "DELETE", path: "\(organization)/signatures/:signature", summary: "Delete a signature (editor+)", tag: "templates",
              security: .bearer, responses: [204: nil]),
    ]
}
