import Foundation
import R2DBuildContext

/// The config and manifest of an image made of an environment image and layers written here: the
/// environment's config with the steps' changes, its layers with the new ones after them. JSON keys are
/// sorted, so one commit composed twice has one manifest digest.
enum ImageComposition {
    struct Failure: Error, Equatable { let reason: String }

    static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    static let indexTypes: Set<String> = [
        "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
    ]

    /// The parts of `config` (an image config's bytes) the steps read.
    static func runConfig(_ config: [UInt8]) throws -> ComposedSteps.RunConfig {
        let root = try object(config)
        let inner = root["config"] as? [String: Any] ?? [:]
        var run = ComposedSteps.RunConfig()
        run.env = inner["Env"] as? [String] ?? []
        run.user = inner["User"] as? String ?? ""
        run.workingDir = inner["WorkingDir"] as? String ?? ""
        run.entrypoint = inner["Entrypoint"] as? [String]
        run.cmd = inner["Cmd"] as? [String]
        run.labels = inner["Labels"] as? [String: String] ?? [:]
        run.exposedPorts = (inner["ExposedPorts"] as? [String: Any]).map { Array($0.keys).sorted() } ?? []
        return run
    }

    /// The new config: `environment`'s, with the steps' run config, `labels` over them, the layers' diff ids
    /// appended, one history entry per step, and `created` as the image's and the new history's time.
    static func config(
        environment: [UInt8], steps: ComposedSteps, layers: [WrittenLayer], labels: [String: String], created: String
    ) throws -> [UInt8] {
        var root = try object(environment)
        var inner = root["config"] as? [String: Any] ?? [:]
        let run = steps.config
        inner["Env"] = run.env
        inner["User"] = run.user
        inner["Entrypoint"] = run.entrypoint ?? NSNull()
        inner["Cmd"] = run.cmd ?? NSNull()
        inner["Labels"] = run.labels.merging(labels) { _, given in given }
        if !run.exposedPorts.isEmpty { inner["ExposedPorts"] = Dictionary(uniqueKeysWithValues: run.exposedPorts.map { ($0, [:]) }) }
        root["config"] = inner
        var rootfs = root["rootfs"] as? [String: Any] ?? ["type": "layers"]
        rootfs["diff_ids"] = (rootfs["diff_ids"] as? [String] ?? []) + layers.map(\.diffID)
        root["rootfs"] = rootfs
        var history = root["history"] as? [[String: Any]] ?? []
        for step in steps.steps {
            var entry: [String: Any] = ["created": created, "created_by": step.createdBy, "comment": "swift-r2d"]
            if step.copy == nil { entry["empty_layer"] = true }
            history.append(entry)
        }
        root["history"] = history
        root["created"] = created
        // The environment's build container says nothing about this image.
        root["container"] = nil
        root["container_config"] = nil
        return try bytes(root)
    }

    /// A manifest of `environment`'s media type (Docker v2 or OCI): its layers, then `layers`, and `config`.
    static func manifest(environment: [UInt8], mediaType: String, config: [UInt8], layers: [WrittenLayer]) throws -> [UInt8] {
        var root = try object(environment)
        let oci = mediaType == ociManifest
        guard oci || mediaType == dockerManifest else { throw Failure(reason: "the environment's manifest is a \(mediaType)") }
        var configDescriptor = root["config"] as? [String: Any] ?? [:]
        configDescriptor["digest"] = RegistryDigest.of(config)
        configDescriptor["size"] = config.count
        root["config"] = configDescriptor
        let layerType = oci ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.docker.image.rootfs.diff.tar.gzip"
        let added: [[String: Any]] = layers.map { ["mediaType": layerType, "digest": $0.digest, "size": $0.size] }
        root["layers"] = (root["layers"] as? [[String: Any]] ?? []) + added
        root["mediaType"] = mediaType
        root["annotations"] = nil
        return try bytes(root)
    }

    /// The digest of the manifest for `platform` ("linux/amd64", optionally "/variant") in an index.
    static func platformManifest(in index: [UInt8], platform: String) throws -> (digest: String, mediaType: String) {
        let parts = platform.split(separator: "/").map(String.init)
        let entries = try object(index)["manifests"] as? [[String: Any]] ?? []
        for entry in entries {
            guard let wanted = entry["platform"] as? [String: Any], wanted["os"] as? String == parts.first,
                wanted["architecture"] as? String == (parts.count > 1 ? parts[1] : nil),
                parts.count < 3 || wanted["variant"] as? String == parts[2],
                let digest = entry["digest"] as? String
            else { continue }
            return (digest, entry["mediaType"] as? String ?? ociManifest)
        }
        throw Failure(reason: "the environment has no manifest for \(platform)")
    }

    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        guard let value = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw Failure(reason: "a manifest or config that is not a JSON object")
        }
        return value
    }

    static func bytes(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }
}

enum RegistryDigest {
    static func of(_ bytes: [UInt8]) -> String { "sha256:" + Digest.sha256Hex(bytes) }
}
