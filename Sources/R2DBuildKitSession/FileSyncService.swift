import Foundation
import R2DBuildContext

/// `moby.filesync.v1.FileSync/DiffCopy`, the sending side of tonistiigi/fsutil's protocol: every entry's STAT
/// packet in the walk's order (then an empty STAT), after which the daemon asks for the files it lacks by their
/// index among the STATs (REQ), each answered with DATA packets and an empty DATA; FIN from the daemon is
/// answered with FIN and ends the call.
struct FileSyncService: Sendable {
    let snapshot: ContextSnapshot
    var progress: FileSyncProgress? = nil

    /// The directory names the daemon's Dockerfile frontend asks for; both are the one build context.
    static let directoryNames: Set<String> = ["context", "dockerfile"]

    func diffCopy(_ call: SessionCall) async throws {
        let name = FileSyncFilter.values(call.metadata, "dir-name").first ?? ""
        guard Self.directoryNames.contains(name) else {
            throw GRPCStatus(code: .notFound, message: "no access allowed to dir \"\(name)\"")
        }
        let filter = FileSyncFilter(metadata: call.metadata)
        let entries = snapshot.entries
        let selected = filter.select(entries)
        // Only the build's context transfer is metered: the frontend's own reads of the Dockerfile (`dockerfile`)
        // and of the ignore file come first and would end the meter early.
        let metered = name == "context" && !filter.readsOnlyIgnoreFiles ? progress : nil
        try await sendStats(of: selected, in: entries, call: call)
        try await answerRequests(call, selected: selected, progress: metered)
        metered?.contextDone()
    }

    /// Every selected entry's STAT packet, then the empty STAT that ends the list, in frames of about 32 KiB.
    private func sendStats(of selected: Selection, in entries: ContextSnapshot.Entries, call: SessionCall) async throws {
        var batch: [[UInt8]] = []
        var batchBytes = 0
        for index in selected {
            let stat = Self.stat(entries[index])
            let packet: [UInt8] = try Fsutil_Types_Packet.with {
                $0.type = .packetStat; $0.stat = stat
            }.serializedBytes()
            batch.append(packet)
            batchBytes += packet.count
            if batchBytes >= Self.statFrameBytes {
                try await call.responses.send(all: batch)
                (batch, batchBytes) = ([], 0)
            }
        }
        batch.append(try Fsutil_Types_Packet.with { $0.type = .packetStat }.serializedBytes())
        try await call.responses.send(all: batch)
    }

    static let statFrameBytes = 32 << 10

    /// Serves REQ packets until FIN; a REQ for an id that is no file, or any ERR from the daemon, ends the call.
    private func answerRequests(_ call: SessionCall, selected: Selection, progress: FileSyncProgress?) async throws {
        for try await bytes in call.requests {
            let packet = try Fsutil_Types_Packet(serializedBytes: bytes)
            switch packet.type {
            case .packetReq:
                let id = Int(packet.id)
                guard selected.indices.contains(id), snapshot.entries.isFile(selected[id]) else {
                    throw GRPCStatus(code: .invalidArgument, message: "invalid file id \(id)")
                }
                try await sendContents(of: selected[id], id: packet.id, call: call, progress: progress)
            case .packetFin:
                try await call.responses.send(try Fsutil_Types_Packet.with { $0.type = .packetFin }.serializedBytes())
                return
            case .packetErr:
                throw GRPCStatus(code: .unknown, message: "error from receiver: \(String(decoding: packet.data, as: UTF8.self))")
            default:
                continue
            }
        }
    }

    /// A file's bytes in DATA packets of at most 32 KiB (as fsutil sends them), then an empty DATA.
    private func sendContents(of index: Int, id: UInt32, call: SessionCall, progress: FileSyncProgress?) async throws {
        let reader = try snapshot.openContents(of: index)
        while let chunk = try reader.next(maxBytes: 32 * 1024) {
            let packet = Fsutil_Types_Packet.with {
                $0.type = .packetData; $0.id = id; $0.data = Data(chunk)
            }
            try await call.responses.send(try packet.serializedBytes())
            progress?.sent(chunk.count)
        }
        try await call.responses.send(
            try Fsutil_Types_Packet.with {
                $0.type = .packetData; $0.id = id
            }.serializedBytes())
    }

    /// An entry as fsutil's Stat: Go's os.FileMode bits, nanosecond mtime, paths with "/".
    static func stat(_ entry: ContextEntry) -> Fsutil_Types_Stat {
        Fsutil_Types_Stat.with { stat in
            stat.path = entry.path
            stat.uid = UInt32(clamping: entry.uid)
            stat.gid = UInt32(clamping: entry.gid)
            stat.modTime = entry.mtime &* 1_000_000_000
            switch entry.kind {
            case .directory:
                stat.mode = goModeDirectory | entry.mode
            case .file:
                stat.mode = entry.mode
                stat.size = entry.size
            case .symlink(let target):
                stat.mode = goModeSymlink | entry.mode
                stat.linkname = target
                stat.size = Int64(target.utf8.count)
            }
        }
    }

    static let goModeDirectory: UInt32 = 1 << 31
    static let goModeSymlink: UInt32 = 1 << 27
}
