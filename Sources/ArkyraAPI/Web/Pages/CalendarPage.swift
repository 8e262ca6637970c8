import ArkyraCore
import Foundation
import Hummingbird

/// `/app/:organization/calendar?view=week&date=2026-12-07&channel=…`: the organization's posts by day,
/// week, month or as a list, in the viewer's time zone (the `arkyra_tz` cookie the page's script sets; UTC
/// until it has). Posts that have not started publishing can be dragged to another day (calendar.js),
/// through the same `PATCH /api/v1/.../posts/:id` integrators use.
struct CalendarPage {
    let pages: WebPages

    /// Posts one page shows at most; a busier range says so and asks for a narrower view or a filter.
    static let maximumPosts = 3000
    static let timeZoneCookie = "arkyra_tz"

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("calendar") { request, context in
            let member = try await pages.member(context, .readContent)
            let language = pages.renderer.language(request)
            let query = request.uri.queryParameters
            let zone = Self.timeZone(request)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            calendar.locale = language.locale
            let view = query["view"].flatMap { CalendarGrid.View(rawValue: String($0)) } ?? .week
            let today = CalendarGrid.day(of: Date(), calendar)
            let anchor = query["date"].flatMap { CalendarGrid.Day(String($0)) } ?? today
            let grid = CalendarGrid(view: view, anchor: anchor, calendar: calendar)
            let channels = try await pages.integrations.list(organizationID: member.id)
            let customers = try await pages.customers.list(organizationID: member.id)
            let tags = try await pages.posts.tagNames(organizationID: member.id)
            let filter = Filter(Dictionary(query.map { (String($0.key), String($0.value)) }) { first, _ in first }, channels: channels, customers: customers, tags: tags)
            let (posts, truncated) = try await load(organization: member.id, grid: grid, filter: filter)
            let formatter = CalendarFormatter(calendar: calendar, language: language)
            let byID = Dictionary(channels.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let t = pages.renderer.assets.catalogue.table(language)
            var postsByDay: [String: [[String: Any]]] = [:]
            for post in posts where post.parentID == nil {
                guard let at = post.publishAt else { continue }
                let channel = byID[post.integrationID]
                postsByDay[CalendarGrid.day(of: at, calendar).text, default: []].append(PageRenderer.values([
                    "id": post.id.uuidString.lowercased(),
                    "time": formatter.time(at),
                    "hhmm": formatter.hourMinute(at),
                    "state": post.state.rawValue,
                    "state_label": t["state_\(post.state.rawValue)"] ?? post.state.rawValue,
                    "movable": post.state == .scheduled || post.state == .draft,
                    "channel": channel?.name ?? "",
                    "provider": channel?.provider ?? "",
                    "avatar": channel?.avatarURL,
                    "excerpt": String(post.content.prefix(140)),
                    "error": post.error,
                ]))
            }
            let organization = member.id.uuidString.lowercased()
            let canWrite = member.role >= Permission.writePosts.minimumRole
            // Free slots: the posting times of the channels in view that no post of the day takes yet.
            let slotChannels = channels.filter { $0.state == .connected && filter.includes($0) }
            let days: [[String: Any]] = grid.days.map { date in
                let day = CalendarGrid.day(of: date, calendar)
                let items = postsByDay[day.text] ?? []
                var values: [String: Any] = [
                    "date": day.text, "label": formatter.dayLabel(date), "today": day == today,
                    "outside": view == .month && day.month != grid.anchor.month, "posts": items, "has_posts": !items.isEmpty,
                ]
                if canWrite, view == .week || view == .day {
                    let taken = Set(items.compactMap { $0["hhmm"] as? String })
                    let slots = Self.freeSlots(on: day, channels: slotChannels, calendar: calendar).compactMap { at -> [String: Any]? in
                        let hhmm = formatter.hourMinute(at)
                        guard !taken.contains(hhmm) else { return nil }
                        var href = "/app/\(organization)/compose?date=\(day.text)&time=\(hhmm)"
                        if let channel = filter.channel { href += "&channel=\(channel.uuidString.lowercased())" }
                        return ["time": formatter.time(at), "href": href]
                    }
                    values["slots"] = slots
                    values["has_slots"] = !slots.isEmpty
                }
                return values
            }
            func link(view: CalendarGrid.View, date: CalendarGrid.Day) -> String {
                "/app/\(organization)/calendar?view=\(view.rawValue)&date=\(date.text)" + filter.query
            }
            var values: [String: Any] = [
                "nav_calendar": true,
                "view": view.rawValue,
                "heading": formatter.title(grid),
                "time_zone": Self.name(zone),
                "previous": link(view: view, date: grid.previous),
                "next": link(view: view, date: grid.next),
                "today_link": link(view: view, date: today),
                "views": CalendarGrid.View.allCases.map { ["name": t["view_\($0.rawValue)"] ?? $0.rawValue, "href": link(view: $0, date: grid.anchor), "current": $0 == view] },
                "weekdays": view == .week || view == .month ? grid.days.prefix(7).map { formatter.weekday($0) } : [],
                "days": days,
                "weeks": stride(from: 0, to: days.count, by: 7).map { ["days": Array(days[$0..<min($0 + 7, days.count)])] },
                "is_month": view == .month,
                "is_list": view == .list,
                "is_columns": view == .week || view == .day,
                "empty": posts.isEmpty,
                "truncated": truncated,
                "channels": channels.map { ["id": $0.id.uuidString.lowercased(), "name": $0.name, "selected": $0.id == filter.channel] },
                "customers": customers.map { ["id": $0.id.uuidString.lowercased(), "name": $0.name, "selected": $0.id == filter.customer] },
                "has_customers": !customers.isEmpty,
                "tags": tags.map { ["name": $0, "selected": $0.lowercased() == filter.tag?.lowercased()] },
                "has_tags": !tags.isEmpty,
                "states": PostState.allCases.map { ["id": $0.rawValue, "name": t["state_\($0.rawValue)"] ?? $0.rawValue, "selected": $0 == filter.state] },
                "filtered": filter.query != "",
                "clear_link": "/app/\(organization)/calendar?view=\(view.rawValue)&date=\(grid.anchor.text)",
                "anchor": grid.anchor.text,
                "can_write": canWrite,
            ]
            if query["saved"] != nil { values["saved"] = true }
            if let duplicates = query["duplicates"].flatMap({ Int($0) }), (1...1000).contains(duplicates) {
                values["duplicates"] = pages.renderer.text("calendar_duplicates", request, [
                    "count": String(duplicates), "hours": String(Int(pages.posts.duplicateWindow / 3600)),
                ])
            }
            values["compose_link"] = "/app/\(organization)/compose?date=\(grid.anchor.text)"
            return pages.renderer.render("calendar", values, request: request, viewer: member.viewer, title: t["nav_calendar"] ?? "Calendar")
        }
    }

