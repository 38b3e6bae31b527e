import Foundation
import TestSupport
import Testing

@testable import SupportSync

/// Two files that mean the same thing have the same canonical form.
@Suite struct CanonicalFormTests {
    static let shorthand = """
        agent: desk
        name: Desk
        channels: [messages, calls]
        support:
          mode: decide
          flag:
            collect: [name, email]
          escalate:
            destinations:
              - name: desk
                number: "+34910000000"
            hours:
              timezone: Europe/Madrid
              weekly:
                mon-fri: "09:00-17:00"
                sat: ["10:00-12:00"]
        """

    static let longhand = """
        agent: desk
        name: "Desk"
        channels:
          - calls
          - messages
        support:
          mode: decide
          flag:
            collect:
              - {field: name, required: false, label: name}
              - field: email
            priority: normal
            tags: []
          escalate:
            destinations:
              - {name: desk, number: "+34910000000"}
            transfer: warm
            summary: true
            ring_timeout: 30
            fallback: flag
            hours:
              timezone: "Europe/Madrid"
              weekly:
                sat: ["10:00-12:00"]
                fri: ["09:00-17:00"]
                thu: ["09:00-17:00"]
                wed: ["09:00-17:00"]
                tue: ["09:00-17:00"]
                mon: ["09:00-17:00"]
                sun: []
              closed: []
          decide:
            allow: [escalate, flag, respond]
        """

    static func agents(_ files: [String: String]) throws -> [AgentSettings] {
        let folder = try TemporaryFolder(files)
        let result = try ConfigValidator(root: folder.url).validate()
        #expect(result.report.diagnostics.isEmpty, "\(DiagnosticFormatter.text(result.report))")
        return result.agents
    }

    @Test func aBodyWithNoDestinationsIsTakenUnlessTheModeNeedsThem() throws {
        func body(mode: String) -> [UInt8] {
            Array(
                """
                {"name": "Desk", "channels": ["calls"], "support": {"mode": "\(mode)",
                 "flag": {"collect": [], "priority": "normal", "tags": []},
                 "escalate": {"destinations": [], "transfer": "warm", "summary": true, "ring_timeout": 20,
                              "fallback": "nothing"}}}
                """.utf8)
        }
        // Taken, and the block that transfers nowhere is no setting.
        let flag = try AgentBodyValidator.validate(json: body(mode: "flag"), id: "desk").get()
        #expect(flag.support.escalate == nil, "\(String(describing: flag.support.escalate))")
        guard case .failure(let problem) = AgentBodyValidator.validate(json: body(mode: "escalate"), id: "desk") else {
            Issue.record("mode escalate without destinations was taken")
            return
        }
        #expect(problem.rule == .escalateRequiresDestinations)
    }

    /// An escalate block from defaults (a ring time for the agents that
    /// escalate) gives an agent that does not escalate no escalate
    /// settings: none to apply, plan, or fail to import.
    @Test func defaultsEscalateSettingsReachOnlyAgentsWithDestinations() throws {
        let agents = try Self.agents([
            "config/defaults.yaml": "support:\n  escalate:\n    ring_timeout: 20\n",
            "config/agents/chat.yaml": "agent: chat\nname: Chat\nchannels: [messages]\nsupport:\n  mode: flag\n",
            "config/agents/desk.yaml":
                "agent: desk\nname: Desk\nchannels: [calls]\nsupport:\n  mode: escalate\n  escalate:\n    destinations: [{name: desk, number: \"+34910000000\"}]\n",
        ])
        let chat = try #require(agents.first { $0.id == "chat" })
        let desk = try #require(agents.first { $0.id == "desk" })
        #expect(chat.support.escalate == nil, "\(String(describing: chat.support.escalate))")
        #expect(desk.support.escalate?.ringTimeout == 20)
    }

