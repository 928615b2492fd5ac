// swift-tools-version:6.2
import PackageDescription

/// Every Swift target builds in Swift 6 mode with complete concurrency checking, and warnings fail the build.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "spiffe-registrar",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spiffe-registrar", targets: ["spiffe-registrar"]),
        .executable(name: "registrar-bench", targets: ["registrar-bench"]),
    ],
    targets: [
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-gnutls-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CGnuTLS", pkgConfig: "gnutls", providers: [.apt(["libgnutls28-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        .target(name: "YAML", dependencies: ["CYAML"], swiftSettings: strict),
        .target(name: "SPIFFE", swiftSettings: strict),
        .target(name: "Kubernetes", dependencies: ["YAML", "SPIFFE"], swiftSettings: strict),
        .target(name: "Registry", dependencies: ["CSQLite"], swiftSettings: strict),
        .target(name: "HTTPClient", dependencies: ["CCurl"], swiftSettings: strict),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD", "CGnuTLS"], swiftSettings: strict),
        .target(
            name: "Reconciler", dependencies: ["YAML", "SPIFFE", "Kubernetes", "Registry"], swiftSettings: strict),
        .target(
            name: "RegistrarServer",
            dependencies: ["YAML", "SPIFFE", "Kubernetes", "Registry", "Reconciler", "HTTPServer", "HTTPClient"],
            swiftSettings: strict),
        .executableTarget(
            name: "spiffe-registrar", dependencies: ["RegistrarServer", "Kubernetes", "SPIFFE", "YAML"],
            swiftSettings: strict),
        .executableTarget(
            name: "registrar-bench",
            dependencies: ["YAML", "Registry", "RegistrarServer", "HTTPServer", "HTTPClient"],
            swiftSettings: strict),
        .executableTarget(name: "registry-crash-writer", dependencies: ["Registry"], swiftSettings: strict),

        .testTarget(name: "YAMLTests", dependencies: ["YAML"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "SPIFFETests", dependencies: ["SPIFFE"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "KubernetesTests", dependencies: ["Kubernetes", "YAML", "SPIFFE"], exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "RegistryTests", dependencies: ["Registry", "registry-crash-writer"], swiftSettings: strict),
        .testTarget(name: "HTTPTests", dependencies: ["HTTPServer", "HTTPClient"], swiftSettings: strict),
        .testTarget(
            name: "ReconcilerTests", dependencies: ["Reconciler", "Kubernetes", "Registry", "YAML"],
            swiftSettings: strict),
        .testTarget(
            name: "RegistrarServerTests",
            dependencies: ["RegistrarServer", "spiffe-registrar", "HTTPClient", "HTTPServer", "Registry"],
            exclude: ["Fixtures"], swiftSettings: strict),
    ]
)
