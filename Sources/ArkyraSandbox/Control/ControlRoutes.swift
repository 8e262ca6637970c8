import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The sandbox's own API under `/_sandbox`, for tests and `make run`: create accounts, read what reached the
/// platforms, inject faults, reset.
struct ControlRoutes {
    let sandbox: SandboxState
    let mastodon: MastodonState
    let bluesky: BlueskyState
    let blueskyVideo: BlueskyVideoState
    let x: XState
    let linkedIn: LinkedInState
    let telegram: TelegramState
    let discord: DiscordState
    let slack: SlackState
    /// The Meta APIs that publish through containers (Threads, Instagram), by platform.
    let meta: [String: MetaContainerState]
    let facebook: FacebookState
    let pinterest: PinterestState
    let reddit: RedditState
    let youTube: YouTubeState
    let tikTok: TikTokState
    /// The authorization servers of platforms whose accounts connect through a consent page, by platform.
    let oauth: [String: OAuthServer]

    func add(to group: RouterGroup<BasicRequestContext>) {
        group.get("health") { _, _ in
            SandboxJSON.response(["status": "ok"])
        }
        group.post("mastodon/accounts") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let parameters = SandboxJSON.parameters(body, contentType: "application/json"),
                  let username = parameters["username"] as? String, !username.isEmpty
            else { return SandboxJSON.response(["error": "username is required"], status: .badRequest) }
            let token = (parameters["token"] as? String) ?? UUID().uuidString.lowercased()
            let account = await mastodon.addAccount(token: token, username: username, displayName: parameters["display_name"] as? String)
            return SandboxJSON.response(["id": account.id, "username": account.username, "token": account.token], status: .created)
        }
        group.get("mastodon/statuses") { _, _ in
            let statuses = await mastodon.statuses.map { status -> [String: Any] in
                ["id": status.id, "account_id": status.accountID, "text": status.text, "created_at": SandboxJSON.timestamp(status.createdAt),
                 "in_reply_to_id": status.inReplyToID as Any? ?? NSNull()]
            }
            return SandboxJSON.response(["statuses": statuses])
        }
        group.post("mastodon/processing") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let seconds = (SandboxJSON.parameters(body, contentType: "application/json") ?? [:])["seconds"] as? Double, seconds >= 0 else {
                return SandboxJSON.response(["error": "send {seconds}"], status: .badRequest)
            }
            await mastodon.setProcessing(seconds: seconds)
            return Response(status: .noContent)
        }
        group.post("mastodon/statuses/:id/engagement") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let parameters = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
            guard await mastodon.setEngagement(id: context.parameters.get("id") ?? "", favourites: parameters["favourites"] as? Int ?? 0,
                                               reblogs: parameters["reblogs"] as? Int ?? 0)
            else { return SandboxJSON.response(["error": "no such status"], status: .notFound) }
            return Response(status: .noContent)
        }
        group.post("bluesky/accounts") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let parameters = SandboxJSON.parameters(body, contentType: "application/json"),
                  let handle = parameters["handle"] as? String, !handle.isEmpty
            else { return SandboxJSON.response(["error": "handle is required"], status: .badRequest) }
            let password = (parameters["password"] as? String) ?? "app-" + BlueskyState.randomBase32(16)
            let lifetime = (parameters["access_ttl_seconds"] as? Double) ?? 7200
            let account = await bluesky.addAccount(handle: handle, password: password, accessLifetime: lifetime)
            return SandboxJSON.response(["did": account.did, "handle": account.handle, "password": account.password], status: .created)
        }
        group.post("bluesky/accounts/:handle/expire-tokens") { _, context in
            let count = await bluesky.expireAccessTokens(handle: context.parameters.get("handle") ?? "")
            return SandboxJSON.response(["expired": count])
        }
        group.post("bluesky/accounts/:handle/revoke-sessions") { _, context in
            let count = await bluesky.revokeSessions(handle: context.parameters.get("handle") ?? "")
            return SandboxJSON.response(["revoked": count])
        }
        group.post("bluesky/video-processing") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let parameters = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
            guard let seconds = parameters["seconds"] as? Double, seconds >= 0 else {
                return SandboxJSON.response(["error": "send {seconds, error?}"], status: .badRequest)
            }
            await blueskyVideo.setProcessing(seconds: seconds, error: parameters["error"] as? String)
            return Response(status: .noContent)
        }
        group.post("bluesky/engagement") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let parameters = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
            guard let uri = parameters["uri"] as? String,
                  await bluesky.setEngagement(uri: uri, parameters.compactMapValues { $0 as? Int })
            else { return SandboxJSON.response(["error": "send {uri, likes?, reposts?, quotes?} for a post that exists"], status: .badRequest) }
            return Response(status: .noContent)
        }
        group.get("bluesky/records") { _, _ in
            SandboxJSON.response(["records": await bluesky.records.map(\.json)])
        }
        group.get("requests") { request, _ in
            let platform = request.uri.queryParameters["platform"].map(String.init)
            let requests = await sandbox.requests.filter { platform == nil || $0.platform == platform }
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            let data = try encoder.encode(["requests": requests])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
        }
        group.post("faults") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let fault = try? JSONDecoder().decode(Fault.self, from: Data(buffer: body)), fault.count > 0 else {
                return SandboxJSON.response(
                    ["error": "send {platform, kind: rate_limit|server_error|timeout_after_accept|invalid_token|expired_token|slow|trickle, count, reset_in?, delay?, path?, after?}"],
                    status: .badRequest
                )
            }
            await sandbox.addFault(fault)
            return SandboxJSON.response(["status": "armed"], status: .created)
        }
        for (platform, server) in oauth {
            group.post("\(platform)/accounts") { request, _ in
                let body = try await request.body.collect(upTo: 64 * 1024)
                guard let parameters = SandboxJSON.parameters(body, contentType: "application/json"),
                      let username = parameters["username"] as? String, !username.isEmpty
                else { return SandboxJSON.response(["error": "username is required"], status: .badRequest) }
                let account = await server.addAccount(username: username, name: parameters["name"] as? String)
                return SandboxJSON.response(["id": account.id, "username": account.username, "name": account.name], status: .created)
            }
            group.post("\(platform)/accounts/:id/expire-tokens") { _, context in
                await server.expireTokens(accountID: context.parameters.get("id") ?? "")
                return Response(status: .noContent)
            }
        }
        group.post("x/posts/:id/metrics") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let counts = (SandboxJSON.parameters(body, contentType: "application/json") ?? [:]).compactMapValues { $0 as? Int }
            guard await x.setMetrics(id: context.parameters.get("id") ?? "", counts) else { return SandboxJSON.response(["error": "no such post"], status: .notFound) }
            return Response(status: .noContent)
        }
        group.get("x/posts") { _, _ in
            let media = await x.media
            let posts = await x.posts.map { post -> [String: Any] in
                ["id": post.id, "author_id": post.authorID, "text": post.text, "in_reply_to_id": post.replyTo as Any? ?? NSNull(),
                 "created_at": SandboxJSON.timestamp(post.createdAt),
                 "media": post.mediaIDs.compactMap { media[$0] }.map { ["id": $0.id, "content_type": $0.contentType, "alt_text": $0.alt as Any? ?? NSNull()] as [String: Any] }]
            }
            return SandboxJSON.response(["posts": posts])
        }
        group.post("linkedin/organizations") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let parameters = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
            guard let administrator = parameters["administrator_id"] as? String, let name = parameters["name"] as? String, !name.isEmpty else {
                return SandboxJSON.response(["error": "send {administrator_id, name}"], status: .badRequest)
            }
            let organization = await linkedIn.addOrganization(name: name, administrator: "urn:li:person:\(administrator)")
            return SandboxJSON.response(["id": organization.id, "urn": organization.urn, "name": organization.name], status: .created)
        }
        group.get("linkedin/posts") { _, _ in
            let comments = await linkedIn.comments
            let posts = await linkedIn.posts.map { post -> [String: Any] in
                [
                    "urn": post.urn, "author": post.author, "commentary": post.commentary, "shown_text": LinkedInState.shownText(post.commentary),
                    "created_at": SandboxJSON.timestamp(post.createdAt),
                    "images": post.images.map { ["urn": $0.urn, "alt": $0.alt as Any? ?? NSNull()] as [String: Any] },
                    "comments": comments.filter { $0.object == post.urn }.map { ["urn": $0.urn, "actor": $0.actor, "text": $0.text] },
                ]
            }
            return SandboxJSON.response(["posts": posts])
        }
        // Telegram: chats the bot is in, a person writing in one (an update for getUpdates), what the bot sent.
        group.post("telegram/chats") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let parameters = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
            let type = parameters["type"] as? String ?? "channel"
            guard let title = parameters["title"] as? String, !title.isEmpty, ["channel", "supergroup", "group"].contains(type) else {
                return SandboxJSON.response(["error": "send {title, type: channel|supergroup|group, username?, bot_status?: administrator|member|left}"], status: .badRequest)
            }
            let chat = await telegram.addChat(type: type, title: title, username: parameters["username"] as? String,
                                              botStatus: parameters["bot_status"] as? String ?? "administrator")
            return SandboxJSON.response(["id": chat.id, "type": chat.type, "title": chat.title], status: .created)
        }
        group.post("telegram/chats/:id/messages") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let id = context.parameters.get("id").flatMap(Int64.init), await telegram.chat(String(id)) != nil,
                  let text = SandboxJSON.parameters(body, contentType: "application/json")?["text"] as? String
            else { return SandboxJSON.response(["error": "send {text} to a chat that exists"], status: .badRequest) }
            let message = await telegram.post(in: id, text: text, replyTo: nil, fromBot: false, now: Date())
            return SandboxJSON.response(["message_id": message.id], status: .created)
        }
        group.post("telegram/chats/:id/bot-status") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let id = context.parameters.get("id").flatMap(Int64.init),
                  let status = SandboxJSON.parameters(body, contentType: "application/json")?["status"] as? String
            else { return SandboxJSON.response(["error": "send {status: administrator|member|left|kicked}"], status: .badRequest) }
            await telegram.setBotStatus(status, in: id)
            return Response(status: .noContent)
        }
        group.get("telegram/messages") { _, _ in
            let messages = await telegram.messages.map { message -> [String: Any] in
                ["chat_id": message.chatID, "message_id": message.id, "text": message.text as Any? ?? NSNull(),
                 "caption": message.caption as Any? ?? NSNull(), "photo": message.photo != nil, "reply_to": message.replyTo as Any? ?? NSNull(),
                 "from_bot": message.fromBot, "media_group_id": message.mediaGroupID as Any? ?? NSNull()]
            }
            return SandboxJSON.response(["messages": messages])
        }
        // Discord: the servers made on consent, with their channels; what the bot sent; a channel closed to the bot.
        group.get("discord/guilds") { _, _ in
            var guilds: [[String: Any]] = []
            for guild in await discord.guilds {
                let channels = await discord.channels(of: guild.id).map { ["id": $0.id, "name": $0.name, "type": $0.type] as [String: Any] }
                guilds.append(["id": guild.id, "name": guild.name, "owner_account_id": guild.ownerAccountID, "channels": channels])
            }
            return SandboxJSON.response(["guilds": guilds])
        }
        group.get("discord/messages") { _, _ in
            let messages = await discord.messages.map { message -> [String: Any] in
                ["id": message.id, "channel_id": message.channelID, "content": message.content, "reply_to": message.replyTo as Any? ?? NSNull(),
                 "attachments": message.attachments.map { ["filename": $0.filename, "size": $0.size, "description": $0.description as Any? ?? NSNull()] }]
            }
            return SandboxJSON.response(["messages": messages])
        }
        group.post("discord/channels/:id/bot-access") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let allowed = SandboxJSON.parameters(body, contentType: "application/json")?["allowed"] as? Bool else {
                return SandboxJSON.response(["error": "send {allowed: true|false}"], status: .badRequest)
            }
            await discord.setBotAllowed(allowed, in: context.parameters.get("id") ?? "")
            return Response(status: .noContent)
        }
        // Slack: the bot's messages; archiving a channel; uninstalling the app from a workspace.
        group.get("slack/messages") { _, _ in
            let messages = await slack.messages.map { ["ts": $0.ts, "channel": $0.channelID, "text": $0.text, "thread_ts": $0.threadTS as Any? ?? NSNull()] as [String: Any] }
            return SandboxJSON.response(["messages": messages])
        }
        group.post("slack/channels/:id/archive") { _, context in
            await slack.archive(context.parameters.get("id") ?? "")
            return Response(status: .noContent)
        }
        group.post("slack/workspaces/:id/uninstall") { _, context in
            await slack.revoke(workspaceID: context.parameters.get("id") ?? "")
            return Response(status: .noContent)
        }
        // Threads and Instagram: the published posts (with Instagram's comments); how long files take to
        // process (and an error to report instead); making an account's tokens older (renewal).
        for (platform, state) in meta {
            group.get(RouterPath("\(platform)/posts")) { _, _ in
                let comments = await state.comments
                let posts = await state.posts.map { post -> [String: Any] in
                    ["id": post.id, "owner_id": post.ownerID, "media_type": post.mediaType, "text": post.text as Any? ?? NSNull(),
                     "reply_to_id": post.replyTo as Any? ?? NSNull(), "media": post.media, "timestamp": SandboxJSON.timestamp(post.timestamp),
                     "comments": comments.filter { $0.mediaID == post.id }.map { ["id": $0.id, "from": $0.fromID, "text": $0.text] }]
                }
                return SandboxJSON.response(["posts": posts])
            }
            group.post(RouterPath("\(platform)/posts/:id/insights")) { request, context in
                let body = try await request.body.collect(upTo: 64 * 1024)
                let counts = (SandboxJSON.parameters(body, contentType: "application/json") ?? [:]).compactMapValues { $0 as? Int }
                guard await state.setInsights(id: context.parameters.get("id") ?? "", counts) else {
                    return SandboxJSON.response(["error": "no such post"], status: .notFound)
                }
                return Response(status: .noContent)
            }
            group.post(RouterPath("\(platform)/processing")) { request, _ in
                let body = try await request.body.collect(upTo: 64 * 1024)
                let parameters = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
                guard let seconds = parameters["seconds"] as? Double, seconds >= 0 else {
                    return SandboxJSON.response(["error": "send {seconds, error?: FAILED_PROCESSING_VIDEO|INVALID_ASPEC_RATIO|…}"], status: .badRequest)
                }
                await state.setProcessing(seconds: seconds, error: parameters["error"] as? String)
                return Response(status: .noContent)
            }
            if let server = oauth[platform] {
                group.post(RouterPath("\(platform)/accounts/:id/age-tokens")) { request, context in
                    let body = try await request.body.collect(upTo: 64 * 1024)
                    guard let seconds = (SandboxJSON.parameters(body, contentType: "application/json") ?? [:])["seconds"] as? Double else {
                        return SandboxJSON.response(["error": "send {seconds}"], status: .badRequest)
                    }
                    let aged = await server.age(accountID: context.parameters.get("id") ?? "", by: seconds)
                    await state.age(tokens: aged, by: seconds)
                    return SandboxJSON.response(["aged": aged.count])
                }
            }
        }
        // Facebook: the Pages' posts with their photos and comments; another Page for a person.
        group.get("facebook/posts") { _, _ in
            let comments = await facebook.comments
            let photos = await facebook.photos
            let posts = await facebook.posts.map { post -> [String: Any] in
                ["id": post.id, "page_id": post.pageID, "message": post.message, "created_time": SandboxJSON.timestamp(post.createdAt),
                 "video_bytes": post.videoBytes as Any? ?? NSNull(),
                 "photos": post.photoIDs.compactMap { photos[$0] }.map { ["id": $0.id, "content_type": $0.contentType, "alt_text": $0.alt as Any? ?? NSNull()] as [String: Any] },
                 "comments": comments.filter { $0.postID == post.id }.map { ["id": $0.id, "from": $0.fromID, "message": $0.message] }]
            }
            return SandboxJSON.response(["posts": posts])
        }
        group.post("facebook/pages") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let parameters = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
            guard let manager = parameters["manager_id"] as? String, let name = parameters["name"] as? String, !name.isEmpty else {
                return SandboxJSON.response(["error": "send {manager_id, name, can_post?}"], status: .badRequest)
            }
            let tasks = parameters["can_post"] as? Bool == false ? ["ANALYZE"] : ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"]
            let page = await facebook.addPage(name: name, managerID: manager, tasks: tasks)
            return SandboxJSON.response(["id": page.id, "name": page.name], status: .created)
        }
        group.post("linkedin/likes") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let parameters = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
            guard let urn = parameters["urn"] as? String, let likes = parameters["likes"] as? Int else {
                return SandboxJSON.response(["error": "send {urn, likes}"], status: .badRequest)
            }
            guard await linkedIn.setLikes(urn: urn, likes) else { return SandboxJSON.response(["error": "no such post"], status: .notFound) }
            return Response(status: .noContent)
        }
        group.post("facebook/posts/:id/engagement") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let parameters = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
            guard await facebook.setEngagement(id: context.parameters.get("id") ?? "", reactions: parameters["reactions"] as? Int ?? 0, shares: parameters["shares"] as? Int ?? 0)
            else { return SandboxJSON.response(["error": "no such post"], status: .notFound) }
            return Response(status: .noContent)
        }
        group.post("facebook/pages/:id/instagram") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let username = (SandboxJSON.parameters(body, contentType: "application/json") ?? [:])["username"] as? String, !username.isEmpty,
                  let server = oauth["instagram"] else {
                return SandboxJSON.response(["error": "send {username}"], status: .badRequest)
            }
            let account = await server.addAccount(username: username, name: nil)
            guard await facebook.link(page: context.parameters.get("id") ?? "", instagram: account.id) else {
                return SandboxJSON.response(["error": "no such page"], status: .notFound)
            }
            return SandboxJSON.response(["id": account.id, "username": account.username], status: .created)
        }
        // Pinterest: the Pins; what readers did with one.
        group.get("pinterest/pins") { _, _ in
            let pins = await pinterest.pins.map { pin -> [String: Any] in
                ["id": pin.id, "board_id": pin.boardID, "title": pin.title, "description": pin.description, "link": pin.link as Any? ?? NSNull(),
                 "alt_text": pin.altText as Any? ?? NSNull(), "content_type": pin.contentType]
            }
            return SandboxJSON.response(["pins": pins])
        }
        group.post("pinterest/pins/:id/metrics") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let counts = (SandboxJSON.parameters(body, contentType: "application/json") ?? [:]).compactMapValues { $0 as? Int }
            guard await pinterest.setMetrics(id: context.parameters.get("id") ?? "", counts) else { return SandboxJSON.response(["error": "no such pin"], status: .notFound) }
            return Response(status: .noContent)
        }
        // Reddit: posts and comments; upvotes on one; a subreddit a person joined.
        group.get("reddit/things") { _, _ in
            let things = await reddit.things.map { thing -> [String: Any] in
                ["name": thing.name, "author": thing.author, "subreddit": thing.subreddit, "title": thing.title as Any? ?? NSNull(), "text": thing.text,
                 "link_id": thing.linkID as Any? ?? NSNull(), "parent_id": thing.parentID as Any? ?? NSNull()]
            }
            return SandboxJSON.response(["things": things])
        }
        group.post("reddit/things/:name/ups") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let ups = (SandboxJSON.parameters(body, contentType: "application/json") ?? [:])["ups"] as? Int,
                  await reddit.setUps(name: context.parameters.get("name") ?? "", ups)
            else { return SandboxJSON.response(["error": "send {ups} for a thing that exists"], status: .badRequest) }
            return Response(status: .noContent)
        }
        group.post("reddit/subreddits") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let parameters = SandboxJSON.parameters(body, contentType: "application/json") ?? [:]
            guard let user = parameters["username"] as? String, let name = parameters["name"] as? String, !name.isEmpty else {
                return SandboxJSON.response(["error": "send {username, name}"], status: .badRequest)
            }
            await reddit.join(name, user: user)
            return Response(status: .created)
        }
        addVideoPlatforms(to: group)
        group.post("reset") { _, _ in
            await sandbox.reset()
            await mastodon.reset()
            await bluesky.reset()
            await blueskyVideo.reset()
            await x.reset()
            await linkedIn.reset()
            await telegram.reset()
            await discord.reset()
            await slack.reset()
            for state in meta.values { await state.reset() }
            await facebook.reset()
            await pinterest.reset()
            await reddit.reset()
            await youTube.reset()
            await tikTok.reset()
            for server in oauth.values { await server.reset() }
            return Response(status: .noContent)
        }
    }
}
