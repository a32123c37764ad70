// swift-tools-version:6.0
// Waymark: an event-sourced record of missing-children episodes on an append-only log.
// No package dependencies: the toolchain (Foundation, Glibc, XCTest) is the whole list.
import PackageDescription

let package = Package(
    name: "Waymark",
    products: [
        .executable(name: "waymark", targets: ["waymark"]),
    ],
    targets: [
        // CPU instructions and system calls Swift cannot reach directly (CRC-32C via SSE4.2).
        .target(name: "CWaymarkSystem"),
        // Segmented append-only storage: bytes, offsets and timestamps; nothing about children.
        .target(name: "WaymarkLog", dependencies: ["CWaymarkSystem", "WaymarkTime"]),
        // Instants and dates: RFC 3339 parsing and printing, civil calendar arithmetic.
        .target(name: "WaymarkTime"),
        // JSON, RFC 3339 times, the event envelope and its validation; nothing about files.
        .target(name: "WaymarkEvents", dependencies: ["WaymarkTime"]),
        // Events on the log: validated envelopes in, envelopes with offset and recordedAt out.
        .target(name: "WaymarkStore", dependencies: ["WaymarkLog", "WaymarkEvents", "CWaymarkSystem"]),
        // Agency feeds to events: CSV, one adapter per feed, snapshot diffing, quarantine, the
        // synthetic feed generator.
        .target(name: "WaymarkIngest", dependencies: ["WaymarkStore", "WaymarkEvents", "WaymarkLog", "WaymarkTime"]),
        // Projectors: identity linking, episode merging, counting rules, the read models,
        // checkpoints and atomic publication, diffs.
        .target(name: "WaymarkProjections", dependencies: ["WaymarkStore", "WaymarkEvents", "WaymarkLog", "WaymarkTime", "CWaymarkSystem"]),
        // The command line: parses arguments and calls the libraries.
        .executableTarget(name: "waymark", dependencies: ["WaymarkProjections", "WaymarkIngest", "WaymarkStore", "WaymarkLog", "WaymarkEvents", "CWaymarkSystem"]),
        // The inputs Waymark reads from others as fuzz targets (`make fuzz`; replayed by `make test`).
        .target(name: "WaymarkFuzz", dependencies: ["WaymarkStore", "WaymarkEvents", "WaymarkLog"]),
        // Helpers for tests: temporary directories and running the real `waymark` binary.
        .target(name: "WaymarkTestSupport", dependencies: ["WaymarkLog"], path: "Sources/WaymarkTestSupport"),
        .testTarget(name: "WaymarkLogTests", dependencies: ["WaymarkLog", "WaymarkTestSupport"]),
        .testTarget(name: "WaymarkEventsTests", dependencies: ["WaymarkEvents", "WaymarkTime", "WaymarkTestSupport"]),
        .testTarget(name: "WaymarkTimeTests", dependencies: ["WaymarkTime"]),
        .testTarget(name: "WaymarkIngestTests", dependencies: ["WaymarkIngest", "WaymarkEvents", "WaymarkStore", "WaymarkLog", "WaymarkTestSupport"]),
        .testTarget(name: "WaymarkProjectionsTests", dependencies: ["WaymarkProjections", "CWaymarkSystem", "WaymarkIngest", "WaymarkEvents", "WaymarkStore", "WaymarkLog", "WaymarkTime", "WaymarkTestSupport"]),
        .testTarget(name: "WaymarkFuzzTests", dependencies: ["WaymarkFuzz", "WaymarkIngest", "WaymarkTestSupport"]),
        .testTarget(name: "WaymarkCLITests", dependencies: ["WaymarkLog", "WaymarkStore", "WaymarkTestSupport"]),
    ]
)
