/// Writes `YAMLValue`s deterministically in a stable, reviewable form:
/// two-space indent, block mappings, UTF-8 as is (no `\u` escapes), no line
/// folding, multi-line text as literal blocks, a final newline. A string is
/// written plain only when YAML 1.1 and YAML 1.2 readers both read it back
/// as the same string; otherwise it is double-quoted. Same value, same bytes.
public enum YAMLWriter {
    /// - Parameter alwaysQuoting: strings to double-quote even where they
    ///   could be plain (a sealed value, whose form a reader should see at a glance).
    public static func write(_ value: YAMLValue, alwaysQuoting: (String) -> Bool = { _ in false }) -> String {
        var output = ""
        switch value {
        case .map(let members) where !members.isEmpty:
            writeMembers(members, indent: 0, into: &output, alwaysQuoting)
        case .list(let items) where !items.isEmpty:
            writeItems(items, indent: 0, into: &output, alwaysQuoting)
        default:
            output = inline(value, flow: false, alwaysQuoting) + "\n"
        }
        return output
    }

    private static func writeMembers(
        _ members: [(String, YAMLValue)], indent: Int, into output: inout String, _ quote: (String) -> Bool
    ) {
        let pad = String(repeating: " ", count: indent)
        for (key, value) in members {
            let written = scalar(key, flow: false)
            if written.unicodeScalars.count > implicitKeyLimit {
                // An implicit key (`key: value`) may be at most 1,024
                // characters long (YAML 1.1 and 1.2; libyaml refuses
                // longer): a longer one is written explicitly, `? key`, with
                // `: value` on the next line.
                output += pad + "? " + written + "\n" + pad + ":"
            } else {
                output += pad + written + ":"
            }
            writeNested(value, indent: indent, into: &output, quote)
        }
    }

    /// The longest key written implicitly, in characters, quotes and
    /// escapes included: under YAML's 1,024, with room to spare.
    static let implicitKeyLimit = 1_000

