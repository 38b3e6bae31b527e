import Foundation
import TestSupport
import Testing
import YAML

@testable import SupportSync

/// The exported schema and the validator agree (SPEC 3.1): every file the
/// validator accepts, the schema accepts; unknown keys, wrong types, values
/// outside an enum and malformed ids and numbers the schema rejects too.
/// `check-jsonschema` is the independent witness.
@Suite("Schema agrees with the validator")
struct SchemaAgreementTests {
    /// Rules whose bad fixtures a JSON Schema can see on one agent file.
    static let schemaVisible: Set<Rule> = [
        .unknownKey, .wrongType, .invalidValue, .invalidMode, .quoteString, .invalidBoolean, .agentID,
        .phoneNumber, .sipURI, .extensionFormat, .priority, .tagFormat, .ringTimeout, .textLength, .nameLength,
        .destinationCount, .destinationTarget, .channels, .decideAllow,
    ]

    static var witness: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/check-jsonschema"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Missing witness: a failure in CI, a skip on a developer's machine.
    static var canRun: Bool {
        witness != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// Files accepted by the validator: every agent file of every good
    /// fixture, and this repository's own config/agents.
    static func acceptedFiles() -> [(name: String, bytes: [UInt8])] {
        var files: [(String, [UInt8])] = []
        for fixture in RuleFixture.all() where !fixture.isBad {
            for file in fixture.files where file.path.hasPrefix("config/agents/") {
                files.append(
                    ("\(fixture.rule)-\(fixture.name)-\((file.path as NSString).lastPathComponent)", file.bytes))
            }
        }
        return files
    }

    /// Single-file bad fixtures of schema-visible rules.
    static func rejectedFiles() -> [(name: String, bytes: [UInt8])] {
        RuleFixture.all().filter { fixture in
            fixture.isBad && schemaVisible.contains(where: { $0.rawValue == fixture.rule }) && fixture.files.count == 1
                && fixture.files[0].path == RuleFixture.defaultPath
        }.map { ("\($0.rule)-\($0.name).yaml", $0.files[0].bytes) }
    }

    /// Runs the witness over `files` and returns the names it rejected.
    static func rejected(
        by witness: String, _ files: [(name: String, bytes: [UInt8])],
        schema document: YAMLValue = AgentSchema.document(draft: .draft2020)
    ) throws -> Set<String> {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "supportsync-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = folder.appendingPathComponent("agent.schema.json")
        try Data(document.prettyPrinted().utf8).write(to: schema)
        for file in files { try Data(file.bytes).write(to: folder.appendingPathComponent(file.name)) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: witness)
        process.arguments =
            ["--schemafile", schema.path, "-o", "json"] + files.map { folder.appendingPathComponent($0.name).path }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var names: Set<String> = []
        for key in ["errors", "parse_errors"] {
            for entry in report[key] as? [[String: Any]] ?? [] {
                if let file = entry["filename"] as? String { names.insert((file as NSString).lastPathComponent) }
            }
        }
        return names
    }

    @Test("the schema accepts every file the validator accepts", .enabled(if: canRun), arguments: SchemaDraft.allCases)
    func acceptsValidFiles(_ draft: SchemaDraft) throws {
        let witness = try #require(
            Self.witness, "check-jsonschema is not installed (script/bootstrap --test installs it)")
        let files = Self.acceptedFiles()
        #expect(files.count >= 20)
        let rejected = try Self.rejected(by: witness, files, schema: AgentSchema.document(draft: draft))
        #expect(rejected.isEmpty, "the schema rejects files the validator accepts: \(rejected.sorted())")
    }

    @Test(
        "the schema rejects unknown keys, wrong types, enums and malformed values", .enabled(if: canRun),
        arguments: SchemaDraft.allCases)
    func rejectsInvalidFiles(_ draft: SchemaDraft) throws {
        let witness = try #require(
            Self.witness, "check-jsonschema is not installed (script/bootstrap --test installs it)")
        let files = Self.rejectedFiles()
        #expect(files.count >= 20)
        let rejected = try Self.rejected(by: witness, files, schema: AgentSchema.document(draft: draft))
        let accepted = Set(files.map(\.name)).subtracting(rejected)
        #expect(accepted.isEmpty, "the schema accepts files the validator rejects: \(accepted.sorted())")
    }

    @Test("the repository's own config/agents pass the schema", .enabled(if: canRun))
    func ownConfigPasses() throws {
        let witness = try #require(Self.witness)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let directory = root.appendingPathComponent("config/agents")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
        #expect(names.count >= 4)
        let files = try names.map { name in
            (name, [UInt8](try Data(contentsOf: directory.appendingPathComponent(name))))
        }
        #expect(try Self.rejected(by: witness, files).isEmpty)
    }
}
