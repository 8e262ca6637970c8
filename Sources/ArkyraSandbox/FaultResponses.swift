import Foundation
import Hummingbird

/// How one emulated platform words each injected fault.
struct FaultResponses {
    /// The 429 for a rate limit lifting at the given time.
    var rateLimited: (Date) -> Response
    var serverError: Response
    var invalidToken: Response
    var expiredToken: Response

    /// Answers with `fault` applied: an error instead of acting, acting and then answering too late, or acting
    /// slowly; `handler` acts and answers normally.
    func answer(_ fault: Fault?, now: Date, _ handler: () async -> Response) async -> Response {
        switch fault?.kind {
        case .rateLimit:
            return rateLimited(now.addingTimeInterval(TimeInterval(fault?.resetIn ?? 60)))
        case .serverError:
            return serverError
        case .invalidToken:
            return invalidToken
        case .expiredToken:
            return expiredToken
        case .timeoutAfterAccept:
            let response = await handler()
            try? await Task.sleep(for: .seconds(fault?.delay ?? 60))
            return response
        case .slow:
            try? await Task.sleep(for: .seconds(fault?.delay ?? 5))
            return await handler()
        case nil:
            return await handler()
        }
    }
}
