import Foundation
import LocalPlatform
import TestSupport
import Testing

@testable import SupportSync

/// plan / apply / import against the local platform, in-process, on a real SQLite file.
@Suite struct ReconcilerTests {
    @Test func planApplyPlanRoundTrip() async throws {
        let bench = try Workbench(agents: ["a": Samples.flagAgent("a"), "b": Samples.flagAgent("b", mode: "decide")])
        defer { withExtendedLifetime(bench) {} }
        let reconciler = Reconciler(platform: try bench.platform())
        let first = try await reconciler.plan(desired: try bench.desired())
        #expect(first.agents.map(\.action) == [.create, .create])
        let report = await reconciler.apply(first)
        #expect(report.created == ["a", "b"])
        #expect(report.exitStatus == .success)
        let second = try await reconciler.plan(desired: try bench.desired())
        #expect(!second.hasChanges)
        #expect(second.agents.allSatisfy { $0.action == .unchanged && $0.changes.isEmpty })
        let again = await reconciler.apply(second)
        #expect(again.created.isEmpty && again.updated.isEmpty && again.unchanged == ["a", "b"])
    }

    @Test func updateShowsEachChangedField() async throws {
        let bench = try Workbench(agents: ["a": Samples.flagAgent("a")])
        defer { withExtendedLifetime(bench) {} }
        let reconciler = Reconciler(platform: try bench.platform())
        _ = await reconciler.apply(try await reconciler.plan(desired: try bench.desired()))
        try bench.write(
            "config/agents/a.yaml",
            Samples.flagAgent("a", mode: "escalate").replacingOccurrences(of: "+34910000000", with: "+34910000009"))
        let plan = try await reconciler.plan(desired: try bench.desired())
        let agent = try #require(plan.agents.first)
        #expect(agent.action == .update)
        #expect(agent.changes.contains(Plan.Change(field: "support.mode", old: "flag", new: "escalate")))
        #expect(
            agent.changes.contains(
                Plan.Change(field: "support.escalate.destinations[0].number", old: "+34910000000", new: "+34910000009"))
        )
        #expect(PlanFormatter.text(plan).contains("    support.mode: flag -> escalate\n"))
        #expect(agent.behaviour != nil)
        // A plan an apply writes from without printing it: the same actions
        // and an update's fields (drift is judged on them), no description.
        try bench.write("config/agents/b.yaml", Samples.flagAgent("b"))
        let quiet = try await reconciler.plan(desired: try bench.desired(), describing: false)
        #expect(quiet.agents.map(\.action) == [.update, .create])
        #expect(quiet.agents[0].changes == agent.changes)
        #expect(quiet.agents.allSatisfy { $0.behaviour == nil })
        #expect(quiet.agents[1].changes.isEmpty)
    }

    /// A list that goes from empty to holding entries shows as its
    /// entries, not also as `[] -> (none)` (nor the other way round).
    @Test func aListFilledOrEmptiedShowsOnlyItsEntries() {
        let empty = AgentSettings(
            id: "a", name: "A", channels: [.messages],
            support: SupportSettings(mode: .flag, flag: FlagSettings(collect: [])))
        var filled = empty
        filled.support.flag?.collect = [CollectField(field: "name"), CollectField(field: "email", required: true)]
        let added = SettingsDiff.changes(from: empty, to: filled)
        #expect(!added.contains { $0.field == "support.flag.collect" }, "\(added)")
        #expect(added.contains(Plan.Change(field: "support.flag.collect[1].field", old: nil, new: "email")))
        let removed = SettingsDiff.changes(from: filled, to: empty)
        #expect(!removed.contains { $0.field == "support.flag.collect" }, "\(removed)")
        #expect(removed.contains(Plan.Change(field: "support.flag.collect[0].field", old: "name", new: nil)))
    }

    @Test func shorthandNeverShowsAsAChange() async throws {
        let bench = try Workbench(agents: ["a": Samples.flagAgent("a")])
        defer { withExtendedLifetime(bench) {} }
        let reconciler = Reconciler(platform: try bench.platform())
        _ = await reconciler.apply(try await reconciler.plan(desired: try bench.desired()))
        try bench.write(
            "config/agents/a.yaml",
            Samples.flagAgent("a").replacingOccurrences(
                of: "collect: [name, email]",
                with:
                    "collect:\n      - field: name\n      - {field: email, required: false, label: email}\n    priority: normal"
            ))
        let plan = try await reconciler.plan(desired: try bench.desired())
        #expect(!plan.hasChanges, "\(PlanFormatter.text(plan))")
    }

    @Test func aDashboardEditBetweenPlanAndApplyIsRefused() async throws {
        let bench = try Workbench(agents: ["a": Samples.flagAgent("a")])
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        let reconciler = Reconciler(platform: platform)
        _ = await reconciler.apply(try await reconciler.plan(desired: try bench.desired()))
        try bench.write("config/agents/a.yaml", Samples.flagAgent("a", mode: "nothing"))
        let plan = try await reconciler.plan(desired: try bench.desired())
        // Someone changes the agent in the dashboard after the plan.
        var dashboard = try #require(try await platform.agent(id: "a")).settings
        dashboard.name = "Renamed in the dashboard"
        _ = try await platform.putAgent(id: "a", AgentWrite(dashboard), expecting: .unconditional)
        let report = await reconciler.apply(plan)
        #expect(report.refused == ["a"])
        #expect(report.exitStatus == .needsAttention)
        let live = try #require(try await platform.agent(id: "a"))
        #expect(live.name == "Renamed in the dashboard")
        #expect(live.support.mode == .flag)
    }

    /// `platform` with an agent no file manages, `legacy`.
    static func withLegacy(_ platform: LocalPlatform) async throws -> LocalPlatform {
        let legacy = AgentSettings(
            id: "legacy", name: "Legacy", channels: [.messages], support: SupportSettings(mode: .nothing))
        _ = try await platform.putAgent(id: "legacy", AgentWrite(legacy), expecting: .unconditional)
        return platform
    }

    @Test func unmanagedAgentsAreListedNeverTouched() async throws {
        let bench = try Workbench(agents: ["a": Samples.flagAgent("a")])
        defer { withExtendedLifetime(bench) {} }
        let platform = try await Self.withLegacy(try bench.platform())
        let reconciler = Reconciler(platform: platform)
        let plan = try await reconciler.plan(desired: try bench.desired())
        #expect(plan.unmanaged == ["legacy"])
        _ = await reconciler.apply(plan)
        #expect(try await platform.agent(id: "legacy")?.version == "1")
    }

    /// A platform listing one agent twice: which one is meant cannot be
    /// told, so neither a plan nor an import goes on.
    struct TwiceListingPlatform: WrappingPlatform {
        let base: LocalPlatform
        var adoptable = false

        func agents() async throws(PlatformError) -> [Agent] {
            var agents = try await base.agents()
            if adoptable {
                agents = agents.map { agent in
                    var unbound = agent
                    unbound.adoptable = true
                    return unbound
                }
            }
            return agents + agents.prefix(1)
        }
    }

    @Test func anAgentListedTwiceStopsPlanAndImport() async throws {
        let bench = try Workbench(agents: ["a": Samples.flagAgent("a")])
        defer { withExtendedLifetime(bench) {} }
        let platform = try await Self.withLegacy(try bench.platform())
        let twice = TwiceListingPlatform(base: platform)
        let planned = await #expect(throws: PlatformError.self) {
            try await Reconciler(platform: twice).plan(desired: try bench.desired())
        }
        #expect(planned?.message.contains("lists agent 'legacy' twice") == true, "\(planned?.message ?? "")")
        await #expect(throws: PlatformError.self) {
            try await Importer(platform: twice, root: bench.root).run(overwrite: true)
        }
        // Two objects bound to no agent, of one name: one file each would be one file.
        let unbound = TwiceListingPlatform(base: platform, adoptable: true)
        let report = try await Importer(platform: unbound, root: bench.root).run(overwrite: true)
        #expect(report.skipped.map(\.id) == ["legacy"], "\(report.skipped)")
        #expect(report.skipped.first?.reason.contains("import one by hand") == true)
        // Named, so a person can find them on the platform.
        let reason = report.skipped.first?.reason ?? ""
        #expect(reason.contains("(named '") && reason.contains("rename all but one"), "\(reason)")
    }

    /// config/agents/ linked to a folder outside the repository: import
    /// writes nothing there (validate never reads it), and says why.
    @Test func importWritesNothingThroughALinkOutOfTheRepository() async throws {
        let bench = try Workbench(agents: ["a": Samples.flagAgent("a")])
        defer { withExtendedLifetime(bench) {} }
        let platform = try await Self.withLegacy(try bench.platform())
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        let agents = bench.root.appendingPathComponent("config/agents")
        try FileManager.default.removeItem(at: agents)
        try FileManager.default.createSymbolicLink(at: agents, withDestinationURL: outside)
        let error = await #expect(throws: PlatformError.self) {
            try await Importer(platform: platform, root: bench.root).run(overwrite: true)
        }
        #expect(error?.message.contains("outside the repository") == true, "\(error?.message ?? "")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }

    @Test func appliesInParallelAndReportsEachAgent() async throws {
        var agents: [String: String] = [:]
        for index in 0..<40 { agents["agent-\(index)"] = Samples.flagAgent("agent-\(index)") }
        let bench = try Workbench(agents: agents)
        defer { withExtendedLifetime(bench) {} }
        let reconciler = Reconciler(platform: try bench.platform())
        let report = await reconciler.apply(try await reconciler.plan(desired: try bench.desired()), parallel: 8)
        #expect(report.created.count == 40)
        #expect(try await bench.platform().agents().count == 40)
    }

    @Test func savedPlanRoundTripsThroughJSON() async throws {
        let bench = try Workbench(agents: ["a": Samples.flagAgent("a")])
        defer { withExtendedLifetime(bench) {} }
        let plan = try await Reconciler(platform: try bench.platform()).plan(desired: try bench.desired())
        let decoded = try JSONDecoder().decode(Plan.self, from: Data(PlanFormatter.format(plan, as: .json).utf8))
        #expect(decoded == plan)
    }

    @Test func markdownStaysUnderTheCommentLimit() async throws {
        var agents: [AgentSettings] = []
        for index in 0..<600 {
            agents.append(
                AgentSettings(
                    id: "agent-\(index)", name: String(repeating: "n", count: 80), channels: [.calls, .messages],
                    support: SupportSettings(
                        mode: .flag, flag: FlagSettings(collect: [CollectField(field: "email")], tags: ["billing"]))))
        }
        let bench = try Workbench()
        defer { withExtendedLifetime(bench) {} }
        var plan = try await Reconciler(platform: try bench.platform()).plan(desired: agents)
        // What the platform does beside the settings is said in the short form too.
        plan.agents[7].notes = ["the assistant also has tool tool-7, which transfers calls"]
        let noted = plan.agents[7].id
        // At most 20 such lines, then how many more.
        for index in 20..<45 { plan.agents[index].fallbacks = ["Vapi rings the destinations in the order it chooses"] }
        // An edit on the platform, late in the list, comes before those all the same.
        plan.agents[500].drift = ["name"]
        let drifted = plan.agents[500].id
        // One agent's change of its own, among 600 alike.
        plan.agents[300].behaviour?.closedAdded = ["2026-12-31"]
        let closing = plan.agents[300].id
        let markdown = PlanFormatter.markdown(plan)
        #expect(markdown.count < PlanFormatter.markdownLimit)
        #expect(markdown.contains("600 to create"))
        #expect(markdown.contains("too long for a comment"))
        #expect(markdown.contains("- … and 7 more\n"), "\(markdown.suffix(600))")
        #expect(
            markdown.contains("- `\(drifted)`: edited on the platform since the last apply; apply puts back: `name`"),
            "\(markdown.suffix(600))")
        #expect(
            markdown.contains("- `\(noted)`: platform: `the assistant also has tool tool-7, which transfers calls`"),
            "\(markdown.suffix(600))")
        // What changes for customers: each line once, with its agents.
        #expect(markdown.contains("What changes for customers:\n"), "\(markdown.suffix(1500))")
        #expect(markdown.contains("- `closed dates added: 2026-12-31`: `\(closing)`\n"), "\(markdown.suffix(1500))")
        #expect(
            markdown.contains("- `calls, mon-sun 00:00-24:00: not served -> flag`: `agent-0`, `agent-1`, "),
            "\(markdown.suffix(1500))")
        #expect(markdown.contains(" and 580 more\n"), "\(markdown.suffix(1500))")
    }
}

