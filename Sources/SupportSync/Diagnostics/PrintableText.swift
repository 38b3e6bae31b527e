/// Text from files and platforms made safe for a terminal and a log: control
/// characters (C0, DEL, C1), format characters (bidi overrides, zero-width
/// joiners, the byte-order mark) and line and paragraph separators are
/// written as `\u{1B}` escapes, so a key holding an escape sequence cannot
/// recolour a terminal and a newline cannot forge a `file:line:` line. A tab
/// is written `\t` too, except in text shown as lines (a file's text), where
/// it is the file's own layout.
public enum PrintableText {
    public static func escaping(_ text: String, keepingNewlines: Bool = false) -> String {
        // Printable ASCII, the common case, needs no look at Unicode's categories.
        if text.utf8.allSatisfy({ (0x20...0x7E).contains($0) || ($0 == 0x09 && keepingNewlines) }) { return text }
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepingNewlines) }) else { return text }
        var output = ""
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, keepingNewlines) {
                output += scalar.escaped(asASCII: true)
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// `https://***@host/...` for `https://user:password@host/...`, as git
    /// prints remote URLs: a URL is named without what it should never hold.
    public static func hidingUserInfo(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + "***" + String(url[at...])
    }

    static func needsEscape(_ scalar: Unicode.Scalar, _ keepingNewlines: Bool) -> Bool {
        if scalar == "\n" { return !keepingNewlines }
        if scalar == "\t" { return !keepingNewlines }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
