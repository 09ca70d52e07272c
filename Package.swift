// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-r2d",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "swift-r2d", targets: ["swift-r2d"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // C libraries from the system (headers in /usr/include). Only their Swift faces import them; the module maps
        // link nothing, and the Swift faces link the static archives (see `StaticArchives`).
        .systemLibrary(name: "CLibGit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CLibArchive", providers: [.apt(["libarchive-dev", "libacl1-dev", "libzstd-dev", "liblz4-dev"])]),
        .systemLibrary(name: "CLibYAML", providers: [.apt(["libyaml-dev"])]),

        // The leaf every module may share: one-line message text, UTC timestamps, hex, temporary directories.
        .target(name: "R2DBasics", exclude: ["README.md"]),

        // The one redaction of secrets in messages, logs and labels; pure Swift, no dependencies (see its README).
        .target(name: "R2DRedaction", exclude: ["README.md"]),

        // Child programs (credential helpers, hg): both pipes read at once, a timeout, killed with their process
        // group on cancellation; swift-subprocess underneath, nothing of swift-r2d's (see its README).
        .target(
            name: "R2DSubprocess",
            dependencies: [.product(name: "Subprocess", package: "swift-subprocess")],
            exclude: ["README.md"]),

        // What swift-r2d's own HTTP clients share: failing a connection at once, and saying why (see its README).
        .target(
            name: "R2DHTTP",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ], exclude: ["README.md"]),

        // Swift faces of the C libraries.
        .target(
            name: "R2DGit", dependencies: ["CLibGit2", "R2DBasics", "R2DRedaction"], exclude: ["README.md"],
            linkerSettings: StaticArchives.libgit2),
        .target(
            name: "R2DArchive", dependencies: ["CLibArchive", "CLibArchiveLink"], exclude: ["README.md"],
            linkerSettings: StaticArchives.libarchive),
        .target(name: "CLibArchiveLink", exclude: ["README.md"]),
        .target(name: "R2DYAML", dependencies: ["CLibYAML"], exclude: ["README.md"], linkerSettings: StaticArchives.libyaml),
        // TOML 1.0, pure Swift (see its README for why not TOMLKit).
        .target(name: "R2DTOML", exclude: ["README.md"]),

        // The reproducible build context: ignore rules, tree walk, tar stream, digest.
        .target(
            name: "R2DBuildContext",
            dependencies: [
                "R2DArchive", "R2DBasics",
                .product(name: "Crypto", package: "swift-crypto"),
            ], exclude: ["README.md"]),

        // Files the generated Dockerfiles copy into images (entrypoint, uv installer, Jupyter locks),
        // compiled into the binary as string literals in Buildpacks/EmbeddedFiles.swift (written by
        // Buildpacks/base/embed-assets.sh): as .embedInCode byte arrays the locks take many minutes to compile.
        .target(
            name: "R2DBuildpackAssets",
            path: "Buildpacks",
            exclude: ["base", "python", "conda", "julia", "nix", "pixi"]
        ),

        // Pure detection and rendering: reads the checkout, nothing else.
        // YAML through libyaml (R2DYAML), TOML through R2DTOML.
        .target(name: "R2DBuildpacks", dependencies: ["R2DBasics", "R2DBuildpackAssets", "R2DYAML", "R2DTOML"], exclude: ["README.md"]),

        // Docker / Podman Engine API client.
        .target(
            name: "R2DEngine",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "R2DBuildKitProgress", "R2DBuildKitSession", "R2DHTTP",
            ], exclude: ["README.md"]),

        // The client side of a BuildKit session (POST /session upgraded to HTTP/2, gRPC served to the daemon): file
        // sync of the build context snapshot, build secrets, registry credentials, health. Its .pb.swift files are
        // generated by scripts/generate-protobuf.sh from Protos/buildkit-session and committed (see its README).
        .target(
            name: "R2DBuildKitSession",
            dependencies: [
                "R2DBuildContext",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], exclude: ["README.md"]),

        // BuildKit's build progress (the base64 StatusResponse of each moby.buildkit.trace line) as plain text,
        // in the style of `docker buildx build --progress plain`. Its .pb.swift is generated by
        // scripts/generate-protobuf.sh from Protos/buildkit and committed.
        .target(
            name: "R2DBuildKitProgress",
            dependencies: ["R2DBasics", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["README.md"]),

        // Registry credentials (config.json, helpers, CONTAINER_ENGINE_REGISTRY_CREDENTIALS) and the
        // "is this tag already pushed?" check against the registry's v2 API.
        .target(
            name: "R2DRegistry",
            dependencies: [
                "R2DBasics", "R2DHTTP", "R2DSubprocess",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ], exclude: ["README.md"]),

        // Data repositories (Zenodo, Figshare, Dataverse, HydroShare, CKAN, Software Heritage) and Mercurial.
        .target(
            name: "R2DContentProviders",
            dependencies: [
                "R2DArchive", "R2DBasics", "R2DHTTP", "R2DSubprocess",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ], exclude: ["README.md"]),

        // Orchestration: fetch → detect → render → context → build → tag → push → run.
        .target(
            name: "R2DCore",
            dependencies: [
                "R2DArchive", "R2DBasics", "R2DGit", "R2DBuildContext", "R2DBuildpacks", "R2DEngine", "R2DRegistry",
                "R2DContentProviders",
                "R2DRedaction", "R2DHTTP", "R2DBuildKitSession",
                .product(name: "Crypto", package: "swift-crypto"),
            ], exclude: ["README.md"]),

        // Command line (ArgumentParser) and the one-file executable.
        .target(
            name: "R2DCommands",
            dependencies: [
                "R2DBasics", "R2DCore", "R2DBuildpacks", "R2DContentProviders", "R2DRedaction", "R2DHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], exclude: ["README.md"]),
        .executableTarget(name: "swift-r2d", dependencies: ["R2DCommands"]),

        // Test-only, never linked into swift-r2d: libgit2 authoring (init, commit, branch, tag) and the tar reader.
        .target(name: "R2DGitTestSupport", dependencies: ["CLibGit2", "R2DGit"], exclude: ["README.md"]),
        .target(name: "R2DArchiveTestSupport", dependencies: ["CLibArchive", "R2DArchive"], exclude: ["README.md"]),

        // Shared test helpers (temporary git repositories, fixtures, stub engine server, scripted engine).
        .target(
            name: "R2DTestSupport",
            dependencies: [
                "R2DGit", "R2DGitTestSupport", "R2DEngine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ], exclude: ["README.md"]),

        .testTarget(name: "R2DBasicsTests", dependencies: ["R2DBasics"]),
        .testTarget(name: "R2DRedactionTests", dependencies: ["R2DRedaction"]),
        .testTarget(name: "R2DSubprocessTests", dependencies: ["R2DSubprocess"]),
        .testTarget(
            name: "R2DHTTPTests",
            dependencies: [
                "R2DHTTP", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(name: "R2DYAMLTests", dependencies: ["R2DYAML"]),
        .testTarget(name: "R2DGitTests", dependencies: ["R2DGit", "R2DGitTestSupport", "R2DTestSupport"]),
        .testTarget(
            name: "R2DBuildContextTests",
            dependencies: [
                "R2DBasics", "R2DBuildContext", "R2DArchive", "R2DArchiveTestSupport", "R2DTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "R2DBuildpacksTests", dependencies: ["R2DBasics", "R2DBuildpacks", "R2DYAML", "R2DTOML", "R2DTestSupport"],
            exclude: ["Golden", "Forms"]),
        .testTarget(
            name: "R2DBuildKitProgressTests",
            dependencies: ["R2DBuildKitProgress", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Recorded"]),
        .testTarget(name: "R2DEngineTests", dependencies: ["R2DEngine", "R2DTestSupport"]),
        .testTarget(
            name: "R2DBuildKitSessionTests",
            dependencies: [
                "R2DBuildKitSession", "R2DBuildContext", "R2DArchive", "R2DArchiveTestSupport",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"), .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .testTarget(name: "R2DRegistryTests", dependencies: ["R2DBasics", "R2DRegistry", "R2DTestSupport"]),
        .testTarget(name: "R2DContentProvidersTests", dependencies: ["R2DContentProviders", "R2DArchive", "R2DTestSupport"]),
        .testTarget(name: "R2DCoreTests", dependencies: ["R2DBasics", "R2DCore", "R2DTestSupport"]),
        .testTarget(name: "R2DCommandsTests", dependencies: ["R2DCommands", "R2DTestSupport"]),
        .testTarget(
            name: "R2DIntegrationTests",
            dependencies: [
                "R2DBasics", "R2DCore", "R2DEngine", "R2DGit", "R2DGitTestSupport", "R2DRegistry", "R2DTestSupport",
                "R2DBuildContext", "R2DBuildKitSession",
            ],
            exclude: ["Support"]),
    ]
)

/// Debian's static archives of the C libraries and of what they need, in link order (`pkg-config --static --libs`),
/// linked into the binary rather than loaded at each start: the dynamic loader's symbol lookups across the ~30
/// shared objects they pull in (libxml2 and ICU, libstdc++, mbedtls, krb5…) were a third of the start-up time.
/// `-l:NAME` names the file itself, so the linker cannot pick the shared object. GSSAPI (libgit2's Negotiate
/// authentication) ships no static archive and stays shared. libxml2 (and the ICU libraries it loads) is not linked
/// at all: libarchive's pax writer would pull in its table of every writer, xar's among them, but CLibArchiveLink
/// defines the one helper it wants from there.
enum StaticArchives {
    static func archives(_ names: [String], shared: [String] = []) -> [LinkerSetting] {
        names.map { .linkedLibrary(":lib\($0).a", .when(platforms: [.linux])) }
            + shared.map { .linkedLibrary($0, .when(platforms: [.linux])) }
    }
    static let libgit2 = archives(
        ["git2", "mbedtls", "mbedx509", "mbedcrypto", "http_parser", "ssh2", "crypto", "pcre2-8", "z"],
        shared: [":libgssapi_krb5.so.2", "rt", "dl", "pthread"])
    static let libarchive = archives(["archive", "nettle", "acl", "lzma", "zstd", "lz4", "bz2", "z"])
    static let libyaml = archives(["yaml"])
}
