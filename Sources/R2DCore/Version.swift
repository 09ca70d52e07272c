/// The version `--version` prints and the `repo2docker.version` label records.
public enum SwiftR2DVersion {
    public static let string = "0.1.0"
}
