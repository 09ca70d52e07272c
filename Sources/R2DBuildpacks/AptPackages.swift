/// apt.txt: `#` starts a comment, blank lines are skipped, a line holds one or more packages separated by
/// spaces (as repo2docker reads it), and each token must be `name[:arch][=version|/release]`. repo2docker
/// checks only a line's first character, so `curl;touch /x` reached its root `apt-get install`; here any other
/// token is refused with its line number.
public enum AptPackages {
    public static func parse(_ text: String, file: String = "apt.txt") throws -> [String] {
        var packages: [String] = []
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for token in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
                guard ValueRule.aptPackage.accepts(String(token)) else {
                    throw BuildpackError.invalidAptPackage(file: "\(file):\(lineNumber)", line: String(token))
                }
                packages.append(String(token))
            }
        }
        return packages.sorted()
    }
}
