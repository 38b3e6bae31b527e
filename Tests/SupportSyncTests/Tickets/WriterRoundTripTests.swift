import Foundation
import TestSupport
import Testing
import YAML

@testable import SupportSync

/// Nothing the tool writes is unreadable by the tool: every generated
/// string, written as a value, a list item or a key, reads back equal
/// through the tool's reader, through libyaml (PyYAML's C loader) and
/// through a YAML 1.1 reader written without libyaml (PyYAML's pure loader).
@Suite("The writer's output reads back everywhere")
struct WriterRoundTripTests {
    static let strings = Array(GeneratedStrings(seed: 2026, count: 20_000))

    static func document(_ strings: [String]) -> YAMLValue {
        .map([
            ("values", .map(strings.enumerated().map { ("k\($0.offset)", .string($0.element)) })),
            ("items", .list(strings.map(YAMLValue.string))),
            ("keys", .map(unique(strings).enumerated().map { ($0.element, .int($0.offset)) })),
        ])
    }

    static func unique(_ strings: [String]) -> [String] {
        var seen = Set<String>()
        return strings.filter { seen.insert($0).inserted }
    }

    @Test("20,000 generated strings read back equal through the tool's reader")
    func toolReader() throws {
        var failures: [String] = []
        for text in Self.strings {
            let written = YAMLWriter.write(
                .map([
                    ("key", .string(text)), ("list", .list([.string(text)])), (text, .map([("nested", .string(text))])),
                ]))
            do {
                let root = try #require(try YAMLReader.read(written).first?.root)
                let entries = try #require(root.entries)
                let values = [
                    entries[0].value.scalar?.text, entries[1].value.items?.first?.scalar?.text,
                    entries[2].key.scalar?.text, entries[2].value.entries?.first?.value.scalar?.text,
                ]
                if values != [text, text, text, text] || entries[0].value.scalar?.coreType != .string {
                    failures.append("\(text.debugDescription) read back as \(values)")
                }
            } catch {
                failures.append("\(text.debugDescription): \(error)\n\(written)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(3))")
    }

    @Test("tickets holding generated strings read back as the same record, with no error")
    func tickets() {
        var failures: [String] = []
        for (index, text) in Self.strings.prefix(5_000).enumerated() where !text.hasPrefix("sealed:") {
            let record = TicketRecord(
                id: "T-\(index)", agent: "billing-line", channel: .calls, conversation: text,
                createdAt: "2026-11-24T10:02:11Z", reason: text, summary: text,
                customer: Customer(name: text, email: nil, phone: nil), fields: [text: text, "order": text],
                tags: ["billing"], status: .resolved, resolution: "r" + text)
            let path = "tickets/2026/11/T-\(index).yaml"
            let (read, diagnostics) = TicketFile.read(Array(TicketFile.text(record).utf8), path: path)
            if read != record || diagnostics.contains(where: { $0.severity == .error }) {
                failures.append("\(text.debugDescription): \(diagnostics.map(\.message))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(3))")
    }

    /// Python with PyYAML: the tools folder `script/bootstrap --test` fills.
    static var python: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(directory)/check-jsonschema") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static var canRun: Bool { python != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    @Test(
        "PyYAML reads the same strings, with libyaml and without (YAML 1.1)", .enabled(if: canRun))
    func otherReaders() throws {
        let python = try #require(Self.python, "PyYAML is not installed (script/bootstrap --test installs it)")
        let folder = try TemporaryFolder()
        let strings = Array(Self.strings.prefix(5_000))
        try folder.write("written.yaml", YAMLWriter.write(Self.document(strings)))
        try JSONEncoder().encode([strings, Self.unique(strings)]).write(
            to: folder.url.appendingPathComponent("expected.json"))
        let check = """
            import json, sys, yaml
            expected, keys = json.load(open(sys.argv[2], encoding="utf-8"))
            text = open(sys.argv[1], encoding="utf-8").read()
            loaders = [("pure", yaml.SafeLoader)]
            if hasattr(yaml, "CSafeLoader"):
                loaders.append(("libyaml", yaml.CSafeLoader))
            for name, loader in loaders:
                document = yaml.load(text, Loader=loader)
                values = [document["values"]["k%d" % i] for i in range(len(expected))]
                for label, got in (("values", values), ("items", document["items"])):
                    for i, (want, was) in enumerate(zip(expected, got)):
                        if want != was:
                            sys.exit("%s %s %d: wrote %r, read %r" % (name, label, i, want, was))
                if len(document["keys"]) != len(keys):
                    sys.exit("%s: %d keys read, %d written" % (name, len(document["keys"]), len(keys)))
                for i, key in enumerate(keys):
                    if document["keys"].get(key) != i:
                        sys.exit("%s key %r read back wrong" % (name, key))
                print(name, "ok")
            """
        try folder.write("check.py", check)
        let result = try Executable.capture(
            URL(fileURLWithPath: python),
            [
                folder.url.appendingPathComponent("check.py").path,
                folder.url.appendingPathComponent("written.yaml").path,
                folder.url.appendingPathComponent("expected.json").path,
            ], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("pure ok"))
    }
}
