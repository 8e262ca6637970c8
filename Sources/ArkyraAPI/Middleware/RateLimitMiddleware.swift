import ArkyraCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Applies sliding-window limits per minute to each request: the budgets `limits` names for it (per user,
/// API key, organization or client address). Every answer carries `RateLimit-Limit`, `RateLimit-Remaining`
/// and `RateLimit-Reset` (seconds) for the tightest budget; past a limit the answer is 429 with `Retry-After`.
/// If Redis cannot answer, requests pass (and a warning is logged): the limits protect, they do not decide.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limiter: RateLimiter
    let limits: @Sendable (Request, AppRequestContext) -> [(key: String, perMinute: Int)]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let budgets = limits(request, context)
        if budgets.isEmpty { return try await next(request, context) }
        let decisions: [RateLimiter.Decision]
        do {
            decisions = try await limiter.hit(budgets.map { ($0.key, $0.perMinute) }, window: .seconds(60))
        } catch {
            context.logger.warning("cannot check rate limits; letting the request through", metadata: ["error": "\(error)"])
            return try await next(request, context)
        }
        if let refused = decisions.filter({ !$0.allowed }).max(by: { $0.resetSeconds < $1.resetSeconds }) {
            var error = APIError(.tooManyRequests, "rate_limited", "too many requests; try again in \(refused.resetSeconds) s")
            error.headers = Self.headers(refused).merging(["Retry-After": String(refused.resetSeconds)]) { _, new in new }
            throw error
        }
        var response = try await next(request, context)
        // An inner limit may have set its headers already; the tighter budget is the one to show.
        let shown = response.headers[HTTPField.Name("RateLimit-Remaining")!].flatMap(Int.init)
        if let tightest = decisions.min(by: { $0.remaining < $1.remaining }), shown.map({ tightest.remaining < $0 }) ?? true {
            for (name, value) in Self.headers(tightest) { response.headers[HTTPField.Name(name)!] = value }
        }
        return response
    }

    static func headers(_ decision: RateLimiter.Decision) -> [String: String] {
        ["RateLimit-Limit": String(decision.limit), "RateLimit-Remaining": String(decision.remaining), "RateLimit-Reset": String(decision.resetSeconds)]
    }
}
