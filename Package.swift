// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "arkyra",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "arkyra-api", targets: ["arkyra-api"]),
        .executable(name: "arkyra-worker", targets: ["arkyra-worker"]),
        .executable(name: "arkyra-cron", targets: ["arkyra-cron"]),
        .executable(name: "arkyra-orchestrator", targets: ["arkyra-orchestrator"]),
        .executable(name: "arkyra-sandbox", targets: ["arkyra-sandbox"]),
        .executable(name: "arkyra-bench", targets: ["arkyra-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        // The web app's server-rendered pages.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        // Temporal's gRPC API (ArkyraTemporal). swift-protobuf is exact: the committed generated code is its output.
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    ],
    targets: [
        // MARK: Libraries
        .target(
            name: "ArkyraCore",
            dependencies: [
                "ArkyraTemporal",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Database/Migrations")],
            swiftSettings: swiftSettings
        ),
        // A small Temporal SDK: the WorkflowService client, workflow and activity workers, JSON payloads.
        .target(
            name: "ArkyraTemporal",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Generated/README.md"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ArkyraAPI",
            dependencies: serviceDependencies + [
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                // The server's child channels and the HTTP parts they carry (for the request-head deadline).
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                // WebSocket close codes (1013 for a refused stream).
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Web/Assets")],
            swiftSettings: swiftSettings
        ),
        .target(name: "ArkyraWorker", dependencies: serviceDependencies, swiftSettings: swiftSettings),
        .target(name: "ArkyraCron", dependencies: serviceDependencies, swiftSettings: swiftSettings),
        .target(name: "ArkyraOrchestrator", dependencies: serviceDependencies, swiftSettings: swiftSettings),
        .target(
            name: "ArkyraSandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        // What the service executables share: their command-line options and how configuration is read.
        .target(
            name: "ArkyraCommandLine",
            dependencies: [
                "ArkyraCore", argumentParser, .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executables (thin: read configuration, build, run)
        .executableTarget(name: "arkyra-api", dependencies: ["ArkyraAPI", "ArkyraCommandLine", argumentParser] + serviceDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "arkyra-worker", dependencies: ["ArkyraWorker", "ArkyraCommandLine", argumentParser] + serviceDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "arkyra-cron", dependencies: ["ArkyraCron", "ArkyraCommandLine", argumentParser] + serviceDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "arkyra-orchestrator", dependencies: ["ArkyraOrchestrator", "ArkyraCommandLine", argumentParser] + serviceDependencies, swiftSettings: swiftSettings),
        .executableTarget(
            name: "arkyra-sandbox",
            dependencies: ["ArkyraSandbox", argumentParser, .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        .executableTarget(name: "arkyra-bench", dependencies: ["ArkyraWorker", argumentParser] + serviceDependencies, swiftSettings: swiftSettings),

        // MARK: Tests
        .target(
            name: "ArkyraTestSupport",
            dependencies: ["ArkyraSandbox"] + serviceDependencies + [.product(name: "HummingbirdTesting", package: "hummingbird")],
            path: "Tests/ArkyraTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArkyraCoreTests",
            dependencies: ["ArkyraSandbox", "ArkyraTestSupport", .product(name: "NIOEmbedded", package: "swift-nio")] + testDependencies,
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArkyraAPITests",
            dependencies: ["ArkyraAPI", "ArkyraWorker", "ArkyraSandbox", "ArkyraTestSupport", .product(name: "HummingbirdWSClient", package: "hummingbird-websocket")]
                + testDependencies,
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ArkyraWorkerTests", dependencies: ["ArkyraWorker", "ArkyraSandbox", "ArkyraTestSupport"] + testDependencies, swiftSettings: swiftSettings),
        .testTarget(name: "ArkyraCronTests", dependencies: ["ArkyraCron", "ArkyraWorker", "ArkyraTestSupport"] + testDependencies, swiftSettings: swiftSettings),
        .testTarget(name: "ArkyraOrchestratorTests", dependencies: ["ArkyraOrchestrator", "ArkyraTestSupport"] + testDependencies,
                    exclude: ["Histories"], swiftSettings: swiftSettings),
        .testTarget(name: "ArkyraTemporalTests", dependencies: ["ArkyraTestSupport"] + testDependencies, exclude: ["Histories"], swiftSettings: swiftSettings),
        .testTarget(name: "ArkyraSandboxTests", dependencies: ["ArkyraSandbox", "ArkyraTestSupport"] + testDependencies, swiftSettings: swiftSettings),
        .testTarget(name: "ArkyraEndToEndTests", dependencies: ["ArkyraTestSupport"] + testDependencies, swiftSettings: swiftSettings),
    ]
)

var argumentParser: Target.Dependency { .product(name: "ArgumentParser", package: "swift-argument-parser") }

/// What every service library uses directly besides ArkyraCore.
var serviceDependencies: [Target.Dependency] {
    [
        "ArkyraCore",
        "ArkyraTemporal",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    ]
}

/// What every test target uses besides its library.
var testDependencies: [Target.Dependency] {
    serviceDependencies + [.product(name: "HummingbirdTesting", package: "hummingbird")]
}
