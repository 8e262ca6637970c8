import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix

/// The HTTP plumbing every provider shares: send a request, collect a bounded body, and classify transport
/// failures by whether the platform could have received the request.
public struct PlatformHTTP: Sendable {
    public let client: HTTPClient
    public let timeout: Duration
    /// Bodies larger than this are refused (platform answers are small).
    static let maximumBodyBytes = 4 * 1024 * 1024

    public init(client: HTTPClient, timeout: Duration) {
        self.client = client
        self.timeout = timeout
    }

    /// A platform's answer: status, headers and the whole body.
    public struct Response: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: ByteBuffer

        /// The body decoded as `type`, or nil when it is not that JSON.
        public func decode<T: Decodable>(_ type: T.Type) -> T? {
            try? JSONDecoder().decode(type, from: Data(buffer: body))
        }

        public var bodyText: String { String(buffer: body) }
    }

    /// Sends `request`. For a request that changes something on the platform (`mutates`), a failure after the
    /// request may have gone out is `.outcomeUnknown`; a failure to connect is always `.unavailable`.
    /// - Throws: ``ProviderError``.
    public func send(_ request: HTTPClientRequest, mutates: Bool) async throws -> Response {
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            let body = try await response.body.collect(upTo: Self.maximumBodyBytes)
            return Response(status: Int(response.status.code), headers: response.headers, body: body)
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
}
