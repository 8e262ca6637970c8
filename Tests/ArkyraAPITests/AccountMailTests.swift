import ArkyraAPI
import ArkyraCore
import ArkyraTestSupport
import ArkyraWorker
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API: activation, password reset and invitations by email")
struct AccountMailTests {
    /// Takes the next email job off the notification queue, sends it through the worker's handler to `smtp`,
    /// and returns the secret of the link in it.
    private func deliverNext(_ api: APITestHarness, smtp: TestSMTPServer, prefix: String) async throws -> String {
        let queue = JobQueue(name: .notification, redis: api.redis)
        try await queue.prepare()
        _ = try await queue.promoteDue()
        let connection = try await api.redis.makeDedicatedConnection()
        let received = try await queue.receive(on: connection, consumer: "test", count: 1, block: .seconds(2))
        await connection.close()
        let job = try #require(received.first?.job)
        #expect(!job.data.values.contains { $0.contains(prefix) }, "the secret sits readable in Redis")
        let security = api.security
        let mail = MailConfiguration(smtp: smtp.server, from: "ARKYRA <no-reply@arkyra.test>", publicURL: "https://arkyra.test")
        try await EmailJobHandler(client: SMTPClient(server: smtp.server), mail: mail, cipher: TokenCipher(keys: security.encryptionKeys),
                                  logger: TestEnvironment.logger)
            .handle(job, context: JobContext(consumer: "test", deliveries: 1, staleOwner: nil))
        let message = try #require(try smtp.messages().last)
        #expect(message.contains("https://arkyra.test/"))
        let match = try #require(message.firstMatch(of: Regex("token=(\(prefix)[A-Za-z0-9_-]+)")))
        return String(match.output[1].substring ?? "")
    }

