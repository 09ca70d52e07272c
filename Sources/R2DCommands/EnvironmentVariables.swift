import R2DHTTP

/// Every environment variable swift-r2d reads, with what it does: the one list `Docs/cli.md` is made from (a
/// test checks that each variable the sources read is in it).
enum EnvironmentVariables {
    struct Row {
        var names: [String]
        var effect: String
    }

    static let all: [Row] = [
        Row(
            names: ["DOCKER_HOST", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY"],
            effect: "the engine to use (default `unix:///var/run/docker.sock`), and the TLS files for a `tcp://` one"),
        Row(
            names: ["XDG_RUNTIME_DIR"],
            effect: "with `--engine podman`, `$XDG_RUNTIME_DIR/podman/podman.sock` is tried after `/run/podman/podman.sock`"),
        Row(
            names: ["DOCKER_CONFIG", "HOME"],
            effect: "`$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`): registry credentials, credential helpers and the "
                + "`proxies` handed to builds; never written"),
        Row(
            names: ["CONTAINER_ENGINE_REGISTRY_CREDENTIALS"],
            effect: "`{\"registry\", \"username\", \"password\"}` for `--push` (BinderHub's dynamic credentials)"),
        Row(
            names: ["GIT_CREDENTIAL_ENV"],
            effect: "`username=…\\npassword=…` offered to git servers that ask (BinderHub's git credentials)"),
        Row(names: ["SSH_AUTH_SOCK"], effect: "the ssh agent offered to `ssh://` and `git@host:` remotes"),
        Row(
            names: ["SSL_CERT_FILE", "GIT_SSL_CAINFO", "SSL_CERT_DIR"],
            effect: "certificates git clones trust over HTTPS, besides `/etc/ssl/certs` (a TLS-inspecting proxy's CA goes here)"),
        Row(
            names: ProxySettings.variables,
            effect: "the proxies of swift-r2d's own HTTP clients (data repositories, DOI resolution, the registry check, a `tcp://` "
                + "engine), also in lower case, the upper-case one first; `NO_PROXY` takes `*`, `host`, `.domain`, `host:port`, "
                + "addresses and CIDR blocks (Go's rules, as Docker's tools); loopback is never proxied. git clones read them "
                + "through libgit2. Builds get the `proxies` of config.json, as with the docker CLI, as the predefined build "
                + "arguments Docker keeps out of the image's history"),
        Row(
            names: ["SOURCE_DATE_EPOCH"],
            effect: "the file time in the build context of a directory that is not a git checkout"),
        Row(
            names: ["R2D_DATAVERSE_INSTALLATIONS_URL"],
            effect: "the list of Dataverse installations when `--dataverse-installations-url` is not given"),
        Row(
            names: ["TMPDIR"],
            effect:
                "where clones, downloads and large scratch files (canonical git indexes) are made (default `/tmp`); nothing is left there"),
        Row(
            names: ["MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_"],
            effect:
                "glibc's malloc tuning; when unset, a run uses 2 arenas and maps blocks from 128 KiB on their own (peak memory near the live heap)"
        ),
        Row(
            names: ["PATH"],
            effect: "where `docker-credential-<name>` helpers (from `credHelpers` / `credsStore`) and `hg` are found"),
        Row(names: ["LOGNAME", "USER", "LNAME", "USERNAME"], effect: "the image user's name when `--user-name` is not given"),
        Row(
            names: ["SWIFT_R2D_REGISTRY_CERTS_D"],
            effect: "Docker's per-registry CA layout (`<dir>/<host:port>/ca.crt`) for the \"already pushed?\" check "
                + "(default `/etc/docker/certs.d`)"),
        Row(
            names: ["SWIFT_R2D_BUILDKIT_CONTEXT"],
            effect: "`body` sends a BuildKit build's context as the request body (the tar) where the engine can read it, instead "
                + "of the session's file sync (the default); the containerd image store always takes file sync"),
        Row(
            names: ["NAME given to `-e NAME`"],
            effect: "`--env NAME` without `=value` passes the variable's value into the container that runs"),
    ]

    /// The table in `Docs/cli.md`.
    static func markdown() -> String {
        var out = "| Variable | Effect |\n|---|---|\n"
        for row in all {
            let names = row.names.map { $0.contains(" ") ? $0 : "`\($0)`" }.joined(separator: ", ")
            out += "| \(names) | \(row.effect.replacingOccurrences(of: "|", with: "\\|")) |\n"
        }
        return out
    }
}
