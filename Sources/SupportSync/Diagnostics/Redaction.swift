import Foundation

/// Secrets kept out of text both ends of the platform API print: a token is
/// replaced where it stands as a whole word, never inside a longer one, so
/// redaction neither garbles ordinary text (an agent id that merely holds
/// the token's letters) nor tells what the token is by what it left.
public enum Redaction {
    public static let placeholder = "<redacted>"

    /// The shortest token accepted: a shorter one could not be told apart
    /// from ordinary words, so it could neither be kept out of output nor
    /// redacted without garbling it.
    public static let minimumTokenLength = 8

    /// Why `token` cannot be a bearer token, said of "the token"; nil when
    /// it can. A token is printable ASCII (what an `Authorization` field
    /// carries, RFC 6750), so it has one spelling in bytes and redaction
    /// finds it whatever the text around it; and it is long enough to tell
    /// apart from ordinary words.
    public static func tokenProblem(_ token: String) -> String? {
        if token.isEmpty { return "is empty" }
        if token.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) {
            return
                "holds a space, a control character or a character outside ASCII; a bearer token is printable ASCII"
        }
        if token.utf8.count < minimumTokenLength {
            return "is shorter than \(minimumTokenLength) characters"
        }
        return nil
    }

    /// `text` with each occurrence of `secret` that is not part of a longer
    /// run of letters, digits, `-` and `_` replaced by `<redacted>`: as it
    /// is, and percent-encoded in any part and any case (`a1%2Fb2`,
    /// `a1%2fb2%2B`, even `%61%31/b2`), as a URL or an echoed request may
    /// hold it. Matched on the text's bytes, so a mark or an invisible
    /// character after the token (a variation selector, a combining accent)
    /// does not hide it in a longer character.
    public static func redacting(_ secret: String, in text: String) -> String {
        let needle = Array(secret.utf8)
        guard !needle.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var found: [Range<Int>] = []
        /// Each whole occurrence of `needle` in `view`, whose byte `i` stands
        /// for the text's bytes `starts[i]..<ends[i]` (nil: byte `i` itself).
        func search(_ view: [UInt8], starts: [Int]? = nil, ends: [Int]? = nil) {
            guard view.count >= needle.count else { return }
            var index = 0
            while index <= view.count - needle.count {
                if view[index] == needle[0], view[index..<(index + needle.count)].elementsEqual(needle) {
                    let last = index + needle.count - 1
                    let range = (starts?[index] ?? index)..<(ends?[last] ?? last + 1)
                    if isWhole(range, in: bytes) {
                        found.append(range)
                        index += needle.count
                        continue
                    }
                }
                index += 1
            }
        }
        search(bytes)
        if bytes.contains(UInt8(ascii: "%")) {
            // The text with every `%XX` escape read as its byte.
            var decoded: [UInt8] = []
            var starts: [Int] = []
            var ends: [Int] = []
            var index = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                    let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                {
                    decoded.append(high << 4 | low)
                    starts.append(index)
                    ends.append(index + 3)
                    index += 3
                } else {
                    decoded.append(bytes[index])
                    starts.append(index)
                    ends.append(index + 1)
                    index += 1
                }
            }
            search(decoded, starts: starts, ends: ends)
        }
        guard !found.isEmpty else { return text }
        var result: [UInt8] = []
        var copied = 0
        for range in found.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if range.lowerBound >= copied {
                result += bytes[copied..<range.lowerBound]
                result += placeholder.utf8
            } else if range.upperBound <= copied {
                continue
            }
            // An overlap (one occurrence found both as it is and decoded) is hidden whole.
            copied = max(copied, range.upperBound)
        }
        result += bytes[copied...]
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether the text's bytes `range` stand alone: no letter, digit, `-`
    /// or `_` right before (the end of a percent escape such as `%20` is
    /// no part of a word) or right after.
    private static func isWhole(_ range: Range<Int>, in bytes: [UInt8]) -> Bool {
        if range.lowerBound > 0 {
            var start = range.lowerBound - 1
            while start > 0, bytes[start] & 0xC0 == 0x80 { start -= 1 }
            let escaped =
                range.lowerBound >= 3 && bytes[range.lowerBound - 3] == UInt8(ascii: "%")
                && hexValue(bytes[range.lowerBound - 2]) != nil && hexValue(bytes[range.lowerBound - 1]) != nil
            if !escaped, isWordScalar(bytes[start..<range.lowerBound]) { return false }
        }
        if range.upperBound < bytes.count {
            var end = range.upperBound + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            if isWordScalar(bytes[range.upperBound..<end]) { return false }
        }
        return true
    }

    /// Letters, digits, `-` and `_`: what a token or an id is made of. A
    /// full stop or `~` ends a word here, so a token at the end of a
    /// sentence is still found; so does a mark (an accent, a variation
    /// selector), which is no letter of its own.
    private static func isWordScalar(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let scalar = String(decoding: bytes, as: UTF8.self).unicodeScalars.first else { return false }
        if scalar == "-" || scalar == "_" { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber,
            .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// `path` (a URL's path) with every segment that is one of `secrets`,
    /// as written or percent-decoded, replaced by `<redacted>`. A secret
    /// that still shows as a whole word in the path, as written or encoded,
    /// after that (one holding a `/`, so no single segment) hides the
    /// whole path: `/<redacted>`.
    public static func redactingSegments(_ secrets: [String], in path: String) -> String {
        let secrets = secrets.filter { !$0.isEmpty }
        guard !secrets.isEmpty else { return path }
        let shown = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            let decoded = String(segment).removingPercentEncoding ?? String(segment)
            return secrets.contains(String(segment)) || secrets.contains(decoded) ? placeholder : String(segment)
        }.joined(separator: "/")
        // `redacting` reads escapes itself: the decoded path needs no look of its own.
        return secrets.contains { redacting($0, in: shown) != shown } ? "/" + placeholder : shown
    }
}
