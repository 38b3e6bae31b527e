import Foundation
import SupportSync
import TestSupport
import Testing
import VapiProvider

/// For each example agent, the exact JSON `apply` sends Vapi to create it:
/// its tools, then its assistant (tool ids replaced by their role). The fake
/// checked each body against Vapi's document as it arrived. After a
/// deliberate change, `SUPPORTSYNC_UPDATE_GOLDEN=1 swift test --filter
/// VapiGoldenTests` writes the files again; review the diff.
@Suite struct VapiGoldenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    @Test func theBodiesSentForEachExampleAgent() async throws {
        let bench = try VapiApplyTests.Bench(
            project: VapiApplyTests.project(webhook: "https://hooks.example.com/supportsync/flag"))
        let apply = try await bench.run(["apply", "--parallel", "1"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try await bench.fake.failures().isEmpty)

        var tools: [(id: String, body: JSONValue)] = []
        var sent: [String: JSONValue] = [:]
        let writes = try await bench.fake.requests().filter { $0["method"]?.string == "POST" }
        let (_, stored) = try await bench.fake.state()
        for request in writes {
            let body = try #require(request["body"])
            try #require(request["status"] == .integer(201), "\(request)")
            if request["path"]?.string == "/tool" {
                let id = try #require(stored.first { $0.includes(body) }?["id"]?.string)
                tools.append((id, body))
                continue
            }
            var assistant = body
            let agent = try #require(assistant["metadata"]?["supportsync"]?["agent"]?.string)
            var text = String(decoding: assistant.canonical, as: UTF8.self)
            for (id, tool) in tools {
                let role = tool["type"]?.string == "transferCall" ? "<transfer tool id>" : "<flag tool id>"
                text = text.replacingOccurrences(of: id, with: role)
            }
            assistant = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            sent[agent] = .object(["tools": .array(tools.map(\.body)), "assistant": assistant])
            tools = []
        }
        #expect(
            Set(sent.keys)
                == Set(
                    Scaffold.exampleAgents.map {
                        ($0.path as NSString).lastPathComponent.replacingOccurrences(of: ".yaml", with: "")
                    }))

        let update = ProcessInfo.processInfo.environment["SUPPORTSYNC_UPDATE_GOLDEN"] == "1"
        for (agent, value) in sent.sorted(by: { $0.key < $1.key }) {
            let file = Self.golden.appendingPathComponent("\(agent).json")
            let text = Self.pretty(value)
            if update {
                try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: file)
            }
            let expected = try String(contentsOf: file, encoding: .utf8)
            #expect(text == expected, "the JSON sent for \(agent) differs from \(file.lastPathComponent)")
        }
    }

    static func pretty(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self) + "\n"
    }
}
