import Testing
import YAML

/// Mappings keep every entry in source order; streams split into documents.
struct StructureTests {
    @Test func entriesKeepSourceOrder() throws {
        let node = try root("zeta: 1\nalpha: 2\nmid: 3\n")
        #expect(node.entries?.map { $0.key.scalar?.text } == ["zeta", "alpha", "mid"])
        #expect(node.entries?.map { $0.value.scalar?.text } == ["1", "2", "3"])
    }

    @Test(
        "duplicate keys are kept, both entries in order",
        arguments: [
            "a: 1\nb: 2\na: 3\n",
            "{a: 1, b: 2, a: 3}\n",
            "a: 1\nb: 2\n'a': 3\n",
        ])
    func duplicateKeys(_ yaml: String) throws {
        let entries = try #require(try root(yaml).entries)
        #expect(entries.map { $0.key.scalar?.text } == ["a", "b", "a"])
        #expect(entries.map { $0.value.scalar?.text } == ["1", "2", "3"])
        #expect(entries[0].key.start < entries[2].key.start)
    }

    @Test func secondOccurrenceOfADuplicateKeyHasItsOwnPosition() throws {
        let entries = try #require(try root("name: a\nrole: x\nname: b\n").entries)
        let names = entries.filter { $0.key.scalar?.text == "name" }
        try #require(names.count == 2)
        #expect(names[0].key.position == Position(1, 1))
        #expect(names[1].key.position == Position(3, 1))
        #expect(names[1].value.position == Position(3, 7))
    }

    @Test func nestedDuplicateKeysAreKept() throws {
        let node = try root("support:\n  mode: flag\n  mode: nothing\n")
        let entries = try #require(node.at(.value("support"))?.entries)
        #expect(entries.map { $0.value.scalar?.text } == ["flag", "nothing"])
        #expect(entries.map(\.key.position) == [Position(2, 3), Position(3, 3)])
    }

    @Test func nonScalarKeysAreKept() throws {
        let entries = try #require(try root("? [a, b]\n: 1\n? {k: v}\n: 2\n").entries)
        try #require(entries.count == 2)
        #expect(entries[0].key.items?.count == 2)
        #expect(entries[1].key.entries?.count == 1)
        #expect(entries[1].value.scalar?.text == "2")
    }

    // MARK: Documents

    @Test("no documents", arguments: ["", "\n\n", "   \n", "# only a comment\n", "# one\n\n# two\n"])
    func noDocuments(_ yaml: String) throws {
        #expect(try YAMLReader.read(yaml).isEmpty)
    }

    @Test func emptyBytesGiveNoDocuments() throws {
        #expect(try YAMLReader.read([UInt8]()).isEmpty)
    }

    @Test("a lone document marker is one null document", arguments: ["---", "---\n", "--- \n", "# c\n---\n"])
    func loneDocumentMarker(_ yaml: String) throws {
        let documents = try YAMLReader.read(yaml)
        try #require(documents.count == 1)
        let root = documents[0].root
        #expect(root.isNull)
        #expect(root.scalar?.text == "")
        #expect(root.scalar?.style == .plain)
    }

    @Test func twoDocuments() throws {
        let documents = try YAMLReader.read("a: 1\n---\nb: 2\n")
        try #require(documents.count == 2)
        #expect(documents[0].start == Mark(line: 1, column: 1, offset: 0))
        #expect(documents[0].root.at(.value("a"))?.scalar?.text == "1")
        #expect(Position(documents[1].start.line, documents[1].start.column) == Position(2, 1))
        #expect(documents[1].root.position == Position(3, 1))
        #expect(documents[1].root.at(.value("b"))?.scalar?.text == "2")
        #expect(documents[1].root.at(.value("a")) == nil)
    }

    @Test func documentStartMarks() throws {
        let documents = try YAMLReader.read("# c\n\n---\nfirst\n--- second\n...\n---\n- third\n")
        #expect(
            documents.map { Position($0.start.line, $0.start.column) } == [
                Position(3, 1), Position(5, 1), Position(7, 1),
            ])
        #expect(documents.map(\.root.position) == [Position(4, 1), Position(5, 5), Position(8, 1)])
        #expect(documents[0].root.scalar?.text == "first")
        #expect(documents[1].root.scalar?.text == "second")
        #expect(documents[2].root.items?.first?.scalar?.text == "third")
    }

    @Test func implicitDocumentStartsAtItsFirstNode() throws {
        let documents = try YAMLReader.read("# header\n\n  a: 1\n")
        try #require(documents.count == 1)
        #expect(Position(documents[0].start.line, documents[0].start.column) == Position(3, 3))
    }

    // MARK: Sizes

    struct SizeCase: Sendable, CustomTestStringConvertible {
        var yaml: String
        var expandedSize: Int
        var height: Int
        var testDescription: String { yaml.debugDescription }
    }

    @Test(
        "expandedSize and height",
        arguments: [
            SizeCase(yaml: "x", expandedSize: 1, height: 1),
            SizeCase(yaml: "[]", expandedSize: 1, height: 1),
            SizeCase(yaml: "{}", expandedSize: 1, height: 1),
            SizeCase(yaml: "[a, b]", expandedSize: 3, height: 2),
            SizeCase(yaml: "a: 1", expandedSize: 3, height: 2),
            SizeCase(yaml: "a: 1\nb: 2\n", expandedSize: 5, height: 2),
            SizeCase(yaml: "[[]]", expandedSize: 2, height: 2),
            SizeCase(yaml: "- [[x]]", expandedSize: 4, height: 4),
            SizeCase(yaml: "a: [1, 2]\nb: {c: d}\n", expandedSize: 9, height: 3),
            SizeCase(yaml: "{a: [1, {b: c}], d: 'e'}", expandedSize: 9, height: 4),
            SizeCase(yaml: "a: &x [1, 2]\nb: *x\n", expandedSize: 9, height: 3),
            SizeCase(yaml: "a: &a 1\nb: &b [*a, *a]\nc: *b\n", expandedSize: 11, height: 3),
        ])
    func sizes(_ c: SizeCase) throws {
        let node = try root(c.yaml)
        #expect(node.expandedSize == c.expandedSize)
        #expect(node.height == c.height)
    }

    @Test func childrenCarryTheirOwnSizes() throws {
        let node = try root("a: [1, [2, 3]]\nb: x\n")
        let list = try #require(node.at(.value("a")))
        #expect((list.expandedSize, list.height) == (5, 3))
        let inner = try #require(list.at(.item(1)))
        #expect((inner.expandedSize, inner.height) == (3, 2))
        let leaf = try #require(node.at(.value("b")))
        #expect((leaf.expandedSize, leaf.height) == (1, 1))
    }
}