@Suite struct ImporterTests {
    @Test func importThenPlanIsUnchanged() async throws {
        let bench = try Workbench(
            defaults: "support:\n  flag:\n    priority: high\n  escalate:\n    announce: Hello\n    ring_timeout: 40\n")
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        let live = [
            AgentSettings(
                id: "dash", name: "Made: in the dashboard", channels: [.calls, .messages],
                support: SupportSettings(
                    mode: .decide,
                    flag: FlagSettings(collect: [CollectField(field: "order_id", required: true, label: "Order")]),
                    escalate: EscalateSettings(
                        destinations: [Destination(name: "desk", number: "+34910000000", extension: "012")],
                        hours: Hours(
                            timezone: "Europe/Madrid", weekly: Weekly(days: [.mon: ["09:00-13:00", "14:00-18:00"]]))),
                    decide: DecideSettings(allow: [.respond, .flag, .escalate], guidance: "Line one.\nLine two.\n"))),
            AgentSettings(id: "plain", name: "yes", channels: [.messages], support: SupportSettings(mode: .nothing)),
        ]
        for agent in live {
            _ = try await platform.putAgent(id: agent.id, AgentWrite(agent), expecting: .unconditional)
        }
        let report = try await Importer(platform: platform, root: bench.root).run()
        #expect(report.written == ["config/agents/dash.yaml", "config/agents/plain.yaml"])
        #expect(report.skipped.isEmpty)
        let validation = try ConfigValidator(root: bench.root).validate()
        #expect(validation.report.errorCount == 0, "\(DiagnosticFormatter.text(validation.report))")
        let plan = try await Reconciler(platform: platform).plan(desired: validation.agents)
        #expect(!plan.hasChanges, "\(PlanFormatter.text(plan))")
        #expect(try bench.read("config/agents/plain.yaml").contains("name: \"yes\""))
    }

