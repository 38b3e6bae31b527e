/// The type a YAML reader resolves an untagged plain scalar to.
public enum PlainScalarType: Sendable, Hashable {
    case null
    case bool
    case int
    case float
    /// YAML 1.1 only: `2026-12-25`, `2026-11-24T10:02:11Z`.
    case timestamp
    /// YAML 1.1 only: the merge key `<<` and the value key `=`.
    case special
    case string

    /// YAML 1.2 core schema (the JSON-compatible resolution most modern readers use).
    public static func core(_ text: String) -> PlainScalarType {
        // Every word below is ASCII of 5 bytes at most.
        if text.utf8.count <= 5 {
            switch text {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE", "false", "False", "FALSE": return .bool
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                ".nan", ".NaN", ".NAN":
                return .float
            default: break
            }
        }
        // Numbers start with a digit, a sign or a point: most text is told apart here.
        guard let start = text.utf8.first, Self.mayStartNumber(start) else { return .string }
        var utf8 = Array(text.utf8)
        if utf8.count > 2, utf8[0] == UInt8(ascii: "0") {
            let rest = utf8[2...]
            if utf8[1] == UInt8(ascii: "o"), rest.allSatisfy({ (0x30...0x37).contains($0) }) { return .int }
            if utf8[1] == UInt8(ascii: "x"), rest.allSatisfy(\.isHexDigit) { return .int }
        }
        if let sign = utf8.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            utf8.removeFirst()
        }
        if !utf8.isEmpty, utf8.allSatisfy(\.isDigit) { return .int }
        return isCoreFloat(utf8[...]) ? .float : .string
    }

    /// YAML 1.1 (PyYAML, libyaml-based loaders, many older tools).
    public static func yaml11(_ text: String) -> PlainScalarType {
        // Every word below is ASCII of 5 bytes at most.
        if text.utf8.count <= 5 {
            switch text {
            case "", "~", "null", "Null", "NULL": return .null
            case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                "true", "True", "TRUE", "false", "False", "FALSE",
                "on", "On", "ON", "off", "Off", "OFF":
                return .bool
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                ".nan", ".NaN", ".NAN":
                return .float
            case "<<", "=": return .special
            default: break
            }
        }
        // Numbers and timestamps start with a digit, a sign or a point.
        guard let start = text.utf8.first, Self.mayStartNumber(start) else { return .string }
        var utf8 = Array(text.utf8)[...]
        if let sign = utf8.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            utf8 = utf8.dropFirst()
        }
        guard let first = utf8.first else { return .string }
        // Timestamps and sexagesimal numbers start with a digit.
        if first.isDigit && looksLikeYAML11Timestamp(Array(text.utf8)) { return .timestamp }
        if utf8.count > 2, first == UInt8(ascii: "0") {
            let marker = utf8[utf8.startIndex + 1]
            let rest = utf8.dropFirst(2)
            if marker == UInt8(ascii: "b"), rest.allSatisfy({ $0 == 0x30 || $0 == 0x31 || $0 == 0x5F }) { return .int }
            if marker == UInt8(ascii: "x"), rest.allSatisfy({ $0.isHexDigit || $0 == 0x5F }) { return .int }
        }
        if first.isDigit, utf8.allSatisfy({ $0.isDigit || $0 == 0x5F }) { return .int }
        if first.isDigit, utf8.contains(UInt8(ascii: ":")),
            utf8.allSatisfy({ $0.isDigit || $0 == 0x5F || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
        {
            return .int  // sexagesimal 1:30 or 1:30.5
        }
        // [-+]?([0-9][0-9_]*)?\.[0-9._]*([eE][-+][0-9]+)?  (the spec has [0-9.]*; PyYAML reads `1.5_0` as 1.5)
        var index = utf8.startIndex
        while index < utf8.endIndex, utf8[index].isDigit || utf8[index] == 0x5F { index += 1 }
        if index < utf8.endIndex, utf8[index] == UInt8(ascii: "."),
            index == utf8.startIndex || utf8[utf8.startIndex].isDigit
        {
            index += 1
            while index < utf8.endIndex, utf8[index].isDigit || utf8[index] == 0x5F || utf8[index] == 0x2E {
                index += 1
            }
            if index == utf8.endIndex { return utf8.count > 1 ? .float : .string }
            if utf8[index] == UInt8(ascii: "e") || utf8[index] == UInt8(ascii: "E") {
                index += 1
                if index < utf8.endIndex, utf8[index] == UInt8(ascii: "+") || utf8[index] == UInt8(ascii: "-") {
                    index += 1
                    let digits = utf8[index...]
                    if !digits.isEmpty, digits.allSatisfy(\.isDigit) { return .float }
                }
            }
        }
        return .string
    }

    private static func mayStartNumber(_ byte: UInt8) -> Bool {
        byte.isDigit || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private static func isCoreFloat(_ utf8: ArraySlice<UInt8>) -> Bool {
        // (\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?  (sign already removed)
        var index = utf8.startIndex
        var mantissaDigits = 0
        while index < utf8.endIndex, utf8[index].isDigit {
            index += 1
            mantissaDigits += 1
        }
        if index < utf8.endIndex, utf8[index] == UInt8(ascii: ".") {
            index += 1
            var fraction = 0
            while index < utf8.endIndex, utf8[index].isDigit {
                index += 1
                fraction += 1
            }
            if mantissaDigits == 0 && fraction == 0 { return false }
            mantissaDigits += fraction
        }
        guard mantissaDigits > 0 else { return false }
        if index == utf8.endIndex { return true }
        guard utf8[index] == UInt8(ascii: "e") || utf8[index] == UInt8(ascii: "E") else { return false }
        index += 1
        if index < utf8.endIndex, utf8[index] == UInt8(ascii: "+") || utf8[index] == UInt8(ascii: "-") { index += 1 }
        let exponent = utf8[index...]
        return !exponent.isEmpty && exponent.allSatisfy(\.isDigit)
    }

    /// `YYYY-MM-DD` or `YYYY-M-D[Tt ]h:mm:ss...` as YAML 1.1's timestamp type reads it.
    private static func looksLikeYAML11Timestamp(_ utf8: [UInt8]) -> Bool {
        guard utf8.count >= 8, utf8[0...3].allSatisfy(\.isDigit), utf8[4] == UInt8(ascii: "-") else { return false }
        return utf8.contains(UInt8(ascii: "-")) && utf8[5].isDigit
    }
}

extension UInt8 {
    var isDigit: Bool { (0x30...0x39).contains(self) }
    var isHexDigit: Bool { isDigit || (0x41...0x46).contains(self) || (0x61...0x66).contains(self) }
}
