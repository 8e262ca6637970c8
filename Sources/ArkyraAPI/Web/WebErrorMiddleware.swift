import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird

/// A page that fails says so as a page, in the person's language, with the API's message and a way back,
/// rather than the JSON error body the API sends (the status is the same).
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let renderer: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            let error = renderer.localized(error, request)
            return page(request, status: error.status, message: error.message, headers: error.headers)
        } catch let error as HTTPError {
            return page(request, status: error.status, message: error.body ?? error.status.reasonPhrase, headers: [:])
        } catch {
            context.logger.error("a page failed", metadata: ["error": "\(error)"])
            return page(request, status: .internalServerError, message: renderer.text("problem_internal", request), headers: [:])
        }
    }

    private func page(_ request: Request, status: HTTPResponse.Status, message: String, headers: [String: String]) -> Response {
        var response = renderer.render("problem", ["message": message, "status": status.code], request: request, viewer: nil,
                                       title: renderer.text("problem_title", request), status: status)
        for (name, value) in headers { if let field = HTTPField.Name(name) { response.headers[field] = value } }
        return response
    }
}
