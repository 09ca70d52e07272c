import R2DBasics
import Foundation

/// R from Posit's builds with a dated Posit Package Manager snapshot, RStudio Server, Shiny Server and
/// IRkernel (repo2docker's `buildpacks/r.py`). The snapshot URL is built from the date alone, so rendering needs no network.
enum RFragments {
    /// The oldest snapshot Posit Package Manager serves.
    static let cutoffDate = "2018-12-07"
    static let aptPackages = ["libapparmor1", "libssl-dev", "lsb-release", "psmisc", "sudo"]
    static let rstudioSHA256 = "168bc577ef2f68abab1ad2ed684e830da1d244618b25b69fd20448e60716c5ba"
    static let rstudioLegacySHA256 = "052540a8df135d9ce7569ddc2fc9637671103934179691bc3e43298336fc3a8e"
    static let shinyServerSHA256 = "4a3d063a06ccd1b6c53eb1d7f4fb59965bced10d1c5c87e8c476b58dd6fd35ee"
    static let rsessionProxyVersion = "2.3.0"
    static let shinyProxyVersion = "1.4"
    /// Every R call that must not read user profiles.
    static let rFlags = "--no-save --no-restore --no-init-file --no-environ --quiet"

    /// The snapshot date: runtime.txt's, else (a root DESCRIPTION) two days before `today`.
    static func snapshotDate(runtime: RuntimeSpec?, today: Date) -> String {
        if let runtime, runtime.name == "r", let date = runtime.date { return date }
        return UTCTimestamp(secondsSinceEpoch: Int64(today.timeIntervalSince1970.rounded(.down)) - 2 * 86_400).date
    }

    static func fragments(_ c: RenderContext) throws -> Fragments {
        let s = c.snapshot, plan = c.plan, options = c.options
        let version = plan.rVersion ?? RVersionRules.defaultVersion
        guard let debianArchitecture = c.architecture?.positArchitecture else {
            throw BuildpackError.needsAMD64(buildpack: "R", platform: options.platform)
        }
        let date = snapshotDate(runtime: plan.runtime, today: options.today)
        guard date >= cutoffDate else { throw BuildpackError.rSnapshotTooOld(file: s.binderPath("runtime.txt"), date: date) }
        let locations = options.downloads
        let rHome = "/opt/R/\(version)/lib/R"
        // ${VERSION_CODENAME} is the image's distribution, read from /etc/os-release at build time.
        // The URL is one quoted word between the double-quoted parts that the shell expands.
        let cran = "\"\(try DockerfileText.word(locations.positPackageManagerURL))\"/__linux__/${VERSION_CODENAME}/\(date)"

        var f = Fragments()
        f.aptPackages = aptPackages
        f.buildEnvironment = [("R_LIBS_USER", "${APP_BASE}/rlibs")]
        f.pathEntries = ["/usr/lib/rstudio-server/bin/"]
        f.environment = [("R_HOME", rHome), ("R_DOC_DIR", "${R_HOME}/doc"), ("LD_LIBRARY_PATH", "${R_HOME}/lib:${LD_LIBRARY_PATH}")]
        let caches = options.buildKitCaches
        f.buildSteps = [try rInstallStep(version: version, debianArchitecture: debianArchitecture, locations: locations, caches: caches)]
        f.buildSteps += try rstudioSteps(locations, caches: caches)
        f.buildSteps += [
            BuildStep(.root, "install -o ${NB_USER} -g ${NB_USER} -d ${R_LIBS_USER}"),
            BuildStep(
                .root,
                """
                sed -i -e '/^R_LIBS_USER=/s/^/#/' \(rHome)/etc/Renviron
                echo "R_LIBS_USER=${R_LIBS_USER}" >> \(rHome)/etc/Renviron
                """),
            BuildStep(
                .root,
                """
                R RHOME
                . /etc/os-release && echo "options(repos = c(CRAN = \\"\(cran)\\"))" > \(rHome)/etc/Rprofile.site
                mkdir -p /etc/rstudio
                . /etc/os-release && echo "r-cran-repos=\(cran)" > /etc/rstudio/rsession.conf
                """),
            BuildStep(.root, "printf '%s\\n' '[*]' log-level=info logger-type=stderr > /etc/rstudio/logging.conf"),
            BuildStep(
                .notebookUser,
                """
                R \(rFlags) -e "install.packages(c('remotes', 'devtools', 'IRkernel', 'shiny'))"
                R \(rFlags) -e "IRkernel::installspec(prefix='${NB_PYTHON_PREFIX}')"
                rm -rf /tmp/downloaded_packages
                """),
        ]

        repositorySteps(s, into: &f)
        return f
    }

