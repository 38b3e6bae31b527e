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
        guard let id = Array(hex.utf8).withUnsafeBufferPointer({ ObjectID(hexDigits: $0) }) else { return nil }
        self = id
    }

    /// An id from its 40 hexadecimal digits as bytes, as raw objects hold them.
    init?(hexDigits: UnsafeBufferPointer<UInt8>) {
        guard hexDigits.count == 2 * Self.byteCount else { return nil }
        // Straight into the three words, without an array: walks read
        // thousands of ids this way.
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var invalid: UInt8 = 0
        for index in 0..<hexDigits.count {
            let nibble = Self.nibbles[Int(hexDigits[index])]
            invalid |= nibble
            switch index >> 4 {
            case 0: words.0 = words.0 << 4 | UInt64(nibble)
            case 1: words.1 = words.1 << 4 | UInt64(nibble)
            default: words.2 = words.2 << 4 | UInt64(nibble)
            }
        }
        guard invalid & 0xF0 == 0 else { return nil }
        self.init(high: words.0, middle: words.1, low: UInt32(truncatingIfNeeded: words.2))
    }

    /// Each byte's value as a hexadecimal digit; 0xFF for a byte that is none.
    private static let nibbles: [UInt8] = (0...255).map { nibble(UInt8($0)) ?? 0xFF }

    /// An id from the 20 bytes at `raw` (as trees and libgit2 hold them).
    init(raw: UnsafeRawPointer) {
        self.init(
            high: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
            middle: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            low: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
    }

    private init(high: UInt64, middle: UInt64, low: UInt32) {
        self.high = high
        self.middle = middle
        self.low = low
    }

    /// An id from its 20 raw bytes; nil when there are not exactly 20.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        high = Self.load(bytes[0..<8])
        middle = Self.load(bytes[8..<16])
        low = UInt32(Self.load(bytes[16..<20]))
    }

    /// Appends the 20 raw bytes to `bytes`.
    func appendRaw(to bytes: inout [UInt8]) {
        withUnsafeBytes(of: high.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: middle.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: low.bigEndian) { bytes.append(contentsOf: $0) }
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
        self = withUnsafeBytes(of: oid.id) { ObjectID(raw: $0.baseAddress!) }
    }

    init(_ oid: UnsafePointer<git_oid>) {
        self.init(oid.pointee)
    }

    var gitOID: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { raw in
            raw.storeBytes(of: high.bigEndian, as: UInt64.self)
            raw.storeBytes(of: middle.bigEndian, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: low.bigEndian, toByteOffset: 16, as: UInt32.self)
        }
        return oid
    }
}
