import Foundation
import Hummingbird
import Synchronization

/// Dates and times in the viewer's language and zone. The DateFormatters are made once per language, zone
/// and pattern and kept (making one costs more than the rest of a calendar page: the benchmark's profile
/// had half the page's CPU in ICU building formatters); formatting runs under the cache's lock, as
/// Foundation's formatters are not to be shared between threads unguarded.
struct CalendarFormatter {
    let calendar: Calendar
    let language: Language

    init(calendar: Calendar, language: Language) {
        self.calendar = calendar
        self.language = language
    }

    /// For the person making `request`: their zone (the `arkyra_tz` cookie; UTC until set), in `language`.
    init(viewing request: Request, language: Language) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = CalendarPage.timeZone(request)
        calendar.locale = language.locale
        self.init(calendar: calendar, language: language)
    }

    /// The formatters made so far, by language, zone and pattern (emptied when it reaches ``cacheLimit``, so
    /// zones from cookies cannot grow it without bound).
    private static let cache = Mutex<[String: DateFormatter]>([:])
    static let cacheLimit = 512

    /// `date` by the localized form of `template`.
    private func format(_ date: Date, _ template: String) -> String {
        let key = "\(language.rawValue)|\(calendar.timeZone.identifier)|\(template)"
        return Self.cache.withLock { cache in
            if let formatter = cache[key] { return formatter.string(from: date) }
            let formatter = DateFormatter()
            formatter.calendar = calendar
            formatter.timeZone = calendar.timeZone
            formatter.locale = language.locale
            formatter.setLocalizedDateFormatFromTemplate(template)
            if cache.count >= Self.cacheLimit { cache.removeAll() }
            cache[key] = formatter
            return formatter.string(from: date)
        }
    }

    func time(_ date: Date) -> String { format(date, "jmm") }
    func dayLabel(_ date: Date) -> String { format(date, "EEEd") }
    func weekday(_ date: Date) -> String { format(date, "EEE") }
    /// `Dec 7`: a day on a chart's axis.
    func dayAndMonth(_ date: Date) -> String { format(date, "MMMd") }
    /// A moment in a table (a session's last use, an audit entry): date and time.
    func moment(_ date: Date) -> String { format(date, "yMMMdjmm") }

    /// `09:30` in the zone, whatever the language (what the drag-and-drop script keeps when moving a post).
    func hourMinute(_ date: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }

    func title(_ grid: CalendarGrid) -> String {
        switch grid.view {
        case .day: return format(grid.start, "yMMMMEEEEd")
        case .month: return format(calendar.date(from: DateComponents(year: grid.anchor.year, month: grid.anchor.month, day: 1)) ?? grid.start, "yMMMM")
        case .week, .list:
            let last = calendar.date(byAdding: .day, value: -1, to: grid.end) ?? grid.end
            return format(grid.start, "dMMM") + " – " + format(last, "yMMMd")
        }
    }
}
