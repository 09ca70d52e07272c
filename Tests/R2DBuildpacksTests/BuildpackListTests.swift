import Foundation
import Testing
@testable import R2DBuildpacks

@Suite("The buildpack list and its seams")
struct BuildpackListTests {
    /// repo2docker's order, with swift-r2d's lock pathways (pixi, uv.lock, pylock) ahead of the unlocked file of
    /// their kind (Docs/environments.md).
    @Test("the list is repo2docker's detection order, one buildpack per kind")
    func order() {
        #expect(BuildpackChain.order == [.docker, .julia, .juliaRequire, .nix, .r, .pixi, .conda, .uvLock, .pylock, .pipfile, .python])
        #expect(Set(BuildpackChain.order) == Set(BuildpackKind.allCases))
        #expect(BuildpackChain.order.count == BuildpackKind.allCases.count)
        #expect(BuildpackChain.defaultBuildpack.kind == .python)
        for kind in BuildpackKind.allCases { #expect(kind.buildpack.kind == kind) }
    }

    @Test(
        "repo2docker's class names, for the build log",
        arguments: [
            (BuildpackKind.docker, "DockerBuildPack"), (.julia, "JuliaProjectTomlBuildPack"), (.juliaRequire, "JuliaRequireBuildPack"),
            (.nix, "NixBuildPack"), (.r, "RBuildPack"), (.conda, "CondaBuildPack"), (.pipfile, "PipfileBuildPack"),
            (.python, "PythonBuildPack"), (.pixi, "PixiBuildPack"), (.uvLock, "UVLockBuildPack"), (.pylock, "PylockBuildPack"),
        ])
    func className(kind: BuildpackKind, name: String) {
        #expect(kind.className == name)
    }

    @Test("the detect --json names stay as they were")
    func rawValues() {
        #expect(
            BuildpackKind.allCases.map(\.rawValue) == [
                "docker", "julia", "julia-require", "nix", "r", "conda", "pipfile", "pixi", "uv-lock", "pylock", "python",
            ])
    }
}

@Suite("The image architecture, parsed once from the platform")
struct ArchitectureTests {
    @Test(
        "platform spellings",
        arguments: [
            ("linux/amd64", Architecture.amd64), ("amd64", .amd64), ("x86_64", .amd64), ("LINUX/AMD64", .amd64),
            ("linux/arm64", .arm64), ("linux/arm64/v8", .arm64), ("arm64", .arm64), ("aarch64", .arm64),
        ] as [(String, Architecture)])
    func parses(platform: String, architecture: Architecture) {
        #expect(Architecture(platform: platform) == architecture)
    }

    @Test(
        "platforms no pathway supports",
        arguments: ["linux/s390x", "linux/arm/v7", "linux/amd64/v2", "linux/arm64/v7", "windows/amd64", ""])
    func unsupported(platform: String) {
        #expect(Architecture(platform: platform) == nil)
    }

    @Test("each downloader's spelling")
    func spellings() {
        #expect(Architecture.amd64.condaPlatform == "linux-64" && Architecture.arm64.condaPlatform == "linux-aarch64")
        #expect(
            [Architecture.amd64, .arm64].map { "\($0.juliaArchitecture.name)/\($0.juliaArchitecture.short)" } == [
                "x86_64/x64", "aarch64/aarch64",
            ])
        #expect(Architecture.amd64.nixArchitecture == "x86_64" && Architecture.arm64.nixArchitecture == "aarch64")
        #expect(Architecture.amd64.positArchitecture == "amd64" && Architecture.arm64.positArchitecture == nil)
    }

    /// Renders a scratch repository for `platform` (and removes it).
    private func render(_ files: [String: String], platform: String) throws -> String {
        let repo = try ScratchRepo(files)
        defer { try? FileManager.default.removeItem(atPath: repo.root) }
        let snapshot = try RepoSnapshot(root: repo.root)
        let plan = try BuildpackChain.detect(snapshot)
        return try DockerfileRenderer.render(plan, snapshot: snapshot, options: RenderOptions(platform: platform))
    }

    @Test("an unsupported platform: each pathway's own refusal")
    func refusals() throws {
        #expect(throws: BuildpackError.unsupportedPythonVersion(file: "runtime.txt", version: "3.10")) {
            try render(["requirements.txt": "numpy\n"], platform: "linux/s390x")
        }
        #expect(throws: BuildpackError.unsupportedCondaPython(file: "environment.yml", version: "3.10", platform: "linux/s390x")) {
            try render(["environment.yml": "dependencies: [numpy]\n"], platform: "linux/s390x")
        }
        #expect(throws: BuildpackError.unsupportedCondaPython(file: "runtime.txt", version: "3.10", platform: "linux/s390x")) {
            try render(["runtime.txt": "r-4.4-2024-06-01"], platform: "linux/s390x")
        }
        // Nix has no refusal of its own: an unknown platform keeps the x86_64 installer.
        #expect(try render(["default.nix": ""], platform: "linux/s390x").contains("NIX_ARCH=x86_64 "))
        #expect(try render(["default.nix": ""], platform: "linux/arm64").contains("NIX_ARCH=aarch64 "))
    }

    @Test("Julia's tarball names follow the architecture")
    func julia() throws {
        let arm = try render(["Project.toml": ""], platform: "linux/arm64")
        #expect(arm.contains("ENV JULIA_ARCH=aarch64") && arm.contains("ENV JULIA_ARCH_SHORT=aarch64"))
        let amd = try render(["Project.toml": ""], platform: "linux/amd64")
        #expect(amd.contains("ENV JULIA_ARCH=x86_64") && amd.contains("ENV JULIA_ARCH_SHORT=x64"))
    }
}
