@testable import R2DCore

/// `-p/--publish` and `-v/--volume` values.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPortVolume(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    do {
        let mapping = try PortMapping.parse(text)
        if !(1...65535).contains(mapping.hostPort) || !(1...65535).contains(mapping.containerPort) {
            fatalError("accepted an out-of-range port: \(text.debugDescription)")
        }
    } catch {
        FuzzInput.requireOneLine(error)
    }
    do { _ = try VolumeMapping.parse(text) } catch { FuzzInput.requireOneLine(error) }
    return 0
}
