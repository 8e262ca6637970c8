import Foundation
import NIOHTTP1

/// How Meta's Graph APIs publish in steps (Threads and Instagram): a media container per post (or one per
/// carousel item, then the carousel's), which Meta fills by fetching the file from a public URL and
/// processing it; its status is checked by later queue jobs; a `FINISHED` container is published, and a
/// `PUBLISHED` one tells that a publish whose answer was lost went out. The two APIs name the same steps
/// differently (``Dialect``).
protocol GraphContainers: Provider {
    var dialect: GraphDialect { get }
    /// A Graph call under the API's version.
    func graph(_ method: HTTPMethod, _ path: String, _ parameters: [(String, String)], token: String, mutates: Bool) async throws -> PlatformHTTP.Response
    /// The public URL Meta fetches `file` from.
    func mediaURL(of file: PublishMedia, in post: PublishRequest) throws -> String
}

/// Where Threads and Instagram differ in the container steps.
struct GraphDialect: Sendable {
    /// The platform's name, for messages.
    var platform: String
    /// `POST /{user}/<create>` makes a container, `POST /{user}/<publish>` publishes it.
    var create: String
    var publish: String
    /// The post's text (`text`, `caption`) and the container's status field (`status`, `status_code`).
    var textField: String
    var statusField: String
    /// The media type of a video on its own (`VIDEO`, `REELS`).
    var videoType: String
    /// The media type of a post without files (`TEXT`), nil where every post has one.
    var textType: String?
    /// The parameter that makes a post a reply (`reply_to_id`), nil where replies are comments.
    var replyField: String?
}

/// A carousel whose items are still processing is kept as `items:ID,ID,…` until its own container exists.
private let carouselItems = "items:"
/// Publishing a container that is still processing.
private let mediaNotReady = 9007

extension GraphContainers {
    /// Publishing in one call, for callers that cannot come back later: it works for posts whose container is
    /// ready at once (text), and says the platform is still processing otherwise.
    package func publish(_ post: PublishRequest) async throws -> PublishedPost {
        switch try await publishStep(post) {
        case .published(let published): return published
        case .processing: throw ProviderError.unavailable(message: "\(dialect.platform) is still processing the post's media")
        }
    }

    /// One step of publishing `post` as `user`, from its kept container (``PublishRequest/container``) on.
    func containerStep(_ post: PublishRequest, user: String) async throws -> PublishStep {
        guard let container = post.container?.id else {
            if post.media.count > 1 {
                var items: [String] = []
                for file in post.media { items.append(try await createContainer(post, user: user, file: file, carouselItem: true)) }
                return .processing(container: carouselItems + items.joined(separator: ","), checkAfter: checkAfter(post))
            }
            let created = try await createContainer(post, user: user, file: post.media.first, carouselItem: false)
            // A text container is ready at once; a file is fetched and processed first.
            return post.media.isEmpty ? try await publishContainer(created, post, user: user) : .processing(container: created, checkAfter: checkAfter(post))
        }
        if container.hasPrefix(carouselItems) {
            let items = container.dropFirst(carouselItems.count).split(separator: ",").map(String.init)
            for item in items {
                switch try await status(of: item, post) {
                case .finished: continue
                case .processing: return .processing(container: container, checkAfter: checkAfter(post))
                case .published: return try await lostPublish(post, container: item)
                }
            }
            var parameters = [("media_type", "CAROUSEL"), ("children", items.joined(separator: ","))] + textParameters(post)
            if let field = dialect.replyField, let replyTo = post.replyTo { parameters.append((field, replyTo)) }
            // Kept before it is published, so that a publish whose answer is lost is settled by its status
            // instead of a second carousel.
            return .processing(container: try await create(parameters, user: user, post), checkAfter: 2)
        }
        switch try await status(of: container, post) {
        case .finished: return try await publishContainer(container, post, user: user)
        case .processing: return .processing(container: container, checkAfter: checkAfter(post))
        case .published: return try await lostPublish(post, container: container)
        }
    }

    /// A container published by a call whose answer was lost: the post is among the account's.
    private func lostPublish(_ post: PublishRequest, container: String) async throws -> PublishStep {
        guard let found = try await findPublished(post) else {
            throw ProviderError.outcomeUnknown(message: "\(dialect.platform) published container \(container), but the post is not among the account's yet")
        }
        return .published(found)
    }

    /// Videos take longer to process than images.
    private func checkAfter(_ post: PublishRequest) -> TimeInterval {
        post.media.contains { $0.kind == .video } ? 30 : 10
    }

    private func textParameters(_ post: PublishRequest) -> [(String, String)] {
        post.content.isEmpty ? [] : [(dialect.textField, post.content)]
    }

