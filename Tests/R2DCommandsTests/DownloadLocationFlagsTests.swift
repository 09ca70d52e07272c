import Foundation
import R2DBuildpacks
import Testing
@testable import R2DCommands
@testable import R2DCore

@Suite("Download location flags and traits")
struct DownloadLocationFlagsTests {
    func request(_ arguments: [String]) throws -> (BuildRequest, [String]) {
        // We may run as root, which the build refuses as the image user.
        let split = ArgumentSplitter.split(["--user-id", "1000"] + arguments)
        let flags = try BuildCommand.parse(split.options + (split.repo.map { ["--", $0] } ?? []))
        let warnings = LinesBox()
        let request = try RequestBuilder(environment: ["USER": "me"], warn: { warnings.append($0) })
            .makeRequest(flags, traits: split.traits, command: split.command)
        return (request, warnings.lines)
    }

    @Test("defaults are the upstream locations")
    func defaults() throws {
        let (r, _) = try request(["repo"])
        #expect(r.downloadLocations == DownloadLocations())
        #expect(r.downloadLocations.condaChannels == ["conda-forge"])
        #expect(r.downloadLocations.positPackageManagerURL == "https://packagemanager.posit.co/cran")
    }

    @Test("every flag takes its value from the next argument, before the repository")
    func flags() throws {
        let (r, warnings) = try request([
            "--micromamba-url", "https://m.example/{platform}.tar.bz2", "--conda-channel", "https://m.example/conda-forge",
            "--conda-channel", "bioconda", "--posit-package-manager-url", "https://ppm.example/cran/", "--r-binary-url",
            "https://r.example",
            "--rstudio-url", "https://rs.example/3.deb", "--rstudio-legacy-url", "https://rs.example/1.deb",
            "--shiny-server-url", "https://rs.example/shiny.deb", "--julia-download-url", "https://jl.example/bin",
            "--julia-pkg-server", "https://pkg.example", "--nix-installer-url", "https://nix.example/{version}-{arch}.tar.xz",
            "--nix-channel-url", "https://nix.example/channel", "repo", "echo", "hi",
        ])
        let d = r.downloadLocations
        #expect(r.repo == "repo" && r.runCommand == ["echo", "hi"])
        #expect(d.micromambaURL == "https://m.example/{platform}.tar.bz2")
        #expect(d.condaChannels == ["https://m.example/conda-forge", "bioconda"])
        #expect(d.positPackageManagerURL == "https://ppm.example/cran")
        #expect(d.rBinaryURL == "https://r.example" && d.rstudioServerURL == "https://rs.example/3.deb")
        #expect(d.rstudioServerLegacyURL == "https://rs.example/1.deb" && d.shinyServerURL == "https://rs.example/shiny.deb")
        #expect(d.juliaDownloadURL == "https://jl.example/bin" && d.juliaPackageServer == "https://pkg.example")
        #expect(d.nixInstallerURL == "https://nix.example/{version}-{arch}.tar.xz" && d.nixChannelURL == "https://nix.example/channel")
        #expect(warnings.isEmpty)
    }

    @Test("Repo2Docker traits set the same locations; flags win over traits")
    func traits() throws {
        let (r, warnings) = try request([
            "--Repo2Docker.conda_channel=https://mirror.example/conda-forge", "--Repo2Docker.conda_channel=bioconda",
            "--Repo2Docker.nix_channel_url=https://nix.example/c", "--Repo2Docker.julia_pkg_server=https://pkg.example",
            "--julia-pkg-server", "https://other.example", "repo",
        ])
        #expect(r.downloadLocations.condaChannels == ["https://mirror.example/conda-forge", "bioconda"])
        #expect(r.downloadLocations.nixChannelURL == "https://nix.example/c")
        #expect(r.downloadLocations.juliaPackageServer == "https://other.example")
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test("every download location has a row with a value flag")
    func everySettingHasAFlag() {
        for trait in DownloadLocations.traitNames {
            let row = Settings.byTrait[.repo2docker(trait)]
            #expect(row?.flag.map { ArgumentSplitter.valueOptions.contains("--" + $0) } == true, "\(trait)")
        }
        #expect(DownloadLocations.traitNames.count == 12)
    }
}
