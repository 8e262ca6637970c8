import ArkyraCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `/health` (every dependency) and `/health/db`, `/health/redis`, `/health/storage` (one each) on the public
/// port; 503 when unwell. Anyone can call these, so each answers from a report at most a second old (a flood
/// costs the dependencies one probe a second, and the storage probe's write happens at most that often) and
/// names what is down without the error text — the details are on the admin port.
struct HealthRoutes {
    let checks: [HealthCheck]

    func add(to router: Router<AppRequestContext>) {
        let all = RecentHealth(checks: checks)
        router.get("health") { _, _ in
            try AdminRoutes.healthResponse(await all.report())
        }
        for check in checks {
            let one = RecentHealth(checks: [check])
            router.get("health/\(check.name)") { _, _ in
                try AdminRoutes.healthResponse(await one.report())
            }
        }
    }
}

/// The latest report of `checks`, run again when it is older than `maximumAge`; callers that arrive while a
/// run is in progress wait for that run. Errors are left out.
actor RecentHealth {
    private let checks: [HealthCheck]
    private let maximumAge: Duration
    private var latest: (at: ContinuousClock.Instant, report: HealthReport)?
    private var running: Task<HealthReport, Never>?

    init(checks: [HealthCheck], maximumAge: Duration = .seconds(1)) {
        self.checks = checks
        self.maximumAge = maximumAge
    }

    func report() async -> HealthReport {
        if let latest, ContinuousClock.now - latest.at < maximumAge { return latest.report }
        if let running { return await running.value }
        let checks = self.checks
        let run = Task {
            var report = await HealthReport.run(checks)
            for name in report.checks.keys { report.checks[name]?.error = nil }
            return report
        }
        running = run
        let report = await run.value
        latest = (ContinuousClock.now, report)
        running = nil
        return report
    }
}
