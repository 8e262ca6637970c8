import ArkyraCore
import ArkyraTemporal
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import NIOCore
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// Builds `arkyra-api`: the HTTP application with its PostgreSQL pool and Redis client in one service group.
/// Tests call this too, with their own configuration.
package func buildApplication(
    configuration: APIConfiguration,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger
) -> some ApplicationProtocol {
    let service = configuration.service
    let database = Database(configuration: service.database, logger: logger)
    let redis = RedisClient(configuration: service.redis)
    // Platforms are called when channels are connected; the client follows no redirects (see PlatformHTTP).
    let platformClient = PlatformHTTPClient(connectionsPerHost: 8)
    let revocations = RevokedSessions(
        database: database, sessions: SessionRepository(logger: logger), accessTokenLifetime: configuration.security.accessTokenLifetime, logger: logger
    )
    let hub = EventHub(redis: redis, database: database, revocations: revocations, logger: logger)
    // Workflows are started, signalled and queried on Temporal; the API stays ready while Temporal is down (those
    // routes answer 503).
    let temporal = TemporalConnection(configuration: service.orchestration.temporal, logger: logger)
    let router = buildRouter(
        configuration: configuration, database: database, redis: redis, httpClient: platformClient.client,
        revocations: revocations, eventHub: hub, temporal: temporal.client, logger: logger
    )
    let events = EventStream(
        verifier: AccessTokenVerifier(signer: JWTSigner(secret: configuration.security.jwtSecret), revocations: revocations),
        organizations: OrganizationRepository(logger: logger), database: database, hub: hub,
        limiter: RateLimiter(redis: redis), upgradesPerMinute: configuration.rateLimits.perAddress, publicURL: configuration.mail.publicURL
    )
    let clientAddress = ClientAddressMiddleware(trustedProxies: configuration.trustedProxies)
    // Probes and scrapes on their own port, which need not be exposed beyond the cluster.
    let admin = AdminRoutes.application(
        host: service.adminHost, port: service.adminPort,
        checks: apiHealthChecks(database, redis, apiStorage(configuration, client: platformClient.client)),
        metrics: metrics, pools: PoolMetrics(database: database, redis: redis), services: [], logger: logger
    )
    var app = Application(
        router: router,
        server: HTTPServerBuilder { responder in
            let limit = TimeAmount(configuration.headerTimeout)
            return HeadDeadlineChannel(
                base: HTTP1WebSocketUpgradeChannel(
                    responder: responder,
                    configuration: .init(http1: .init(additionalChannelHandlers: [NextHeadDeadline(limit: limit)], idleTimeout: TimeAmount(configuration.idleTimeout))),
                    shouldUpgrade: { request, channel, _ in
                        let peer = channel.remoteAddress?.ipAddress
                        return await events.shouldUpgrade(
                            request, from: clientAddress.address(peer: peer, forwardedFor: request.headerFields[values: ClientAddressMiddleware.forwardedFor])
                        )
                    }
                ),
                limit: limit
            )
        },
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: [platformClient, database, redis, revocations, hub, temporal, admin],
        logger: logger
    )
    if configuration.migrateOnStart {
        // Until PostgreSQL answers, the public port stays closed and the admin port's /health says why.
        app.beforeServerStarts {
            let runner = MigrationRunner(client: database, migrations: try Migration.bundled(), logger: logger)
            try await cancelWhenGracefulShutdown { try await runner.applyWaitingForDatabase() }
        }
    }
    return app
}

/// What the API's readiness depends on: PostgreSQL, Redis and the media storage (the public `/health`
/// and the admin port's).
func apiHealthChecks(_ database: Database, _ redis: RedisClient, _ storage: any MediaStorage) -> [HealthCheck] {
    [.database(database), .redis(redis), .storage(storage)]
}

/// The media storage the configuration names (local read URLs point at the API's public URL and are signed
/// with a key derived from the JWT secret).
func apiStorage(_ configuration: APIConfiguration, client: HTTPClient) -> any MediaStorage {
    configuration.service.storage.makeStorage(client: client, publicURL: configuration.mail.publicURL, signingSecret: configuration.security.jwtSecret)
}

