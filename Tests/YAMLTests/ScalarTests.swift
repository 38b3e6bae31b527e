import Testing
import YAML

/// Scalars keep their text as written (decoded, never normalised), their
/// style and their tag; types come from our rules, not YAML 1.1 resolution.
struct ScalarTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var yaml: String
        var text: String
        var style: ScalarStyle

        init(_ yaml: String, _ text: String, _ style: ScalarStyle) {
            self.yaml = yaml
            self.text = text
            self.style = style
        }

        var testDescription: String { yaml.debugDescription }
    }

    static let cases: [Case] = [
        Case("v: hello world\n", "hello world", .plain),
        Case("v: hello   # comment\n", "hello", .plain),
        Case("v: one\n  two\n", "one two", .plain),
        Case("v: 0030\n", "0030", .plain),
        Case("v: +14155550123\n", "+14155550123", .plain),
        Case("v: ~\n", "~", .plain),
        Case("v:\n", "", .plain),
        Case("v: x\ty\n", "x\ty", .plain),
        Case("v: 'no'\n", "no", .singleQuoted),
        Case("v: 'it''s'\n", "it's", .singleQuoted),
        Case("v: ''\n", "", .singleQuoted),
        Case("v: '  padded  '\n", "  padded  ", .singleQuoted),
        Case("v: \"yes\"\n", "yes", .doubleQuoted),
        Case("v: \"tab\\there \\u00e9 \\\"q\\\"\"\n", "tab\there é \"q\"", .doubleQuoted),
        Case("v: \"\"\n", "", .doubleQuoted),
        Case("v: |\n  l1\n  l2\n", "l1\nl2\n", .literal),
        Case("v: |-\n  l1\n  l2\n", "l1\nl2", .literal),
        Case("v: |\n  l1\n\n    indented\n", "l1\n\n  indented\n", .literal),
        Case("v: >\n  f1\n  f2\n\n  p2\n", "f1 f2\np2\n", .folded),
        Case("v: >-\n  f1\n  f2\n", "f1 f2", .folded),
        Case("v: Grüße, 日本\n", "Grüße, 日本", .plain),
    ]

    @Test("text and style as written", arguments: cases)
    func textAndStyle(_ c: Case) throws {
        let scalar = try #require(try root(c.yaml).at(.value("v"))?.scalar)
        #expect(scalar.text == c.text)
        #expect(scalar.style == c.style)
        #expect(scalar.tag == nil)
    }

    @Test func quotedAndBlockScalarsAreAlwaysStrings() throws {
        let node = try root("a: '12'\nb: \"true\"\nc: |\n  null\nd: >\n  1.5\ne: 12\n")
        for key in ["a", "b", "c", "d"] {
            let scalar = try #require(node.at(.value(key))?.scalar, "no scalar at \(key)")
            #expect(scalar.style.isQuotedOrBlock, "\(key)")
            #expect(scalar.coreType == .string, "\(key)")
        }
        let plain = try #require(node.at(.value("e"))?.scalar)
        #expect(!plain.style.isQuotedOrBlock)
        #expect(plain.coreType == .int)
    }

    @Test func modeNoStaysTheStringNo() throws {
        let scalar = try #require(try root("mode: no\n").at(.value("mode"))?.scalar)
        #expect(scalar.text == "no")
        #expect(scalar.style == .plain)
        #expect(scalar.tag == nil)
        #expect(scalar.coreType == .string)
        #expect(PlainScalarType.yaml11(scalar.text) == .bool)
    }

    @Test func plainPhoneNumberIsANumberToBothSchemas() throws {
        let scalar = try #require(try root("phone: +14155550123\n").at(.value("phone"))?.scalar)
        #expect(scalar.text == "+14155550123")
        #expect(scalar.coreType == .int)
        #expect(PlainScalarType.yaml11(scalar.text) == .int)
    }

    struct TagCase: Sendable, CustomTestStringConvertible {
        var yaml: String
        var text: String
        var tag: String
        var coreType: PlainScalarType
        var testDescription: String { yaml.debugDescription }
    }

    static let tagCases: [TagCase] = [
        TagCase(yaml: "v: !!str no\n", text: "no", tag: Scalar.stringTag, coreType: .string),
        TagCase(yaml: "v: !!str 12\n", text: "12", tag: "tag:yaml.org,2002:str", coreType: .string),
        TagCase(yaml: "v: !!str\n", text: "", tag: Scalar.stringTag, coreType: .string),
        TagCase(yaml: "v: !<tag:yaml.org,2002:str> true\n", text: "true", tag: Scalar.stringTag, coreType: .string),
        // The non-specific tag `!` makes a plain scalar a string in YAML 1.2 and in PyYAML.
        TagCase(yaml: "v: ! 12\n", text: "12", tag: "!", coreType: .string),
        TagCase(yaml: "v: !!int 12\n", text: "12", tag: "tag:yaml.org,2002:int", coreType: .int),
        TagCase(yaml: "v: !custom x\n", text: "x", tag: "!custom", coreType: .string),
        TagCase(
            yaml: "%TAG !e! tag:example.com,2026:\n---\nv: !e!phone 12\n", text: "12",
            tag: "tag:example.com,2026:phone",
            coreType: .int),
    ]

    @Test("tags are resolved and kept", arguments: tagCases)
    func tags(_ c: TagCase) throws {
        let scalar = try #require(try root(c.yaml).at(.value("v"))?.scalar)
        #expect(scalar.text == c.text)
        #expect(scalar.style == .plain)
        #expect(scalar.tag == c.tag)
        #expect(scalar.coreType == c.coreType)
    }

    @Test func anchorIsKeptOnTheNode() throws {
        let node = try root("a: &first 1\nb: &list [x]\nc: &map {k: v}\n")
        #expect(node.at(.value("a"))?.anchor == "first")
        #expect(node.at(.value("b"))?.anchor == "list")
        #expect(node.at(.value("c"))?.anchor == "map")
        #expect(node.at(.key("a"))?.anchor == nil)
    }

    struct NullCase: Sendable, CustomTestStringConvertible {
        var value: String
        var isNull: Bool
        var testDescription: String { value.isEmpty ? "(nothing)" : value }
    }

    @Test(
        "isNull",
        arguments: [
            NullCase(value: "", isNull: true), NullCase(value: "~", isNull: true),
            NullCase(value: "null", isNull: true),
            NullCase(value: "Null", isNull: true), NullCase(value: "NULL", isNull: true),
            NullCase(value: "'null'", isNull: false),
            NullCase(value: "\"\"", isNull: false), NullCase(value: "!!str", isNull: false),
            NullCase(value: "nil", isNull: false),
            NullCase(value: "[]", isNull: false), NullCase(value: "{}", isNull: false),
        ])
    func isNull(_ c: NullCase) throws {
        let node = try #require(try root("v: \(c.value)\n").at(.value("v")))
        #expect(node.isNull == c.isNull)
    }

    @Test(
        "kindDescription",
        arguments: [
            ("{}", "a mapping"), ("{a: 1}", "a mapping"), ("[]", "a list"), ("~", "null"), ("", "null"),
            ("true", "a boolean"),
            ("12", "a number"), ("-1.5", "a number"), ("x", "a string"), ("'12'", "a string"), ("no", "a string"),
            ("2026-12-25", "a string"),
        ])
    func kindDescription(value: String, expected: String) throws {
        let node = try #require(try root("v: \(value)\n").at(.value("v")))
        #expect(node.kindDescription == expected)
    }

    @Test func accessorsMatchTheKind() throws {
        let node = try root("m: {a: 1}\ns: [1, 2]\nx: y\n")
        let mapping = try #require(node.at(.value("m")))
        #expect(mapping.entries?.count == 1)
        #expect(mapping.items == nil)
        #expect(mapping.scalar == nil)
        let sequence = try #require(node.at(.value("s")))
        #expect(sequence.items?.map { $0.scalar?.text } == ["1", "2"])
        #expect(sequence.entries == nil)
        #expect(sequence.scalar == nil)
        let scalar = try #require(node.at(.value("x")))
        #expect(scalar.scalar?.text == "y")
        #expect(scalar.entries == nil)
        #expect(scalar.items == nil)
    }
}
