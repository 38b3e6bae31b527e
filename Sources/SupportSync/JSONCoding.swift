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

    /// `value` as pretty-printed JSON with a final newline.
    public static func prettyString<T: Encodable>(_ value: T) -> String {
        guard let data = try? encoder(pretty: true).encode(value) else {
            preconditionFailure("encoding \(T.self) cannot fail: it holds only strings, numbers and booleans")
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
