// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "supportsync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "supportsync", targets: ["supportsync"]),
        .library(name: "SupportSync", targets: ["SupportSync", "SupportSyncGit", "SupportSyncEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        // Already resolved through Hummingbird; named for NIOHTTPTypes, the
        // response parts the server's parse-error handler rewrites, and
        // NIOHTTPTypesHTTP1, whose codec the HTTP/1.0 handler goes before.
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        // Exact: AES-GCM-SIV is underscored API (`_CryptoExtras`), which may change in any release.
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // glibc's <malloc.h>: the executable's allocator settings, and a pull giving freed memory back.
        .systemLibrary(name: "CMalloc"),
        .target(name: "YAML", dependencies: ["CYAML"]),
        .target(name: "Git", dependencies: ["CLibGit2"]),
        .target(
            name: "SupportSync",
            dependencies: [
                "YAML",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SupportSyncGit",
            dependencies: [
                "CMalloc",
                "SupportSync",
                "YAML",
                "Git",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Sealing customer data with a ticket's key: the platform seals, the tool opens.
        .target(
            name: "TicketSealing",
            dependencies: [
                "SupportSync",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "LocalPlatform",
            dependencies: [
                "SupportSync",
                "TicketSealing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "PlatformWire", dependencies: ["SupportSync"]),
        .target(
            name: "PlatformServer",
            dependencies: [
                "SupportSync",
                "PlatformWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PlatformClient",
            dependencies: [
                "SupportSync",
                "PlatformWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "VapiProvider",
            dependencies: [
                "SupportSync",
                "PlatformClient",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SupportSyncEngine",
            dependencies: [
                "SupportSync",
                "SupportSyncGit",
                "Git",
                "YAML",
                "LocalPlatform",
                "PlatformClient",
                "VapiProvider",
                "TicketSealing",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "supportsync",
            dependencies: [
                "CMalloc",
                "SupportSync",
                "SupportSyncGit",
                "SupportSyncEngine",
                "LocalPlatform",
                "PlatformServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // One test-support target: samples, temporary folders and
        // repositories, the in-process server and the executable runner.
        .target(
            name: "TestSupport",
            dependencies: [
                "SupportSync", "Git", "PlatformServer", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"]),
        .testTarget(name: "GitTests", dependencies: ["Git"]),
        .testTarget(
            name: "SupportSyncTests",
            dependencies: ["SupportSync", "YAML", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LocalPlatformTests",
            dependencies: [
                "LocalPlatform", "SupportSync", "SupportSyncGit", "Git", "TicketSealing", "TestSupport", "YAML",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "PlatformServerTests",
            dependencies: [
                "PlatformServer", "PlatformWire", "LocalPlatform", "SupportSync", "YAML", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "PlatformClientTests",
            dependencies: [
                "PlatformClient", "PlatformServer", "PlatformWire", "LocalPlatform", "SupportSync", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "VapiProviderTests",
            dependencies: [
                "supportsync", "VapiProvider", "PlatformClient", "SupportSync", "SupportSyncEngine", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            // Read and written by path (VapiGoldenTests), not bundled.
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "SupportSyncEngineTests",
            dependencies: ["SupportSyncEngine", "SupportSync", "SupportSyncGit", "LocalPlatform", "Git", "TestSupport"]
        ),
        .testTarget(
            name: "supportsyncTests",
            dependencies: [
                "supportsync", "SupportSync", "SupportSyncGit", "Git", "LocalPlatform", "PlatformServer", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)

// The fuzz targets (libFuzzer), built only by script/fuzz, which sets
// SUPPORTSYNC_FUZZ=1 and builds with -sanitize=fuzzer in a scratch folder
// of their own: each needs only the modules it fuzzes.
if Context.environment["SUPPORTSYNC_FUZZ"] == "1" {
    for (name, dependencies) in [
        ("FuzzAgentFile", ["SupportSync"]), ("FuzzTicketFile", ["SupportSync"]),
        ("FuzzTicketRoundTrip", ["SupportSync"]), ("FuzzRequestBody", ["SupportSync", "PlatformWire"]),
    ] {
        package.targets.append(
            .executableTarget(
                name: name, dependencies: dependencies.map { .target(name: $0) }, path: "Fuzz/\(name)",
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}
