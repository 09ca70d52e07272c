import Foundation

/// One entry of an archive made at test time.
public struct ArchiveEntry: Sendable {
    public enum Kind: Sendable {
        case file(String, mode: Int = 0o644)
        case directory
        case symlink(String)
        case hardlink(String)
        /// `megabytes` MiB of zeros, compressed (an archive bomb when the limit is lower).
        case zeros(megabytes: Int)
    }

    public var name: String
    public var kind: Kind

    public init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }

    public static func file(_ name: String, _ contents: String, mode: Int = 0o644) -> ArchiveEntry {
        ArchiveEntry(name, .file(contents, mode: mode))
    }
}

/// Zip and tar.gz archives written by Python's zipfile and tarfile, which store any name they are given
/// (absolute, with `..`, links anywhere): the shapes real services serve, and malicious ones.
public enum TestArchives {
    public enum Format: String, Sendable { case zip, tarGz = "tar.gz" }

    /// Writes the archive to `path`.
    public static func write(_ entries: [ArchiveEntry], format: Format, to path: String) throws {
        let spec: [[String: Any]] = entries.map { entry in
            var item: [String: Any] = ["name": entry.name]
            switch entry.kind {
            case .file(let contents, let mode): item["data"] = contents; item["mode"] = mode
            case .directory: item["dir"] = true
            case .symlink(let target): item["link"] = target
            case .hardlink(let target): item["hardlink"] = target
            case .zeros(let megabytes): item["zeros"] = megabytes
            }
            return item
        }
        let json = try JSONSerialization.data(withJSONObject: spec)
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-archive-\(UUID().uuidString).json").path
        try json.write(to: URL(fileURLWithPath: input))
        defer { try? FileManager.default.removeItem(atPath: input) }
        let result = try runProgram("/usr/bin/python3", ["-c", script, input, path, format.rawValue])
        guard result.status == 0 else {
            throw NSError(domain: "TestArchives", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: result.stderr])
        }
    }

    /// The archive's bytes.
    public static func bytes(_ entries: [ArchiveEntry], format: Format) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("r2d-archive-\(UUID().uuidString).\(format.rawValue)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try write(entries, format: format, to: path)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static let script = """
        import io, json, sys, tarfile, zipfile
        spec = json.load(open(sys.argv[1])); out = sys.argv[2]; fmt = sys.argv[3]
        if fmt == "zip":
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                for e in spec:
                    i = zipfile.ZipInfo(e["name"]); i.create_system = 3; i.compress_type = zipfile.ZIP_DEFLATED
                    if "link" in e:
                        i.external_attr = 0o120777 << 16; z.writestr(i, e["link"])
                    elif "zeros" in e:
                        i.external_attr = 0o100644 << 16
                        with z.open(i, "w") as f:
                            for _ in range(e["zeros"]): f.write(b"\\0" * (1 << 20))
                    elif e.get("dir"):
                        i.external_attr = (0o40755 << 16) | 0x10; z.writestr(i, "")
                    else:
                        i.external_attr = (0o100000 | e.get("mode", 0o644)) << 16; z.writestr(i, e.get("data", ""))
        else:
            with tarfile.open(out, "w:gz") as t:
                for e in spec:
                    i = tarfile.TarInfo(e["name"]); i.mtime = 1700000000
                    if "link" in e:
                        i.type = tarfile.SYMTYPE; i.linkname = e["link"]; t.addfile(i)
                    elif "hardlink" in e:
                        i.type = tarfile.LNKTYPE; i.linkname = e["hardlink"]; t.addfile(i)
                    elif e.get("dir"):
                        i.type = tarfile.DIRTYPE; i.mode = 0o755; t.addfile(i)
                    elif "zeros" in e:
                        d = b"\\0" * (e["zeros"] << 20); i.size = len(d); t.addfile(i, io.BytesIO(d))
                    else:
                        d = e.get("data", "").encode(); i.size = len(d); i.mode = e.get("mode", 0o644); t.addfile(i, io.BytesIO(d))
        """
}
