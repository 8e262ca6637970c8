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
        var tightest: RateLimiter.Decision?
        for limit in limits(request, context) {
            let decision: RateLimiter.Decision
            do {
                decision = try await limiter.hit(limit.key, limit: limit.perMinute, window: .seconds(60))
            } catch {
                context.logger.warning("cannot check rate limits; letting the request through", metadata: ["error": "\(error)"])
                return try await next(request, context)
            }
            if !decision.allowed {
                var error = APIError(.tooManyRequests, "rate_limited", "too many requests; try again in \(decision.resetSeconds) s")
                error.headers = Self.headers(decision).merging(["Retry-After": String(decision.resetSeconds)]) { _, new in new }
                throw error
            }
            if tightest == nil || decision.remaining < tightest!.remaining { tightest = decision }
        }
        var response = try await next(request, context)
        if let tightest {
            for (name, value) in Self.headers(tightest) { response.headers[HTTPField.Name(name)!] = value }
        }
        return response
    }

    static func headers(_ decision: RateLimiter.Decision) -> [String: String] {
        ["RateLimit-Limit": String(decision.limit), "RateLimit-Remaining": String(decision.remaining), "RateLimit-Reset": String(decision.resetSeconds)]
    }
}
