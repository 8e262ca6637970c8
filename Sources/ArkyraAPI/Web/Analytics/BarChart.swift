import Foundation

/// A bar chart as inline SVG, drawn on the server (no chart library, nothing to load): one stacked bar per day
/// (published below, failed above), a baseline, the highest value on the axis, and a `<title>` per bar that
/// browsers show on hover and screen readers read. The chart as a whole is an image named by `label`; the
/// page gives the same numbers as a table for those who prefer one. Right to left, the days run from the right.
struct BarChart {
    struct Bar {
        var label: String
        var published: Int
        var failed: Int
        /// What the bar's `<title>` says.
        var title: String
    }

    var bars: [Bar]
    var label: String
    var rightToLeft = false

    static let width = 720.0
    static let height = 200.0
    static let axis = 28.0

    var svg: String {
        let top = max(1, bars.map { $0.published + $0.failed }.max() ?? 1)
        let plotHeight = Self.height - Self.axis - 8
        let slot = (Self.width - Self.axis) / Double(max(bars.count, 1))
        let barWidth = max(2, slot * 0.7)
        var shapes: [String] = []
        for (index, bar) in bars.enumerated() {
            let position = rightToLeft ? bars.count - 1 - index : index
            let x = Self.axis + Double(position) * slot + (slot - barWidth) / 2
            let publishedHeight = plotHeight * Double(bar.published) / Double(top)
            let failedHeight = plotHeight * Double(bar.failed) / Double(top)
            let base = Self.height - Self.axis
            var group = "<g><title>\(Self.escape(bar.title))</title>"
            group += "<rect class=\"bar-published\" x=\(Self.number(x)) y=\(Self.number(base - publishedHeight)) width=\(Self.number(barWidth)) height=\(Self.number(publishedHeight))></rect>"
            if bar.failed > 0 {
                group += "<rect class=\"bar-failed\" x=\(Self.number(x)) y=\(Self.number(base - publishedHeight - failedHeight)) width=\(Self.number(barWidth)) height=\(Self.number(failedHeight))></rect>"
            }
            // A label under every bar when there is room, else under every seventh.
            if bars.count <= 14 || index % 7 == 0 {
                group += "<text x=\(Self.number(x + barWidth / 2)) y=\(Self.number(Self.height - 10)) text-anchor=\"middle\">\(Self.escape(bar.label))</text>"
            }
            shapes.append(group + "</g>")
        }
        let baseline = Self.height - Self.axis
        return """
            <svg class="chart" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" role="img" aria-label="\(Self.escape(label))" xmlns="http://www.w3.org/2000/svg">\
            <line class="axis" x1="\(Int(Self.axis))" y1=\(Self.number(baseline)) x2="\(Int(Self.width))" y2=\(Self.number(baseline))></line>\
            <text x="4" y="16">\(top)</text><text x="4" y=\(Self.number(baseline))>0</text>\
            \(shapes.joined())</svg>
            """
    }

    /// A coordinate as a quoted SVG attribute value, to a tenth.
    static func number(_ value: Double) -> String { "\"" + String(format: "%.1f", value) + "\"" }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
