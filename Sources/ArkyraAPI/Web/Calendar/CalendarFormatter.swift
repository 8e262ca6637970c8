import Foundation
import Hummingbird

/// Dates and times in the viewer's language and zone.
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

    private func formatter(_ template: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.locale = language.locale
        formatter.setLocalizedDateFormatFromTemplate(template)
        return formatter
    }

    func time(_ date: Date) -> String { formatter("jmm").string(from: date) }
    func dayLabel(_ date: Date) -> String { formatter("EEEd").string(from: date) }
    func weekday(_ date: Date) -> String { formatter("EEE").string(from: date) }
    /// `Dec 7`: a day on a chart's axis.
    func dayAndMonth(_ date: Date) -> String { formatter("MMMd").string(from: date) }
    /// A moment in a table (a session's last use, an audit entry): date and time.
    func moment(_ date: Date) -> String { formatter("yMMMdjmm").string(from: date) }

    /// `09:30` in the zone, whatever the language (what the drag-and-drop script keeps when moving a post).
    func hourMinute(_ date: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }

    func title(_ grid: CalendarGrid) -> String {
        switch grid.view {
        case .day: return formatter("yMMMMEEEEd").string(from: grid.start)
        case .month: return formatter("yMMMM").string(from: calendar.date(from: DateComponents(year: grid.anchor.year, month: grid.anchor.month, day: 1)) ?? grid.start)
        case .week, .list:
            let last = calendar.date(byAdding: .day, value: -1, to: grid.end) ?? grid.end
            return formatter("dMMM").string(from: grid.start) + " – " + formatter("yMMMd").string(from: last)
        }
    }
}
