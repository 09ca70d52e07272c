import Foundation

extension EngineClient {
    /// Inspects an image; nil when the daemon does not know it.
    public func inspectImage(_ reference: String) async throws -> ImageInspect? {
        struct Config: Decodable {
            var WorkingDir: String?
            var Labels: [String: String]?
        }
        struct Answer: Decodable {
            var Id: String
            var RepoTags: [String]?
            var Created: String?
            var Config: Config?
        }
        do {
            let answer: Answer = try await json(.GET, "/images/\(Self.pathComponent(reference))/json")
            return ImageInspect(
                id: answer.Id, repoTags: answer.RepoTags ?? [], workingDir: answer.Config?.WorkingDir ?? "",
                labels: answer.Config?.Labels ?? [:], created: answer.Created ?? "")
        } catch EngineError.daemon(status: 404, _) {
            return nil
        }
    }

    /// Tags `source` as repository:tag.
    public func tagImage(_ source: String, repository: String, tag: String) async throws {
        try await expectSuccess(
            .POST, "/images/\(Self.pathComponent(source))/tag", query: [("repo", repository), ("tag", tag)])
    }

    /// Removes an image (or one of its tags).
    public func removeImage(_ reference: String, force: Bool) async throws {
        try await expectSuccess(
            .DELETE, "/images/\(Self.pathComponent(reference))", query: force ? [("force", "1")] : [])
    }
}
