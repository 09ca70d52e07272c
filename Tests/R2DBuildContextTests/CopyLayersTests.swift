import Crypto
import Foundation
import R2DArchiveTestSupport
import R2DBasics
import R2DBuildContext
import Testing

@Suite("Layers of COPY steps written from the build context")
struct CopyLayersTests {
    func tree() throws -> TemporaryTree {
        let tree = try TemporaryTree("layers")
        try tree.file("index.ipynb", "{}\n")
        try tree.file("bin/run", "#!/bin/sh\n", mode: 0o755)
        return tree
    }

    func sha256(_ bytes: [UInt8]) -> String { "sha256:" + Hex.encode(SHA256.hash(data: bytes)) }

    @Test("a directory's contents land under the destination with the copy's owner, after the recorded parents")
    func directoryCopy() throws {
        let tree = try tree()
        let output = try TemporaryTree("layer-out")
        let spec = BuildContextSpec(
            root: tree.root, prefix: "src/", generatedFiles: [ContextFile(path: "entry", contents: Array("x\n".utf8), mode: 0o755)],
            uid: 1000, mtime: 1_700_000_000)
        var repository = CopyLayerRequest(source: "src/", destination: "/home/jovyan/", uid: 1000, gid: 1000)
        repository.parents = [
            LayerDirectory(path: "home", uid: 0, gid: 0, mode: 0o755, mtime: 5),
            LayerDirectory(path: "home/jovyan", uid: 1000, gid: 1000, mode: 0o750, mtime: 6),
        ]
        let entry = CopyLayerRequest(source: "entry", destination: "/usr/local/bin/entry", uid: 0, gid: 0)
        let layers = try BuildContext.writeCopyLayers(spec, copies: [repository, entry], directory: output.root)
        #expect(layers.count == 2)
        let gzip = try [UInt8](Data(contentsOf: URL(fileURLWithPath: layers[0].path)))
        #expect(layers[0].digest == sha256(gzip) && layers[0].size == Int64(gzip.count))
        let entries = try TarReader.entries(in: gzip)
        #expect(entries.map(\.name) == ["home/", "home/jovyan/", "home/jovyan/bin/", "home/jovyan/bin/run", "home/jovyan/index.ipynb"])
        #expect(entries[1].uid == 1000 && entries[1].mode == 0o750 && entries[1].mtime == 6)
        #expect(entries.dropFirst(2).allSatisfy { $0.uid == 1000 && $0.gid == 1000 && $0.mtime == 1_700_000_000 })
        #expect(entries[3].mode == 0o755 && entries[4].mode == 0o644)
        let second = try TarReader.entries(in: try [UInt8](Data(contentsOf: URL(fileURLWithPath: layers[1].path))))
        #expect(second.map(\.name) == ["usr/local/bin/entry"] && second[0].uid == 0 && second[0].mode == 0o755)
        // The same copies again give the same bytes: a commit composed twice has one digest.
        let again = try BuildContext.writeCopyLayers(spec, copies: [repository, entry], directory: output.root)
        #expect(again.map(\.digest) == layers.map(\.digest) && again.map(\.diffID) == layers.map(\.diffID))
    }

    @Test("a source that is not in the context fails and names it")
    func missingSource() throws {
        let tree = try tree()
        let output = try TemporaryTree("layer-out")
        let copy = CopyLayerRequest(source: "nothing-here", destination: "/x", uid: 0, gid: 0)
        #expect(throws: BuildContextError.self) {
            try BuildContext.writeCopyLayers(BuildContextSpec(root: tree.root), copies: [copy], directory: output.root)
        }
    }
}
