internal import CLibGit2

/// The SHA-1 name of a git object (commit, tree, blob or tag).
///
/// The 20 bytes are held inline, big-endian, so an id costs no allocation and
/// sorts in the same order as its hexadecimal form.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The number of bytes in an id (SHA-1; libgit2 1.5 knows no SHA-256).
    public static let byteCount = 20

    private var high: UInt64
    private var middle: UInt64
    private var low: UInt32

    /// An id from its 40 hexadecimal digits (either case); nil for anything
    /// else, including abbreviated ids, which need a repository to resolve.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 2 * Self.byteCount else { return nil }
        var bytes = [UInt8](repeating: 0, count: Self.byteCount)
        for index in 0..<Self.byteCount {
            guard let upper = Self.nibble(digits[2 * index]), let lower = Self.nibble(digits[2 * index + 1]) else {
                return nil
            }
            bytes[index] = upper << 4 | lower
        }
        self.init(bytes: bytes)!
    }

    /// An id from its 20 raw bytes; nil when there are not exactly 20.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        high = Self.load(bytes[0..<8])
        middle = Self.load(bytes[8..<16])
        low = UInt32(Self.load(bytes[16..<20]))
    }

    /// The 20 raw bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.byteCount)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: high >> shift)) }
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: middle >> shift)) }
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> shift)) }
        return out
    }

    /// The 40 lower-case hexadecimal digits, as git prints them.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(2 * Self.byteCount)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func load(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

// Conversions at the libgit2 boundary; internal so no C type leaks out.
extension ObjectID {
    init(_ oid: git_oid) {
        let bytes = withUnsafeBytes(of: oid.id) { Array($0) }
        self.init(bytes: bytes)!
    }

    init(_ oid: UnsafePointer<git_oid>) {
        self.init(oid.pointee)
    }

    var gitOID: git_oid {
        var oid = git_oid()
        let bytes = self.bytes
        withUnsafeMutableBytes(of: &oid.id) { $0.copyBytes(from: bytes) }
        return oid
    }
}