/// The API's routes and middleware, on clients the caller runs. `revocations` should run in the caller's
/// service group too; without it (or while it is not running) every request asks PostgreSQL.
package func buildRouter(
    configuration: APIConfiguration,
    database: Database,
    redis: RedisClient,
    httpClient: HTTPClient,
    revocations given: RevokedSessions? = nil,
    eventHub: EventHub? = nil,
    temporal: TemporalClient? = nil,
    webAssets web: WebAssets = .bundled,
    logger: Logger
) -> Router<AppRequestContext> {
    let service = configuration.service
    let security = configuration.security
    let platformHTTP = PlatformHTTP(client: httpClient, timeout: service.outbound.timeout, policy: OutboundURLPolicy(allowPrivateHosts: service.outbound.allowPrivateHosts))
    let providers = ProviderRegistry.all(http: platformHTTP, platforms: service.platforms)
    let audit = AuditRepository(logger: logger)
    let signer = JWTSigner(secret: security.jwtSecret)
    let limits = configuration.rateLimits
    let limiter = RateLimiter(redis: redis)
    let organizations = OrganizationService(
        database: database, organizations: OrganizationRepository(logger: logger), audit: audit,
        budget: OrganizationBudget(limiter: limiter, perMinute: limits.perOrganization, logger: logger), logger: logger
    )
    let revocations = given ?? RevokedSessions(
        database: database, sessions: SessionRepository(logger: logger), accessTokenLifetime: security.accessTokenLifetime, logger: logger
    )
    let sessions = SessionService(
        database: database, sessions: SessionRepository(logger: logger), users: UserRepository(logger: logger), audit: audit, signer: signer,
        revocations: revocations, accessTokenLifetime: security.accessTokenLifetime, refreshTokenLifetime: security.refreshTokenLifetime,
        logger: logger
    )
    let mailer = Mailer(queue: JobQueue(name: .notification, redis: redis), cipher: TokenCipher(keys: security.encryptionKeys), configuration: configuration.mail)
    let accountMail = AccountMailService(
        database: database, users: UserRepository(logger: logger), tokens: AccountTokenRepository(logger: logger), audit: audit,
        hasher: PasswordHasher(cost: security.bcryptCost), sessions: sessions, limiter: RateLimiter(redis: redis), mailer: mailer, logger: logger
    )
    let accounts = AccountService(
        database: database, users: UserRepository(logger: logger), audit: audit, hasher: PasswordHasher(cost: security.bcryptCost),
        sessions: sessions, mail: accountMail, limiter: RateLimiter(redis: redis), registrationEnabled: configuration.registrationEnabled, logger: logger
    )
    let integrations = IntegrationService(
        database: database, integrations: IntegrationRepository(logger: logger), customers: CustomerRepository(logger: logger), audit: audit, providers: providers,
        secrets: ChannelSecrets(cipher: TokenCipher(keys: security.encryptionKeys)), urlPolicy: OutboundURLPolicy(allowPrivateHosts: service.outbound.allowPrivateHosts),
        logger: logger
    )
    let posts = PostService(
        database: database, posts: PostRepository(logger: logger), integrations: IntegrationRepository(logger: logger), audit: audit,
        providers: providers, queue: JobQueue(name: .publish, redis: redis), templates: TemplateRepository(logger: logger), media: MediaRepository(logger: logger),
        duplicateWindow: TimeInterval(configuration.duplicateWindowHours * 3600), logger: logger
    )
    let members = MemberService(
        database: database, organizations: OrganizationRepository(logger: logger), memberships: MembershipRepository(logger: logger), invitations: InvitationRepository(logger: logger),
        users: UserRepository(logger: logger), audit: audit, mailer: mailer, limiter: limiter, logger: logger
    )
    let bodyLimit = configuration.maxBodyBytes

    let keys = APIKeyService(database: database, keys: APIKeyRepository(logger: logger), audit: audit, logger: logger)

    let browser = BrowserSession(publicURL: configuration.mail.publicURL, refreshLifetime: security.refreshTokenLifetime, secret: security.jwtSecret)
    let connections = OAuthConnectService(
        redis: redis, providers: providers, integrations: integrations, organizations: organizations, publicURL: configuration.mail.publicURL,
        cipher: TokenCipher(keys: security.encryptionKeys), logger: logger
    )

    let router = Router(context: AppRequestContext.self)
    // Outermost, so it counts the status the client receives (after ErrorMiddleware), by route template.
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ClientAddressMiddleware(trustedProxies: configuration.trustedProxies))
    router.add(middleware: ErrorMiddleware())

    // A browser is sent to the web app; API clients get the map of the API.
    router.get { request, _ in
        if request.headers[.accept]?.contains("text/html") == true { return WebSessionMiddleware.redirect(to: "/app") }
        return try JSONBody.response(["name": "ARKYRA", "api": "/api/v1", "public_api": "/public/v1", "health": "/health", "openapi": "/openapi.json", "docs": "/docs"])
    }
    let storage = apiStorage(configuration, client: httpClient)
    HealthRoutes(checks: apiHealthChecks(database, redis, storage)).add(to: router)
    if let local = storage as? LocalFileStorage { MediaFileRoutes(storage: local).add(to: router) }
    let media = MediaService(
        database: database, media: MediaRepository(logger: logger), posts: PostRepository(logger: logger), audit: audit, storage: storage,
        queue: JobQueue(name: .media, redis: redis),
        limits: service.storage.limits,
        stagingFolder: service.storage.localPath + "/.staging", logger: logger
    )
    let fetcher = MediaFetcher(
        client: httpClient, policy: OutboundURLPolicy(allowPrivateHosts: service.outbound.allowPrivateHosts), timeout: .seconds(120)
    )
    DocsRoutes().add(to: router)
    // Limits per user (or address) for the API of ARKYRA's own clients and the web app's pages alike; the
    // organization's budget is charged by OrganizationService.authorize, once the caller is a member.
    let perUserOrAddress = RateLimitMiddleware(limiter: limiter) { _, context in
        if let userID = context.userID { return [("user:\(userID)", limits.perUser)] }
        return [("address:\(context.clientAddress ?? "unknown")", limits.perAddress)]
    }
    let privacyService = PrivacyService(
        database: database, privacy: PrivacyRepository(logger: logger), users: UserRepository(logger: logger),
        hasher: PasswordHasher(cost: security.bcryptCost), audit: audit, queue: JobQueue(name: .publish, redis: redis),
        revocations: revocations, sessions: SessionRepository(logger: logger), logger: logger
    )
    let customers = CustomerService(customers: CustomerRepository(logger: logger), audit: audit, database: database, logger: logger)
    WebRoutes(pages: WebPages(
        renderer: PageRenderer(assets: web, browser: browser), browser: browser, accounts: accounts, mail: accountMail, sessions: sessions,
        organizations: organizations, members: members, keys: keys, audit: audit, notifications: NotificationRepository(logger: logger), privacy: privacyService,
        users: UserRepository(logger: logger), posts: posts, media: media, integrations: integrations, customers: customers, connections: connections, providers: providers, database: database,
        publicURL: configuration.mail.publicURL
    ), verifier: AccessTokenVerifier(signer: signer, revocations: revocations), rateLimit: perUserOrAddress).add(to: router)

    // The API of ARKYRA's own clients: access tokens, limits per user (or address); the organization's
    // budget is charged by OrganizationService.authorize, once the caller is known to be a member.
    let v1 = router.group("api/v1")
        .add(middleware: AuthenticationMiddleware(verifier: AccessTokenVerifier(signer: signer, revocations: revocations), browser: browser))
        .add(middleware: perUserOrAddress)
    let auth = AuthRoutes(accounts: accounts, sessions: sessions, mail: accountMail, maxBodyBytes: bodyLimit)
    auth.add(to: v1.group("auth"))
    let authenticated = v1.group(context: AuthenticatedContext.self)
    auth.add(authenticated: authenticated.group("auth"))
    OrganizationRoutes(organizations: organizations, maxBodyBytes: bodyLimit).add(to: authenticated.group("organizations"))
    let memberRoutes = MemberRoutes(organizations: organizations, members: members, maxBodyBytes: bodyLimit)
    memberRoutes.add(to: authenticated.group("organizations/:organization"))
    memberRoutes.add(invitations: authenticated.group("invitations"))
    IntegrationRoutes(organizations: organizations, integrations: integrations, posts: posts, maxBodyBytes: bodyLimit)
        .add(to: authenticated.group("organizations/:organization/integrations"))
    let oauth = OAuthRoutes(organizations: organizations, connections: connections)
    oauth.add(start: authenticated.group("organizations/:organization/integrations/oauth"))
    oauth.add(choices: authenticated.group("organizations/:organization/integrations/pending"), maxBodyBytes: bodyLimit)
    oauth.add(callback: v1.group("oauth"))
    ChatCodeRoutes(organizations: organizations, connections: ChatCodeConnectService(
        redis: redis, telegram: TelegramProvider(http: platformHTTP, bot: service.platforms.telegram), integrations: integrations,
        organizations: organizations, logger: logger
    )).add(to: authenticated.group("organizations/:organization/integrations/telegram"))
    PostRoutes(organizations: organizations, posts: posts, maxBodyBytes: bodyLimit)
        .add(to: authenticated.group("organizations/:organization/posts"))
    NotificationRoutes(organizations: organizations, notifications: NotificationRepository(logger: logger), database: database, hub: eventHub)
        .add(to: authenticated.group("organizations/:organization"))
    DeadJobRoutes(
        organizations: organizations, deadJobs: DeadJobRepository(client: database, logger: logger), posts: PostRepository(logger: logger),
        database: database, redis: redis
    ).add(to: authenticated.group("organizations/:organization/dead-jobs"))
    AuditRoutes(organizations: organizations, audit: audit, database: database).add(to: authenticated.group("organizations/:organization"))
    let collaborationService = CollaborationService(
        database: database, posts: PostRepository(logger: logger), integrations: IntegrationRepository(logger: logger),
        comments: CommentRepository(logger: logger),
        previews: PreviewLinkRepository(logger: logger), users: UserRepository(logger: logger), audit: audit, logger: logger
    )
    let collaboration = CollaborationRoutes(organizations: organizations, collaboration: collaborationService, maxBodyBytes: bodyLimit)
    collaboration.add(to: authenticated.group("organizations/:organization/posts/:post"))
    let workflowAccess = WorkflowAccess(
        database: database, posts: PostRepository(logger: logger), audit: audit, redis: redis, temporal: temporal,
        taskQueue: service.orchestration.taskQueue
    )
    let workflows = WorkflowRoutes(
        organizations: organizations, access: workflowAccess, approvals: ApprovalService(access: workflowAccess, logger: logger),
        series: SeriesService(access: workflowAccess, logger: logger),
        campaigns: CampaignService(access: workflowAccess, countsWaitSeconds: service.orchestration.campaignCountsWaitSeconds, logger: logger),
        maxBodyBytes: bodyLimit
    )
    workflows.add(toPost: authenticated.group("organizations/:organization/posts/:post"))
    workflows.add(toOrganization: authenticated.group("organizations/:organization"))
    TemplateRoutes(organizations: organizations, templates: TemplateRepository(logger: logger), database: database, maxBodyBytes: bodyLimit)
        .add(to: authenticated.group("organizations/:organization"))
    let privacy = PrivacyRoutes(organizations: organizations, privacy: privacyService, maxBodyBytes: bodyLimit)
    privacy.add(me: authenticated.group("me"))
    privacy.add(organization: authenticated.group("organizations/:organization"))
    CustomerRoutes(organizations: organizations, customers: customers, maxBodyBytes: bodyLimit)
        .add(to: authenticated.group("organizations/:organization/customers"))
    APIKeyRoutes(organizations: organizations, keys: keys, maxBodyBytes: bodyLimit)
        .add(to: authenticated.group("organizations/:organization/api-keys"))
    MediaRoutes(organizations: organizations, media: media, fetcher: fetcher, redis: redis, maxBodyBytes: bodyLimit)
        .add(to: authenticated.group("organizations/:organization/media"))

    // Preview links: no login, the link is the key; limited per client address.
    collaboration.add(preview: router.group("preview").add(middleware: RateLimitMiddleware(limiter: limiter) { _, context in
        [("preview-address:\(context.clientAddress ?? "unknown")", limits.perAddress)]
    }), page: PreviewPage(renderer: PageRenderer(assets: web, browser: browser), collaboration: collaborationService))

    // The public API for integrators (Postiz-compatible): API keys, limits per key and per organization.
    let publicAPI = router.group("public/v1")
        // Before the key is looked up: bounds what unknown keys cost (10× the address budget, for integrators
        // that share an address).
        .add(middleware: RateLimitMiddleware(limiter: limiter) { _, context in
            [("public-address:\(context.clientAddress ?? "unknown")", limits.perAddress * 10)]
        })
        .add(middleware: APIKeyMiddleware(keys: keys))
        .add(middleware: RateLimitMiddleware(limiter: limiter) { _, context in
            guard let key = context.apiKeyID, let organization = context.apiOrganizationID else { return [] }
            return [("api-key:\(key)", limits.perAPIKey), ("organization:\(organization)", limits.perOrganization)]
        })
    let publicGroup = publicAPI.group(context: PublicAPIContext.self)
    PublicRoutes(posts: posts, integrations: integrations, notifications: NotificationRepository(logger: logger), media: media, database: database,
                 maxBodyBytes: bodyLimit)
        .add(to: publicGroup)
    PublicMediaRoutes(media: media, fetcher: fetcher, maxBodyBytes: bodyLimit).add(to: publicGroup)
    return router
}
