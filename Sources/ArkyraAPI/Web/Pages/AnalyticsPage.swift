import ArkyraCore
import Foundation
import Hummingbird

/// `/app/:organization/analytics?days=7|30|90&channel=`: how the organization's posts did — posts published
/// and failed per day as a server-drawn SVG chart (and the same numbers as a table), the platforms' counts
/// summed over the period (views, likes, replies, reposts, …, as the workers last read them), and the best
/// posts. Days are the viewer's, in their zone.
struct AnalyticsPage {
    let pages: WebPages
    static let periods = [7, 30, 90]

    func add(to group: RouterGroup<AuthenticatedContext>) {
        group.get("analytics") { request, context in
            let member = try await pages.member(context, .readContent)
            let query = request.uri.queryParameters
            let days = query["days"].flatMap { Int($0) }.flatMap { Self.periods.contains($0) ? $0 : nil } ?? 30
            let channels = try await pages.integrations.list(organizationID: member.id)
            let channel = query["channel"].flatMap { UUID(uuidString: String($0)) }.flatMap { id in channels.first { $0.id == id }?.id }
            let language = pages.renderer.language(request)
            let formatter = pages.formatter(request)
            let calendar = formatter.calendar
            let zone = calendar.timeZone
            let today = calendar.startOfDay(for: Date())
            let end = calendar.date(byAdding: .day, value: 1, to: today) ?? Date()
            let start = calendar.date(byAdding: .day, value: -(days - 1), to: today) ?? today
            let analytics = AnalyticsRepository(logger: context.logger)
            let found = try await analytics.days(organizationID: member.id, integrationID: channel, from: start, to: end, zone: zone.identifier, client: pages.database)
            let totals = try await analytics.totals(organizationID: member.id, integrationID: channel, from: start, to: end, client: pages.database)
            let top = try await analytics.top(organizationID: member.id, integrationID: channel, from: start, to: end, client: pages.database)

            let t = pages.renderer.assets.catalogue.table(language)
            let byDay = Dictionary(found.map { ($0.day, $0) }, uniquingKeysWith: { first, _ in first })
            var rows: [AnalyticsRepository.Day] = []
            var bars: [BarChart.Bar] = []
            for offset in 0..<days {
                guard let date = calendar.date(byAdding: .day, value: offset, to: start) else { continue }
                let key = CalendarGrid.day(of: date, calendar).text
                let day = byDay[key] ?? .init(day: key, published: 0, failed: 0)
                rows.append(day)
                let label = formatter.dayAndMonth(date)
                bars.append(.init(label: label, published: day.published, failed: day.failed,
                                  title: pages.renderer.text("analytics_bar", request, ["day": label, "published": String(day.published), "failed": String(day.failed)])))
            }
            let chart = BarChart(bars: bars, label: pages.renderer.text("analytics_chart", request, ["days": String(days)]), rightToLeft: language.direction == "rtl")
            let names = Dictionary(channels.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            let number = NumberFormatter()
            number.locale = language.locale
            number.numberStyle = .decimal
            func count(_ value: Int) -> String { number.string(from: NSNumber(value: value)) ?? String(value) }
            // Each kind's highest count among the best posts: their charts share that scale.
            var scale: [String: Int] = [:]
            for post in top { for (kind, value) in post.counts { scale[kind] = max(scale[kind] ?? 0, value) } }
            let values: [String: Any] = [
                "nav_analytics": true,
                "chart": chart.svg,
                "periods": Self.periods.map { ["days": $0, "current": $0 == days, "link": "analytics?days=\($0)" + (channel.map { "&channel=\($0.uuidString.lowercased())" } ?? "")] as [String: Any] },
                "channels": channels.map { ["id": $0.id.uuidString.lowercased(), "name": $0.name, "selected": $0.id == channel] as [String: Any] },
                "days": days,
                "published": count(found.reduce(0) { $0 + $1.published }),
                "failed": count(found.reduce(0) { $0 + $1.failed }),
                "totals": totals.sorted { $0.value > $1.value }.map { ["name": t["metric_\($0.key)"] ?? $0.key, "value": count($0.value)] },
                "has_totals": !totals.isEmpty,
                "rows": rows.reversed().filter { $0.published + $0.failed > 0 }.map { ["day": $0.day, "published": $0.published, "failed": $0.failed] as [String: Any] },
                "top": top.map { post in
                    let rows = post.counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { kind, value in
                        CountsChart.Row(kind: kind, label: t["metric_\(kind)"] ?? kind, value: value, text: count(value))
                    }
                    let chart = CountsChart(rows: rows, scale: scale, label: pages.renderer.text("analytics_post_chart", request, ["total": count(post.total)]),
                                            rightToLeft: language.direction == "rtl")
                    return PageRenderer.values([
                        "text": String(post.content.prefix(140)), "channel": names[post.integrationID], "url": post.platformURL,
                        "when": formatter.moment(post.publishedAt), "total": count(post.total),
                        "counts": rows.map { "\($0.label) \($0.text)" }.joined(separator: " · "),
                        "post_chart": rows.isEmpty ? nil : chart.svg,
                    ])
                },
                "has_top": !top.isEmpty,
            ]
            return pages.renderer.render("analytics", values, request: request, viewer: member.viewer, title: t["analytics_title"] ?? "Analytics")
        }
    }
}
