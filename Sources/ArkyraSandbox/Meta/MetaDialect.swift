import Foundation

/// Where the emulated Threads and Instagram APIs differ, though both publish through containers.
struct MetaDialect: Sendable {
    /// The platform's name in the sandbox (`threads`, `instagram`: its path, faults and request log) and for people.
    var platform: String
    var displayName: String
    /// The Graph API's version path (`v1.0`, `v23.0`).
    var version: String
    var oauthPolicy: OAuthServer.Policy
    /// Whether the code exchange answers `{data: [{access_token, user_id, permissions}]}` (Instagram) rather
    /// than `{access_token, user_id}`.
    var codeAnswerInData: Bool
    /// The grants that trade a short-lived token for a long-lived one and renew that.
    var exchangeGrant: String
    var refreshGrant: String
    /// `POST /{user}/<create>` makes a container, `POST /{user}/<publish>` publishes it, `GET /{user}/<list>`
    /// lists the posts, and `GET /{user}/<replies>` the replies where replies are posts.
    var create: String
    var publish: String
    var list: String
    var replies: String?
    var textField: String
    var statusField: String
    /// The media type of a video on its own (`VIDEO`, `REELS`).
    var videoType: String
    /// Whether posts without files exist (Threads' `TEXT`).
    var textPosts: Bool
    /// The parameter that makes a post a reply (`reply_to_id`); nil where replies are comments.
    var replyField: String?
    /// Whether posts take comments through `/{media}/comments` (Instagram).
    var comments: Bool
    var maximumText: Int
    /// The text's length as the platform counts it.
    var length: @Sendable (String) -> Int
    /// A rule the text breaks besides its length, as the platform words it.
    var textProblem: @Sendable (String) -> String?
    /// Posts a profile may publish through the API in 24 hours.
    var postLimit: Int
    var permalink: @Sendable (_ username: String, _ shortcode: String) -> String
    var profilePicture: String
    /// The metrics `GET /{media}/insights` takes, and the one counted from the post's replies or comments.
    var insightMetrics: [String]
    var repliesMetric: String

    static let threads = MetaDialect(
        platform: "threads", displayName: "Threads", version: "v1.0",
        oauthPolicy: OAuthServer.Policy(
            displayName: "Threads", codeLifetime: 600, accessLifetime: 3600, refreshLifetime: nil, refreshRotates: false,
            refreshScope: nil, requiresPKCE: false, clientAuthentication: .requestBody, accountIDs: .numeric, tokenType: "bearer",
            invalidCode: "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
            invalidRefresh: "Error validating access token", invalidRefreshError: "invalid_grant"
        ),
        codeAnswerInData: false, exchangeGrant: "th_exchange_token", refreshGrant: "th_refresh_token",
        create: "threads", publish: "threads_publish", list: "threads", replies: "replies", textField: "text", statusField: "status",
        videoType: "VIDEO", textPosts: true, replyField: "reply_to_id", comments: false, maximumText: 500,
        length: { text in
            // 500 characters, "emojis are counted as the number of UTF-8 bytes".
            text.reduce(0) { total, character in
                let scalars = character.unicodeScalars
                let emoji = scalars.contains { $0.properties.isEmojiPresentation } || (scalars.contains("\u{FE0F}") && scalars.contains { $0.properties.isEmoji })
                return total + (emoji ? character.utf8.count : 1)
            }
        },
        textProblem: { text in
            let links = Set(text.split(whereSeparator: \.isWhitespace).filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") || $0.hasPrefix("www.") }).count
            return links > 5 ? "THREADS_API__LINK_LIMIT_EXCEEDED: a post may contain at most 5 links." : nil
        },
        postLimit: 250, permalink: { username, shortcode in "https://www.threads.net/@\(username)/post/\(shortcode)" },
        profilePicture: "threads_profile_picture_url",
        insightMetrics: ["views", "likes", "replies", "reposts", "quotes", "shares"], repliesMetric: "replies"
    )

    static let instagram = MetaDialect(
        platform: "instagram", displayName: "Instagram", version: "v23.0",
        oauthPolicy: OAuthServer.Policy(
            displayName: "Instagram", codeLifetime: 3600, accessLifetime: 3600, refreshLifetime: nil, refreshRotates: false,
            refreshScope: nil, requiresPKCE: false, clientAuthentication: .requestBody, accountIDs: .numeric, tokenType: "bearer",
            invalidCode: "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
            invalidRefresh: "Error validating access token", invalidRefreshError: "invalid_grant"
        ),
        codeAnswerInData: true, exchangeGrant: "ig_exchange_token", refreshGrant: "ig_refresh_token",
        create: "media", publish: "media_publish", list: "media", replies: nil, textField: "caption", statusField: "status_code",
        videoType: "REELS", textPosts: false, replyField: nil, comments: true, maximumText: 2200,
        length: { $0.count },
        textProblem: { text in
            let hashtags = text.split(whereSeparator: \.isWhitespace).filter { $0.hasPrefix("#") && $0.count > 1 }.count
            return hashtags > 30 ? "The caption has more than 30 hashtags." : nil
        },
        postLimit: 100, permalink: { _, shortcode in "https://www.instagram.com/p/\(shortcode)/" },
        profilePicture: "profile_picture_url",
        insightMetrics: ["views", "reach", "likes", "comments", "shares", "saved", "total_interactions"], repliesMetric: "comments"
    )
}
