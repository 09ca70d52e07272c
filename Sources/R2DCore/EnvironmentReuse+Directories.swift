import Foundation
import R2DArchive
import R2DBuildContext
import R2DBuildpacks
import R2DRegistry

/// The directories an environment image recorded in its last layer (`EnvironmentSplit.directoryProbe`), by path:
/// what a composed layer stores for the parents of what it copies.
struct EnvironmentDirectories: Equatable {
    var byPath: [String: LayerDirectory] = [:]

    /// `stat -c '%u %g %a %Y %n'` lines.
    init(probe text: String) {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
            guard fields.count == 5, let uid = Int(fields[0]), let gid = Int(fields[1]), let mode = UInt32(fields[2], radix: 8),
                let mtime = Int64(fields[3]), fields[4].hasPrefix("/")
            else { continue }
            let path = String(fields[4].drop { $0 == "/" })
            byPath[path] = LayerDirectory(path: path, uid: uid, gid: gid, mode: mode, mtime: mtime)
        }
    }

    /// Every directory above `destination` (and the destination itself when it is a directory the image has),
    /// top down; throws when a parent was not recorded (the engine then builds the steps).
    func parents(of destination: String) throws(ComposedSteps.NotComposable) -> [LayerDirectory] {
        let components = destination.split(separator: "/").map(String.init)
        var result: [LayerDirectory] = []
        for count in stride(from: 1, through: components.count, by: 1) {
            let path = components.prefix(count).joined(separator: "/")
            if let directory = byPath[path] {
                result.append(directory)
            } else if count < components.count {
                throw ComposedSteps.NotComposable(reason: "the environment did not record the directory /\(path)")
            }
        }
        return result
    }
}

extension Pipeline {
    /// Reads the probe from the environment's last layer (a few hundred bytes), nil when it has none.
    func environmentDirectories(_ session: RegistrySession, manifest: [UInt8], scratch: ScratchDirectory) async throws
        -> EnvironmentDirectories?
    {
        let layers = try ImageComposition.object(manifest)["layers"] as? [[String: Any]] ?? []
        guard let last = layers.last, let digest = last["digest"] as? String, let size = last["size"] as? Int, size < 1 << 20 else {
            return nil
        }
        let bytes = try await session.blob(digest, limit: 1 << 20)
        let directory = try scratch.directory()
        let archive = directory + "/environment-probe.tar.gz"
        let target = directory + "/environment-probe"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: archive, contents: Data(bytes)) else { return nil }
        try ArchiveExtractor.extract(archiveAt: archive, into: target, limits: ExtractionLimits(maximumBytes: 4 << 20, maximumEntries: 64))
        guard let text = try? String(contentsOfFile: target + ImageDirectories.probePath, encoding: .utf8) else { return nil }
        return EnvironmentDirectories(probe: text)
    }
}