    /// Flag settings from defaults (what every flagging agent collects) give
    /// an agent of mode nothing no flag settings, and a decide block gives
    /// one no decide settings unless its mode is decide: a change to them in
    /// defaults changes no agent that cannot use them. Written in the
    /// agent's own file, such a block is warned about and not sent either.
    @Test func blocksTheModeDoesNotUseAreNoSetting() throws {
        let folder = try TemporaryFolder([
            "config/defaults.yaml": "support:\n  flag:\n    priority: high\n  decide:\n    allow: [flag]\n",
            "config/agents/info.yaml": "agent: info\nname: Info\nchannels: [messages]\nsupport:\n  mode: nothing\n",
            "config/agents/desk.yaml": "agent: desk\nname: Desk\nchannels: [messages]\nsupport:\n  mode: flag\n",
            "config/agents/chat.yaml": "agent: chat\nname: Chat\nchannels: [messages]\nsupport:\n  mode: decide\n",
            "config/agents/kept.yaml":
                "agent: kept\nname: Kept\nchannels: [messages]\nsupport:\n  mode: nothing\n  flag:\n    priority: low\n",
        ])
        let result = try ConfigValidator(root: folder.url).validate()
        let warnings = result.report.diagnostics.map { "\($0.location.file) \($0.message)" }
        #expect(warnings == ["config/agents/kept.yaml the flag block is ignored: mode nothing does not use it"])
        func agent(_ id: String) throws -> AgentSettings { try #require(result.agents.first { $0.id == id }) }
        #expect(try agent("info").support.flag == nil)
        #expect(try agent("info").support.decide == nil)
        #expect(try agent("kept").support.flag == nil)
        #expect(try agent("desk").support.flag?.priority == .high)
        #expect(try agent("desk").support.decide == nil)
        #expect(try agent("chat").support.decide?.allow == [.flag])
        #expect(try agent("chat").support.flag?.priority == .high)
        let json = String(decoding: try JSONEncoder().encode(try agent("info").support), as: UTF8.self)
        #expect(json == #"{"mode":"nothing"}"#, "\(json)")
    }

    @Test func shorthandAndLonghandAreEqual() throws {
        let short = try Self.agents(["config/agents/desk.yaml": Self.shorthand])
        let long = try Self.agents(["config/agents/desk.yaml": Self.longhand])
        #expect(short.count == 1)
        #expect(short == long)
    }

    @Test func canonicalJSONSpellsOutEveryDefault() throws {
        let agent = try #require(try Self.agents(["config/agents/desk.yaml": Self.shorthand]).first)
        let data = try JSONEncoder().encode(agent.support)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let escalate = try #require(json["escalate"] as? [String: Any])
        #expect(escalate["ring_timeout"] as? Int == 30)
        #expect(escalate["transfer"] as? String == "warm")
        #expect(escalate["summary"] as? Bool == true)
        #expect((json["decide"] as? [String: Any])?["allow"] as? [String] == ["respond", "flag", "escalate"])
        let collect = try #require((json["flag"] as? [String: Any])?["collect"] as? [[String: Any]])
        #expect(collect.last?["label"] as? String == "email")
        #expect(collect.last?["required"] as? Bool == false)
        // The week is spelt out, one key per day.
        let weekly = try #require((escalate["hours"] as? [String: Any])?["weekly"] as? [String: [String]])
        #expect(
            weekly == [
                "mon": ["09:00-17:00"], "tue": ["09:00-17:00"], "wed": ["09:00-17:00"], "thu": ["09:00-17:00"],
                "fri": ["09:00-17:00"], "sat": ["10:00-12:00"], "sun": [],
            ])
        let decoded = try JSONDecoder().decode(SupportSettings.self, from: data)
        #expect(decoded == agent.support)
    }

    @Test func defaultsMergeKeyByKeyAndListsReplace() throws {
        let agents = try Self.agents([
            "config/defaults.yaml": """
            support:
              mode: flag
              flag:
                collect: [name, phone]
                priority: high
                tags: [vip]
            """,
            "config/agents/a.yaml": """
            agent: a
            name: A
            channels: [calls]
            support:
              flag:
                tags: [billing]
            """,
            "config/agents/b.yaml": """
            agent: b
            name: B
            channels: [messages]
            support:
              mode: nothing
              flag: null
            """,
        ])
        let a = try #require(agents.first { $0.id == "a" })
        #expect(a.support.mode == .flag)
        #expect(a.support.flag?.priority == .high)
        #expect(a.support.flag?.collect.map(\.field) == ["name", "phone"])
        #expect(a.support.flag?.tags == ["billing"])
        let b = try #require(agents.first { $0.id == "b" })
        #expect(b.support.mode == .nothing)
        #expect(b.support.flag == nil)
    }

