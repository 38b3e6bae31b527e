import Foundation
import SupportSync
import TestSupport

/// A rule fixture: one or more files, with `↓` marking each place the rule
/// must be reported (SwiftLint's triggering examples, for YAML files).
///
/// A fixture is `Fixtures/Rules/<rule>/bad-*.yaml` or `good-*.yaml`. Its text
/// is one agent file, `config/agents/sample.yaml`, unless it is split into
/// sections by lines `#> <path>` naming each file.
struct RuleFixture: CustomStringConvertible, Sendable {
    struct Expected: Hashable, Sendable, Comparable, CustomStringConvertible {
        var file: String
        var line: Int
        var column: Int

        static func < (lhs: Expected, rhs: Expected) -> Bool {
            (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
        }

        var description: String { "\(file):\(line):\(column)" }
    }

    var rule: String
    var name: String
    /// Path relative to the fixture root -> bytes, markers removed.
    var files: [(path: String, bytes: [UInt8])]
    var expected: [Expected]

    var isBad: Bool { name.hasPrefix("bad") }
    var description: String { "\(rule)/\(name)" }

    static let marker: [UInt8] = Array("↓".utf8)
    static let defaultPath = "config/agents/sample.yaml"

    static var root: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/Rules")
    }

    static func all() -> [RuleFixture] {
        let manager = FileManager.default
        let rules = (try? manager.contentsOfDirectory(atPath: root.path)) ?? []
        var fixtures: [RuleFixture] = []
        for rule in rules.sorted() {
            let directory = root.appendingPathComponent(rule)
            for name in ((try? manager.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
            where name.hasSuffix(".yaml") {
                let bytes = [UInt8](manager.contents(atPath: directory.appendingPathComponent(name).path)!)
                fixtures.append(parse(rule: rule, name: String(name.dropLast(5)), bytes: bytes))
            }
        }
        return fixtures
    }

    static func parse(rule: String, name: String, bytes: [UInt8]) -> RuleFixture {
        var sections: [(path: String, bytes: [UInt8])] = []
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if bytes.last == 0x0A { lines.removeLast() }
        var current: (path: String, bytes: [UInt8])?
        for line in lines {
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix("#> ") {
                if let current { sections.append(current) }
                current = (String(text.dropFirst(3)).trimmingCharacters(in: .whitespaces), [])
                continue
            }
            if current == nil { current = (defaultPath, []) }
            current!.bytes += line + [0x0A]
        }
        if let current { sections.append(current) }

        var expected: [Expected] = []
        var files: [(path: String, bytes: [UInt8])] = []
        for section in sections {
            var clean: [UInt8] = []
            var line = 1
            var column = 1
            var index = 0
            let source = section.bytes
            while index < source.count {
                if source[index...].starts(with: marker) {
                    expected.append(Expected(file: section.path, line: line, column: column))
                    index += marker.count
                    continue
                }
                let byte = source[index]
                clean.append(byte)
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
                index += 1
            }
            files.append((section.path, clean))
        }
        return RuleFixture(rule: rule, name: name, files: files, expected: expected.sorted())
    }

    /// Writes the fixture's files into a new temporary folder and returns it.
    func materialize() throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("supportsync-fixture-\(UUID().uuidString)")
        for file in files {
            let url = folder.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.bytes).write(to: url)
        }
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("config/agents"), withIntermediateDirectories: true)
        return folder
    }
}
