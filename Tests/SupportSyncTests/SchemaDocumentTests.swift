import Foundation
import TestSupport
import Testing
import YAML

@testable import SupportSync

/// The schemas themselves: valid against their metaschema, described for
/// editors, nullable maps an editor can explain, and a ticket schema every
/// file the tool writes passes.
@Suite("Schema documents")
struct SchemaDocumentTests {
    static let documents: [(name: String, document: YAMLValue)] = SchemaDraft.allCases.flatMap { draft in
        [
            ("agent-\(draft.rawValue).json", AgentSchema.document(draft: draft)),
            ("ticket-\(draft.rawValue).json", TicketSchema.document(draft: draft)),
        ]
    }

    @Test("every schema passes check-jsonschema --check-metaschema", .enabled(if: SchemaAgreementTests.canRun))
    func metaschema() throws {
        let witness = try #require(SchemaAgreementTests.witness)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "supportsync-meta-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        for (name, document) in Self.documents {
            let url = folder.appendingPathComponent(name)
            try Data(document.prettyPrinted().utf8).write(to: url)
            paths.append(url.path)
        }
        // A schema that breaks its metaschema, so the witness is seen to fail.
        let broken = folder.appendingPathComponent("broken.json")
        try Data(#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": 7}"#.utf8).write(to: broken)
        #expect(try Self.run(witness, ["--check-metaschema"] + paths) == 0)
        #expect(try Self.run(witness, ["--check-metaschema", broken.path]) != 0)
    }

    @Test("each dialect names its $schema", arguments: SchemaDraft.allCases)
    func dialect(_ draft: SchemaDraft) {
        for document in [AgentSchema.document(draft: draft), TicketSchema.document(draft: draft)] {
            guard case .map(let members) = document else {
                Issue.record("not an object")
                return
            }
            #expect(members.first { $0.0 == "$schema" }?.1 == .string(draft.uri))
            #expect(
                members.contains {
                    $0.0 == "$comment" && "\($0.1)".contains("supportsync \(SupportSyncVersion.current)")
                })
        }
    }

    @Test("every property has a description")
    func descriptions() {
        for (name, document) in Self.documents {
            var missing: [String] = []
            Self.walk(document, path: "") { path, members in
                guard let properties = members.first(where: { $0.0 == "properties" })?.1,
                    case .map(let entries) = properties
                else { return }
                for (key, schema) in entries {
                    guard case .map(let fields) = schema, fields.contains(where: { $0.0 == "description" }) else {
                        missing.append("\(path).\(key)")
                        continue
                    }
                }
            }
            // Inside oneOf, only the required-key switches have no description: they are not properties for an editor.
            missing.removeAll { $0.contains("oneOf") }
            #expect(missing.isEmpty, "\(name): \(missing)")
        }
    }

    @Test("nullable maps use a type list, never an anyOf with null")
    func nullableMaps() {
        for (name, document) in Self.documents {
            var offenders: [String] = []
            Self.walk(document, path: "") { path, members in
                guard let anyOf = members.first(where: { $0.0 == "anyOf" })?.1, case .list(let options) = anyOf,
                    options.contains(.map([("type", "null")]))
                else { return }
                let objects = options.filter {
                    guard case .map(let fields) = $0 else { return false }
                    return fields.contains { $0.0 == "type" && $0.1 == "object" }
                }
                if !objects.isEmpty { offenders.append(path) }
            }
            #expect(offenders.isEmpty, "\(name): \(offenders)")
        }
        // The support block is one of them: ["object", "null"].
        guard case .map(let root) = AgentSchema.document(draft: .draft7),
            case .map(let properties)? = root.first(where: { $0.0 == "properties" })?.1,
            case .map(let support)? = properties.first(where: { $0.0 == "support" })?.1
        else {
            Issue.record("no support property")
            return
        }
        #expect(support.first { $0.0 == "type" }?.1 == .list(["object", "null"]))
    }

    @Test(
        "every ticket file the tool writes passes the ticket schema; broken ones fail",
        .enabled(if: SchemaAgreementTests.canRun))
    func ticketFiles() throws {
        let witness = try #require(SchemaAgreementTests.witness)
        var good: [(name: String, bytes: [UInt8])] = []
        let statuses: [TicketStatus] = [.pending, .inProgress, .resolved, .closed]
        for number in 0..<16 {
            var record = TicketSamples.record
            record.id = "T-\(number)"
            record.status = statuses[number % 4]
            record.resolution = [.resolved, .closed].contains(record.status) ? "Refunded\nby card" : nil
            record.assignee = number % 3 == 0 ? nil : "luis@example.com"
            record.customer = number % 2 == 0 ? Customer() : record.customer
            record.fields = number % 5 == 0 ? [:] : ["order_id": "A-\(number)", "note": "yes", "n": "0123"]
            record.tags = number % 4 == 0 ? [] : ["billing", "vip"]
            record.summary = number % 2 == 0 ? "" : "  leading spaces\n\tand a tab: # not a comment"
            record.createdAt = number % 2 == 0 ? "2026-11-24T10:02:11Z" : "2026-11-24T10:02:11.123Z"
            good.append(("good-\(number).yaml", Array(TicketFile.text(record).utf8)))
        }
        let ownTickets = try Self.repositoryTicketFiles()
        good += ownTickets
        let rejected = try SchemaAgreementTests.rejected(
            by: witness, good, schema: TicketSchema.document(draft: .draft7))
        #expect(rejected.isEmpty, "the ticket schema rejects files the tool writes: \(rejected.sorted())")

        let bad = [
            ("bad-status.yaml", TicketSamples.text.replacingOccurrences(of: "status: pending", with: "status: done")),
            ("bad-key.yaml", TicketSamples.text + "extra: 1\n"),
            (
                "bad-created.yaml",
                TicketSamples.text.replacingOccurrences(of: "2026-11-24T10:02:11Z", with: "2026-11-24 10:02")
            ),
            ("bad-missing.yaml", TicketSamples.text.replacingOccurrences(of: "assignee: null\n", with: "")),
        ].map { ($0.0, Array($0.1.utf8)) }
        for (name, bytes) in bad { #expect(bytes != Array(TicketSamples.text.utf8), "\(name) changes the sample") }
        let caught = try SchemaAgreementTests.rejected(by: witness, bad, schema: TicketSchema.document(draft: .draft7))
        #expect(caught == Set(bad.map(\.0)))
    }

    // MARK: - Helpers

    /// The ticket files in this repository's own tickets/.
    static func repositoryTicketFiles() throws -> [(name: String, bytes: [UInt8])] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tickets")
        var files: [(String, [UInt8])] = []
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "yaml" else { continue }
            files.append(("own-\(url.lastPathComponent)", [UInt8](try Data(contentsOf: url))))
        }
        return files
    }

    static func walk(_ value: YAMLValue, path: String, _ visit: (String, [(String, YAMLValue)]) -> Void) {
        switch value {
        case .map(let members):
            visit(path, members)
            for (key, member) in members { walk(member, path: path + "." + key, visit) }
        case .list(let items):
            for (index, item) in items.enumerated() { walk(item, path: path + "[\(index)]", visit) }
        default: break
        }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
