import ArgumentParser
import R2DCore

/// `swift-r2d --generate-manual`: a man page (roff, section 1) made from the root command and the settings
/// table, so `man swift-r2d` says what `--help` and Docs/cli.md say.
enum ManualPage {
    static func roff() -> String {
        var out = ".TH SWIFT-R2D 1 \"\" \"swift-r2d \(escaped(SwiftR2DVersion.string))\" \"User Commands\"\n"
        out += ".SH NAME\nswift-r2d \\- \(escaped(SwiftR2DCommand.configuration.abstract))\n"
        out += ".SH SYNOPSIS\n"
        out += ".B swift-r2d\n[\\fBbuild\\fR] [\\fIoptions\\fR] \\fIrepo\\fR [\\fB\\-\\-\\fR] [\\fIcmd\\fR ...]\n.br\n"
        out += ".B swift-r2d detect\n\\fIrepo\\fR [\\fB\\-\\-json\\fR]\n"
        out += ".SH DESCRIPTION\n\(escaped(BuildCommand.configuration.abstract)) \(escaped(BuildCommand.configuration.discussion))\n"
        out += ".SH OPTIONS\n"
        for setting in Settings.all where !setting.hidden { out += option(setting) }
        out += ".SH SETTINGS\nEvery setting with a traitlets name can also be given as "
        out += "\\fB\\-\\-\\fIClass\\fB.\\fItrait\\fB=\\fIvalue\\fR or in the JSON file of \\fB\\-\\-config\\fR; "
        out += "the command line wins over the file.\n"
        out += ".SH EXIT STATUS\n0 on success; 1 when the build fails; 2 for usage errors; 130 or 143 after SIGINT or SIGTERM; "
        out += "the container's status when it ran.\n"
        out += ".SH SEE ALSO\nDocs/cli.md in the swift-r2d repository.\n"
        return out
    }

    static func option(_ setting: Setting) -> String {
        guard let flag = setting.flag else { return "" }
        var names = ["\\fB\\-\\-\(escaped(flag))\\fR"] + setting.aliases.map { "\\fB\\-\\-\(escaped($0))\\fR" }
        if let short = setting.shortName { names.append("\\fB\\-\(short)\\fR") }
        if setting.form == .invertible { names.append("\\fB\\-\\-no\\-\(escaped(flag))\\fR") }
        let value = setting.form == .option || setting.form == .repeatable ? " \\fI\(escaped(setting.valueName ?? "value"))\\fR" : ""
        var out = ".TP\n" + names.joined(separator: ", ") + value + "\n" + escaped(setting.help)
        if !setting.traits.isEmpty { out += " (\(setting.traits.map { escaped($0.description) }.joined(separator: ", ")))" }
        return out + "\n"
    }

    /// roff's special characters: backslashes and hyphens, and a line may not start with a dot or quote.
    static func escaped(_ text: String) -> String {
        var out = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        out = out.replacingOccurrences(of: "\n", with: " ")
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out
    }
}
