import Foundation
import Hummingbird
import NIOCore

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
        case .trickle:
            let response = await handler()
            let seconds = Int(fault?.delay ?? 60)
            var headers = response.headers
            headers[.contentLength] = nil
            return Response(status: response.status, headers: headers, body: ResponseBody { writer in
                for _ in 0..<seconds {
                    try await writer.write(ByteBuffer(string: " "))
                    try await Task.sleep(for: .seconds(1))
                }
                try await writer.finish(nil)
            })
        case nil:
            return await handler()
        }
    }
}
