/// Text from files and platforms made safe for a terminal and a log: control
/// characters (C0, DEL, C1), format characters (bidi overrides, zero-width
/// joiners, the byte-order mark) and line and paragraph separators are
/// written as `\u{1B}` escapes, so a key holding an escape sequence cannot
/// recolour a terminal and a newline cannot forge a `file:line:` line.
public enum PrintableText {
    public static func escaping(_ text: String, keepingNewlines: Bool = false) -> String {
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

    static func needsEscape(_ scalar: Unicode.Scalar, _ keepingNewlines: Bool) -> Bool {
        if scalar == "\n" { return !keepingNewlines }
        if scalar == "\t" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
