import ArkyraCore
import Foundation
import Hummingbird

/// The shared preview as a page: a browser opening `/preview/:token` (Accept: text/html) sees the post group
/// as its channels will show it, the comments, and — when the link takes them — a form to comment with a name,
/// no account needed. The same URL answers JSON to scripts (CollaborationRoutes); the form posts to
/// `/preview/:token/comments` as a form, which this page answers by sending the browser back to the preview.
struct PreviewPage: Sendable {
    let renderer: PageRenderer
    let collaboration: CollaborationService

    /// Whether the request is a browser's, which gets the page rather than JSON.
    static func wanted(_ request: Request) -> Bool {
        request.headers[.accept]?.contains("text/html") == true || request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true
    }

    func show(_ request: Request, token: String, form values: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let preview: CollaborationService.Preview
        do {
            preview = try await collaboration.preview(token: token)
        } catch let error as APIError {
            let error = renderer.localized(error, request)
            return renderer.render("problem", ["message": error.message, "status": error.status.code], request: request, viewer: nil,
                                   title: renderer.text("problem_title", request), status: error.status)
        }
        let language = renderer.language(request)
        let formatter = CalendarFormatter(viewing: request, language: language)
        let t = renderer.assets.catalogue.table(language)
        var context = values
        context["token"] = token
        context["allow_comments"] = preview.allowComments
        context["posts"] = preview.posts.map { post in
            PageRenderer.values([
                "channel": post.channel, "provider": post.provider, "content": post.content, "reply": post.parentID != nil,
                "state": t["state_\(post.state.rawValue)"] ?? post.state.rawValue, "when": post.publishAt.map(formatter.moment),
            ])
        }
        context["comments"] = preview.comments.map { comment in
            ["name": comment.authorName, "body": comment.body, "when": formatter.moment(comment.createdAt), "guest": comment.viaPreview] as [String: Any]
        }
        context["has_comments"] = !preview.comments.isEmpty
        if let done = request.uri.queryParameters["done"], done == "comment_sent" { context["notice"] = t["done_comment_sent"] }
        return renderer.render("preview", context, request: request, viewer: nil, title: t["preview_title"] ?? "Preview", status: status)
    }

    /// The comment form: its token is the anonymous form cookie's (no session here).
    func comment(_ request: Request, token: String, origin: RequestOrigin) async throws -> Response {
        let form: WebForm
        do {
            form = try await WebForm.read(request, expecting: renderer.expectedToken(request, sessionID: nil), maxBytes: 32 * 1024)
        } catch let error as APIError {
            let error = renderer.localized(error, request)
            return try await show(request, token: token, form: ["error": error.message], status: error.status)
        }
        let name = form["name"] ?? "", body = form["body"] ?? ""
        do {
            _ = try await collaboration.commentOnPreview(token: token, name: name, body: body, origin: origin)
            return WebSessionMiddleware.redirect(to: "/preview/\(token)?done=comment_sent")
        } catch let error as APIError {
            let error = renderer.localized(error, request)
            return try await show(request, token: token, form: WebPages.problem(error).merging(["name": name, "body": body]) { own, _ in own }, status: error.status)
        }
    }
}