    private static func writeItems(
        _ items: [YAMLValue], indent: Int, into output: inout String, _ quote: (String) -> Bool
    ) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            switch item {
            case .map(let members) where !members.isEmpty:
                // `- key: value` with the rest of the mapping aligned under it.
                var nested = ""
                writeMembers(members, indent: indent + 2, into: &nested, quote)
                output += pad + "- " + nested.dropFirst(indent + 2)
            case .list(let inner) where !inner.isEmpty && !isFlowList(inner):
                output += pad + "-\n"
                writeItems(inner, indent: indent + 2, into: &output, quote)
            default:
                output += pad + "-"
                writeNested(item, indent: indent, into: &output, quote)
            }
        }
    }

    /// The value after `key:` or `-`: inline on the same line, or below it.
    private static func writeNested(
        _ value: YAMLValue, indent: Int, into output: inout String, _ quote: (String) -> Bool
    ) {
        switch value {
        case .map(let members) where !members.isEmpty:
            output += "\n"
            writeMembers(members, indent: indent + 2, into: &output, quote)
        case .list(let items) where !items.isEmpty && !isFlowList(items):
            output += "\n"
            writeItems(items, indent: indent + 2, into: &output, quote)
        case .string(let text) where !quote(text) && isLiteralBlock(text):
            // A line starting with a space or a tab would be read as the
            // block's indentation (or refused: a tab there is an error to
            // libyaml) unless the block says how far it is indented.
            let indicator = startsAnyLineWithBlank(text) ? "2" : ""
            output += " |" + indicator + (text.hasSuffix("\n") ? "" : "-") + "\n"
            let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
            let pad = String(repeating: " ", count: indent + 2)
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                output += line.isEmpty ? "\n" : pad + line + "\n"
            }
        default:
            output += " " + inline(value, flow: false, quote) + "\n"
        }
    }

    private static func inline(_ value: YAMLValue, flow: Bool, _ quote: (String) -> Bool) -> String {
        switch value {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .string(let text): return quote(text) ? doubleQuoted(text) : scalar(text, flow: flow)
        case .list(let items): return "[" + items.map { inline($0, flow: true, quote) }.joined(separator: ", ") + "]"
        case .map(let members):
            return "{"
                + members.map { scalar($0.0, flow: true) + ": " + inline($0.1, flow: true, quote) }.joined(
                    separator: ", ")
                + "}"
        }
    }

    /// Short lists of scalars read best on one line: `tags: [billing, vip]`.
    private static func isFlowList(_ items: [YAMLValue]) -> Bool {
        items.allSatisfy {
            switch $0 {
            case .null, .bool, .int: return true
            case .string(let text): return !text.utf8.contains(UInt8(ascii: "\n"))
            default: return false
            }
        }
    }

    private static func startsAnyLineWithBlank(_ text: String) -> Bool {
        var lineStart = true
        for byte in text.utf8 {
            if lineStart && (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) { return true }
            lineStart = byte == UInt8(ascii: "\n")
        }
        return false
    }

    /// Multi-line text that a literal block keeps exactly.
    private static func isLiteralBlock(_ text: String) -> Bool {
        // By bytes: searching Characters for a newline is many times slower.
        guard text.utf8.contains(UInt8(ascii: "\n")), !text.hasSuffix("\n\n"), !text.hasPrefix("\n") else {
            return false
        }
        return text.unicodeScalars.allSatisfy { $0 == "\n" || !isSpecial($0) }
            && !text.split(separator: "\n", omittingEmptySubsequences: false).contains {
                $0.hasSuffix(" ") || $0.hasSuffix("\t")
            }
    }

    /// `text` plain when it reads back as the same string everywhere, else double-quoted.
    public static func scalar(_ text: String, flow: Bool = false) -> String {
        isPlainSafe(text, flow: flow) ? text : doubleQuoted(text)
    }

    public static func isPlainSafe(_ text: String, flow: Bool = false) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        guard PlainScalarType.core(text) == .string, PlainScalarType.yaml11(text) == .string else { return false }
        if first == " " || last == " " || first == "\t" || last == "\t" { return false }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) {
            // `-`, `?` and `:` may start a plain scalar when followed by a non-space, but keep it simple.
            return false
        }
        // `...` and `---` at a line's start end or start a document.
        if text.hasSuffix(":") || text.hasPrefix("...") { return false }
        // One pass over the bytes (every character tested here is ASCII):
        // `: ` and ` #` end a plain scalar; some readers (PyYAML) end one at a tab.
        var previous: UInt8 = 0
        var ascii = true
        for byte in text.utf8 {
            // A tab, or a control character (see `isSpecial`).
            if byte < 0x20 || byte == 0x7F { return false }
            if byte == UInt8(ascii: " ") && previous == UInt8(ascii: ":") { return false }
            if byte == UInt8(ascii: "#") && previous == UInt8(ascii: " ") { return false }
            if flow && Self.flowIndicators.contains(byte) { return false }
            if byte >= 0x80 { ascii = false }
            previous = byte
        }
        return ascii || !text.unicodeScalars.contains(where: isSpecial)
    }

    /// `, [ ] { }`, which end a plain scalar inside `[...]` or `{...}`, and
    /// `:`, which libyaml refuses there before some of them and `?`.
    private static let flowIndicators: Set<UInt8> = Set(",[]{}:".utf8)

    /// Characters a plain or literal scalar cannot hold as they are.
    private static func isSpecial(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: return false
        // Not printable to YAML (C0, DEL, C1, U+FFFE, U+FFFF), or a line
        // break or byte-order mark to some reader.
        case 0x00...0x1F, 0x7F, 0x80...0x9F, 0xFEFF, 0xFFFE, 0xFFFF, 0x2028, 0x2029: return true
        default: return false
        }
    }

    static func doubleQuoted(_ text: String) -> String {
        // Printable ASCII without a quote or a backslash (a sealed value's
        // base64, say) needs no escape: copied whole.
        var text = text
        let copiedWhole = text.withUTF8 { bytes in
            bytes.allSatisfy { (0x20...0x7E).contains($0) && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        }
        if copiedWhole { return "\"" + text + "\"" }
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            default:
                if isSpecial(scalar) {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    output +=
                        scalar.value <= 0xFF
                        ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                        : "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}
