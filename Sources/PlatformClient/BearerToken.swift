/// The bearer token, kept where printing, dumping or reflecting the client
/// cannot reach it. Only `authorization` reads it, to build the header.
struct BearerToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    init(_ value: String) {
        self.value = value
    }

    var authorization: String { "Bearer " + value }

    /// The shortest token accepted: a shorter one could not be told apart
    /// from ordinary words, so it could neither be kept out of output nor
    /// redacted without garbling it.
    static let minimumLength = 8

    /// `text` with every whole occurrence of the token replaced, as sent
    /// or percent-encoded: a server may echo the request back in an error
    /// message or an error page, and whatever the server says may end up in
    /// an error or a log line. Whole: an occurrence inside a longer word
    /// (a letter, digit, `-` or `_` on either side) is not the token.
    func redacting(_ text: String) -> String {
        var result = Self.replacingWhole(value, in: text)
        let encoded = PlatformRequest.encodeComponent(value)
        if encoded != value {
            result = Self.replacingWhole(encoded, in: result)
        }
        return result
    }

    private static func replacingWhole(_ token: String, in text: String) -> String {
        let needle = Array(token.utf8)
        let bytes = Array(text.utf8)
        guard !needle.isEmpty, bytes.count >= needle.count else { return text }
        func isWordByte(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if index + needle.count <= bytes.count, bytes[index] == needle[0],
                bytes[index..<index + needle.count].elementsEqual(needle),
                index == 0 || !isWordByte(bytes[index - 1]),
                index + needle.count == bytes.count || !isWordByte(bytes[index + needle.count])
            {
                output += "<redacted>".utf8
                index += needle.count
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    var description: String { "<redacted>" }
    var debugDescription: String { "<redacted>" }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Why an `HTTPPlatform` could not be set up: a platform URL or token that
/// cannot work. A user error (the command exits 64); the description says
/// what to change and never contains the token.
public struct HTTPPlatformSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
