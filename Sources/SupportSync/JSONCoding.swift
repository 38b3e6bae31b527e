import Foundation

/// JSON as supportsync writes it: keys sorted, so the same value always
/// prints the same bytes (objects have no order of their own).
public enum JSONCoding {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Set in the encoder of the documents commands print: a value the API
    /// leaves out when unknown (a customer's phone) is written as `null`
    /// there, as README "JSON" promises for every key not marked `?`.
    public static let outputDocument = CodingUserInfoKey(rawValue: "supportsync.outputDocument")!

    /// `value` as pretty-printed JSON with a final newline; `document`: a
    /// command's output (`outputDocument` set).
    public static func prettyString<T: Encodable>(_ value: T, document: Bool = false) -> String {
        let encoder = encoder(pretty: true)
        if document { encoder.userInfo[outputDocument] = true }
        guard let data = try? encoder.encode(value) else {
            preconditionFailure("encoding \(T.self) cannot fail: it holds only strings, numbers and booleans")
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A decoding error in a few words, with where in the JSON it happened,
    /// relative to `below` (the coding path of the value being decoded).
    /// Never the value itself (it may be anyone's text): the kind of error
    /// and the path, the path cut at 120 characters.
    /// With `json`, the text that failed: JSON nested deeper than
    /// Foundation's reader goes (512 levels) is said to be so, not "not JSON".
    public static func summary(of error: any Error, below: [any CodingKey] = [], json: Data? = nil) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let relative = codingPath.count >= below.count ? codingPath.dropFirst(below.count) : codingPath[...]
            let text = relative.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            let trimmed = text.drop(while: { $0 == "." })
            guard !trimmed.isEmpty else { return "the top level" }
            return trimmed.count > 120 ? trimmed.prefix(120) + "…" : String(trimmed)
        }
        guard let error = error as? DecodingError else {
            // Foundation's scanner names what it found in a string (a lone
            // surrogate, a bad escape) as a case of its own error type.
            let kind = String(describing: error).prefix { $0.isLetter || $0.isNumber }
            return kind.isEmpty ? "not valid JSON text" : "not valid JSON text (\(kind))"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "no \"\(key.stringValue)\" at \(path(context.codingPath))"
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            if let json, nestingDepth(of: json) > maxReadableDepth {
                return "JSON nested more than \(maxReadableDepth) levels deep, deeper than supportsync reads"
            }
            return "not JSON"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            // Foundation's words name the types, not the value.
            return "\(context.debugDescription) at \(path(context.codingPath))"
        case .dataCorrupted(let context):
            // Here Foundation's words would quote the value (an unknown enum case).
            return "a value that is not valid at \(path(context.codingPath))"
        @unknown default:
            return "\(error)"
        }
    }

    /// How deep Foundation's JSON reader goes into arrays and objects.
    static let maxReadableDepth = 512

    /// The deepest nesting of arrays and objects in `json`, brackets in strings not counted.
    static func nestingDepth(of json: Data) -> Int {
        var (depth, deepest, inString, escaped) = (0, 0, false, false)
        for byte in json {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }
}
