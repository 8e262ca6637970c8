import Foundation
import Prometheus
import Synchronization

/// The process's own figures in Prometheus's conventional names, read from `/proc/self` each time
/// `/metrics` is scraped: `process_cpu_seconds_total`, `process_resident_memory_bytes`,
/// `process_virtual_memory_bytes`, `process_open_fds` and `process_start_time_seconds`. On a system without
/// `/proc` nothing is reported.
package final class ProcessMetrics: Sendable {
    private let cpu: Counter
    private let resident: Gauge
    private let virtual: Gauge
    private let openFiles: Gauge
    private let startTime: Gauge
    /// CPU seconds already added to the counter (a Prometheus counter only increments).
    private let reportedCPU = Mutex<Double>(0)
    private let bootTime: Double?

    package init(registry: PrometheusCollectorRegistry) {
        cpu = registry.makeCounter(descriptor: .init(metricName: "process_cpu", unitName: "seconds_total", helpText: "User and system CPU time spent"))
        resident = registry.makeGauge(descriptor: .init(metricName: "process_resident_memory", unitName: "bytes", helpText: "Resident memory size"))
        virtual = registry.makeGauge(descriptor: .init(metricName: "process_virtual_memory", unitName: "bytes", helpText: "Virtual memory size"))
        openFiles = registry.makeGauge(descriptor: .init(metricName: "process_open", unitName: "fds", helpText: "Open file descriptors"))
        startTime = registry.makeGauge(descriptor: .init(metricName: "process_start_time", unitName: "seconds", helpText: "Start time since the Unix epoch"))
        bootTime = Self.bootTime()
    }

    /// Reads `/proc/self` and updates the figures.
    package func update() {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let fields = Self.statFields(stat) else { return }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        // Fields after the command name, counted from 3 as in proc(5): utime 14, stime 15, starttime 22,
        // vsize 23, rss 24 (pages).
        func field(_ number: Int) -> Double? { Double(fields[number - 3]) }
        if let user = field(14), let system = field(15) {
            let total = (user + system) / ticks
            reportedCPU.withLock { reported in
                if total > reported {
                    cpu.increment(by: total - reported)
                    reported = total
                }
            }
        }
        if let bytes = field(23) { virtual.set(bytes) }
        if let pages = field(24) { resident.set(pages * Double(sysconf(Int32(_SC_PAGESIZE)))) }
        if let started = field(22), let bootTime { startTime.set(bootTime + started / ticks) }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") { openFiles.set(Double(descriptors.count)) }
    }

    /// The fields of `/proc/self/stat` after the command name, which is in parentheses and may hold spaces.
    static func statFields(_ stat: String) -> [Substring]? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count >= 22 ? fields : nil
    }

    /// When the machine booted (the `btime` line of `/proc/stat`), in seconds since the epoch.
    private static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") })
        else { return nil }
        return Double(line.dropFirst("btime ".count))
    }
}