    @Test func decideAllowDefaultDependsOnCallsAndDestinations() throws {
        let agents = try Self.agents([
            "config/agents/chat.yaml": "agent: chat\nname: Chat\nchannels: [messages]\nsupport: {mode: decide}\n",
            "config/agents/line.yaml": """
            agent: line
            name: Line
            channels: [calls]
            support:
              mode: decide
              escalate:
                destinations: [{name: desk, sip: "sip:desk@pbx.example.com"}]
            """,
        ])
        #expect(agents.first { $0.id == "chat" }?.support.decide?.allow == [.respond, .flag])
        #expect(agents.first { $0.id == "line" }?.support.decide?.allow == [.respond, .flag, .escalate])
    }
}

/// Problems in defaults.yaml are reported once; those that only exist once
/// merged into an agent are reported at the value, naming the agent.
@Suite struct DefaultsDiagnosticsTests {
    @Test func aDefaultsProblemIsReportedOnce() throws {
        let folder = try TemporaryFolder([
            "config/defaults.yaml": "support:\n  flag:\n    priority: urgentt\n",
            "config/agents/a.yaml": "agent: a\nname: A\nchannels: [calls]\nsupport: {mode: flag}\n",
            "config/agents/b.yaml": "agent: b\nname: B\nchannels: [calls]\nsupport: {mode: flag}\n",
        ])
        let report = try ConfigValidator(root: folder.url).validate().report
        #expect(report.diagnostics.count == 1)
        let diagnostic = try #require(report.diagnostics.first)
        #expect(diagnostic.rule == .priority)
        #expect(diagnostic.location == SourceLocation(file: "config/defaults.yaml", line: 3, column: 15))
        #expect(diagnostic.agent == nil)
        #expect(diagnostic.hint == "did you mean 'urgent'?")
    }

    @Test func aMergedProblemNamesEachAgent() throws {
        let folder = try TemporaryFolder([
            "config/defaults.yaml":
                "support:\n  mode: escalate\n  escalate:\n    destinations: [{name: d, number: \"+34910000000\"}]\n",
            "config/agents/a.yaml": "agent: a\nname: A\nchannels: [messages]\n",
            "config/agents/b.yaml": "agent: b\nname: B\nchannels: [messages]\n",
            "config/agents/c.yaml": "agent: c\nname: C\nchannels: [calls]\n",
        ])
        let report = try ConfigValidator(root: folder.url).validate().report
        let errors = report.diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.agent) == ["a", "b"])
        #expect(errors.allSatisfy { $0.rule == .escalateRequiresCalls && $0.location.file == "config/defaults.yaml" })
        #expect(errors.allSatisfy { $0.location.line == 2 && $0.location.column == 9 })
        #expect(errors.first?.message.contains("'a'") == true)
    }

    @Test func unreadableFileIsADiagnostic() throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(
            at: folder.url.appendingPathComponent("config/agents/folder.yaml"), withIntermediateDirectories: true)
        let report = try ConfigValidator(root: folder.url).validate().report
        #expect(report.diagnostics.map(\.rule) == [.fileUnreadable])
    }
}

extension CanonicalFormTests {
    /// Text `validate` takes in a file as an escape (DEL, a C1 control such
    /// as U+009B) is what JSON writes as it is: the platform reads the same
    /// settings from the body, so a plan saved by `plan --out` applies.
    @Test func controlCharactersJSONWritesAsTheyAreReadBackFromABody() throws {
        let guidance = "Ask first \u{7F} then \u{9B} and \u{85} end"
        let settings = AgentSettings(
            id: "desk", name: "Desk", channels: [.messages],
            support: SupportSettings(mode: .decide, decide: DecideSettings(allow: [.respond], guidance: guidance)))
        let body = try JSONCoding.encoder().encode(AgentWrite(settings))
        #expect(body.contains(0x7F), "written as it is")
        let read = try AgentBodyValidator.validate(json: Array(body), id: "desk").get()
        #expect(read.support.decide?.guidance == guidance)
    }
}
