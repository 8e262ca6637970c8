@testable import ArkyraCore
import Prometheus
import Testing

@Suite("Process metrics from /proc")
struct ProcessMetricsTests {
    @Test("the fields after a command name with spaces and parentheses are found")
    func statFields() {
        let stat = "4242 (arkyra (api) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0 6417409 722993152 14500 18446744073709551615"
        let fields = ProcessMetrics.statFields(stat)
        // proc(5) numbers fields from 1; the first after the name is field 3 (state).
        #expect(fields?[0] == "S")
        #expect(fields?[14 - 3] == "250")   // utime
        #expect(fields?[15 - 3] == "75")    // stime
        #expect(fields?[24 - 3] == "14500") // rss in pages
        #expect(ProcessMetrics.statFields("4242 (truncated") == nil)
    }

    @Test("this process's memory, CPU time, descriptors and start time are reported")
    func reportsThisProcess() {
        let registry = PrometheusCollectorRegistry()
        let metrics = ProcessMetrics(registry: registry)
        metrics.update()
        var burn = 0
        for index in 0..<2_000_000 { burn &+= index }
        metrics.update()
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        func value(_ name: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
        }
        #expect((value("process_resident_memory_bytes") ?? 0) > 1_000_000, "\(text)")
        #expect((value("process_open_fds") ?? 0) >= 3)
        #expect((value("process_cpu_seconds_total") ?? 0) > 0)
        #expect((value("process_start_time_seconds") ?? 0) > 1_700_000_000)
        #expect(burn != 1)
    }
}