    /// What the calendar is narrowed to: one channel, the channels of one customer, one tag, one state. Only
    /// values the organization has count (a stale link shows everything rather than an error).
    struct Filter {
        var channel: UUID?
        var customer: UUID?
        var tag: String?
        var state: PostState?
        private var customerChannels: Set<UUID> = []

        init(_ query: [String: String], channels: [Integration], customers: [CustomerRepository.Customer], tags: [String]) {
            channel = query["channel"].flatMap(UUID.init(uuidString:)).flatMap { id in channels.contains { $0.id == id } ? id : nil }
            customer = query["customer"].flatMap(UUID.init(uuidString:)).flatMap { id in customers.contains { $0.id == id } ? id : nil }
            tag = query["tag"].flatMap { tag in tags.first { $0.lowercased() == tag.lowercased() } }
            state = query["state"].flatMap(PostState.init(rawValue:))
            customerChannels = Set(channels.filter { $0.customerID != nil && $0.customerID == customer }.map(\.id))
        }

        /// Whether the channel's posts are in view.
        func includes(_ channel: Integration) -> Bool {
            (self.channel == nil || channel.id == self.channel) && (customer == nil || customerChannels.contains(channel.id))
        }

        /// The filter as the rest of a calendar link's query (`&channel=…&tag=…`).
        var query: String {
            var parts: [String] = []
            if let channel { parts.append("channel=\(channel.uuidString.lowercased())") }
            if let customer { parts.append("customer=\(customer.uuidString.lowercased())") }
            if let tag { parts.append("tag=\(tag.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")") }
            if let state { parts.append("state=\(state.rawValue)") }
            return parts.map { "&" + $0 }.joined()
        }
    }

    /// The moments of `day` (in the viewer's calendar) at the channels' posting times (minutes after midnight
    /// UTC), still ahead, earliest first.
    static func freeSlots(on day: CalendarGrid.Day, channels: [Integration], calendar: Calendar) -> [Date] {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = Self.utc
        guard let noon = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 12)) else { return [] }
        let midnight = utc.startOfDay(for: noon)
        let now = Date()
        var moments: Set<Date> = []
        for minute in Set(channels.flatMap(\.postingTimes)) {
            for shift in -1...1 {
                let at = midnight.addingTimeInterval(Double(shift * 86_400 + minute * 60))
                if at > now, CalendarGrid.day(of: at, calendar) == day { moments.insert(at) }
            }
        }
        return moments.sorted()
    }

    private func load(organization organizationID: UUID, grid: CalendarGrid, filter: Filter) async throws -> ([Post], Bool) {
        var input = PostService.CalendarInput()
        input.from = ISO8601Timestamp.format(grid.start)
        input.to = ISO8601Timestamp.format(grid.end)
        input.integrationIDs = filter.channel.map { [$0.uuidString] } ?? []
        input.customer = filter.customer?.uuidString
        input.tag = filter.tag
        input.states = filter.state.map { [$0.rawValue] } ?? []
        var posts: [Post] = []
        while true {
            let page = try await pages.posts.calendar(organizationID: organizationID, input)
            posts += page.posts
            guard let next = page.nextCursor else { return (posts, false) }
            if posts.count >= Self.maximumPosts { return (posts, true) }
            input.cursor = next
        }
    }

    static let utc = TimeZone(identifier: "UTC")!

    /// The zone's name as people know it (Foundation calls UTC "GMT").
    static func name(_ zone: TimeZone) -> String {
        zone.identifier == "GMT" ? "UTC" : zone.identifier
    }

    static func timeZone(_ request: Request) -> TimeZone {
        request.cookies[timeZoneCookie].flatMap { TimeZone(identifier: $0.value.removingPercentEncoding ?? $0.value) } ?? utc
    }
}
