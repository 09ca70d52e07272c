import Foundation
import R2DBasics

/// Image names: repo2docker's default escaped name, and its `--image-name` validation.
public enum ImageName {
    /// escapism as repo2docker uses it: keep [A-Za-z0-9], every other byte becomes `-XX` (upper-case hex),
    /// and the result is lower-cased.
    public static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("-")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out.lowercased()
    }

    /// The longest repository part we generate; Docker refuses names over 255 characters.
    static let maximumGeneratedLength = 200

    /// `r2d` + escaped repo + subdir, shortened with a hash suffix when very long (repo2docker does not
    /// shorten, and its long names are refused by Docker).
    public static func defaultRepository(repo: String, subdir: String) -> String {
        let name = escape("r2d" + repo + subdir)
        guard name.count > maximumGeneratedLength else { return name }
        let digest = Digest.sha256Hex(Array((repo + subdir).utf8)).prefix(6)
        return name.prefix(maximumGeneratedLength - 7) + "-" + digest
    }

    /// repo2docker's stricter-than-Docker reference check (the grammar lives with the value's type,
    /// `ImageReference`, so that `--base-image` and `--image-name` follow one rule).
    public static func isValid(_ name: String) -> Bool { ImageReference.isValid(name) }
}
