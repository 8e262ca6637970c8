import ArkyraCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `/health` (every dependency) and `/health/db`, `/health/redis`, `/health/storage` (one each); 503 when unwell.
struct HealthRoutes {
    let checks: [HealthCheck]

    func add(to router: Router<AppRequestContext>) {
        router.get("health") { _, _ in
            try AdminRoutes.healthResponse(await HealthReport.run(checks))
        }
        for check in checks {
            router.get("health/\(check.name)") { _, _ in
                try AdminRoutes.healthResponse(await HealthReport.run([check]))
            }
        }
    }
}