    /// Posit's build of R `version` for the image's distribution, linked onto PATH.
    static func rInstallStep(version: String, debianArchitecture: String, locations: DownloadLocations, caches: Bool) throws -> BuildStep {
        let keep = DockerfileRenderer.aptKeep(caches)
        return BuildStep(
            .root,
            """
            apt-get -qq update > /dev/null
            apt-get -qq\(keep) install --yes --no-install-recommends libclang-dev libzmq3-dev > /dev/null
            . /etc/os-release && case "$ID" in ubuntu) distro="ubuntu-$(echo "$VERSION_ID" | tr -d .)" ;; debian) distro="debian-$VERSION_ID" ;; *) echo "R: no Posit build of R for $ID" >&2; exit 1 ;; esac
            curl --fail --silent --show-error --location --retry 3 --output /tmp/r.deb \(try DockerfileText.word(locations.rBinaryURL))/"${distro}/pkgs/r-\(version)_1_\(debianArchitecture).deb"
            apt-get -qq\(keep) install --yes --no-install-recommends /tmp/r.deb > /dev/null
            rm /tmp/r.deb
            apt-get -qq purge
            \(DockerfileRenderer.aptCleanup(caches: caches))
            ln -s /opt/R/\(version)/bin/R /usr/local/bin/R
            ln -s /opt/R/\(version)/bin/Rscript /usr/local/bin/Rscript
            R --version
            """, caches: DownloadCache.apt)
    }

    /// The repository's own R: install.R (tried before the full copy, retried after it) and a DESCRIPTION
    /// package installed from the copy.
    static func repositorySteps(_ s: RepoSnapshot, into f: inout Fragments) {
        let installR = s.binderPath("install.R")
        if s.fileExists(installR) {
            f.preassembleFiles = [installR]
            // A first attempt before the full copy keeps the packages cached across edits; install.R may need
            // repository files, so a failure only defers it to after the copy.
            f.preassembleSteps = [
                BuildStep(
                    .notebookUser,
                    """
                    Rscript \(installR) && touch /tmp/.preassembled || true
                    rm -rf /tmp/downloaded_packages
                    """)
            ]
            f.assembleSteps.append(
                BuildStep(
                    .notebookUser,
                    """
                    if [ ! -f /tmp/.preassembled ]; then Rscript \(installR); rm -rf /tmp/downloaded_packages; fi
                    """))
        }
        if s.binderDirectory.isEmpty && s.fileExists("DESCRIPTION") {
            f.assembleSteps.append(
                BuildStep(
                    .notebookUser,
                    """
                    R \(rFlags) -e "remotes::install_local()"
                    rm -rf /tmp/downloaded_packages
                    """))
        }
    }

    /// RStudio Server (the OpenSSL 3 build when the distribution has libssl3), Shiny Server, their Jupyter
    /// proxies, and the directories they write to. Shared by R images and conda environments with R.
    static func rstudioSteps(_ locations: DownloadLocations, caches: Bool) throws -> [BuildStep] {
        let keep = DockerfileRenderer.aptKeep(caches)
        return [
            BuildStep(
                .root,
                """
                apt-get -qq update > /dev/null
                if apt-cache search libssl3 | grep -q libssl3; then RSTUDIO_URL=\(try DockerfileText.word(locations.rstudioServerURL)); RSTUDIO_SHA256=\(rstudioSHA256); else RSTUDIO_URL=\(try DockerfileText.word(locations.rstudioServerLegacyURL)); RSTUDIO_SHA256=\(rstudioLegacySHA256); fi
                curl --fail --silent --show-error --location --retry 3 --output /tmp/rstudio.deb "$RSTUDIO_URL"
                curl --fail --silent --show-error --location --retry 3 --output /tmp/shiny.deb \(try DockerfileText.word(locations.shinyServerURL))
                echo "$RSTUDIO_SHA256  /tmp/rstudio.deb" | sha256sum -c -
                echo "\(shinyServerSHA256)  /tmp/shiny.deb" | sha256sum -c -
                apt-get -qq\(keep) install --yes --no-install-recommends /tmp/rstudio.deb /tmp/shiny.deb > /dev/null
                rm /tmp/rstudio.deb /tmp/shiny.deb
                apt-get -qq purge
                \(DockerfileRenderer.aptCleanup(caches: caches))
                """, caches: DownloadCache.apt),
            BuildStep(
                .notebookUser,
                """
                ${NB_PYTHON_PREFIX}/bin/\(CondaFragments.pipInstall(caches)) jupyter-rsession-proxy==\(rsessionProxyVersion) jupyter-shiny-proxy==\(shinyProxyVersion)
                """, caches: [.pip]),
            BuildStep(
                .root,
                """
                install -o ${NB_USER} -g ${NB_USER} -d /var/log/shiny-server /var/lib/shiny-server
                install -o ${NB_USER} -g ${NB_USER} /dev/null /var/log/shiny-server.log
                install -o ${NB_USER} -g ${NB_USER} /dev/null /var/run/shiny-server.pid
                """),
        ]
    }
}
