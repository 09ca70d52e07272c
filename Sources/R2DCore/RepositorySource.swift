import Foundation
import R2DContentProviders
import R2DGit

/// The places a repository can come from, in repo2docker's order (its `content_providers`): the first that
/// takes the input fetches it. This list is the only place that order is written down.
enum RepositoryProvider: Sendable {
    /// An existing directory, used in place.
    case localDirectory
    /// Zenodo, Figshare, Dataverse, HydroShare, Software Heritage, CKAN and Mercurial, in R2DContentProviders'
    /// order; each recognises its own inputs (some by asking the network).
    case dataRepositories([any ContentProvider])
    /// Anything else is cloned with libgit2.
    case git

    static let ordered: [RepositoryProvider] = [.localDirectory, .dataRepositories(ContentProviders.ordered), .git]
}

/// One repository argument and the providers that may fetch it: `build` and `detect` both fetch through it.
struct RepositorySource: Sendable {
    let request: BuildRequest
    let reporter: Reporter
    /// Decided once (RepositoryLocation.classify); every provider asks this answer.
    let location: RepositoryLocation
    var providers: [RepositoryProvider] = RepositoryProvider.ordered
    /// Where temporary checkouts are made; nil means $TMPDIR, else /tmp.
    var temporaryParent: String?

    init(request: BuildRequest, reporter: Reporter, location: RepositoryLocation? = nil) {
        self.request = request
        self.reporter = reporter
        self.location = location ?? .classify(request.repo)
    }

    /// Fetches the repository, hands it to `body`, and removes its temporary directory afterwards, whether
    /// `body` returns or throws. `workTreeState` is a local directory's git state computed ahead (Pipeline.run).
    func withRepository<Value>(
        workTreeState: Task<WorkTreeState?, any Error>?,
        _ body: (FetchedRepository) async throws -> Value
    ) async throws -> Value {
        let fetched = try await fetch(workTreeState: workTreeState)
        do {
            let result = try await body(fetched)
            fetched.remove()
            return result
        } catch {
            fetched.remove()
            throw error
        }
    }

    /// `detect`'s fetch: the same list, synchronously. It passes over the data repositories, which `detect`
    /// has never asked (they need an asynchronous provider session); their inputs go on to git.
    func withRepository<Value>(_ body: (FetchedRepository) throws -> Value) throws -> Value {
        let fetched = try fetchSynchronously()
        defer { fetched.remove() }
        return try body(fetched)
    }

    func fetch(workTreeState: Task<WorkTreeState?, any Error>?) async throws -> FetchedRepository {
        for provider in providers {
            switch provider {
            case .localDirectory:
                guard case .localDirectory(let path) = location else { continue }
                let state: WorkTreeState?
                if let workTreeState {
                    state = try await workTreeState.value
                } else {
                    state = request.build ? try Git.workTreeState(at: path) : nil
                }
                return local(path: path, state: state)
            case .dataRepositories(let candidates):
                guard case .remote(let input) = location else { continue }
                if let fetched = try await fetchDataRepository(input, from: candidates) { return retained(fetched) }
            case .git:
                return retained(try clone())
            }
        }
        throw CoreError.noRepositoryProvider(request.repo)
    }

    func fetchSynchronously() throws -> FetchedRepository {
        for provider in providers {
            switch provider {
            case .localDirectory:
                guard case .localDirectory(let path) = location else { continue }
                return local(path: path, state: request.build ? try Git.workTreeState(at: path) : nil)
            case .dataRepositories:
                continue
            case .git:
                return retained(try clone())
            }
        }
        throw CoreError.noRepositoryProvider(request.repo)
    }

    /// A local directory: named by its commit when the work tree is clean, else by its content (Pipeline).
    private func local(path: String, state: WorkTreeState?) -> FetchedRepository {
        reporter.log("Picked Local content provider.\n")
        reporter.log("Using local repo \(request.repo).\n", phase: .fetching)
        let clean = state?.isClean == true && state?.commit != nil
        if state != nil, !clean {
            reporter.log(
                "The git work tree at \(request.repo) has uncommitted or untracked files: naming the image by its content.\n",
                phase: .fetching)
        }
        return FetchedRepository(
            path: path, isLocal: true, temporaryDirectory: nil,
            commit: clean ? state?.commit : nil, commitTime: clean ? state?.commitTime : nil)
    }

    /// A fresh checkout, kept past the run only with `--no-clean` (repo2docker's default cleans it).
    private func retained(_ fetched: FetchedRepository) -> FetchedRepository {
        if request.clean == false { fetched.keep(reporter: reporter) }
        return fetched
    }
}
