import Testing
import YAML

/// Every node carries the 1-based line and column where it starts.
struct PositionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var path: [Step]
        var expected: Position

        init(_ name: String, _ yaml: String, _ path: [Step], at line: Int, _ column: Int) {
            self.name = name
            self.yaml = yaml
            self.path = path
            self.expected = Position(line, column)
        }

        var testDescription: String { name }
    }

    static let blockCases: [Case] = [
        Case("root mapping", "name: Ada\nrole: admin\n", [], at: 1, 1),
        Case("first key", "name: Ada\nrole: admin\n", [.key("name")], at: 1, 1),
        Case("second key", "name: Ada\nrole: admin\n", [.key("role")], at: 2, 1),
        Case("value", "name: Ada\nrole: admin\n", [.value("role")], at: 2, 7),
        Case("value after extra spaces", "a:     x\n", [.value("a")], at: 1, 8),
        Case("value on the next line", "a:\n  x\n", [.value("a")], at: 2, 3),
        Case("empty value points after the colon", "a:\nb: 1\n", [.value("a")], at: 1, 3),
        Case("value after a trailing comment", "a: b # note\n", [.value("a")], at: 1, 4),
        Case("after comment and blank lines", "# header\n\na: 1\n", [.value("a")], at: 3, 4),
        Case("indented document", "\n\n  a: 1\n", [.value("a")], at: 3, 6),
        Case("sequence under a key", "items:\n  - one\n  - two\n", [.value("items")], at: 2, 3),
        Case("first sequence item", "items:\n  - one\n  - two\n", [.value("items"), .item(0)], at: 2, 5),
        Case("second sequence item", "items:\n  - one\n  - two\n", [.value("items"), .item(1)], at: 3, 5),
        Case("unindented sequence item", "items:\n- one\n- two\n", [.value("items"), .item(1)], at: 3, 3),
        Case("mapping as sequence item", "- name: a\n  id: 1\n- name: b\n  id: 2\n", [.item(1)], at: 3, 3),
        Case("key inside sequence item", "- name: a\n  id: 1\n- name: b\n  id: 2\n", [.item(1), .key("id")], at: 4, 3),
        Case(
            "value inside sequence item", "- name: a\n  id: 1\n- name: b\n  id: 2\n", [.item(1), .value("id")], at: 4, 7
        ),
        Case("nested mapping", "support:\n  mode: flag\n  flag:\n    label: x\n", [.value("support")], at: 2, 3),
        Case(
            "nested key", "support:\n  mode: flag\n  flag:\n    label: x\n", [.value("support"), .key("flag")], at: 3, 3
        ),
        Case(
            "twice nested mapping", "support:\n  mode: flag\n  flag:\n    label: x\n",
            [.value("support"), .value("flag")], at: 4, 5),
        Case(
            "twice nested value", "support:\n  mode: flag\n  flag:\n    label: x\n",
            [.value("support"), .value("flag"), .value("label")], at: 4, 12),
        Case(
            "mapping under a dash on its own line", "a:\n  - b\n  -\n    c: d\n", [.value("a"), .item(1), .value("c")],
            at: 4, 8),
        Case("explicit key", "? k\n: v\n", [.key("k")], at: 1, 3),
        Case("explicit value", "? k\n: v\n", [.value("k")], at: 2, 3),
        Case("CRLF line ends", "a: 1\r\nb: 2\r\n", [.value("b")], at: 2, 4),
        Case("CR line ends", "a: 1\rb: 2\r", [.value("b")], at: 2, 4),
    ]

    static let flowCases: [Case] = [
        Case("flow sequence", "tags: [a, 'b', \"c\"]\n", [.value("tags")], at: 1, 7),
        Case("flow sequence plain item", "tags: [a, 'b', \"c\"]\n", [.value("tags"), .item(0)], at: 1, 8),
        Case("flow sequence single-quoted item", "tags: [a, 'b', \"c\"]\n", [.value("tags"), .item(1)], at: 1, 11),
        Case("flow sequence double-quoted item", "tags: [a, 'b', \"c\"]\n", [.value("tags"), .item(2)], at: 1, 16),
        Case("flow mapping root", "{a: 1, b: {c: 2}}\n", [], at: 1, 1),
        Case("flow mapping key", "{a: 1, b: {c: 2}}\n", [.key("b")], at: 1, 8),
        Case("nested flow mapping", "{a: 1, b: {c: 2}}\n", [.value("b")], at: 1, 11),
        Case("nested flow value", "{a: 1, b: {c: 2}}\n", [.value("b"), .value("c")], at: 1, 15),
        Case("flow sequence over lines", "a: [\n  x,\n  y\n]\n", [.value("a"), .item(1)], at: 3, 3),
    ]

    static let scalarStyleCases: [Case] = [
        Case("single-quoted value starts at its quote", "a: 'x'\n", [.value("a")], at: 1, 4),
        Case("double-quoted value starts at its quote", "a:   \"x\"\n", [.value("a")], at: 1, 6),
        Case("quoted key", "'a b': 1\n", [.key("a b")], at: 1, 1),
        Case("value after a quoted key", "'a b': 1\n", [.value("a b")], at: 1, 8),
        Case("literal block starts at its indicator", "x: 1\na: |\n  l1\n  l2\n", [.value("a")], at: 2, 4),
        Case("folded block starts at its indicator", "b: >-\n  f1\n  f2\n", [.value("b")], at: 1, 4),
        Case("key after a block scalar", "a: |\n  l1\n\nb: 2\n", [.key("b")], at: 4, 1),
        Case("anchored value starts at its anchor", "a: &x 1\n", [.value("a")], at: 1, 4),
        Case("tagged value starts at its tag", "a: !!str 1\n", [.value("a")], at: 1, 4),
        Case("anchored block mapping starts at its anchor", "a: &m\n  b: 1\n", [.value("a")], at: 1, 4),
        Case("block mapping without properties starts at its first key", "a:\n  b: 1\n", [.value("a")], at: 2, 3),
    ]

    /// Columns count characters (Unicode scalars, as libyaml does), not bytes.
    static let unicodeCases: [Case] = [
        Case("accented key", "ünïcødé: x\n", [.value("ünïcødé")], at: 1, 10),
        Case("CJK key and value", "日本: 語 値\nb: 1\n", [.value("日本")], at: 1, 5),
        Case("emoji key (one scalar, four bytes)", "😀: x\n", [.value("😀")], at: 1, 4),
        Case("accented text in a quoted key", "'clé': v\n", [.value("clé")], at: 1, 8),
        Case("accented flow items", "[ü, ö, x]\n", [.item(2)], at: 1, 8),
        Case("accented value does not shift the next line", "a: José\nb: x\n", [.value("b")], at: 2, 4),
        Case("accented sequence item then value", "- ñ: é\n  k: v\n", [.item(0), .value("k")], at: 2, 6),
        Case("combining mark counts as its own column", "e\u{301}: x\n", [.value("e\u{301}")], at: 1, 5),
        Case("byte-order mark takes no column", "\u{FEFF}a: 1\n", [.key("a")], at: 1, 1),
        Case("value after a byte-order mark", "\u{FEFF}a: 1\n", [.value("a")], at: 1, 4),
    ]

    @Test("block nodes", arguments: blockCases)
    func blockNodes(_ c: Case) throws { try check(c) }

    @Test("flow collections", arguments: flowCases)
    func flowNodes(_ c: Case) throws { try check(c) }

    @Test("quoted, block and decorated scalars", arguments: scalarStyleCases)
    func scalarStyles(_ c: Case) throws { try check(c) }

    @Test("Unicode text before a node", arguments: unicodeCases)
    func unicode(_ c: Case) throws { try check(c) }

    private func check(_ c: Case) throws {
        let node = try #require(try root(c.yaml).at(c.path), "no node at \(c.path)")
        #expect(node.position == c.expected)
    }

    @Test func offsetCountsCharacters() throws {
        let value = try #require(try root("ünï: x\n").at(.value("ünï")))
        #expect(value.start.offset == 5)
        #expect(try root("a: 1\r\nb: 2\r\n").at(.value("b"))?.start.offset == 9)
    }

    @Test func marksOrderByLineThenColumn() {
        #expect(Mark(line: 1, column: 9) < Mark(line: 2, column: 1))
        #expect(Mark(line: 2, column: 1) < Mark(line: 2, column: 3))
        #expect(!(Mark(line: 2, column: 3) < Mark(line: 2, column: 3)))
        #expect(Mark(line: 3, column: 7).description == "3:7")
    }
}
