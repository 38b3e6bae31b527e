// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "supportsync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "supportsync", targets: ["supportsync"]),
        .library(name: "SupportSync", targets: ["SupportSync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
        .target(name: "YAML", dependencies: ["CYAML"]),
        .target(name: "Git", dependencies: ["CLibGit2"]),
        .target(
            name: "SupportSync",
            dependencies: [
                "YAML",
                "Git",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "supportsync",
            dependencies: [
                "SupportSync",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"]),
        .testTarget(name: "GitTests", dependencies: ["Git"]),
        .testTarget(
            name: "SupportSyncTests",
            dependencies: ["SupportSync", "YAML"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "supportsyncTests",
            dependencies: ["supportsync", "SupportSync", "Git"]
        ),
    ]
)
