// The libFuzzer entry point for `make fuzz`: compiled with `-sanitize=fuzzer` against the
// instrumented modules, it runs the target WAYMARK_FUZZ_TARGET names (csv, json, envelope,
// segment) on each input libFuzzer makes.
import Glibc
import WaymarkFuzz

nonisolated(unsafe) let target: FuzzTarget = {
    guard let name = getenv("WAYMARK_FUZZ_TARGET").map({ String(cString: $0) }), let t = FuzzTarget(rawValue: name) else {
        fatalError("set WAYMARK_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
