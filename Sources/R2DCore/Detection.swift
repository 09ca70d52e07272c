import Foundation
import R2DBuildpacks
import R2DGit

/// `swift-r2d detect`: which buildpack would build a repository, without a daemon.
public enum Detection {
    /// Detects the plan for a local directory, or for a temporary clone that is removed afterwards.
    public static func plan(
        repo: String, ref: String?, subdir: String, allowDefault: Bool, environment: [String: String],
        reporter: Reporter
    ) throws -> BuildPlan {
        try planAndEnvironment(
            repo: repo, ref: ref, subdir: subdir, allowDefault: allowDefault, environment: environment, reporter: reporter
        ).plan
    }

    /// The plan, and the part of its environment's identity that needs no daemon (EnvironmentInputs).
    public static func planAndEnvironment(
        repo: String, ref: String?, subdir: String, allowDefault: Bool, environment: [String: String],
        reporter: Reporter
    ) throws -> (plan: BuildPlan, environment: EnvironmentSummary?) {
        Git.initialize()
        var request = BuildRequest(repo: repo, userID: 1000, userName: "jovyan")
        request.ref = ref
        request.processEnvironment = environment
        // The same repository source as a build; the checkout goes when detection is done with it.
        return try RepositorySource(request: request, reporter: reporter).withRepository { fetched in
            let root = try RepositoryDirectory.resolve(checkout: fetched.path, subdir: subdir, repo: repo)
            let snapshot = try RepoSnapshot(root: root, repositoryRoot: fetched.path)
            let plan = try BuildpackChain.detect(snapshot, allowDefault: allowDefault)
            // A plan the renderer refuses has no environment to show; detection itself still succeeds.
            return (plan, (try? EnvironmentSummary(plan: plan, snapshot: snapshot, request: request)) ?? nil)
        }
    }

    private struct Report: Encodable {
        let buildpack: String
        let python_version: String?
        let python_version_source: String?
        let r_version: String?
        let julia_version: String?
        let binder_dir: String
        let apt_packages: [String]
        let post_build: [String]
        let start: String?
        let dockerfile: String?
        let ignore_files: [String]
        let notes: [String]
        let environment: EnvironmentSummary?

        enum CodingKeys: String, CodingKey {
            case buildpack, python_version, python_version_source, r_version, julia_version, binder_dir, apt_packages, post_build, start,
                dockerfile, ignore_files, notes, environment
        }

        func encode(to encoder: Encoder) throws {
            // Explicit nulls: every key is always present.
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(buildpack, forKey: .buildpack)
            try c.encode(python_version, forKey: .python_version)
            try c.encode(python_version_source, forKey: .python_version_source)
            try c.encode(r_version, forKey: .r_version)
            try c.encode(julia_version, forKey: .julia_version)
            try c.encode(binder_dir, forKey: .binder_dir)
            try c.encode(apt_packages, forKey: .apt_packages)
            try c.encode(post_build, forKey: .post_build)
            try c.encode(start, forKey: .start)
            try c.encode(dockerfile, forKey: .dockerfile)
            try c.encode(ignore_files, forKey: .ignore_files)
            try c.encode(notes, forKey: .notes)
            try c.encode(environment, forKey: .environment)
        }
    }

    /// One JSON object with the keys documented for `detect --json`.
    public static func json(_ plan: BuildPlan, environment: EnvironmentSummary? = nil) -> String {
        let report = Report(
            buildpack: plan.kind.rawValue, python_version: plan.pythonVersion, python_version_source: plan.pythonVersionSource,
            r_version: plan.rVersion,
            julia_version: plan.juliaVersion, binder_dir: plan.binderDirectory, apt_packages: plan.aptPackages,
            post_build: plan.postBuild, start: plan.start, dockerfile: plan.dockerfile, ignore_files: plan.ignoreFiles,
            notes: plan.notes, environment: environment)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A few readable lines for people.
    public static func text(_ plan: BuildPlan) -> String {
        var lines = ["buildpack: \(plan.kind.rawValue)\(plan.isDefault ? " (default)" : "")"]
        if let v = plan.pythonVersion { lines.append("python: \(v)" + (plan.pythonVersionSource.map { " (from \($0))" } ?? "")) }
        if let v = plan.rVersion { lines.append("r: \(v)") }
        if let v = plan.juliaVersion { lines.append("julia: \(v)") }
        if !plan.binderDirectory.isEmpty { lines.append("binder directory: \(plan.binderDirectory)") }
        if let d = plan.dockerfile { lines.append("dockerfile: \(d)") }
        if !plan.aptPackages.isEmpty { lines.append("apt packages: \(plan.aptPackages.joined(separator: " "))") }
        if !plan.postBuild.isEmpty { lines.append("postBuild: \(plan.postBuild.joined(separator: " "))") }
        if let s = plan.start { lines.append("start: \(s)") }
        lines += plan.notes.map { "note: \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }
}
