import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix

/// The HTTP plumbing every provider shares: send a request, collect a bounded body within one deadline for
/// the whole exchange, and classify transport failures by whether the platform could have received the
/// request. Redirects are not followed (the client is configured so): a platform API answers where it is
/// asked, and following one could carry a request, or a POST body, to a host nobody checked.
package struct PlatformHTTP: Sendable {
    package let client: HTTPClient
    package let timeout: Duration
    /// Checked before every request: the host's addresses must be public (unless private hosts are allowed).
    package let policy: OutboundURLPolicy
    /// Bodies larger than this are refused (platform answers are small).
    static let maximumBodyBytes = 4 * 1024 * 1024

    package init(client: HTTPClient, timeout: Duration, policy: OutboundURLPolicy) {
        self.client = client
        self.timeout = timeout
        self.policy = policy
    }

    /// A platform's answer: status, headers and the whole body.
    package struct Response: Sendable {
        package var status: Int
        package var headers: HTTPHeaders
        package var body: ByteBuffer

        /// The body decoded as `type`, or nil when it is not that JSON.
        package func decode<T: Decodable>(_ type: T.Type) -> T? {
            try? JSONDecoder().decode(type, from: Data(buffer: body))
        }

        /// What came back, for messages people see: the status and the size and type of the body, never the
        /// body itself (a server that is not the platform must not get its page shown through ARKYRA).
        package var summary: String {
            "HTTP \(status) with \(body.readableBytes) bytes of \(headers.first(name: "Content-Type") ?? "unknown type")"
        }
    }

    /// Sends a JSON API call with a bearer token (and `body` as JSON when there is one), as X and Pinterest take them.
    /// - Throws: ``ProviderError``, as ``send(_:mutates:)``.
    package func sendJSON(_ method: HTTPMethod, _ url: String, bearer token: String, body: Data?, mutates: Bool) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        return try await send(request, mutates: mutates)
    }

    /// The slowest upload a platform call is given time for: a body of N bytes (its `Content-Length`) adds
    /// N / this many seconds to the deadline, so a 10 MiB video chunk is not cut off by a deadline meant for
    /// a JSON call, and a stalled upload still ends.
    package static let minimumUploadBytesPerSecond = 1_048_576

    static func timeout(_ base: Duration, sending request: HTTPClientRequest) -> Duration {
        guard let length = request.headers.first(name: "Content-Length").flatMap(Int.init), length > 0 else { return base }
        return base + .milliseconds(length * 1000 / minimumUploadBytesPerSecond)
    }

    /// Sends `request`. For a request that changes something on the platform (`mutates`), a failure after the
    /// request may have gone out is `.outcomeUnknown`; a failure to connect is always `.unavailable`.
    /// - Throws: ``ProviderError``.
    package func send(_ request: HTTPClientRequest, mutates: Bool) async throws -> Response {
        if let refusal = await policy.refusal(connectingTo: request.url) {
            throw ProviderError.rejected(status: 0, message: "the server's address \(refusal.message)")
        }
        do {
            // One deadline for the exchange: the client's own ends the wait for the answer's head (with its
            // errors: a connection that never opened is `unavailable`), ours ends a body still trickling in.
            let timeout = Self.timeout(timeout, sending: request)
            let deadline = ContinuousClock.now + timeout
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            let body = try await withTimeout(max(.zero, deadline - ContinuousClock.now)) {
                try await response.body.collect(upTo: Self.maximumBodyBytes)
            }
            return Response(status: Int(response.status.code), headers: response.headers, body: body)
        } catch is TimeoutError {
            let message = "no complete answer within \(timeout)"
            throw mutates ? ProviderError.outcomeUnknown(message: message) : ProviderError.unavailable(message: message)
        } catch let error as HTTPClientError where error == .connectTimeout {
            throw ProviderError.unavailable(message: "connect timed out")
        } catch let error as NIOConnectionError {
            throw ProviderError.unavailable(message: "cannot connect: \(error)")
        } catch let error as IOError where [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) {
            throw ProviderError.unavailable(message: "cannot connect: \(error)")
        } catch {
            if mutates { throw ProviderError.outcomeUnknown(message: "\(error)") }
            throw ProviderError.unavailable(message: "\(error)")
        }
    }

    /// The client configuration platforms are called with: no redirects (see above).
    package static func clientConfiguration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return configuration
    }
}
