extension EngineClient {
    /// BuildKit's build API (`version=2` of `POST /build`) arrived with API 1.39 (Docker 18.09).
    static let firstBuildKitAPIVersion = APIVersion(major: 1, minor: 39)

    /// Which builders the engine offers. Podman answers the compatible API with its own builder; Docker has
    /// BuildKit from API 1.39. On the containerd image store a build whose context is the request body fails
    /// ("failed to read downloaded context", moby/moby #47717), so there the session's file sync sends it.
    public func builderSupport() async throws -> BuilderSupport {
        let version = try await self.version()
        if version.isPodman {
            return BuilderSupport(isPodman: true, buildKitUnavailable: "Podman \(version.version) builds with its own builder")
        }
        guard let api = Self.parseVersion(version.apiVersion), api >= Self.firstBuildKitAPIVersion else {
            return BuilderSupport(
                isPodman: false,
                buildKitUnavailable: "Docker \(version.version) (API \(version.apiVersion)) is older than BuildKit's API 1.39")
        }
        return BuilderSupport(
            isPodman: false, buildKitUnavailable: nil, hasBridgeNetwork: try await hasBridgeNetwork(),
            buildKitNeedsSessionContext: try await usesContainerdImageStore())
    }

    /// `GET /networks/bridge`: 404 on a daemon started with `--bridge=none`.
    func hasBridgeNetwork() async throws -> Bool {
        let response = try await send(.GET, "/networks/bridge")
        _ = try? await response.body.collect(upTo: 1 << 20)
        if response.status.code == 404 { return false }
        try await requireSuccess(response)
        return true
    }

    /// Whether `GET /info` names containerd's snapshotter as the storage driver's type.
    func usesContainerdImageStore() async throws -> Bool {
        struct Info: Decodable {
            var DriverStatus: [[String]]?
        }
        let info: Info = try await json(.GET, "/info")
        return (info.DriverStatus ?? []).contains { pair in
            pair.count == 2 && pair[0] == "driver-type" && pair[1].hasPrefix("io.containerd.snapshotter")
        }
    }
}