    /// The link of the last email sent, as a path of this site (what a person clicking it opens).
    private func lastLink(_ smtp: TestSMTPServer) throws -> String {
        let message = try #require(try smtp.messages().last)
        return String(try #require(message.firstMatch(of: /https:\/\/arkyra\.test(\/[a-z\/-]+\?token=[A-Za-z0-9_-]+)/)).output.1)
    }

    @Test("the emailed links open pages: activate logs in, a reset link sets a new password once, an invitation joins after signing up")
    func linksOpenPages() async throws {
        try await TestSMTPServer.with { smtp in
            let mail = MailConfiguration(smtp: smtp.server, from: "no-reply@arkyra.test", publicURL: "https://arkyra.test")
            try await APITestHarness.run(mail: mail) { api in
                let browser = WebBrowser(api.client)
                _ = try await browser.get("/signup")
                let signedUp = try await browser.post("/signup", [("name", "Ada"), ("email", "ada@example.com"), ("password", "correct horse")])
                #expect(signedUp.html.contains("We sent you an activation link"))
                _ = try await deliverNext(api, smtp: smtp, prefix: "act_")
                let activation = try lastLink(smtp)
                #expect(activation.hasPrefix("/activate?token=act_"))
                // Opening the link spends nothing (mail scanners open links); the button does.
                let opened = try await browser.get(activation)
                #expect(opened.status == .ok)
                #expect(opened.html.contains("Activate my account"))
                let token = String(activation.split(separator: "=")[1])
                #expect(opened.html.contains("value=\"\(token)\""))
                let activated = try await browser.post("/activate", [("token", token)])
                #expect(activated.location == "/app")
                #expect(browser.cookies["arkyra_access"] != nil)
                let other = WebBrowser(api.client)
                _ = try await other.get(activation)
                let again = try await other.post("/activate", [("token", token)])
                #expect(again.status == .unprocessableContent)
                #expect(again.html.contains("the activation link is unknown, used or expired"))

                // Forgot the password: the form answers the same for any address; the link sets a new one once.
                let stranger = WebBrowser(api.client)
                _ = try await stranger.get("/login")
                #expect(try await stranger.get("/login").html.contains("href=\"/forgot-password\""))
                _ = try await stranger.get("/forgot-password")
                let unknown = try await stranger.post("/forgot-password", [("email", "nobody@example.com")])
                let known = try await stranger.post("/forgot-password", [("email", "ada@example.com")])
                #expect(unknown.status == .accepted && known.status == .accepted)
                #expect(unknown.html == known.html.replacingOccurrences(of: "ada@example.com", with: "nobody@example.com"))
                _ = try await deliverNext(api, smtp: smtp, prefix: "rst_")
                let reset = try lastLink(smtp)
                #expect(reset.hasPrefix("/reset-password?token=rst_"))
                let resetToken = String(reset.split(separator: "=")[1])
                _ = try await stranger.get(reset)
                let short = try await stranger.post("/reset-password", [("token", resetToken), ("new_password", "short")])
                #expect(short.status == .unprocessableContent)
                #expect(short.html.contains("id=\"password-error\""))
                let done = try await stranger.post("/reset-password", [("token", resetToken), ("new_password", "battery staple")])
                #expect(done.location == "/login?done=password_reset")
                #expect(try await stranger.get(try #require(done.location)).html.contains("Your password is changed. Log in with the new one."))
                let spent = try await stranger.post("/reset-password", [("token", resetToken), ("new_password", "battery staple")])
                #expect(spent.html.contains("This reset link cannot be used any more."))
                #expect(try await stranger.post("/login", [("email", "ada@example.com"), ("password", "battery staple")]).location == "/app")

                // An invitation by email: the invitee has no account, signs up from the link and lands in the organization.
                let owner = try #require(stranger.cookies["arkyra_access"])
                let organization = try await api.createOrganization(owner, name: "Acme")
                let invited = try await api.request(.post, "/api/v1/organizations/\(organization)/invitations", token: owner, json: ["email": "grace@example.com", "role": "editor"])
                #expect(invited.status == .created)
                _ = try await deliverNext(api, smtp: smtp, prefix: "inv_")
                let invitation = try lastLink(smtp)
                #expect(invitation.hasPrefix("/app/invitations/accept?token=inv_"))
                let grace = WebBrowser(api.client)
                let toLogin = try await grace.get(invitation)
                let login = try await grace.get(try #require(toLogin.location))
                let signupLink = try #require(login.html.firstMatch(of: /href="(\/signup\?next=[^"]+)"/)).output.1
                let signup = try await grace.get(String(signupLink).replacingOccurrences(of: "&amp;", with: "&"))
                #expect(signup.html.contains("name=\"next\" value=\"\(invitation)\""))
                _ = try await grace.post("/signup", [("name", "Grace"), ("email", "grace@example.com"), ("password", "correct horse"), ("next", invitation)])
                _ = try await deliverNext(api, smtp: smtp, prefix: "act_")
                _ = try await grace.post("/activate", [("token", String(try lastLink(smtp).split(separator: "=")[1]))])
                let page = try await grace.get(invitation)
                #expect(page.html.contains("Accept the invitation"))
                let joined = try await grace.post("/app/invitations/accept", [("token", String(invitation.split(separator: "=")[1]))])
                #expect(joined.location == "/app/\(organization.lowercased())/calendar")
                let twice = try await grace.post("/app/invitations/accept", [("token", String(invitation.split(separator: "=")[1]))])
                #expect(twice.status == .notFound)
                #expect(twice.html.contains("this invitation does not exist"))
            }
        }
    }

    @Test("with email configured, a new account is activated by the emailed link before it can log in")
    func activation() async throws {
        try await TestSMTPServer.with { smtp in
            let mail = MailConfiguration(smtp: smtp.server, from: "no-reply@arkyra.test", publicURL: "https://arkyra.test")
            try await APITestHarness.run(mail: mail) { api in
                let registered = try await api.request(.post, "/api/v1/auth/register", json: ["email": "grace@example.com", "password": "correct horse"])
                #expect(registered.status == .created)
                #expect(registered.json["activation_required"] as? Bool == true)
                #expect(registered.json["access_token"] == nil)
                let early = try await api.request(.post, "/api/v1/auth/login", json: ["email": "grace@example.com", "password": "correct horse"])
                #expect(early.errorCode == "email_not_verified")
                let token = try await deliverNext(api, smtp: smtp, prefix: "act_")
                let activated = try await api.request(.post, "/api/v1/auth/activate", json: ["token": token])
                #expect(activated.status == .ok)
                #expect(activated.json["access_token"] is String)
                #expect(try await api.request(.post, "/api/v1/auth/activate", json: ["token": token]).errorCode == "invalid_token")
                #expect(try await api.request(.post, "/api/v1/auth/login", json: ["email": "grace@example.com", "password": "correct horse"]).status == .ok)
            }
        }
    }

    @Test("a forgotten password is reset once through the emailed link, ending every session; unknown addresses get the same answer")
    func reset() async throws {
        try await TestSMTPServer.with { smtp in
            let mail = MailConfiguration(smtp: smtp.server, from: "no-reply@arkyra.test", publicURL: "https://arkyra.test")
            try await APITestHarness.run(mail: mail) { api in
                _ = try await api.request(.post, "/api/v1/auth/register", json: ["email": "ada@example.com", "password": "correct horse"])
                _ = try await api.request(.post, "/api/v1/auth/activate", json: ["token": try await deliverNext(api, smtp: smtp, prefix: "act_")])
                let session = try await api.request(.post, "/api/v1/auth/login", json: ["email": "ada@example.com", "password": "correct horse"])
                let access = try #require(session.json["access_token"] as? String)

                let unknown = try await api.request(.post, "/api/v1/auth/password/forgot", json: ["email": "nobody@example.com"])
                let known = try await api.request(.post, "/api/v1/auth/password/forgot", json: ["email": "ADA@example.com"])
                #expect(unknown.status == .accepted && known.status == .accepted)
                #expect(String(buffer: unknown.body) == String(buffer: known.body))
                let token = try await deliverNext(api, smtp: smtp, prefix: "rst_")
                #expect(try smtp.messages().count == 2, "one activation and one reset; nothing for the unknown address")

                #expect(try await api.request(.post, "/api/v1/auth/password/reset", json: ["token": token, "new_password": "x"]).errorFields.keys.contains("new_password"))
                #expect(try await api.request(.post, "/api/v1/auth/password/reset", json: ["token": token, "new_password": "battery staple"]).status == .noContent)
                #expect(try await api.request(.get, "/api/v1/organizations", token: access).errorCode == "session_revoked")
                #expect(try await api.request(.post, "/api/v1/auth/login", json: ["email": "ada@example.com", "password": "battery staple"]).status == .ok)
                #expect(try await api.request(.post, "/api/v1/auth/password/reset", json: ["token": token, "new_password": "another one"]).errorCode == "invalid_token")
            }
        }
    }

    /// Registers `email`, activates it through the emailed link and returns an access token.
    private func activeUser(_ email: String, _ api: APITestHarness, smtp: TestSMTPServer) async throws -> String {
        _ = try await api.request(.post, "/api/v1/auth/register", json: ["email": email, "password": "correct horse", "name": "Ada Lovelace"])
        let activated = try await api.request(.post, "/api/v1/auth/activate", json: ["token": try await deliverNext(api, smtp: smtp, prefix: "act_")])
        return try #require(activated.json["access_token"] as? String)
    }

    @Test("an organization sends at most 50 invitation emails an hour; invitations by link go on")
    func invitationEmailCap() async throws {
        try await TestSMTPServer.with { smtp in
            let mail = MailConfiguration(smtp: smtp.server, from: "no-reply@arkyra.test", publicURL: "https://arkyra.test")
            try await APITestHarness.run(mail: mail) { api in
                let ada = try await activeUser("ada@example.com", api, smtp: smtp)
                let created = try await api.request(.post, "/api/v1/organizations", token: ada, json: ["name": "Acme"])
                let organization = try #require((created.json["organization"] as? [String: Any])?["id"] as? String)
                let path = "/api/v1/organizations/\(organization)/invitations"
                for index in 0..<50 {
                    #expect(try await api.request(.post, path, token: ada, json: ["role": "viewer", "email": "guest\(index)@example.com"]).status == .created)
                }
                let refused = try await api.request(.post, path, token: ada, json: ["role": "viewer", "email": "one-too-many@example.com"])
                #expect(refused.status == .tooManyRequests)
                #expect(refused.errorCode == "too_many_invitation_emails")
                #expect(try await api.request(.post, path, token: ada, json: ["role": "viewer"]).status == .created)
            }
        }
    }

    @Test("an invitation to an address is emailed with who invites, where and as what; one by link sends nothing")
    func invitation() async throws {
        try await TestSMTPServer.with { smtp in
            let mail = MailConfiguration(smtp: smtp.server, from: "no-reply@arkyra.test", publicURL: "https://arkyra.test")
            try await APITestHarness.run(mail: mail) { api in
                let ada = try await activeUser("ada@example.com", api, smtp: smtp)
                let organization = try #require(try await api.request(.post, "/api/v1/organizations", token: ada, json: ["name": "Acme"])
                    .json["organization"] as? [String: Any])["id"] as? String
                let queue = JobQueue(name: .notification, redis: api.redis)
                let before = try await queue.depth()
                let byLink = try await api.request(.post, "/api/v1/organizations/\(try #require(organization))/invitations", token: ada, json: ["role": "viewer"])
                #expect(byLink.status == .created)
                #expect(try await queue.depth() == before, "an invitation by link sent an email")

                let invited = try await api.request(.post, "/api/v1/organizations/\(try #require(organization))/invitations", token: ada,
                                                    json: ["role": "editor", "email": "grace@example.com"])
                #expect(invited.status == .created)
                let token = try await deliverNext(api, smtp: smtp, prefix: "inv_")
                let message = try #require(try smtp.messages().last)
                #expect(message.contains("To: grace@example.com"))
                #expect(message.contains("Ada Lovelace (ada@example.com) invites you to join Acme on ARKYRA as editor"))

                let grace = try await activeUser("grace@example.com", api, smtp: smtp)
                let accepted = try await api.request(.post, "/api/v1/invitations/accept", token: grace, json: ["token": token])
                #expect(accepted.status == .ok)
                #expect(accepted.json["role"] as? String == "editor")
            }
        }
    }

    @Test("without email, registration logs in at once and a reset by email is refused clearly")
    func withoutEmail() async throws {
        try await APITestHarness.run { api in
            let registered = try await api.request(.post, "/api/v1/auth/register", json: ["email": "eve@example.com", "password": "correct horse"])
            #expect(registered.json["access_token"] is String)
            #expect(try await api.request(.post, "/api/v1/auth/password/forgot", json: ["email": "eve@example.com"]).errorCode == "email_unavailable")
        }
    }
}
