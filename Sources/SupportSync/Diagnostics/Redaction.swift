import Foundation

/// Secrets kept out of text both ends of the platform API print: a token is
/// replaced where it stands as a whole word, never inside a longer one, so
/// redaction neither garbles ordinary text (an agent id that merely holds
/// the token's letters) nor tells what the token is by what it left.
public enum Redaction {
    public static let placeholder = "<redacted>"

    /// `text` with each occurrence of `secret` that is not part of a longer
    /// run of letters, digits, `-` and `_` replaced by `<redacted>`.
    public static func redacting(_ secret: String, in text: String) -> String {
        guard !secret.isEmpty, text.contains(secret) else { return text }
        var result = ""
        var start = text.startIndex
        var searchFrom = text.startIndex
        while let found = text.range(of: secret, range: searchFrom..<text.endIndex) {
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            if !continuesAWord(before: found.lowerBound, in: text), after.map(isWordCharacter) != true {
                result += text[start..<found.lowerBound] + placeholder
                start = found.upperBound
                searchFrom = found.upperBound
            } else {
                searchFrom = text.index(after: found.lowerBound)
            }
        }
        return result + text[start...]
    }

    /// `path` (a URL's path) with every segment that is one of `secrets`,
    /// as written or percent-decoded, replaced by `<redacted>`. A secret
    /// that still shows as a whole word in the path or the decoded path
    /// after that (one holding a `/`, so no single segment) hides the
    /// whole path: `/<redacted>`.
    public static func redactingSegments(_ secrets: [String], in path: String) -> String {
        let secrets = secrets.filter { !$0.isEmpty }
        guard !secrets.isEmpty else { return path }
        let shown = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            let decoded = String(segment).removingPercentEncoding ?? String(segment)
            return secrets.contains(String(segment)) || secrets.contains(decoded) ? placeholder : String(segment)
        }.joined(separator: "/")
        let decoded = shown.removingPercentEncoding ?? shown
        let showing = secrets.contains { redacting($0, in: shown) != shown || redacting($0, in: decoded) != decoded }
        return showing ? "/" + placeholder : shown
    }

    /// Letters, digits, `-` and `_`: what a token or an id is made of. A
    /// full stop or `~` ends a word here, so a token at the end of a
    /// sentence is still found.
    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "-" || character == "_"
    }

    /// Whether the text before `index` is a word the match would continue;
    /// a percent escape (`%20`) before it is a boundary, as in a URL.
    static func continuesAWord(before index: String.Index, in text: String) -> Bool {
        guard index > text.startIndex else { return false }
        let previous = text[text.index(before: index)]
        guard isWordCharacter(previous) else { return false }
        let escape = text[..<index].suffix(3)
        return !(escape.count == 3 && escape.first == "%" && escape.dropFirst().allSatisfy(\.isHexDigit))
    }
}
