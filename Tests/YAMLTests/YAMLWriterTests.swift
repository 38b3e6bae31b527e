import Foundation
import Testing
import YAML

/// The writer: stable bytes, plain only where every reader agrees, and
/// whatever it writes reads back as the same strings.
@Suite struct YAMLWriterTests {
    static let tricky: [String] = [
        "plain words", "yes", "no", "on", "off", "y", "n", "true", "False", "null", "~", "", " leading", "trailing ",
        "0123", "123", "1.5", "1e3", ".inf", "0x1F", "0o17", "+34600000000", "-5", "12:30", "2026-11-24",
        "2026-11-24T10:02:11Z", "A-1029", "T-8F3A2C91", "conv_01HF2M", "ana@example.com", "Ana García",
        "key: value", "a # not a comment", "#hash", "- dash", "-dash", "? q", ":colon", "[x]", "{x}", "x, y",
        "'single'", "\"double\"", "back\\slash", "tab\there", "bell\u{7}", "emoji 🎉", "line one\nline two",
        "ends with newline\n", "two newlines\n\n", "\nleading newline", "trailing space \nnext", "<<", "=", "*star",
        "&amp", "!bang", "|pipe", ">gt", "%percent", "@at", "`tick`", "Ñandú", "x:y", "http://example.com/a#b",
        "\u{2028}separator", "\u{FEFF}bom",
    ]

    static func document(_ strings: [String]) -> YAMLValue {
        .map([
            ("values", .list(strings.map(YAMLValue.string))),
            ("byKey", .map(strings.enumerated().map { ("k\($0.offset)", .string($0.element)) })),
            ("flow", .list([.string("calls"), .string("messages")])),
            ("empty", .list([])),
            ("nothing", .null),
            ("count", .int(3)),
            ("flag", .bool(true)),
        ])
    }

    @Test("reads back as the same strings", arguments: tricky)
    func roundTrip(_ text: String) throws {
        let written = YAMLWriter.write(.map([("key", .string(text)), ("list", .list([.string(text)]))]))
        let documents = try YAMLReader.read(written)
        let root = try #require(documents.first?.root)
        let value = try #require(root.entries?.first?.value.scalar)
        #expect(value.text == text, "wrote: \(written)")
        #expect(value.coreType == .string)
        if value.style == .plain {
            #expect(PlainScalarType.yaml11(value.text) == .string)
        }
        let item = try #require(root.entries?.last?.value.items?.first?.scalar)
        #expect(item.text == text, "wrote: \(written)")
    }

    /// Keys around YAML's 1,024-character limit on implicit keys, plain or
    /// quoted with escapes, before every kind of value, in a mapping and in
    /// a list item: each reads back as the same key and value.
    @Test(arguments: [999, 1_000, 1_001, 1_024, 1_100, 5_000])
    func longKeysReadBack(length: Int) throws {
        let keys = [
            String(repeating: "k", count: length),
            String(repeating: "ñ", count: length - 2) + ": ",
            "+" + String(repeating: "\u{0}", count: length / 4),
        ]
        let values: [YAMLValue] = [
            .string("v"), .string("two\nlines\n"), .map([("inner", .string("x"))]), .list([.string("a")]),
            .list([.map([("a", .string("b"))])]),
        ]
        for key in keys {
            for value in values {
                let written = YAMLWriter.write(
                    .map([(key, value), ("after", .string("z"))]))
                let root = try #require(try YAMLReader.read(written).first?.root, "wrote: \(written.prefix(300))")
                #expect(root.entries?.first?.key.scalar?.text == key)
                #expect(root.entries?.last?.value.scalar?.text == "z")
                let inList = YAMLWriter.write(.list([.map([(key, value), ("after", .string("z"))])]))
                let item = try #require(try YAMLReader.read(inList).first?.root.items?.first)
                #expect(item.entries?.first?.key.scalar?.text == key)
                #expect(item.entries?.last?.value.scalar?.text == "z")
            }
        }
    }

    @Test func theSameValueWritesTheSameBytes() {
        let first = YAMLWriter.write(Self.document(Self.tricky))
        let second = YAMLWriter.write(Self.document(Self.tricky))
        #expect(first == second)
        #expect(first.hasSuffix("\n") && !first.hasSuffix("\n\n"))
    }

    @Test func ticketShapeIsReadable() {
        let ticket: YAMLValue = .map([
            ("id", .string("T-8F3A2C91")),
            ("created_at", .string("2026-11-24T10:02:11Z")),
            ("summary", .string("Charged twice on 2026-11-20.\nWants a refund of the second charge.\n")),
            ("customer", .map([("name", .string("Ana García")), ("phone", .string("+34600000000"))])),
            ("fields", .map([])),
            ("tags", .list([.string("billing")])),
            ("status", .string("pending")),
            ("assignee", .null),
            ("collect", .list([.string("name"), .map([("field", .string("email")), ("required", .bool(true))])])),
        ])
        #expect(
            YAMLWriter.write(ticket) == """
                id: T-8F3A2C91
                created_at: "2026-11-24T10:02:11Z"
                summary: |
                  Charged twice on 2026-11-20.
                  Wants a refund of the second charge.
                customer:
                  name: Ana García
                  phone: "+34600000000"
                fields: {}
                tags: [billing]
                status: pending
                assignee: null
                collect:
                  - name
                  - field: email
                    required: true

                """)
    }

    /// PyYAML is a YAML 1.1 reader: whatever it reads must be the same strings.
    static var pyyaml: Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import yaml"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test(.enabled(if: pyyaml || ProcessInfo.processInfo.environment["CI"] == "true"))
    func aYAML11ReaderReadsTheSameStrings() throws {
        let yaml = YAMLWriter.write(Self.document(Self.tricky))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))",
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(yaml.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "PyYAML could not read:\n\(yaml)")
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["values"] as? [String] == Self.tricky)
        let byKey = try #require(object["byKey"] as? [String: String])
        for (index, text) in Self.tricky.enumerated() { #expect(byKey["k\(index)"] == text) }
        #expect(object["flow"] as? [String] == ["calls", "messages"])
        #expect(object["count"] as? Int == 3)
    }
}
