import ArkyraCore
import ArkyraTestSupport
import Foundation
import HTTPTypes
import NIOCore
import Testing

@Suite("Web: the channels page's customers and posting times, the calendar's filters and free slots")
struct WebCalendarTests {
    @Test("channels page: customers are added (a taken name is a field error with the name kept) and removed; a channel's customer and posting times are saved, a bad time is a field error with the text kept; a viewer sees no settings and is refused")
    func channelSettings() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            let organization = try await browser.signUp()
            let owner = try #require(browser.cookies["arkyra_access"])
            let channel = try await api.connectMastodon(owner, organization: organization).lowercased()
            let base = "/app/\(organization)"

            let page = try await browser.get("\(base)/channels")
            #expect(page.html.contains("02:00, 06:40, 11:40 (UTC)"), "the default posting times are shown")
            let added = try await browser.post("\(base)/customers", [("name", "  Bakery ")])
            #expect(added.location == "\(base)/channels?done=customer_added")
            let listed = try await browser.get(try #require(added.location))
            #expect(listed.html.contains("The customer is added."))
            let customer = try #require(listed.html.firstMatch(of: /action="\/app\/[0-9a-f-]{36}\/customers\/([0-9a-f-]{36})\/delete"/)).output.1.description
            let taken = try await browser.post("\(base)/customers", [("name", "bakery")])
            #expect(taken.status == .conflict)
            #expect(taken.html.contains("value=\"bakery\" aria-invalid=\"true\""))
            #expect(taken.html.contains("id=\"customer-name-error\">this organization already has a customer named bakery"))

            let badTimes = try await browser.post("\(base)/channels/\(channel)/settings", [("customer", customer), ("posting_times", "09:30, 25:00")])
            #expect(badTimes.status == .unprocessableContent)
            #expect(badTimes.html.contains("value=\"09:30, 25:00\""), "what was typed is kept")
            #expect(badTimes.html.contains("id=\"times-\(channel)-error\">must be times as HH:MM"))
            #expect(badTimes.html.contains("<details class=\"channel-settings\" open>"))
            // Shown at the form's own address, the page's forms still post where they belong.
            #expect(badTimes.html.contains("action=\"/app/\(organization)/channels/\(channel)/settings\""))
            let foreignCustomer = try await browser.post("\(base)/channels/\(channel)/settings", [("customer", UUID().uuidString), ("posting_times", "09:30")])
            #expect(foreignCustomer.html.contains("id=\"customer-\(channel)-error\">is not a customer of this organization"))

            let saved = try await browser.post("\(base)/channels/\(channel)/settings", [("customer", customer), ("posting_times", "17:00 09:30")])
            #expect(saved.location == "\(base)/channels?done=channel_saved")
            let integration = try await api.request(.get, "/api/v1/organizations/\(organization)/integrations", token: owner)
            let stored = try #require((integration.json["integrations"] as? [[String: Any]])?.first)
            #expect(stored["posting_times"] as? [Int] == [570, 1020])
            #expect((stored["customer_id"] as? String)?.lowercased() == customer)
            let after = try await browser.get("\(base)/channels")
            #expect(after.html.contains("09:30, 17:00 (UTC)"))
            #expect(after.html.contains("<span class=\"badge\">Bakery</span>"))

            // A viewer reads the page but has no settings forms, and a forged one is refused.
            let viewer = try await api.member("viewer", of: organization, invitedBy: owner)
            let viewing = WebBrowser(api.client)
            viewing.setCookie("arkyra_access", viewer.token)
            let seen = try await viewing.get("\(base)/channels")
            #expect(seen.status == .ok)
            #expect(!seen.html.contains("/settings\""))
            #expect(!seen.html.contains("/customers\""))
            #expect(try await viewing.post("\(base)/channels/\(channel)/settings", [("customer", ""), ("posting_times", "01:00")]).status == .forbidden)

            let removed = try await browser.post("\(base)/customers/\(customer)/delete", [])
            #expect(removed.location == "\(base)/channels?done=customer_removed")
            let none = try await api.request(.get, "/api/v1/organizations/\(organization)/integrations", token: owner)
            #expect((none.json["integrations"] as? [[String: Any]])?.first?["customer_id"] == nil)
        }
    }

    @Test("calendar filters by customer, tag and state, keeps them in its links, and ignores values the organization does not have")
    func filters() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            let organization = try await browser.signUp()
            let owner = try #require(browser.cookies["arkyra_access"])
            let first = try await api.connectMastodon(owner, organization: organization)
            let second = try await api.connectSecondMastodon(owner, organization: organization)
            let posts = "/api/v1/organizations/\(organization)/posts"
            let customer = try #require(try await api.request(.post, "/api/v1/organizations/\(organization)/customers", token: owner, json: ["name": "Bakery"]).json["id"] as? String).lowercased()
            #expect(try await api.request(.patch, "/api/v1/organizations/\(organization)/integrations/\(second)", token: owner, json: ["customer_id": customer]).status == .ok)
            let at = APITestHarness.future(2 * 3600)
            for (channel, text, tags, draft) in [(first, "Plain first channel", [String](), false), (second, "Bakery launch", ["launch"], false),
                                                 (first, "A draft for later", [], true)] {
                let created = try await api.request(.post, posts, token: owner, json: [
                    "publish_at": at, "variants": [["integration_id": channel, "content": text]], "tags": tags, "draft": draft,
                ])
                #expect(created.status == .created, "\(created.json)")
            }
            let day = at.prefix(10)
            let calendar = "/app/\(organization)/calendar?view=week&date=\(day)"
            let all = try await browser.get(calendar)
            #expect(all.html.contains("Plain first channel") && all.html.contains("Bakery launch") && all.html.contains("A draft for later"))
            #expect(all.html.contains("<option value=\"launch\" >launch</option>"), "the organization's tags are offered")

            let byCustomer = try await browser.get("\(calendar)&customer=\(customer)")
            #expect(byCustomer.html.contains("Bakery launch"))
            #expect(!byCustomer.html.contains("Plain first channel"))
            #expect(byCustomer.html.contains("rel=\"next\"") && byCustomer.html.contains("&amp;customer=\(customer)\" rel=\"next\""), "the pager keeps the filter")
            #expect(byCustomer.html.contains("Clear filters"))

            let byTag = try await browser.get("\(calendar)&tag=LAUNCH")
            #expect(byTag.html.contains("Bakery launch"))
            #expect(!byTag.html.contains("Plain first channel"))
            let byState = try await browser.get("\(calendar)&state=draft")
            #expect(byState.html.contains("A draft for later"))
            #expect(!byState.html.contains("Bakery launch"))
            #expect(byState.html.contains("<option value=\"draft\" selected>"))

            // A stale or forged value shows everything rather than an error.
            for stale in ["customer=\(UUID())", "tag=nope", "state=lost", "channel=\(UUID())"] {
                let page = try await browser.get("\(calendar)&\(stale)")
                #expect(page.status == .ok)
                #expect(page.html.contains("Plain first channel") && page.html.contains("Bakery launch"), "\(stale)")
                #expect(!page.html.contains("Clear filters"), "\(stale)")
            }
        }
    }

    @Test("the week offers the channels' free posting times as links to the composer at that time; a time a post takes is not offered")
    func freeSlots() async throws {
        try await APITestHarness.run { api in
            let browser = WebBrowser(api.client)
            let organization = try await browser.signUp()
            let owner = try #require(browser.cookies["arkyra_access"])
            let channel = try await api.connectMastodon(owner, organization: organization)
            #expect(try await api.request(.patch, "/api/v1/organizations/\(organization)/integrations/\(channel)", token: owner,
                                          json: ["posting_times": [570, 1020]]).status == .ok)
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            let day = utc.date(byAdding: .day, value: 3, to: utc.startOfDay(for: Date()))!
            let dayText = String(ISO8601Timestamp.format(day).prefix(10))
            let week = try await browser.get("/app/\(organization)/calendar?view=week&date=\(dayText)")
            #expect(week.html.contains("href=\"/app/\(organization)/compose?date=\(dayText)&amp;time=09:30\""))
            #expect(week.html.contains("href=\"/app/\(organization)/compose?date=\(dayText)&amp;time=17:00\""))

            #expect(try await api.request(.post, "/api/v1/organizations/\(organization)/posts", token: owner, json: [
                "publish_at": ISO8601Timestamp.format(day.addingTimeInterval(570 * 60)), "variants": [["integration_id": channel, "content": "takes 09:30"]],
            ]).status == .created)
            let taken = try await browser.get("/app/\(organization)/calendar?view=week&date=\(dayText)")
            #expect(!taken.html.contains("compose?date=\(dayText)&amp;time=09:30\""), "09:30 is taken that day")
            #expect(taken.html.contains("compose?date=\(dayText)&amp;time=17:00\""))
            // In another zone the same times are offered at their local hour.
            browser.setCookie("arkyra_tz", "Asia/Tokyo")
            let tokyo = try await browser.get("/app/\(organization)/calendar?view=week&date=\(dayText)")
            #expect(tokyo.html.contains("&amp;time=02:00\""), "17:00 UTC is 02:00 the next day in Tokyo")
            #expect(tokyo.html.contains("&amp;time=18:30\""), "09:30 UTC is 18:30 in Tokyo")
            browser.setCookie("arkyra_tz", "UTC")

            let composer = try await browser.get("/app/\(organization)/compose?date=\(dayText)&time=17:00")
            #expect(composer.html.contains("value=\"\(dayText)T17:00\""))
            let bad = try await browser.get("/app/\(organization)/compose?date=\(dayText)&time=99:99")
            #expect(bad.status == .ok)
            #expect(!bad.html.contains("T99:99"))
        }
    }
}