    @Test func importKeepsExistingFilesUnlessOverwrite() async throws {
        let bench = try Workbench(agents: ["a": "# hand-written\n" + Samples.flagAgent("a")])
        defer { withExtendedLifetime(bench) {} }
        let platform = try bench.platform()
        _ = try await platform.putAgent(
            id: "a",
            AgentWrite(AgentSettings(id: "a", name: "A", channels: [.calls], support: SupportSettings(mode: .nothing))),
            expecting: .unconditional)
        let kept = try await Importer(platform: platform, root: bench.root).run()
        #expect(kept.kept == ["config/agents/a.yaml"])
        #expect(kept.exitStatus == .needsAttention)
        #expect(try bench.read("config/agents/a.yaml").hasPrefix("# hand-written"))
        let replaced = try await Importer(platform: platform, root: bench.root).run(overwrite: true)
        #expect(replaced.written == ["config/agents/a.yaml"])
        #expect(try bench.read("config/agents/a.yaml").contains("mode: nothing"))
    }
}

/// A platform where someone creates each agent the moment after apply
/// looked for it (found nothing) and before apply writes it.
struct CreatedBehindTheLookPlatform: WrappingPlatform {
    var base: LocalPlatform
    var made: AgentSettings

    func agent(id: String) async throws(PlatformError) -> Agent? {
        let seen = try await base.agent(id: id)
        var theirs = made
        theirs.id = id
        if seen == nil { _ = try await base.putAgent(id: id, AgentWrite(theirs), expecting: .unconditional) }
        return seen
    }
}

