import Foundation

/// repo2docker's apt.txt rules: `#` starts a comment, blank lines are skipped, each name must start
/// with `[a-z0-9.+-]`+ (a prefix check, as repo2docker does), and the result is sorted.
public enum AptPackages {
    public static func parse(_ text: String, file: String = "apt.txt") throws -> [String] {
        var packages: [String] = []
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = String(rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let first = line.unicodeScalars.first, isNameCharacter(first) else {
                throw BuildpackError.invalidAptPackage(file: file, line: line)
            }
            packages.append(line)
        }
        return packages.sorted()
    }

    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "0"..."9", ".", "+", "-": return true
        default: return false
        }
    }
}

