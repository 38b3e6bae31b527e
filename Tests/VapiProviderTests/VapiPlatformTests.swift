import Foundation
import Logging
import SupportSync
import Testing
import VapiProvider

/// `VapiPlatform` in-process against the fake: listing and binding details
/// the command-line tests do not reach.
@Suite struct VapiPlatformTests {
    func platform(_ fake: FakeVapi, pageSize: Int) throws -> VapiPlatform {
        try VapiPlatform(
            baseURL: fake.url, token: FakeVapi.token, environment: "production", flagWebhook: nil,
            requestInterval: .zero, pageSize: pageSize, logger: Logger(label: "test"))
    }

    /// Assistants made as a dashboard would: unbound, named.
    func make(_ fake: FakeVapi, names: [String]) async throws {
        for name in names {
            try await fake.call(
                "POST", "/assistant",
                .object([
                    "name": .string(name),
                    "model": .object(["provider": .string("openai"), "model": .string("gpt-4o")]),
                ]), token: true)
        }
    }

    @Test func listsEveryPageAndImportsUnboundAssistantsByName() async throws {
        let fake = try FakeVapi()
        let names = (1...7).map { "Desk \($0)" }
        try await make(fake, names: names)
        let vapi = try platform(fake, pageSize: 2)
        let agents = try await vapi.agents()
        try await vapi.shutdown()
        #expect(agents.map(\.id) == (1...7).map { "desk-\($0)" })
        #expect(agents.allSatisfy { $0.adoptable && $0.support.mode == .nothing })
        // Seven assistants in pages of two, each next page starting at the
        // oldest time seen (read again, so a tie at the edge is never lost).
        let lists = try await fake.requests().filter {
            $0["method"]?.string == "GET" && $0["path"]?.string == "/assistant"
        }
        #expect(lists.count == 7)
        #expect(lists.dropFirst().allSatisfy { $0["query"]?["createdAtLe"] != nil })
        #expect(try await fake.failures().isEmpty)
    }

    @Test func theCheckBeforeACreateReadsOnlyWhatChanged() async throws {
        let fake = try FakeVapi()
        try await make(fake, names: ["Front desk"])
        let vapi = try platform(fake, pageSize: 100)
        _ = try await vapi.agents()
        let settings = AgentSettings(
            id: "front-desk", name: "Front desk", channels: [.calls], support: SupportSettings(mode: .nothing))
        #expect(try await vapi.agent(id: "front-desk") == nil)
        _ = try await vapi.putAgent(id: "front-desk", AgentWrite(settings), expecting: nil)
        try await fake.clearRequests()
        let found = try await vapi.agent(id: "front-desk")
        try await vapi.shutdown()
        #expect(found?.settings == settings)
        let requests = try await fake.requests()
        #expect(requests.count == 1)
        #expect(requests.first?["query"]?["updatedAtGe"] != nil, "\(requests)")
    }

    @Test func twoAssistantsBoundToOneAgentStopThePlan() async throws {
        let fake = try FakeVapi()
        let vapi = try platform(fake, pageSize: 100)
        let settings = AgentSettings(
            id: "front-desk", name: "Front desk", channels: [.calls], support: SupportSettings(mode: .nothing))
        let written = try await vapi.putAgent(id: "front-desk", AgentWrite(settings), expecting: nil)
        let original = try #require(try await fake.state().assistants.first)
        // A duplicate made on the dashboard copies the metadata.
        try await fake.call(
            "POST", "/assistant",
            .object(["name": .string("Front desk (copy)"), "metadata": original["metadata"] ?? .null]), token: true)
        await #expect(throws: PlatformError.self) { try await vapi.agents() }
        do {
            _ = try await vapi.agents()
        } catch {
            #expect(error.message.contains("both bound to agent front-desk"), "\(error)")
            #expect(error.message.contains(String(written.version.prefix { $0 != ":" })))
        }
        try await vapi.shutdown()
    }

    @Test func toolsCompareOnWhatSupportsyncSends() throws {
        let sent: JSONValue = .object([
            "type": .string("transferCall"),
            "destinations": .array([.object(["type": .string("number"), "number": .string("+34910000000")])]),
        ])
        var stored = sent
        // Defaults Vapi may fill in are not a change...
        stored["destinations"] = .array([
            .object([
                "type": .string("number"), "number": .string("+34910000000"), "numberE164CheckEnabled": .bool(true),
            ])
        ])
        stored["function"] = .object(["name": .string("transferCall")])
        #expect(stored.includes(sent))
        // ...a changed, missing or added destination is.
        var changed = stored
        changed["destinations"] = .array([.object(["type": .string("number"), "number": .string("+34910000001")])])
        #expect(!changed.includes(sent))
        changed["destinations"] = .array([])
        #expect(!changed.includes(sent))
        #expect(!JSONValue.object(["type": .string("transferCall")]).includes(sent))
    }

    @Test func aSliceRoundTripsForEveryShapeOfSettings() throws {
        let slice = VapiSlice(environment: "production", flagWebhook: "https://hooks.example.com/flag")
        let desk = Destination(name: "desk", number: "+34910000000", extension: "12")
        let sip = Destination(name: "pbx", sip: "sip:desk@pbx.example.com")
        let shapes: [SupportSettings] = [
            SupportSettings(mode: .nothing),
            SupportSettings(mode: .flag, flag: FlagSettings(collect: [CollectField(field: "reason", required: true)])),
            SupportSettings(
                mode: .escalate, flag: FlagSettings(),
                escalate: EscalateSettings(destinations: [sip], transfer: .cold, fallback: .nothing)),
            SupportSettings(
                mode: .escalate, flag: FlagSettings(),
                escalate: EscalateSettings(destinations: [desk], summary: false, announce: "One moment")),
            SupportSettings(
                mode: .decide, flag: FlagSettings(tags: ["a"]), escalate: EscalateSettings(destinations: [desk]),
                decide: DecideSettings(allow: [.respond, .escalate], guidance: "Disputes over 500 EUR.")),
        ]
        for (index, support) in shapes.enumerated() {
            for channels in [[Channel.calls], [.messages], [.calls, .messages]] {
                let settings = AgentSettings(
                    id: "agent-\(index)", name: "Agent \(index)", channels: channels, support: support)
                let desired = slice.desired(settings)
                var tools: [String: JSONValue] = [:]
                var toolIds: [String] = []
                var binding = desired.binding
                var ids: [String: JSONValue] = [:]
                if let transfer = desired.transferTool {
                    tools["t-1"] = transfer
                    toolIds.append("t-1")
                    ids["transfer"] = .string("t-1")
                }
                if let flag = desired.flagTool {
                    tools["f-1"] = flag
                    toolIds.append("f-1")
                    ids["flag"] = .string("f-1")
                }
                binding["tools"] = .object(ids)
                var assistant: JSONValue = .object([
                    "id": .string("a-1"), "name": .string(desired.name),
                    "metadata": .object(["supportsync": binding]),
                    "model": .object(["provider": .string("openai"), "toolIds": JSONValue(toolIds)]),
                ])
                if let output = desired.output {
                    assistant["artifactPlan"] = .object(["structuredOutputs": .array([output])])
                }
                #expect(slice.settings(of: assistant, tools: tools) == settings, "shape \(index), \(channels)")
            }
        }
    }
}
