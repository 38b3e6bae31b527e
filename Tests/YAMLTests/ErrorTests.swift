import Testing
import YAML

/// Malformed input is an error with a position, never a crash.
struct ErrorTests {
    struct BytesCase: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var at: Position

        init(_ name: String, _ text: String, then bad: [UInt8], _ rest: String = "\n", at line: Int, _ column: Int) {
            self.name = name
            self.bytes = Array(text.utf8) + bad + Array(rest.utf8)
            self.at = Position(line, column)
        }

        var testDescription: String { name }
    }

    static let invalidUTF8Cases: [BytesCase] = [
        BytesCase("invalid leading byte", "a: ", then: [0xFF], at: 1, 4),
        BytesCase("lone continuation byte", "a: ", then: [0x80], at: 1, 4),
        BytesCase("Latin-1 é", "name: Jos", then: [0xE9], at: 1, 10),
        BytesCase("broken sequence after a good é", "a: 1\nb: é", then: [0xC3, 0x28], at: 2, 5),
        BytesCase("four-byte sequence cut short", "a: ", then: [0xF0, 0x9F, 0x98], at: 1, 4),
        BytesCase("sequence cut off by the end of the file", "a: ", then: [0xE2, 0x82], "", at: 1, 4),
        BytesCase("overlong encoding", "a: ", then: [0xC0, 0x80], at: 1, 4),
        BytesCase("UTF-16 surrogate", "a: ", then: [0xED, 0xA0, 0x80], at: 1, 4),
        BytesCase("after Unicode text on the same line", "key: ünï", then: [0xFF], at: 1, 9),
        BytesCase("after a byte-order mark", "\u{FEFF}a: ", then: [0xFF], at: 1, 4),
        BytesCase("after CRLF", "a: 1\r\nb: ", then: [0xFF], at: 2, 4),
        BytesCase("after a lone CR", "a: 1\rb: ", then: [0xFF], at: 2, 4),
        BytesCase("deep in the file", String(repeating: "k: v\n", count: 5000) + "z: ", then: [0xFF], at: 5001, 4),
        BytesCase("UTF-16 with a byte-order mark", "", then: [0xFF, 0xFE, 0x61, 0x00], "", at: 1, 1),
    ]

    @Test("non-UTF-8 bytes", arguments: invalidUTF8Cases)
    func invalidUTF8(_ c: BytesCase) throws {
        let error = try readError(c.bytes)
        #expect(error.kind == .encoding)
        #expect(error.position == c.at)
    }

    @Test func invalidUTF8SaysSo() throws {
        let error = try readError(Array("a: ".utf8) + [0xFF, 0x0A])
        #expect(error.message.contains("UTF-8"))
        #expect(error.description.hasPrefix("1:4: "))
    }

    @Test func encodingErrorOffsetCountsCharacters() throws {
        let error = try readError(Array("ünï: ".utf8) + [0xFF])
        #expect(error.mark.offset == 5)
    }

    @Test(
        "control characters",
        arguments: [
            ("NUL", "\u{0}", "#x0"), ("BEL", "\u{7}", "#x7"), ("ESC", "\u{1B}", "#x1B"), ("DEL", "\u{7F}", "#x7F"),
            ("C1 control", "\u{90}", "#x90"),
        ])
    func controlCharacter(name: String, character: String, code: String) throws {
        let error = try readError("a: ok\nb: x\(character)y\n")
        #expect(error.kind == .encoding)
        #expect(error.position == Position(2, 5))
        #expect(error.message.contains(code))
    }

    /// A line separator YAML 1.1 breaks a line at and YAML 1.2 does not:
    /// refused where it stands, in lines counted as an editor counts them,
    /// not read as a break (which moved every later line's number).
    @Test(
        "separators YAML 1.1 breaks lines at",
        arguments: [
            ("\u{2028}", "LINE SEPARATOR (U+2028)"), ("\u{2029}", "PARAGRAPH SEPARATOR"), ("\u{85}", "NEXT LINE"),
        ])
    func ambiguousLineBreak(character: String, name: String) throws {
        let error = try readError("# Café note\na: ok\n# a comment \(character) with it\nb: 2\n")
        #expect(error.kind == .encoding)
        #expect(error.position == Position(3, 13), "\(error)")
        #expect(error.message.contains(name) && error.message.contains("YAML 1.1"), "\(error.message)")
        // Written escaped in double quotes, it is text.
        let escape = character == "\u{85}" ? "\\N" : character == "\u{2028}" ? "\\L" : "\\P"
        #expect(try root("a: \"x\(escape)y\"\n").at(.value("a"))?.scalar?.text == "x\(character)y")
    }

    @Test func tabsInsideAValueAreText() throws {
        #expect(try root("a: x\ty\n").at(.value("a"))?.scalar?.text == "x\ty")
        #expect(try root("a:\tb\n").at(.value("a"))?.scalar?.text == "b")
    }

    @Test(
        "tabs used for indentation",
        arguments: [
            ("a:\n\tb: 1\n", Position(2, 1)),
            ("\tk: v\n", Position(1, 1)),
            ("key:\n\t- x\n", Position(2, 1)),
            ("a: 1\n\tb: 2\n", Position(2, 1)),
            ("a: |\n\tx\n", Position(2, 1)),
            ("a:\n  b:\n  \tc: 1\n", Position(3, 3)),
        ])
    func tabIndentation(yaml: String, at position: Position) throws {
        let error = try readError(yaml)
        #expect(error.kind == .syntax)
        #expect(error.position == position)
        #expect(character(at: position, in: yaml) == "\t")
        #expect(error.message.contains("indent with spaces, not tabs"))
    }

    struct SyntaxCase: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var at: Position
        /// Part of the message that must appear (libyaml's own wording).
        var says: String
        var testDescription: String { name }
    }

    @Test(
        "syntax errors",
        arguments: [
            SyntaxCase(
                name: "key less indented than its siblings", yaml: "a:\n  b: 1\n c: 2\n", at: Position(3, 2),
                says: "did not find expected key"),
            SyntaxCase(
                name: "key more indented than its siblings", yaml: "a: 1\n  b: 2\n", at: Position(2, 4),
                says: "mapping values are not allowed"),
            SyntaxCase(
                name: "sequence item out of line", yaml: "items:\n  - a\n - b\n", at: Position(3, 2),
                says: "did not find expected key"),
            SyntaxCase(
                name: "two colons on a line", yaml: "a: b: c\n", at: Position(1, 5),
                says: "mapping values are not allowed"),
            SyntaxCase(
                name: "unclosed single quote", yaml: "a: 'x\nb: 2\n", at: Position(3, 1),
                says: "while scanning a quoted scalar at line 1, column 4"),
            SyntaxCase(
                name: "unclosed double quote", yaml: "a: \"x\n", at: Position(2, 1),
                says: "while scanning a quoted scalar at line 1, column 4"),
            SyntaxCase(
                name: "unclosed flow sequence", yaml: "a: [x, y\n", at: Position(2, 1),
                says: "flow sequence at line 1, column 4"),
            SyntaxCase(
                name: "unclosed flow mapping", yaml: "a: {x: 1\n", at: Position(2, 1),
                says: "flow mapping at line 1, column 4"),
            SyntaxCase(
                name: "bad escape in double quotes", yaml: "a: \"\\q\"\n", at: Position(1, 5),
                says: "unknown escape"),
            SyntaxCase(
                name: "document end marker alone", yaml: "...\n", at: Position(1, 1),
                says: "did not find expected node content"),
        ])
    func syntax(_ c: SyntaxCase) throws {
        let error = try readError(c.yaml)
        #expect(error.kind == .syntax)
        #expect(error.position == c.at)
        #expect(error.message.contains(c.says))
        #expect(!error.message.contains("tabs"))
    }

    @Test func anErrorInALaterDocumentFailsTheWholeRead() throws {
        let error = try readError("a: 1\n---\nb: 'open\n")
        #expect(error.kind == .syntax)
        #expect(error.position.line == 4)
    }

    @Test func errorDescriptionIsPositionThenMessage() {
        let error = YAMLError(.syntax, "something broke", at: Mark(line: 3, column: 2))
        #expect(error.description == "3:2: something broke")
    }
}