    /// A container for the post (or one carousel item of it); creating one publishes nothing, so a lost
    /// answer is retried like any call that changes nothing.
    private func createContainer(_ post: PublishRequest, user: String, file: PublishMedia?, carouselItem: Bool) async throws -> String {
        var parameters: [(String, String)] = []
        if let file {
            let url = try mediaURL(of: file, in: post)
            let videoType = carouselItem ? "VIDEO" : dialect.videoType
            parameters += file.kind == .video ? [("media_type", videoType), ("video_url", url)] : [("image_url", url)]
            if file.kind == .image, dialect.textType != nil { parameters.append(("media_type", "IMAGE")) }
            if let alt = file.alt, !alt.isEmpty { parameters.append(("alt_text", alt)) }
        } else if let textType = dialect.textType {
            parameters.append(("media_type", textType))
        } else {
            throw ProviderError.rejected(status: 0, message: "\(dialect.platform) posts need an image or a video")
        }
        if carouselItem {
            parameters.append(("is_carousel_item", "true"))
        } else {
            parameters += textParameters(post)
            if let field = dialect.replyField, let replyTo = post.replyTo { parameters.append((field, replyTo)) }
        }
        return try await create(parameters, user: user, post)
    }

    private func create(_ parameters: [(String, String)], user: String, _ post: PublishRequest) async throws -> String {
        let response = try await graph(.POST, "/\(user)/\(dialect.create)", parameters, token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw GraphError.classify(response, mutates: false, platform: dialect.platform) }
        guard let created = response.decode(GraphID.self) else {
            throw ProviderError.rejected(status: response.status, message: "\(dialect.platform) created a container but its answer could not be read: \(response.summary)")
        }
        return created.id
    }

    /// `FINISHED`, `IN_PROGRESS` and `PUBLISHED` (a publish whose answer was lost) are for the caller; `ERROR`
    /// and `EXPIRED` end the post in words.
    private func status(of container: String, _ post: PublishRequest) async throws -> GraphContainerStatus {
        let response = try await graph(.GET, "/\(container)", [("fields", "id,\(dialect.statusField),error_message")], token: post.credentials.accessToken, mutates: false)
        guard response.status == 200 else { throw GraphError.classify(response, mutates: false, platform: dialect.platform) }
        guard let answer = response.decode([String: String].self), let status = answer[dialect.statusField] else {
            throw ProviderError.rejected(status: response.status, message: "the server did not answer like the \(dialect.platform) API: \(response.summary)")
        }
        switch status {
        case "FINISHED": return .finished
        case "IN_PROGRESS": return .processing
        case "PUBLISHED": return .published
        case "EXPIRED":
            throw ProviderError.rejected(status: 0, message: "\(dialect.platform)'s container expired (they live a day) before it was published; schedule the post again")
        default:
            throw ProviderError.rejected(status: 0, message: "\(dialect.platform) could not process the media: \(processingError(answer["error_message"]))")
        }
    }

    /// Publishes a finished container, then reads the post's permalink (a post without it is still published).
    private func publishContainer(_ container: String, _ post: PublishRequest, user: String) async throws -> PublishStep {
        let response = try await graph(.POST, "/\(user)/\(dialect.publish)", [("creation_id", container)], token: post.credentials.accessToken, mutates: true)
        guard response.status == 200 else {
            if GraphError.problem(in: response)?.code == mediaNotReady { return .processing(container: container, checkAfter: checkAfter(post)) }
            throw GraphError.classify(response, mutates: true, platform: dialect.platform)
        }
        guard let published = response.decode(GraphID.self) else {
            throw ProviderError.outcomeUnknown(message: "\(dialect.platform) published the post but its answer could not be read: \(response.summary)")
        }
        return .published(PublishedPost(platformID: published.id, url: try? await permalink(of: published.id, token: post.credentials.accessToken)))
    }

    func permalink(of id: String, token: String) async throws -> String? {
        let response = try await graph(.GET, "/\(id)", [("fields", "id,permalink")], token: token, mutates: false)
        return response.status == 200 ? response.decode(GraphMedia.self)?.permalink : nil
    }

    /// The processing errors Meta documents for containers, in words.
    func processingError(_ code: String?) -> String {
        let platform = dialect.platform
        return switch code {
        case "FAILED_DOWNLOADING_VIDEO": "it could not download the file (its URL must be reachable from the internet)"
        case "FAILED_PROCESSING_AUDIO": "the audio could not be processed"
        case "FAILED_PROCESSING_VIDEO": "the video could not be processed"
        case "INVALID_ASPEC_RATIO": "the aspect ratio is not one \(platform) takes"
        case "INVALID_BIT_RATE": "the bit rate is not one \(platform) takes"
        case "INVALID_DURATION": "the video is too long or too short"
        case "INVALID_FRAME_RATE": "the frame rate is not one \(platform) takes"
        case "INVALID_AUDIO_CHANNELS", "INVALID_AUDIO_CHANNEL_LAYOUT": "the audio channels are not ones \(platform) takes"
        case let code?: code
        case nil: "no reason given"
        }
    }
}

private enum GraphContainerStatus { case finished, processing, published }

struct GraphID: Decodable {
    var id: String
}

/// A published post as the Graph APIs list it.
struct GraphMedia: Decodable {
    var id: String
    var text: String?
    var caption: String?
    var permalink: String?
}

struct GraphPage: Decodable {
    var data: [GraphMedia]
}
