import CWaymarkSystem

/// CRC-32C (Castagnoli), the checksum every record frame carries.
public enum CRC32C {
    /// The CRC-32C of `bytes`, continuing from `crc` (0 for a fresh checksum).
    @inline(__always)
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        wm_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// The CRC-32C of `bytes` by the portable table, whatever the CPU (tests compare both paths).
    public static func portableChecksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { wm_crc32c_portable(0, $0.baseAddress, $0.count) }
    }

    /// Whether `checksum` uses the CPU's CRC32 instruction.
    public static var usesHardware: Bool { wm_crc32c_is_hardware() != 0 }
}
