import ArkyraCore
import AsyncHTTPClient
import Foundation
import NIOCore

/// Fetches a file from a URL a user gives (`upload-from-url`) into a staging file, through the outbound URL
/// guard: public hosts only (every redirect checked again, at most three), one deadline for the whole
/// download, the size limits applied as the bytes arrive, the format told from the bytes.
struct MediaFetcher: Sendable {
    /// Follows no redirects itself.
    let client: HTTPClient
    let policy: OutboundURLPolicy
    let timeout: Duration
    static let maximumRedirects = 3

    /// Downloads `text` into a new staging file of `media`'s; returns it, staged, with the name the URL's path
    /// ends with. The staging file is discarded on any failure.
    func fetch(_ text: String, with media: MediaService, organizationID: UUID) async throws -> (file: MediaStaging.File, name: String?) {
        let staging = try await media.stage(organizationID: organizationID)
        do {
            let name = try await fetch(text, into: staging)
            return (try await staging.finish(), name)
        } catch {
            await staging.discard()
            throw MultipartUpload.describe(error)
        }
    }

    /// Downloads `text` into `staging`; returns the file name the URL's path ends with.
    /// - Throws: 422 naming `url` for a URL that is refused, unreachable or answers other than 200; the
    ///   staging refusals (too large, unsupported) as they come.
    func fetch(_ text: String, into staging: MediaStaging) async throws -> String? {
        var current = try checked(text)
        let deadline = ContinuousClock.now + timeout
        for _ in 0...Self.maximumRedirects {
            if let refusal = await policy.refusal(connectingTo: current.absoluteString) { throw Self.refused("the address \(refusal.message)") }
            var request = HTTPClientRequest(url: current.absoluteString)
            request.headers.add(name: "Accept", value: "image/*, video/*")
            request.headers.add(name: "User-Agent", value: "ARKYRA media fetcher")
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, deadline: .now() + TimeAmount(max(.zero, deadline - ContinuousClock.now)))
            } catch {
                throw Self.refused("could not be fetched: \(Self.reason(error))")
            }
            switch response.status.code {
            case 200:
                // The client's deadline ends at the answer's head; this one covers the body, so a server that
                // trickles bytes (or goes quiet) is cut off.
                do {
                    try await withTimeout(max(.zero, deadline - ContinuousClock.now)) {
                        for try await chunk in response.body { try await staging.write(chunk) }
                    }
                } catch is TimeoutError {
                    throw Self.refused("did not finish downloading within \(timeout)")
                } catch let error as HTTPClientError {
                    throw Self.refused("did not finish downloading: \(Self.reason(error))")
                }
                return current.pathComponents.last.flatMap { $0 == "/" ? nil : $0 }
            case 301, 302, 303, 307, 308:
                guard let location = response.headers.first(name: "Location"), let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                    throw Self.refused("redirected without a valid Location")
                }
                current = try checked(next.absoluteString)
            default:
                throw Self.refused("answered HTTP \(response.status.code)")
            }
        }
        throw Self.refused("redirected more than \(Self.maximumRedirects) times")
    }

    /// The URL, when its form passes the guard (scheme, credentials, literal addresses).
    private func checked(_ text: String) throws -> URL {
        if case .failure(let refusal) = policy.validate(text) { throw Self.refused(refusal.message) }
        guard let url = URL(string: text.trimmingCharacters(in: .whitespaces)) else { throw Self.refused("must be an absolute URL") }
        return url
    }

    static func refused(_ message: String) -> APIError {
        APIError.validation(["url": message])
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout { return "it timed out" }
        return "the server did not answer"
    }
}
