// swift-tools-version:6.2
// `linq`: an interactive shell and script runner for the Linq Partner API V3.
// Module boundaries are described in README.md ("Architecture") and must stay acyclic:
// LinqJSON <- LinqCore <- LinqShell <- linq;  LinqJSON <- LinqEmulator <- linq;  CLibEdit <- LineEditor <- LinqShell;
// LinqHash (SHA-256/HMAC for webhook signatures, no dependencies) <- LinqCore, LinqEmulator.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "linq",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "linq", targets: ["linq"]),
        .library(name: "LinqCore", targets: ["LinqCore"]),
        .library(name: "LinqEmulator", targets: ["LinqEmulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // No default traits: they pull in full Foundation and swift-configuration, which we do not use.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Only to give the emulator's server a silent logger (Hummingbird logs to stderr by default).
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Header types of the emulator's server (already a dependency of Hummingbird).
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The emulator's connection guard sits in the NIO pipeline (both already dependencies of Hummingbird).
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        // The emulator's state, request log, delivery log and snapshots: SQLite, vendored (nothing to install).
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
    ],
    targets: [
        // libedit's native API through a header-only shim (libedit's el_set/history are variadic).
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // forkpty + execve for the pseudo-terminal tests (only async-signal-safe code between fork and exec).
        .target(name: "CPTY", linkerSettings: [.linkedLibrary("util")]),
        .target(name: "LineEditor", dependencies: ["CLibEdit"], swiftSettings: strict),
        .target(name: "LinqJSON", swiftSettings: strict),
        .target(name: "LinqHash", swiftSettings: strict),
        .target(
            name: "LinqCore",
            dependencies: ["LinqJSON", "LinqHash", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: strict),
        .target(
            name: "LinqEmulator",
            dependencies: [
                "LinqJSON", "LinqHash", .product(name: "Hummingbird", package: "hummingbird"),
                // Webhook deliveries go out through the same HTTP client as the core's.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ],
            swiftSettings: strict),
        .target(
            name: "LinqShell",
            dependencies: [
                "LinqCore", "LineEditor",
                // `webhook listen`: a small HTTP receiver in the shell (NIO is already built for the emulator).
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "linq",
            dependencies: [
                "LinqShell", "LinqEmulator", "LineEditor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        // The transport alone, as the shell drives it: the floor `scripts/bench` subtracts.
        .executableTarget(name: "linq-transport-bench", dependencies: ["LinqCore"], path: "Sources/TransportBench"),
        .target(name: "TestSupport", dependencies: ["LinqCore", "LinqEmulator", "CPTY"], path: "Tests/TestSupport"),
        .testTarget(name: "LinqJSONTests", dependencies: ["LinqJSON"]),
        .testTarget(name: "LinqHashTests", dependencies: ["LinqHash"]),
        .testTarget(name: "LinqCoreTests", dependencies: ["LinqCore", "LinqEmulator", "TestSupport"]),
        .testTarget(
            name: "LinqEmulatorTests",
            dependencies: ["LinqEmulator", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .testTarget(name: "LinqShellTests", dependencies: ["LinqShell", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "linq", "LinqShell", "LinqHash"]),
    ]
)
