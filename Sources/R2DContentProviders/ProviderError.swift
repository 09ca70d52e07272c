/// Failures of the content providers. Each description is one line: what failed, for which input, what to do.
public enum ProviderError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(name: String, value: String, expected: String)
    /// An HTTP answer that is not the expected one.
    case httpStatus(url: String, status: Int, input: String)
    /// The service could not be reached (after the retries) or was too slow.
    case unreachable(url: String, reason: String, input: String)
    /// No connection could be made, and another attempt would not make one (see R2DHTTP's ConnectFailure).
    case cannotConnect(url: String, explanation: String, input: String)
    /// The service answered something this provider cannot read.
    case unexpectedResponse(url: String, what: String, input: String)
    case hydroshareTimeout(resource: String, seconds: Int)
    case swhCookingFailed(swhid: String, reason: String)
    case swhTimeout(swhid: String, seconds: Int)
    case unsupportedDataverseURL(url: String)
    case mercurialNotInstalled(input: String)
    case mercurialFailed(input: String, command: String, output: String)
    case mercurialRefNotFound(input: String, ref: String)
    case archive(input: String, message: String)
    case fileSystem(String)
    /// `--max-repo-size`: the download holds more than the cap (DownloadBudget.swift).
    case contentTooLarge(input: String, size: Int64, limit: Int64, how: SizeEvidence)

    public var description: String {
        switch self {
        case .invalidSetting(let name, let value, let expected):
            return "Setting \(name)=\(value) is invalid: expected \(expected)."
        case .httpStatus(let url, let status, let input):
            return "Fetching \(input) failed: \(url) answered HTTP \(status); check that the record exists and is public."
        case .unreachable(let url, let reason, let input):
            return "Fetching \(input) failed: cannot reach \(url) (\(reason)); check the network or the provider's URL setting."
        case .cannotConnect(let url, let explanation, let input):
            return "Fetching \(input) failed: \(explanation), or the provider's URL setting (requested \(url))."
        case .unexpectedResponse(let url, let what, let input):
            return "Fetching \(input) failed: \(url) did not answer as expected (\(what)); check the provider's URL setting."
        case .hydroshareTimeout(let resource, let seconds):
            return "HydroShare did not prepare resource \(resource) for download within \(seconds) s; try again later."
        case .swhCookingFailed(let swhid, let reason):
            return "Software Heritage could not prepare \(swhid) for download (\(reason)); check the SWHID or try again later."
        case .swhTimeout(let swhid, let seconds):
            return "Software Heritage did not prepare \(swhid) for download within \(seconds) s; try again later."
        case .unsupportedDataverseURL(let url):
            return "\(url) is not a Dataverse dataset, file or citation URL; use a DOI or a dataset.xhtml?persistentId= URL."
        case .mercurialNotInstalled(let input):
            return
                "\(input) is a Mercurial repository, but Mercurial is not installed; install it (apt-get install mercurial mercurial-evolve)."
        case .mercurialFailed(let input, let command, let output):
            return "Mercurial failed on \(input): \(command): \(output)"
        case .mercurialRefNotFound(let input, let ref):
            return "Failed to check out ref \(ref) of \(input): no such revision or topic; check --ref."
        case .archive(let input, let message):
            return "Fetching \(input) failed: \(message)"
        case .fileSystem(let message):
            return message
        case .contentTooLarge(let input, let size, let limit, let how):
            return Self.tooLargeDescription(input: input, size: size, limit: limit, how: how)
        }
    }
}
