/// The pixi pathway's file (Buildpacks/pixi).
extension BuildpackAssets {
    /// The pixi release install-pixi.bash pins (AssetsTests checks the two agree). The checksums of its two
    /// Linux archives were taken from the release's published sha256 sums, as two independent pinned
    /// installers carry them; the release itself was not reachable where they were written.
    public static let pixiVersion = "0.75.0"

    /// `install-pixi.bash`: the sha256-checked pixi binary into /usr/local/bin.
    public static var installPixi: [UInt8] { Array(EmbeddedFiles.installPixi.utf8) }
}
