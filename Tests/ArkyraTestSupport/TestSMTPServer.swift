import ArkyraCore
import Foundation

/// A real SMTP server for a test (aiosmtpd from PyPI, which scripts/test.sh installs into .run/test-venv)
/// that stores what it receives in a Maildir the test reads; optionally with TLS on a certificate made for
/// the test (`localhost` only, so that 127.0.0.1 does not match it), which ``certificateFile`` holds for clients to trust.
package final class TestSMTPServer: StoppableTestServer, @unchecked Sendable {
    // @unchecked: `process` is set in init and only killed in stop(); the rest is immutable.
    package let port: Int
    private var process: ChildProcess!
    private let maildir: String
    /// The server's self-signed certificate (PEM), when it speaks TLS.
    package let certificateFile: String?

    /// Whether and how the server encrypts.
    package enum Security: Sendable {
        /// Plain SMTP; no STARTTLS offered.
        case plain
        /// STARTTLS offered and required before MAIL (aiosmtpd answers 530 otherwise).
        case startTLS
        /// TLS from the first byte (SMTPS).
        case implicitTLS
    }

    /// The Python with aiosmtpd.
    static var python: String { TestPython.path }

    /// Starts a server, runs `body` with it, and stops it. A port another test took between choosing and
    /// binding it is given up for another (up to three tries).
    package static func with<Result>(security: Security = .plain, _ body: (TestSMTPServer) async throws -> Result) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await TestSMTPServer(security: security).runThenStop(body)
            } catch is PortTaken where attempt < 3 {
                attempt += 1
            }
        }
    }

    /// aiosmtpd exited right after starting: its port was taken (whatever answered there was not it).
    struct PortTaken: Error {}

    private init(security: Security) async throws {
        port = try freeTCPPort()
        maildir = NSTemporaryDirectory() + "arkyra-smtp-\(port)"
        for folder in ["tmp", "new", "cur"] {
            try FileManager.default.createDirectory(atPath: maildir + "/" + folder, withIntermediateDirectories: true)
        }
        var tlsArguments: [String] = []
        if security == .plain {
            certificateFile = nil
        } else {
            let (certificate, key) = try Self.makeCertificate(in: maildir)
            certificateFile = certificate
            tlsArguments = security == .startTLS ? ["--tlscert", certificate, "--tlskey", key] : ["--smtpscert", certificate, "--smtpskey", key]
        }
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw DescribedError(description: "no Python with aiosmtpd at \(Self.python): run `make test`, or set ARKYRA_TEST_PYTHON")
        }
        process = try ChildProcess(Self.python, ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)"] + tlsArguments + ["-c", "aiosmtpd.handlers.Mailbox", maildir])
        for _ in 0..<100 {
            if acceptsConnections(port: port) {
                // Something accepts; make sure it is our server and not a listener that took the port first
                // (aiosmtpd then fails to bind and exits within a moment).
                try await Task.sleep(for: .milliseconds(500))
                if process.isRunning { return }
                throw PortTaken()
            }
            if !process.isRunning { throw PortTaken() }
            try await Task.sleep(for: .milliseconds(50))
        }
        await stop()
        throw DescribedError(description: "aiosmtpd on port \(port) did not start")
    }

    package var server: MailConfiguration.SMTPServer { .init(host: "127.0.0.1", port: port) }

    /// A self-signed certificate for `localhost` (openssl), and its key, in `directory`.
    private static func makeCertificate(in directory: String) throws -> (certificate: String, key: String) {
        let certificate = directory + "/certificate.pem", key = directory + "/key.pem"
        let openssl = try ChildProcess("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                             "-keyout", key, "-out", certificate])
        guard openssl.waitUntilExit() == 0 else { throw DescribedError(description: "openssl could not make a test certificate") }
        return (certificate, key)
    }

    /// The raw messages received so far, oldest first.
    package func messages() throws -> [String] {
        let directory = maildir + "/new"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return try names.map { directory + "/" + $0 }
            .sorted { (try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date ?? .distantPast) ?? .distantPast
                    < (try? FileManager.default.attributesOfItem(atPath: $1)[.modificationDate] as? Date ?? .distantPast) ?? .distantPast }
            .map { try String(contentsOfFile: $0, encoding: .utf8) }
    }

    package func stop() async {
        process.signal(SIGKILL)
        for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        try? FileManager.default.removeItem(atPath: maildir)
    }
}
