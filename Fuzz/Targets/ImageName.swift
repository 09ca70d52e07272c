@testable import R2DCore
import R2DRegistry

/// Image names (`--image-name`, `output_image_spec`): the validity check, tag split, default name and the
/// registry split used for pushing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImageName(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    let valid = ImageName.isValid(text)
    let (repository, tag) = ImageName.split(text)
    if valid && (repository.isEmpty || tag.isEmpty) { fatalError("valid name \(text.debugDescription) split into an empty part") }
    let generated = ImageName.defaultRepository(repo: text, subdir: "")
    if generated.count > ImageName.maximumGeneratedLength { fatalError("default name longer than the limit") }
    _ = RegistryReference(parsing: text)
    return 0
}
