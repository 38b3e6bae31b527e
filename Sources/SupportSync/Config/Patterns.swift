/// The formats of identifiers and values, shared by the validator and the
/// JSON Schema so the two cannot drift apart.
public enum Patterns {
    static let agentID = "^[a-z0-9][a-z0-9-]{0,62}$"
    static let customField = "^[a-z][a-z0-9_]{0,39}$"
    static let tag = "^[a-z0-9][a-z0-9-]{0,39}$"
    static let e164 = "^\\+[1-9][0-9]{7,14}$"
    static let sipURI =
        "^sips?:[^@\\s:;]+@[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?$"
    static let `extension` = "^[0-9*#]{1,20}$"
    static let timeRange = "^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
    static let dayKey = "^(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?$"
    static let date = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

    static let nameMaxLength = 80
    static let destinationNameMaxLength = 80
    static let announceMaxLength = 500
    static let guidanceMaxLength = 2000
    static let labelMaxLength = 80
    static let maxDestinations = 10
    /// Bounds on the lists SPEC section 3 leaves open, so every agent
    /// `validate` accepts is one the platform takes: its body stays far
    /// inside the request limits (1 MiB, 100,000 nodes).
    static let maxCollect = 100
    static let maxTags = 50
    static let maxClosedDates = 1000
    static let ringTimeout = 5...300

    public static func isAgentID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count), isLowerAlnum(bytes[0]) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// A ticket tag: lowercase letters, digits and '-', not first; 1 to 40 bytes.
    public static func isTag(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...40).contains(bytes.count), isLowerAlnum(bytes[0]) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// A custom field's name: a lowercase letter, then lowercase letters,
    /// digits and '_'; 1 to 40 bytes.
    public static func isCustomField(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...40).contains(bytes.count), (0x61...0x7A).contains(bytes[0]) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "_") }
    }

    static func isE164(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (9...16).contains(bytes.count), bytes[0] == UInt8(ascii: "+"), bytes[1] != UInt8(ascii: "0") else {
            return false
        }
        return bytes.dropFirst().allSatisfy { (0x30...0x39).contains($0) }
    }

    static func isExtension(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return (1...20).contains(bytes.count)
            && bytes.allSatisfy { (0x30...0x39).contains($0) || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "#") }
    }

    /// `sip:user@host[:port]` or `sips:...`.
    static func isSIPURI(_ text: String) -> Bool {
        let body: Substring
        if text.hasPrefix("sip:") {
            body = text.dropFirst(4)
        } else if text.hasPrefix("sips:") {
            body = text.dropFirst(5)
        } else {
            return false
        }
        let parts = body.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty,
            parts[0].unicodeScalars.allSatisfy({ !$0.properties.isWhitespace && $0 != ":" && $0 != ";" })
        else { return false }
        let hostPort = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(hostPort.count) else { return false }
        let host = Array(hostPort[0].utf8)
        guard let first = host.first, let last = host.last, isAlnum(first), isAlnum(last),
            host.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
        else { return false }
        if hostPort.count == 2 {
            let port = hostPort[1]
            // 1 to 65535, written without leading zeros.
            guard (1...5).contains(port.count), port.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                port.first != "0", let number = Int(port), number <= 65535
            else {
                return false
            }
        }
        return true
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
    }

    private static func isAlnum(_ byte: UInt8) -> Bool {
        isLowerAlnum(byte) || (0x41...0x5A).contains(byte)
    }
}
