/// Strings built from the pieces that trip YAML writers and readers:
/// leading and trailing blanks, tabs, line breaks of every kind, control
/// and non-printable characters, indicators, document markers, words that
/// YAML 1.1 reads as booleans or numbers. The same seed gives the same strings.
public struct GeneratedStrings: Sequence, IteratorProtocol {
    public static let pieces: [String] = [
        "a", "Zé", "word", " ", "  ", "\t", "\n", "\n\n", "\r", "\r\n", "\u{0}", "\u{7}", "\u{1B}[31m", "\u{7F}",
        "\u{85}", "\u{A0}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFE}", "\u{FFFF}", "\u{202E}", "🎉", "#", " #",
        ":", ": ", "-", "- ", "?", "'", "\"", "\\", "|", ">", "*", "&", "!", "%", "@", "`", ",", "[", "]", "{", "}",
        "~", "---", "...", "<<", "=", "yes", "No", "on", "null", "1", "0x1F", "1.5e3", "12:30", "2026-11-24",
        ".inf", "+", "sealed:v1:",
    ]

    private var state: UInt64
    private var remaining: Int

    public init(seed: UInt64, count: Int) {
        state = seed
        remaining = count
    }

    public mutating func next() -> String? {
        guard remaining > 0 else { return nil }
        remaining -= 1
        let length = Int(random() % 12)
        var text = ""
        for _ in 0..<length { text += Self.pieces[Int(random() % UInt64(Self.pieces.count))] }
        return text
    }

    /// SplitMix64.
    private mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
