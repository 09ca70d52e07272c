import Foundation
import R2DBasics

/// The image a run builds or reuses, computed once: the reference it is looked up, tagged and pushed
/// under, and the revision its `org.opencontainers.image.revision` label records.
struct ImageIdentity: Equatable, Sendable {
    /// `--image-name`, or repo2docker's `r2d…` name with `tag`.
    let name: String
    /// The name's repository and tag parts, as the daemon's tag call takes them.
    let repository: String
    let tag: String
    /// A digest the name pins (such a name cannot be tagged).
    let digest: String?
    /// The commit, the data repository's content id, or the build context's sha256.
    let revision: String

    init(request: BuildRequest, tag: String, revision: String) {
        name = request.imageName ?? ImageName.defaultRepository(repo: request.repo, subdir: request.subdir) + ":" + tag
        let reference = ImageReference(parsing: name)
        (repository, self.tag, digest) = (reference.name, reference.tag, reference.digest)
        self.revision = revision
    }

    /// The identity the fetched content names before anything is detected: a content id, else a clean
    /// checkout's commit. Nil when only the build context's digest can name the content.
    static func naming(_ fetched: FetchedRepository, request: BuildRequest) -> ImageIdentity? {
        if let contentID = fetched.contentID {
            return ImageIdentity(request: request, tag: tag(forContentID: contentID), revision: contentID)
        }
        return fetched.commit.map { ImageIdentity(request: request, tag: $0, revision: $0) }
    }

    /// The identity of content no commit names: the sha256 of its build context.
    static func naming(contextDigest: String, request: BuildRequest) -> ImageIdentity {
        ImageIdentity(request: request, tag: contextDigest, revision: contextDigest)
    }

    /// The image tag for a content id: the id itself, with each character a tag cannot hold (`:`, `/`, …)
    /// replaced by `-`, shortened with a hash suffix past Docker's 128 characters.
    static func tag(forContentID contentID: String) -> String {
        var tag = String(
            contentID.unicodeScalars.map { scalar -> Character in
                let allowed = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "_.-".unicodeScalars.contains(scalar))
                return allowed ? Character(scalar) : "-"
            })
        if tag.first == "." || tag.first == "-" { tag = "_" + String(tag.dropFirst()) }
        guard tag.count > 128 else { return tag }
        return String(tag.prefix(121)) + "-" + String(Digest.sha256Hex(Array(contentID.utf8)).prefix(6))
    }
}
