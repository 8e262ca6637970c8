import Foundation

/// One post's counts as inline SVG, drawn on the server: a horizontal bar per kind (views, likes, replies…),
/// each as long as its count against `scale` (the highest of that kind among the posts shown together, so
/// the posts compare at a glance), with the kind and the number written beside it and a `<title>` per bar.
/// Right to left, the bars grow from the right.
struct CountsChart {
    struct Row {
        var kind: String
        var label: String
        var value: Int
        /// The number as the page writes it (the viewer's digits and separators).
        var text: String
    }

    var rows: [Row]
    /// The highest value of each kind among the posts compared.
    var scale: [String: Int]
    var label: String
    var rightToLeft = false

    static let width = 360.0
    static let rowHeight = 20.0
    static let labelWidth = 110.0

    var svg: String {
        let height = Self.rowHeight * Double(max(rows.count, 1))
        let plot = Self.width - Self.labelWidth - 60
        var shapes: [String] = []
        for (index, row) in rows.enumerated() {
            let y = Double(index) * Self.rowHeight
            let length = plot * Double(row.value) / Double(max(1, scale[row.kind] ?? row.value))
            let barX = rightToLeft ? Self.width - Self.labelWidth - length : Self.labelWidth
            let labelX = rightToLeft ? Self.width - 4 : 4
            let valueX = rightToLeft ? barX - 4 : barX + length + 4
            // Text runs from the bar's start side: the left, or the right in right-to-left pages.
            let anchor = rightToLeft ? "end" : "start"
            shapes.append("""
                <g><title>\(BarChart.escape("\(row.label): \(row.text)"))</title>\
                <text x=\(BarChart.number(labelX)) y=\(BarChart.number(y + 14)) text-anchor="\(anchor)">\(BarChart.escape(row.label))</text>\
                <rect class="bar-\(BarChart.escape(row.kind))" x=\(BarChart.number(barX)) y=\(BarChart.number(y + 4)) width=\(BarChart.number(max(length, 1))) height="12"></rect>\
                <text x=\(BarChart.number(valueX)) y=\(BarChart.number(y + 14)) text-anchor="\(anchor)">\(BarChart.escape(row.text))</text></g>
                """)
        }
        return """
            <svg class="counts-chart" viewBox="0 0 \(Int(Self.width)) \(Int(height))" role="img" aria-label="\(BarChart.escape(label))" xmlns="http://www.w3.org/2000/svg">\
            \(shapes.joined())</svg>
            """
    }

}