extension ReconcilerTests {
    /// An agent created between apply's look and its write: the create only
    /// creates (`If-None-Match: *`, here the local platform's own check in
    /// the write), so the agent made meanwhile is left as it is.
    @Test func aCreateRacingAnotherCreateOverwritesNothing() async throws {
        let bench = try Workbench(agents: ["a": Samples.flagAgent("a")])
        defer { withExtendedLifetime(bench) {} }
        let local = try bench.platform()
        let made = AgentSettings(
            id: "a", name: "Made meanwhile", channels: [.messages], support: SupportSettings(mode: .nothing))
        let racing = CreatedBehindTheLookPlatform(base: local, made: made)
        let reconciler = Reconciler(platform: racing)
        let plan = try await reconciler.plan(desired: try bench.desired())
        #expect(plan.agents.map(\.action) == [.create])
        let report = await reconciler.apply(plan)
        #expect(report.created.isEmpty && report.exitStatus == .needsAttention, "\(report.results)")
        let reason = try #require(report.results.first?.outcome.reason)
        #expect(reason.contains("was created on the platform since the plan; nothing was overwritten"), "\(reason)")
        #expect(try await local.agent(id: "a")?.name == "Made meanwhile")
    }
}

/// A platform of the API from before `If-None-Match`: it creates or
/// replaces whatever a write expects of an absent agent.
struct IgnoresCreateOnlyPlatform: WrappingPlatform {
    var base: LocalPlatform

    func putAgent(id: String, _ write: AgentWrite, expecting precondition: AgentPrecondition)
        async throws(PlatformError) -> Agent
    {
        try await base.putAgent(id: id, write, expecting: precondition == .absent ? .unconditional : precondition)
    }
}

extension ReconcilerTests {
    /// Against a platform that ignores the create-only condition, apply's
    /// own look still finds an agent created since the plan, and leaves it.
    @Test func anAgentCreatedSinceThePlanIsFoundByTheLookOnAnOlderPlatform() async throws {
        let bench = try Workbench(agents: ["a": Samples.flagAgent("a")])
        defer { withExtendedLifetime(bench) {} }
        let local = try bench.platform()
        let reconciler = Reconciler(platform: IgnoresCreateOnlyPlatform(base: local))
        let plan = try await reconciler.plan(desired: try bench.desired())
        #expect(plan.agents.map(\.action) == [.create])
        let made = AgentSettings(
            id: "a", name: "Made meanwhile", channels: [.messages], support: SupportSettings(mode: .nothing))
        _ = try await local.putAgent(id: "a", AgentWrite(made), expecting: .unconditional)
        let report = await reconciler.apply(plan)
        #expect(report.created.isEmpty, "\(report.results)")
        #expect(try await local.agent(id: "a")?.name == "Made meanwhile")
    }
}
