import Foundation
import Logging
import PlatformClient
import SupportSync
import TestSupport
import Testing

@testable import VapiProvider

/// `VapiPlatform` in-process against the fake: listing and binding details
/// the command-line tests do not reach.
@Suite struct VapiPlatformTests {
    /// `maxResponseBytes`: the client's limit on an answer, when smaller than its own.
    func platform(_ fake: FakeVapi, pageSize: Int, maxResponseBytes: Int? = nil) throws -> VapiPlatform {
        var configuration = HTTPPlatform.Configuration()
        if let maxResponseBytes { configuration.maxResponseBytes = maxResponseBytes }
        return try VapiPlatform(
            baseURL: fake.url, token: FakeVapi.token, environment: "production", flagWebhook: nil,
            requestInterval: .zero, pageSize: pageSize, configuration: configuration, logger: Logger(label: "test"))
    }

    /// A flagged call with a transcript of about `kilobytes` kB, created at `time` when given.
    static func longCall(kilobytes: Int, at time: String? = nil) -> JSONValue {
        guard case .object(var call) = VapiTicketTests.call(assistant: nil, flagged: true, at: time.map { ($0, $0) })
        else { return .null }
        let sentence = "Hello, I would like to return these shoes. "
        call["transcript"] = .string(String(repeating: sentence, count: kilobytes * 1000 / sentence.count))
        return .object(call)
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
        _ = try await vapi.putAgent(id: "front-desk", AgentWrite(settings), expecting: .unconditional)
        try await fake.clearRequests()
        let found = try await vapi.agent(id: "front-desk")
        try await vapi.shutdown()
        #expect(found?.settings == settings)
        let requests = try await fake.requests()
        // The assistant changed since the listing, then the page read on from
        // it, which brings nothing new: the end.
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0["query"]?["updatedAtGe"] != nil }, "\(requests)")
    }

    @Test func twoAssistantsBoundToOneAgentStopThePlan() async throws {
        let fake = try FakeVapi()
        let vapi = try platform(fake, pageSize: 100)
        let settings = AgentSettings(
            id: "front-desk", name: "Front desk", channels: [.calls], support: SupportSettings(mode: .nothing))
        let written = try await vapi.putAgent(id: "front-desk", AgentWrite(settings), expecting: .unconditional)
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
                escalate: EscalateSettings(destinations: [sip], transfer: .cold, summary: false, fallback: .nothing)),
            SupportSettings(
                mode: .escalate, flag: FlagSettings(),
                escalate: EscalateSettings(destinations: [desk], summary: false, announce: "One moment")),
            SupportSettings(
                mode: .decide, flag: FlagSettings(tags: ["a"]), escalate: EscalateSettings(destinations: [desk]),
                decide: DecideSettings(allow: [.respond, .escalate], guidance: "Disputes over 500 EUR.")),
        ]
        var valid = 0
        for (index, support) in shapes.enumerated() {
            for channels in [[Channel.calls], [.messages], [.calls, .messages]] {
                let settings = AgentSettings(
                    id: "agent-\(index)", name: "Agent \(index)", channels: channels, support: support)
                // Settings config/ refuses (escalate with messages only) are
                // no settings when read back: what Vapi shows, no more.
                let body = try JSONEncoder().encode(AgentWrite(settings))
                let isValid: Bool
                if case .success = AgentBodyValidator.validate(json: Array(body), id: settings.id) {
                    isValid = true
                    valid += 1
                } else {
                    isValid = false
                }
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
                let read = slice.settings(of: assistant, tools: tools)
                if isValid {
                    #expect(read == settings, "shape \(index), \(channels)")
                } else {
                    #expect(read?.support == SupportSettings(mode: .nothing), "shape \(index), \(channels)")
                }
            }
        }
        #expect(valid == 12, "every shape is valid but for escalating with messages only")
    }
    /// A Vapi answering pages of 100 while 1,000 were asked for: every
    /// assistant is listed, so none is planned as new.
    @Test func pagesShorterThanAskedAreReadOn() async throws {
        let fake = try FakeVapi(maxPage: 100)
        try await make(fake, names: (1...150).map { "Desk \($0)" })
        let vapi = try platform(fake, pageSize: 1000)
        let agents = try await vapi.agents()
        try await vapi.shutdown()
        #expect(agents.count == 150)
        #expect(try await fake.failures().isEmpty)
    }

    /// A Vapi holding pages to fewer than its default 100 (here 3): a short
    /// page is no end, so every assistant and call is listed, and none is
    /// planned as new.
    @Test func pagesShorterThanVapisDefaultAreReadOn() async throws {
        let fake = try FakeVapi(maxPage: 3)
        try await make(fake, names: (1...10).map { "Desk \($0)" })
        for (index, assistant) in try await fake.state().assistants.enumerated() {
            let id = try #require(assistant["id"]?.string)
            let time = "2026-11-02T10:00:\(String(format: "%02d", index)).000Z"
            try await fake.call("POST", "/__fake/assistants/\(id)/created", .string(time))
        }
        let calls = (0..<7).map { second in
            VapiTicketTests.call(
                assistant: nil, flagged: true,
                at: ("2026-11-03T09:00:0\(second).000Z", "2026-11-03T09:00:0\(second).000Z"))
        }
        try await fake.call("POST", "/__fake/calls", .array(calls))
        let vapi = try platform(fake, pageSize: 1000)
        #expect(try await vapi.agents().count == 10)
        var listed: [String] = []
        try await vapi.each("call", resource: "calls") { listed.append($0["id"]?.string ?? "") }
        try await vapi.shutdown()
        #expect(Set(listed) == Set(calls.compactMap { $0["id"]?.string }), "\(listed.count) listed")
        #expect(try await fake.failures().isEmpty)
    }

    /// The oldest assistants created in one millisecond, on a page shorter
    /// than asked: the end of the list, read to its end with nothing refused.
    /// The same page with older ones past it was all a page holds there
    /// (more of that time may be missing): refused for assistants, read on
    /// for calls.
    @Test func aShortPageOfOneCreationTimeIsTheEndUnlessOlderFollow() async throws {
        let fake = try FakeVapi(maxPage: 5)
        try await make(fake, names: (1...7).map { "Desk \($0)" })
        let ids = try await fake.state().assistants.map { try #require($0["id"]?.string) }
        // Four of distinct times, then the three oldest created at one time.
        for (index, id) in ids.enumerated() {
            let time = index < 4 ? "2026-11-02T10:00:0\(9 - index).000Z" : "2026-11-02T10:00:00.000Z"
            try await fake.call("POST", "/__fake/assistants/\(id)/created", .string(time))
        }
        let atTheEnd = try platform(fake, pageSize: 1000)
        #expect(try await atTheEnd.agents().count == 7)
        try await atTheEnd.shutdown()

        // The oldest tied as many as this Vapi put on its earlier pages (3):
        // that page may have been cut, and nothing follows to tell. Refused,
        // never a listing missing some (apply would create them twice).
        let cut = try FakeVapi(maxPage: 3)
        try await make(cut, names: (1...8).map { "Desk \($0)" })
        let cutIDs = try await cut.state().assistants.map { try #require($0["id"]?.string) }
        for (index, id) in cutIDs.enumerated() {
            let time = index < 4 ? "2026-11-02T10:00:0\(9 - index).000Z" : "2026-11-02T10:00:00.000Z"
            try await cut.call("POST", "/__fake/assistants/\(id)/created", .string(time))
        }
        let cutVapi = try platform(cut, pageSize: 1000)
        let missing = await #expect(throws: PlatformError.self) { try await cutVapi.agents() }
        try await cutVapi.shutdown()
        #expect(
            String(describing: missing).contains("Vapi lists a whole page of 3 created at one time"),
            "\(String(describing: missing))")

        let capped = try FakeVapi(maxPage: 3)
        try await make(capped, names: (1...6).map { "Desk \($0)" })
        let cappedIDs = try await capped.state().assistants.map { try #require($0["id"]?.string) }
        // The three newest created at one time, then three older.
        for (index, id) in cappedIDs.enumerated() {
            let time = index < 3 ? "2026-11-02T10:00:09.000Z" : "2026-11-02T10:00:0\(index).000Z"
            try await capped.call("POST", "/__fake/assistants/\(id)/created", .string(time))
        }
        let vapi = try platform(capped, pageSize: 1000)
        let refused = await #expect(throws: PlatformError.self) { try await vapi.agents() }
        #expect(
            String(describing: refused).contains("Vapi lists a whole page of 3 created at one time"),
            "\(String(describing: refused))")

        let tied = (0..<3).map { _ in
            VapiTicketTests.call(
                assistant: nil, flagged: true, at: ("2026-11-03T10:00:00.000Z", "2026-11-03T10:00:00.000Z"))
        }
        let older = (0..<4).map { second in
            VapiTicketTests.call(
                assistant: nil, flagged: true,
                at: ("2026-11-03T09:00:0\(second).000Z", "2026-11-03T09:00:0\(second).000Z"))
        }
        try await capped.call("POST", "/__fake/calls", .array(tied + older))
        var listed: [String] = []
        try await vapi.each("call", resource: "calls") { listed.append($0["id"]?.string ?? "") }
        try await vapi.shutdown()
        #expect(Set(listed) == Set((tied + older).compactMap { $0["id"]?.string }), "\(listed.count) listed")
        #expect(try await capped.failures().isEmpty)
    }

    /// More assistants created in one millisecond than Vapi answers in a
    /// page: its list cannot go on past them, and a listing missing some
    /// would plan them as new. Refused, with nothing changed. Calls read on
    /// from before that time, so older calls are never lost with them.
    @Test func aPageOfOneCreationTimeIsRefusedForAssistantsAndReadOnForCalls() async throws {
        let fake = try FakeVapi(maxPage: 100)
        try await make(fake, names: (1...120).map { "Bulk \($0)" })
        for assistant in try await fake.state().assistants {
            let id = try #require(assistant["id"]?.string)
            try await fake.call("POST", "/__fake/assistants/\(id)/created", .string("2026-11-02T10:00:00.000Z"))
        }
        // Asked for 1,000, a Vapi answering all 120 gave the whole list: no refusal.
        let whole = try FakeVapi()
        try await make(whole, names: (1...120).map { "Bulk \($0)" })
        for assistant in try await whole.state().assistants {
            let id = try #require(assistant["id"]?.string)
            try await whole.call("POST", "/__fake/assistants/\(id)/created", .string("2026-11-02T10:00:00.000Z"))
        }
        let wholeVapi = try platform(whole, pageSize: 1000)
        #expect(try await wholeVapi.agents().count == 120)
        try await wholeVapi.shutdown()

        let vapi = try platform(fake, pageSize: 1000)
        let refused = await #expect(throws: PlatformError.self) { try await vapi.agents() }
        #expect(
            String(describing: refused).contains("Vapi lists a whole page of 100 created at one time"),
            "\(String(describing: refused))")

        let tied = (0..<120).map { _ in
            VapiTicketTests.call(
                assistant: nil, flagged: true, at: ("2026-11-03T10:00:00.000Z", "2026-11-03T10:00:00.000Z"))
        }
        let older = (0..<5).map { minute in
            VapiTicketTests.call(
                assistant: nil, flagged: true,
                at: ("2026-11-03T09:0\(minute):00.000Z", "2026-11-03T09:0\(minute):00.000Z"))
        }
        try await fake.call("POST", "/__fake/calls", .array(tied + older))
        var listed: [String] = []
        try await vapi.each("call", resource: "calls") { listed.append($0["id"]?.string ?? "") }
        try await vapi.shutdown()
        #expect(listed.count == 105, "the first 100 of one time, then the older ones")
        let olderIDs = Set(older.compactMap { $0["id"]?.string })
        #expect(olderIDs.count == 5 && olderIDs.isSubset(of: Set(listed)))
    }

    /// A page of calls larger than the client takes (long transcripts) is
    /// asked for again in smaller pages, not an error on every pull.
    @Test func aPageTooLargeIsAskedForAgainInSmallerPages() async throws {
        let fake = try FakeVapi()
        let calls = (0..<20).map { _ in Self.longCall(kilobytes: 30) }
        try await fake.call("POST", "/__fake/calls", .array(calls))
        let vapi = try platform(fake, pageSize: 1000, maxResponseBytes: 200_000)
        var listed: [String] = []
        try await vapi.each("call", resource: "calls") { listed.append($0["id"]?.string ?? "") }
        try await vapi.shutdown()
        #expect(Set(listed) == Set(calls.compactMap { $0["id"]?.string }), "\(listed.count) listed")

        // Refused as too large again and again (413): the pages shrink to
        // two at least, and every call is still listed, none lost.
        let refusing = try FakeVapi()
        // Three of them made in one millisecond: a page of two holds only
        // two, so the pages grow again for them rather than pass the third.
        let hourly = (0..<12).map { index in
            let hour = index < 3 ? 2 : index - 2
            return VapiTicketTests.call(
                assistant: nil, flagged: true, at: ("2026-11-03T1\(hour):00:00.000Z", "2026-11-03T1\(hour):00:00.000Z"))
        }
        try await refusing.call("POST", "/__fake/calls", .array(hourly))
        try await refusing.fault(
            .object([
                "method": .string("GET"), "path": .string("/call"), "exact": .bool(true), "kind": .string("status"),
                "status": .integer(413), "times": .integer(6),
            ]))
        let small = try platform(refusing, pageSize: 100)
        var all: [String] = []
        try await small.each("call", resource: "calls") { all.append($0["id"]?.string ?? "") }
        try await small.shutdown()
        #expect(Set(all) == Set(hourly.compactMap { $0["id"]?.string }), "\(all.count) listed")
    }

    /// Calls of one creation time that no page within the client's size
    /// limit holds: the pull stops and says so, never passing over them.
    @Test func callsOfOneTimeThatNoPageHoldsStopTheList() async throws {
        let fake = try FakeVapi()
        // Four of one millisecond, and an older one they stand before.
        let calls = (0..<5).map { index in
            Self.longCall(kilobytes: 60, at: index < 4 ? "2026-11-03T10:00:00.000Z" : "2026-11-03T09:00:00.000Z")
        }
        try await fake.call("POST", "/__fake/calls", .array(calls))
        // A page of two fits (about 120 kB); a page of three or more does not.
        let vapi = try platform(fake, pageSize: 100, maxResponseBytes: 150_000)
        var listed: [String] = []
        let error = await #expect(throws: PlatformError.self) {
            try await vapi.each("call", resource: "calls") { listed.append($0["id"]?.string ?? "") }
        }
        try await vapi.shutdown()
        #expect(
            String(describing: error).contains("more were created at one time (2026-11-03T10:00:00.000Z)"),
            "\(String(describing: error))")
        #expect(listed.count == 2, "the first page of two, then the stop: \(listed)")
        // Asked smaller down to two, then larger again once for the rest of that time.
        let limits = try await fake.requests().compactMap { request -> String? in
            guard request["path"]?.string == "/call" else { return nil }
            return request["query"]?["limit"]?.string
        }
        #expect(limits.prefix(6) == ["100", "50", "25", "12", "6", "3"], "\(limits)")
        #expect(limits.last == "4", "\(limits)")
    }

    static let escalating = AgentSettings(
        id: "front-desk", name: "Front desk", channels: [.calls],
        support: SupportSettings(
            mode: .escalate, flag: FlagSettings(),
            escalate: EscalateSettings(destinations: [Destination(name: "desk", number: "+34910000000")])))

    /// A tool no longer wanted is kept when the assistants cannot be listed
    /// to check that nothing else uses it.
    @Test func aToolIsKeptWhenTheAssistantsCannotBeListed() async throws {
        let fake = try FakeVapi()
        let vapi = try platform(fake, pageSize: 100)
        let written = try await vapi.putAgent(id: "front-desk", AgentWrite(Self.escalating), expecting: .unconditional)
        let toolID = try #require(try await fake.state().tools.first?["id"]?.string)
        // An assistant supportsync does not manage uses the same tool.
        try await fake.call(
            "POST", "/assistant",
            .object([
                "name": .string("Backup line"),
                "model": .object([
                    "provider": .string("openai"), "model": .string("gpt-4o"), "toolIds": JSONValue([toolID]),
                ]),
            ]), token: true)
        try await fake.fault(
            .object([
                "method": .string("GET"), "path": .string("/assistant"), "exact": .bool(true),
                "kind": .string("status"), "status": .integer(400), "times": .integer(5),
            ]))
        var nothing = Self.escalating
        nothing.support = SupportSettings(mode: .nothing)
        _ = try await vapi.putAgent(id: "front-desk", AgentWrite(nothing), expecting: .revision(written.version))
        try await vapi.shutdown()
        let requests = try await fake.requests()
        #expect(requests.contains { $0["method"]?.string == "PATCH" && $0["status"] == .integer(200) })
        #expect(requests.contains { $0["path"]?.string == "/assistant" && $0["status"] == .integer(400) })
        #expect(try await fake.state().tools.contains { $0["id"]?.string == toolID })
    }

    /// A PATCH answered with the assistant as it was did not take: a
    /// failure, not an agent reported as applied.
    @Test func aPatchVapiDidNotTakeIsAFailure() async throws {
        let fake = try FakeVapi()
        let vapi = try platform(fake, pageSize: 100)
        let settings = AgentSettings(
            id: "front-desk", name: "Front desk", channels: [.calls], support: SupportSettings(mode: .nothing))
        let written = try await vapi.putAgent(id: "front-desk", AgentWrite(settings), expecting: .unconditional)
        try await fake.fault(
            .object(["method": .string("PATCH"), "path": .string("/assistant/"), "kind": .string("ignore-write")]))
        var renamed = settings
        renamed.name = "Front desk two"
        let error = await #expect(throws: PlatformError.self) {
            try await vapi.putAgent(id: "front-desk", AgentWrite(renamed), expecting: .revision(written.version))
        }
        try await vapi.shutdown()
        #expect(error?.message.contains("without the values written") == true, "\(String(describing: error))")
        #expect(try await fake.state().assistants.first?["name"]?.string == "Front desk")
        #expect(try await fake.failures().isEmpty)
    }

    /// Settings in an assistant's metadata that config/ would refuse (a tag
    /// holding a newline, written on Vapi's dashboard) are no settings: never
    /// printed, and the plan puts the applied ones back.
    @Test func settingsConfigWouldRefuseAreNoSettings() async throws {
        let fake = try FakeVapi()
        let vapi = try platform(fake, pageSize: 100)
        let settings = AgentSettings(
            id: "front-desk", name: "Front desk", channels: [.calls],
            support: SupportSettings(mode: .flag, flag: FlagSettings(tags: ["billing"])))
        _ = try await vapi.putAgent(id: "front-desk", AgentWrite(settings), expecting: .unconditional)
        #expect(try await vapi.agents().first?.support.flag?.tags == ["billing"])
        let assistant = try #require(try await fake.state().assistants.first)
        let id = try #require(assistant["id"]?.string)
        var metadata = try #require(assistant["metadata"])
        metadata["supportsync"]?["settings"]?["support"]?["flag"]?["tags"] = JSONValue([
            "billing\n::error file=config/agents/x.yaml::forged"
        ])
        try await fake.call("POST", "/__fake/assistants/\(id)/edit", .object(["metadata": metadata]))
        let agents = try await vapi.agents()
        try await vapi.shutdown()
        let agent = try #require(agents.first)
        #expect(agent.id == "front-desk" && !agent.adoptable)
        #expect(agent.support.mode == .nothing, "\(agent.support)")
    }

    /// A transfer tool of the team's own (attached by id, or written in
    /// `model.tools`) transfers calls whatever the settings say, and
    /// supportsync never changes it: `import` and every plan say so, even
    /// when nothing changes.
    @Test func aTransferToolOfTheTeamsOwnIsSaidByImportAndEveryPlan() async throws {
        let fake = try FakeVapi()
        let destinations = JSONValue.array([.object(["type": .string("number"), "number": .string("+34910000007")])])
        let tool = try await fake.call(
            "POST", "/tool", .object(["type": .string("transferCall"), "destinations": destinations]), token: true)
        let toolID = try #require(tool["id"]?.string)
        try await fake.call(
            "POST", "/assistant",
            .object([
                "name": .string("Front desk"),
                "model": .object([
                    "provider": .string("openai"), "model": .string("gpt-4o"), "toolIds": JSONValue([toolID]),
                ]),
            ]), token: true)
        try await fake.call(
            "POST", "/assistant",
            .object([
                "name": .string("Back office"),
                "model": .object([
                    "provider": .string("openai"), "model": .string("gpt-4o"),
                    "tools": .array([.object(["type": .string("transferCall"), "destinations": destinations])]),
                ]),
            ]), token: true)
        // An assistant with no transfer of its own has nothing to say.
        try await make(fake, names: ["Quiet line"])
        let vapi = try platform(fake, pageSize: 100)
        let folder = try TemporaryFolder()
        let imported = try await Importer(platform: vapi, root: folder.url).run()
        #expect(imported.written.count == 3, "\(imported.skipped)")
        #expect(imported.notes.map(\.path) == ["config/agents/back-office.yaml", "config/agents/front-desk.yaml"])
        #expect(imported.notes.first?.note.contains("a transferCall tool in model.tools") == true)
        #expect(imported.notes.last?.note.contains("tool \(toolID), which supportsync does not manage") == true)

        // The imported agent takes the assistant over; the tool stays, and
        // so does the note, in the plan that binds and in the next one.
        let nothing = AgentSettings(
            id: "front-desk", name: "Front desk", channels: [.calls], support: SupportSettings(mode: .nothing))
        let reconciler = Reconciler(platform: vapi)
        let binding = try await reconciler.plan(desired: [nothing])
        #expect(binding.agents.first?.binds == "Front desk")
        #expect(binding.agents.first?.notes?.count == 1)
        #expect(PlanFormatter.text(binding).contains("    platform: the assistant also has tool \(toolID)"))
        #expect(PlanFormatter.markdown(binding).contains("Platform: `the assistant also has tool \(toolID)"))
        let report = await reconciler.apply(binding)
        #expect(
            report.results.allSatisfy {
                if case .applied = $0.outcome { return true }
                return false
            }, "\(report.results)")
        let again = try await reconciler.plan(desired: [nothing])
        try await vapi.shutdown()
        #expect(again.agents.first?.action == .unchanged)
        let text = PlanFormatter.text(again)
        #expect(text.hasPrefix("= front-desk\n    platform: the assistant also has tool \(toolID)"), "\(text)")
        #expect(text.contains("No changes"))
        let json = PlanFormatter.format(again, as: .json)
        #expect(json.contains("\"notes\" : ["), "\(json)")
        #expect(try await fake.state().tools.contains { $0["id"]?.string == toolID })
        #expect(try await fake.failures().isEmpty)
    }

    /// An assistant whose `metadata.supportsync` is not a binding
    /// supportsync reads (another tool's) is taken over by name with a note
    /// in the plan, never in silence; once applied, it is a binding.
    @Test func aForeignMetadataKeyIsSaidBeforeItIsReplaced() async throws {
        let fake = try FakeVapi()
        try await fake.call(
            "POST", "/assistant",
            .object([
                "name": .string("Front desk"),
                "model": .object(["provider": .string("openai"), "model": .string("gpt-4o")]),
                "metadata": .object([VapiSlice.metadataKey: .object(["owner": .string("another-tool")])]),
            ]), token: true)
        let vapi = try platform(fake, pageSize: 100)
        let nothing = AgentSettings(
            id: "front-desk", name: "Front desk", channels: [.calls], support: SupportSettings(mode: .nothing))
        let reconciler = Reconciler(platform: vapi)
        let binding = try await reconciler.plan(desired: [nothing])
        #expect(binding.agents.first?.binds == "Front desk")
        let note = "metadata.\(VapiSlice.metadataKey) is not a binding supportsync reads"
        #expect(binding.agents.first?.notes?.contains { $0.contains(note) } == true, "\(binding.agents)")
        _ = await reconciler.apply(binding)
        let again = try await reconciler.plan(desired: [nothing])
        try await vapi.shutdown()
        #expect(again.agents.first?.action == .unchanged)
        #expect(again.agents.first?.notes?.contains { $0.contains(note) } != true, "\(again.agents)")
        #expect(try await fake.failures().isEmpty)
    }

    /// An id from a name is an agent id config/ accepts, however long the name.
    @Test func anIdFromANameIsAnAgentID() {
        #expect(VapiSlice.agentID(for: "Billing desk (EU)") == "billing-desk-eu")
        #expect(VapiSlice.agentID(for: "¿?") == "assistant")
        let long = VapiSlice.agentID(for: String(repeating: "a", count: 70))
        #expect(long.count == 63 && Patterns.isAgentID(long), "\(long)")
        let cut = VapiSlice.agentID(for: String(repeating: "a", count: 62) + " desk")
        #expect(cut == String(repeating: "a", count: 62) && Patterns.isAgentID(cut), "\(cut)")
    }

    @Test func onlyPlainIdsAreVapis() {
        #expect(VapiPlatform.isPlainID("3f2c1a9e-6b1d-4c8e-9a57-0d2b6c4e8f10"))
        #expect(VapiPlatform.isPlainID("asst_01"))
        for odd in ["", "a\n::error::x", "a b", "../call/x", "a\u{1B}[31m", String(repeating: "a", count: 65), "é"] {
            #expect(!VapiPlatform.isPlainID(odd), "\(odd)")
        }
    }
}
