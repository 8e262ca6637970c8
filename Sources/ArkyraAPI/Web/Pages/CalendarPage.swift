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
            let channelFilter = query["channel"].map(String.init).flatMap(UUID.init(uuidString:))

            let channels = try await pages.integrations.list(organizationID: member.id)
            let (posts, truncated) = try await load(organization: member.id, grid: grid, channel: channelFilter)
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
            let days: [[String: Any]] = grid.days.map { date in
                let day = CalendarGrid.day(of: date, calendar)
                let items = postsByDay[day.text] ?? []
                return [
                    "date": day.text, "label": formatter.dayLabel(date), "today": day == today,
                    "outside": view == .month && day.month != grid.anchor.month, "posts": items, "has_posts": !items.isEmpty,
                ]
            }
            let organization = member.id.uuidString.lowercased()
            func link(view: CalendarGrid.View, date: CalendarGrid.Day) -> String {
                var link = "/app/\(organization)/calendar?view=\(view.rawValue)&date=\(date.text)"
                if let channelFilter { link += "&channel=\(channelFilter.uuidString.lowercased())" }
                return link
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
                "channels": channels.map { ["id": $0.id.uuidString.lowercased(), "name": $0.name, "selected": $0.id == channelFilter] },
                "anchor": grid.anchor.text,
                "can_write": member.role >= Permission.writePosts.minimumRole,
            ]
            if query["saved"] != nil { values["saved"] = true }
            values["compose_link"] = "/app/\(organization)/compose?date=\(grid.anchor.text)"
            return pages.renderer.render("calendar", values, request: request, viewer: member.viewer, title: t["nav_calendar"] ?? "Calendar")
        }
    }

    private func load(organization organizationID: UUID, grid: CalendarGrid, channel: UUID?) async throws -> ([Post], Bool) {
        var input = PostService.CalendarInput()
        input.from = ISO8601Timestamp.format(grid.start)
        input.to = ISO8601Timestamp.format(grid.end)
        input.integrationIDs = channel.map { [$0.uuidString] } ?? []
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
