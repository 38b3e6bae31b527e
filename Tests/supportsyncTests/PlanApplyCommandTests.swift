import Foundation
import LocalPlatform
import SupportSync
import TestSupport
import Testing

/// `plan`, `apply` and `import` as a user runs them: the built executable
/// against `supportsync platform serve` on a loopback port (or the real
/// server in-process over a platform that fails on purpose), a real SQLite
/// file and real config/ folders.
@Suite("plan, apply and import, end to end")
struct PlanApplyCommandTests {
    @Test func aMistypedAgentOrPlanFileIsSaidNotPassedOver() throws {
        let repo = try TemporaryFolder()
        try repo.write("config/agents/desk.yaml", PlanApply.agentFile("desk"))
        let database = ["--db", repo.url.appendingPathComponent("platform.sqlite").path]
        for command in [["plan"], ["apply"]] {
            let result = try Executable.run(command + ["--agent", "dessk"] + database, in: repo.url)
            #expect(result.status == 64, "\(command): \(result.stdout)\(result.stderr)")
            #expect(
                result.stderr.contains("'dessk'") && result.stderr.contains("did you mean 'desk'?"), "\(result.stderr)")
        }
        #expect(try Executable.run(["apply"] + database, in: repo.url).status == 0)
        let imported = try Executable.run(["import", "--agent", "nope"] + database, in: repo.url)
        #expect(imported.status == 1, "\(imported.stdout)\(imported.stderr)")
        #expect(imported.stdout.contains("skipped nope: the platform has no agent 'nope'"), "\(imported.stdout)")
        let missing = try Executable.run(["apply", "--plan", "no-such-plan.json"] + database, in: repo.url)
        #expect(missing.status == 64, "\(missing.stderr)")
        #expect(missing.stderr.contains("no-such-plan.json: no such file"), "\(missing.stderr)")
        #expect(!missing.stderr.contains("NSCocoaErrorDomain"))
    }

    /// A run that only reads (plan, import, a dry run, an access request)
    /// creates no local platform file where none exists: it reads an empty
    /// platform, says so, and leaves no file behind (a mistyped --db is not
    /// made into a database). apply then creates it.
    @Test func runsThatOnlyReadCreateNoLocalPlatform() throws {
        let repo = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "main"], in: repo.url)
        try repo.write("config/agents/desk.yaml", PlanApply.agentFile("desk"))
        let database = repo.url.appendingPathComponent(".supportsync/platform.sqlite")
        let mistyped = repo.url.appendingPathComponent("platfrom.sqlite")
        for command in [
            ["plan"], ["import", "--agent", "desk"], ["sync", "--dry-run", "--platform", "local"],
            ["tickets", "find", "--customer", "ana@example.com", "--db", mistyped.path],
        ] {
            let result = try Executable.run(command, in: repo.url)
            #expect([0, 1].contains(result.status), "\(command): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains(": none yet, read as empty)"), "\(command): \(result.stderr)")
        }
        let plan = try Executable.run(["plan"], in: repo.url)
        #expect(plan.stdout.contains("+ create desk"), "\(plan.stdout)")
        #expect(!FileManager.default.fileExists(atPath: database.path))
        #expect(!FileManager.default.fileExists(atPath: database.deletingLastPathComponent().path))
        #expect(!FileManager.default.fileExists(atPath: mistyped.path))
        let applied = try Executable.run(["apply"], in: repo.url)
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        #expect(!applied.stderr.contains("none yet"), "\(applied.stderr)")
        #expect(FileManager.default.fileExists(atPath: database.path))
        let after = try Executable.run(["plan", "--detailed-exitcode"], in: repo.url)
        #expect(after.status == 0 && !after.stderr.contains("none yet"), "\(after.stdout)\(after.stderr)")
    }

    /// A plan saved where no local platform file existed is the plan of
    /// the file apply creates, and of no other: once one exists it is
    /// refused. A plan of an existing platform is never taken for a new
    /// file's (its file removed, or a mistyped --db): refused, as any other
    /// platform's.
    @Test func aPlanOfNoPlatformIsOnlyTheNewFilesAndNoOtherPlanIs() throws {
        let repo = try TemporaryFolder()
        try repo.write("config/agents/desk.yaml", PlanApply.agentFile("desk"))
        let database = repo.url.appendingPathComponent("platform.sqlite").path
        let early = repo.url.appendingPathComponent("early.json").path
        #expect(try Executable.run(["plan", "--out", early, "--db", database], in: repo.url).status == 0)
        let again = repo.url.appendingPathComponent("again.json").path
        #expect(try Executable.run(["plan", "--out", again, "--db", database], in: repo.url).status == 0)
        // A mistyped --agent is said before the platform is reached: no file made, the plan still good.
        let typo = try Executable.run(["apply", "--plan", early, "--agent", "dsek", "--db", database], in: repo.url)
        #expect(typo.status == 64, "\(typo.stdout)\(typo.stderr)")
        #expect(!FileManager.default.fileExists(atPath: database))
        #expect(try Executable.run(["apply", "--plan", early, "--db", database], in: repo.url).status == 0)
        let late = try Executable.run(["apply", "--plan", again, "--db", database], in: repo.url)
        #expect(late.status == 1, "\(late.stdout)\(late.stderr)")
        #expect(late.stdout.contains("the plan was made where no local platform existed yet"), "\(late.stdout)")

        try repo.write("config/agents/desk.yaml", PlanApply.agentFile("desk", mode: "nothing"))
        let real = repo.url.appendingPathComponent("real.json").path
        #expect(try Executable.run(["plan", "--out", real, "--db", database], in: repo.url).status == 0)
        let instance = try #require(try LocalPlatformInstance.read(database))
        let elsewhere = repo.url.appendingPathComponent("platfrom.sqlite").path
        let mistyped = try Executable.run(["apply", "--plan", real, "--db", elsewhere], in: repo.url)
        #expect(mistyped.status == 1, "\(mistyped.stdout)\(mistyped.stderr)")
        #expect(mistyped.stdout.contains("the plan was made against another platform"), "\(mistyped.stdout)")
        let made = try #require(try LocalPlatformInstance.read(elsewhere))
        #expect(made != instance)
    }

    /// A saved plan must say which platform it was made against and be of
    /// the format this version reads: one without them cannot be checked
    /// (versions are counters, so a plan of another platform could match).
    @Test func aSavedPlanWithoutItsPlatformOrFormatIsRefused() throws {
        let repo = try TemporaryFolder()
        try repo.write("config/agents/desk.yaml", PlanApply.agentFile("desk"))
        let database = repo.url.appendingPathComponent("platform.sqlite").path
        let planFile = repo.url.appendingPathComponent("plan.json").path
        #expect(try Executable.run(["plan", "--out", planFile, "--db", database], in: repo.url).status == 0)
        let saved = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: planFile))) as? [String: Any])
        for (change, said) in [
            ({ (plan: inout [String: Any]) in plan["platform_instance"] = nil }, "does not name the platform"),
            ({ (plan: inout [String: Any]) in plan["platform_instance"] = "" }, "does not name the platform"),
            ({ (plan: inout [String: Any]) in plan["format_version"] = 2 }, "format_version 2"),
            ({ (plan: inout [String: Any]) in plan["format_version"] = nil }, "has no format_version"),
        ] {
            var document = saved
            change(&document)
            let path = repo.url.appendingPathComponent("edited.json")
            try JSONSerialization.data(withJSONObject: document).write(to: path)
            let applied = try Executable.run(["apply", "--plan", path.path, "--db", database], in: repo.url)
            #expect(applied.status == 64, "\(said): \(applied.stdout)\(applied.stderr)")
            #expect(applied.stderr.contains(said) && applied.stderr.contains("plan again"), "\(applied.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: database), "nothing was applied")
        #expect(try Executable.run(["apply", "--plan", planFile, "--db", database], in: repo.url).status == 0)
    }

    /// A saved plan edited after `plan --out` to hold settings validate
    /// refuses (a tag with a line break, an id that is a path) is refused
    /// whole, exit 64, before anything is written: apply never writes what
    /// the rules refuse, on whatever platform.
    @Test func aSavedPlanWithSettingsValidateRefusesIsNotApplied() throws {
        let repo = try TemporaryFolder()
        try repo.write("config/agents/desk.yaml", PlanApply.agentFile("desk"))
        let database = repo.url.appendingPathComponent("platform.sqlite").path
        let planFile = repo.url.appendingPathComponent("plan.json").path
        let plan = try Executable.run(["plan", "--out", planFile, "--db", database], in: repo.url)
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        let saved = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: planFile))) as? [String: Any])
        func edited(_ change: (inout [String: Any]) -> Void) throws -> String {
            var document = saved
            var agents = try #require(document["agents"] as? [[String: Any]])
            change(&agents[0])
            document["agents"] = agents
            let path = repo.url.appendingPathComponent("edited-\(UUID().uuidString).json").path
            try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: path))
            return path
        }
        let tagged = try edited { agent in
            var desired = agent["desired"] as! [String: Any]
            var support = desired["support"] as! [String: Any]
            var flag = support["flag"] as? [String: Any] ?? [:]
            flag["tags"] = ["billing\nforged"]
            support["flag"] = flag
            desired["support"] = support
            agent["desired"] = desired
        }
        let renamed = try edited { agent in agent["id"] = "../outside" }
        for (file, said) in [
            (tagged, "the settings of agent desk do not validate (support.flag.tags[0]:"),
            (renamed, "the settings of agent ../outside do not validate (id:"),
        ] {
            let applied = try Executable.run(["apply", "--plan", file, "--db", database], in: repo.url)
            #expect(applied.status == 64, "\(applied.stdout)\(applied.stderr)")
            #expect(applied.stderr.contains(said) && applied.stderr.contains("plan again"), "\(applied.stderr)")
        }
        let live = try Executable.run(["plan", "--db", database, "--detailed-exitcode"], in: repo.url)
        #expect(live.status == 2 && live.stdout.contains("+ create desk"), "nothing was written: \(live.stdout)")
        #expect(try Executable.run(["apply", "--plan", planFile, "--db", database], in: repo.url).status == 0)
    }

    /// Logs are lines like the tool's other messages: level, part, message,
    /// then the details; a SUPPORTSYNC_LOG that is no level is said.
    @Test func logLinesReadLikeTheToolsOtherMessages() throws {
        let repo = try TemporaryFolder()
        try repo.write("config/agents/desk.yaml", PlanApply.agentFile("desk"))
        let database = ["--db", repo.url.appendingPathComponent("platform.sqlite").path]
        let applied = try Executable.run(["apply"] + database, in: repo.url, environment: ["SUPPORTSYNC_LOG": "info"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let lines = applied.stderr.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("info: apply: applied (agent=desk, version=") }, "\(applied.stderr)")
        #expect(!applied.stderr.contains("[SupportSync]"), "\(applied.stderr)")
        let unknown = try Executable.run(["plan"] + database, in: repo.url, environment: ["SUPPORTSYNC_LOG": "verbose"])
        #expect(unknown.status == 0, "\(unknown.stderr)")
        #expect(
            unknown.stderr.contains(
                "warning: SUPPORTSYNC_LOG=verbose is not a log level (trace, debug, info, notice, warning, error, critical); logging at warning"
            ), "\(unknown.stderr)")
    }

    @Test func anImportedFileCarriesNoBlockItsModeDoesNotUse() throws {
        let repo = try TemporaryFolder()
        try repo.write(ConfigValidator.defaultsFile, Scaffold.defaultsTemplate)
        for file in Scaffold.exampleAgents { try repo.write(file.path, file.text) }
        let database = ["--db", repo.url.appendingPathComponent("platform.sqlite").path]
        #expect(try Executable.run(["apply"] + database, in: repo.url).status == 0)
        try FileManager.default.removeItem(at: repo.url.appendingPathComponent("config/agents/store-info.yaml"))
        let imported = try Executable.run(["import", "--agent", "store-info"] + database, in: repo.url)
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        let text = try String(
            contentsOf: repo.url.appendingPathComponent("config/agents/store-info.yaml"), encoding: .utf8)
        #expect(!text.contains("flag"), "mode nothing takes defaults' flag block unused: \(text)")
        let strict = try Executable.run(["validate", "--strict"], in: repo.url)
        #expect(strict.status == 0, "\(strict.stdout)\(strict.stderr)")
        let plan = try Executable.run(["plan", "--detailed-exitcode"] + database, in: repo.url)
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
    }

    @Test func anEscalateBlockInheritedWithoutDestinationsAppliesAndSettles() async throws {
        // A flag agent on chat takes defaults' escalate settings: its
        // canonical form holds escalate with no destinations, which the
        // platform must take as validate does.
        let repo = try TemporaryFolder([
            "config/defaults.yaml": "support:\n  escalate:\n    fallback: nothing\n    ring_timeout: 20\n",
            "config/agents/chat.yaml": "agent: chat\nname: Chat\nchannels: [messages]\nsupport:\n  mode: flag\n",
        ])
        let state = try TemporaryFolder()
        let database = state.url.appendingPathComponent("platform.sqlite").path
        let token = PlanApply.newToken()
        try await ServeProcess.with(database: database, token: token) { server in
            func cli(_ arguments: [String]) async throws -> Executable.Result {
                try await PlanApply.run(arguments + ["--platform", server.url], in: repo.url, token: token)
            }
            let apply = try await cli(["apply"])
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stdout.contains("created chat (version 1)"), "\(apply.stdout)")
            let plan = try await cli(["plan", "--detailed-exitcode"])
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        }
    }

    @Test func planApplyPlanRoundTrip() async throws {
        let repo = try TemporaryFolder()
        let state = try TemporaryFolder()
        let database = state.url.appendingPathComponent("platform.sqlite").path
        let token = PlanApply.newToken()
        try repo.write("config/agents/a.yaml", PlanApply.agentFile("a"))
        try repo.write("config/agents/b.yaml", PlanApply.agentFile("b", mode: "decide"))
        let instance = try await LocalPlatform(path: database).info().instance

        try await ServeProcess.with(database: database, token: token) { server in
            func cli(_ arguments: [String]) async throws -> Executable.Result {
                try await PlanApply.run(arguments + ["--platform", server.url], in: repo.url, token: token)
            }

            // First plan: everything is to be created.
            let first = try await cli(["plan", "--format", "json"])
            #expect(first.status == 0, "\(first.stderr)")
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any], "\(first.stdout)")
            let agents = try #require(document["agents"] as? [[String: Any]])
            #expect(agents.map { $0["id"] as? String } == ["a", "b"])
            #expect(agents.map { $0["action"] as? String } == ["create", "create"])
            #expect(agents.allSatisfy { $0["platform_version"] == nil }, "nothing is on the platform yet")
            #expect(document["platform_instance"] as? String == instance)
            #expect(document["unmanaged"] as? [String] == [])
            let created = agents.first.flatMap { $0["changes"] as? [[String: Any]] } ?? []
            #expect(created.contains { $0["field"] as? String == "support.mode" && $0["new"] as? String == "flag" })
            #expect(try await PlanApply.liveAgents(database).isEmpty, "plan is read-only")

            // Apply creates both.
            let apply = try await cli(["apply"])
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stdout.contains("created a (version 1)\n"))
            #expect(apply.stdout.contains("created b (version 1)\n"))
            #expect(apply.stdout.hasSuffix("Apply: 2 created, 0 updated, 0 unchanged, 0 refused, 0 failed.\n"))
            var live = try await PlanApply.liveAgents(database)
            #expect(live.keys.sorted() == ["a", "b"])
            #expect(live["a"]?.support.mode == .flag)
            #expect(live["b"]?.support.mode == .decide)

            // Second plan: nothing to do, exit 0 even with --detailed-exitcode.
            let second = try await cli(["plan", "--detailed-exitcode"])
            #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
            #expect(
                second.stdout == "No changes: the platform matches config/ (0 to create, 0 to update, 2 unchanged).\n")

            // Re-applying after success changes nothing.
            let again = try await cli(["apply"])
            #expect(again.status == 0)
            #expect(again.stdout == "Apply: 0 created, 0 updated, 2 unchanged, 0 refused, 0 failed.\n")
            #expect(try await PlanApply.liveAgents(database).values.map(\.version).sorted() == ["1", "1"])

            // A change in config/ is pending: exit 2, shown field by field.
            try repo.write("config/agents/a.yaml", PlanApply.agentFile("a", mode: "escalate"))
            let third = try await cli(["plan", "--detailed-exitcode"])
            #expect(third.status == 2, "\(third.stdout)\(third.stderr)")
            // What changes for customers first, then the fields.
            #expect(
                third.stdout.contains(
                    "~ update a\n    behaviour:\n      calls, mon-sun 00:00-24:00: flag -> transfer desk -> flag\n"
                        + "    support.mode: flag -> escalate\n"), "\(third.stdout)")
            #expect(!third.stdout.contains("update b"))
            #expect(third.stdout.hasSuffix("Plan: 0 to create, 1 to update, 1 unchanged.\n"))
            let plain = try await cli(["plan"])
            #expect(plain.status == 0, "without --detailed-exitcode pending changes exit 0")

            let markdown = try await cli(["plan", "--format", "markdown"])
            #expect(markdown.status == 0)
            #expect(
                markdown.stdout.hasPrefix("### supportsync plan\n\n**0 to create, 1 to update, 1 unchanged**\n"),
                "\(markdown.stdout)")
            #expect(markdown.stdout.contains("- support.mode: flag\n+ support.mode: escalate\n"))

            let update = try await cli(["apply"])
            #expect(update.status == 0, "\(update.stdout)\(update.stderr)")
            #expect(update.stdout.contains("updated a (version 2)\n"))
            live = try await PlanApply.liveAgents(database)
            #expect(live["a"]?.support.mode == .escalate)
            #expect(live["b"]?.version == "1", "an unchanged agent is not written")
            #expect(try await cli(["plan", "--detailed-exitcode"]).status == 0)
        }
    }

    @Test func aDashboardEditBetweenPlanAndApplyIsRefusedNotOverwritten() async throws {
        let repo = try TemporaryFolder()
        let state = try TemporaryFolder()
        let database = state.url.appendingPathComponent("platform.sqlite").path
        let planFile = state.url.appendingPathComponent("plan.json").path
        let token = PlanApply.newToken()
        try repo.write("config/agents/a.yaml", PlanApply.agentFile("a"))
        try repo.write("config/agents/b.yaml", PlanApply.agentFile("b"))

        try await ServeProcess.with(database: database, token: token) { server in
            func cli(_ arguments: [String]) async throws -> Executable.Result {
                try await PlanApply.run(arguments + ["--platform", server.url], in: repo.url, token: token)
            }
            #expect(try await cli(["apply"]).status == 0)
            try repo.write("config/agents/a.yaml", PlanApply.agentFile("a", mode: "nothing"))
            try repo.write("config/agents/b.yaml", PlanApply.agentFile("b", mode: "escalate"))
            let plan = try await cli(["plan", "--out", planFile, "--detailed-exitcode"])
            #expect(plan.status == 2, "\(plan.stdout)\(plan.stderr)")
            #expect(FileManager.default.fileExists(atPath: planFile))

            // Someone renames agent a in the dashboard, through the platform
            // the server is serving (the same SQLite file).
            let dashboard = try LocalPlatform(path: database)
            var edited = try #require(try await dashboard.agent(id: "a")).settings
            edited.name = "Renamed in the dashboard"
            let written = try await dashboard.putAgent(id: "a", AgentWrite(edited), expecting: .unconditional)
            #expect(written.version == "2")

            let apply = try await cli(["apply", "--plan", planFile])
            #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
            #expect(
                apply.stdout.contains(
                    "refused a: agent a changed on the platform since the plan; nothing was overwritten"),
                "\(apply.stdout)")
            #expect(apply.stdout.contains("updated b (version 2)\n"), "the other agent is still applied")
            #expect(apply.stdout.hasSuffix("Apply: 0 created, 1 updated, 0 unchanged, 1 refused, 0 failed.\n"))

            let live = try await PlanApply.liveAgents(database)
            let a = try #require(live["a"])
            #expect(a.name == "Renamed in the dashboard")
            #expect(a.support.mode == .flag, "the plan's settings were not written over the dashboard's")
            #expect(a.version == "2")
            #expect(live["b"]?.support.mode == .escalate)
        }
    }

    /// An agent the plan creates, created in the dashboard before apply:
    /// the create only creates (`If-None-Match: *`), so the dashboard's
    /// agent is left as it is and apply says to plan again.
    @Test func anAgentCreatedBetweenPlanAndApplyIsNotOverwritten() async throws {
        let repo = try TemporaryFolder()
        let state = try TemporaryFolder()
        let database = state.url.appendingPathComponent("platform.sqlite").path
        let planFile = state.url.appendingPathComponent("plan.json").path
        let token = PlanApply.newToken()
        try repo.write("config/agents/a.yaml", PlanApply.agentFile("a", mode: "escalate"))
        try await ServeProcess.with(database: database, token: token) { server in
            func cli(_ arguments: [String]) async throws -> Executable.Result {
                try await PlanApply.run(arguments + ["--platform", server.url], in: repo.url, token: token)
            }
            let plan = try await cli(["plan", "--out", planFile, "--detailed-exitcode"])
            #expect(plan.status == 2, "\(plan.stdout)\(plan.stderr)")
            let dashboard = try LocalPlatform(path: database)
            let made = AgentSettings(
                id: "a", name: "Made in the dashboard", channels: [.messages],
                support: SupportSettings(mode: .nothing))
            _ = try await dashboard.putAgent(id: "a", AgentWrite(made), expecting: .unconditional)

            let apply = try await cli(["apply", "--plan", planFile])
            #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
            #expect(
                apply.stdout.contains(
                    "refused a: agent a was created on the platform since the plan; nothing was overwritten"),
                "\(apply.stdout)")
            let live = try #require(try await PlanApply.liveAgents(database)["a"])
            #expect(live.name == "Made in the dashboard" && live.support.mode == .nothing && live.version == "1")
        }
    }

    /// One agent's writes fail with 500, another's first write meets a 503:
    /// the rest are applied, the 503 is retried, and apply exits 3.
    @Test func aServerFailingForOneAgentStillAppliesTheOthers() async throws {
        let repo = try TemporaryFolder()
        let state = try TemporaryFolder()
        let database = state.url.appendingPathComponent("platform.sqlite").path
        let token = PlanApply.newToken()
        for id in ["a", "broken", "c", "flaky"] { try repo.write("config/agents/\(id).yaml", PlanApply.agentFile(id)) }
        let platform = FaultyPlatform(base: try LocalPlatform(path: database), broken: "broken", flaky: "flaky")

        try await InProcessServer.with(platform: platform, token: token) { server in
            let apply = try await PlanApply.run(
                ["apply", "--platform", server.url, "--format", "json"], in: repo.url, token: token)
            #expect(apply.status == 3, "\(apply.stdout)\(apply.stderr)")
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(apply.stdout.utf8)) as? [String: Any], "\(apply.stdout)")
            let results = try #require(document["agents"] as? [[String: Any]])
            let outcomes = Dictionary(
                uniqueKeysWithValues: results.map { ($0["id"] as? String ?? "?", $0["outcome"] as? String ?? "?") })
            #expect(outcomes == ["a": "applied", "broken": "failed", "c": "applied", "flaky": "applied"])
            let failure = results.first { $0["id"] as? String == "broken" }?["message"] as? String ?? ""
            #expect(failure.contains("agent broken"), "\(failure)")
            #expect(failure.contains("HTTP 500"), "\(failure)")
            #expect(failure.contains("the platform broke while saving agent broken"), "\(failure)")

            let live = try await PlanApply.liveAgents(database)
            #expect(live.keys.sorted() == ["a", "c", "flaky"])
            #expect(await platform.writes.counts["flaky"] == 2, "the 503 was retried once")

            // Text output names the failed agent too, and the exit is still 3.
            let text = try await PlanApply.run(["apply", "--platform", server.url], in: repo.url, token: token)
            #expect(text.status == 3)
            #expect(text.stdout.contains("failed  broken: agent broken: HTTP 500"), "\(text.stdout)")
            #expect(text.stdout.hasSuffix("Apply: 0 created, 0 updated, 3 unchanged, 0 refused, 1 failed.\n"))
        }
    }

    @Test func importThenPlanIsUnchangedAndImportKeepsExistingFiles() async throws {
        let repo = try TemporaryFolder()
        let state = try TemporaryFolder()
        let database = state.url.appendingPathComponent("platform.sqlite").path
        let token = PlanApply.newToken()
        // Agents configured in a dashboard, before supportsync.
        let dashboard = try LocalPlatform(path: database)
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
            _ = try await dashboard.putAgent(id: agent.id, AgentWrite(agent), expecting: .unconditional)
        }

        try await ServeProcess.with(database: database, token: token) { server in
            func cli(_ arguments: [String]) async throws -> Executable.Result {
                try await PlanApply.run(arguments + ["--platform", server.url], in: repo.url, token: token)
            }
            let imported = try await cli(["import"])
            #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
            #expect(imported.stdout == "wrote config/agents/dash.yaml\nwrote config/agents/plain.yaml\n")

            let validate = try await PlanApply.run(["validate"], in: repo.url)
            #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
            let plan = try await cli(["plan", "--detailed-exitcode"])
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
            #expect(
                plan.stdout == "No changes: the platform matches config/ (0 to create, 0 to update, 2 unchanged).\n")

            // A hand-edited file is kept without --overwrite.
            let path = repo.url.appendingPathComponent("config/agents/dash.yaml")
            let original = try Data(contentsOf: path)
            let handEdited = Data("# hand-written\n".utf8) + original
            try handEdited.write(to: path)
            let refused = try await cli(["import"])
            #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
            #expect(
                refused.stdout.contains("kept config/agents/dash.yaml: it exists (use --overwrite to replace it)\n"))
            #expect(try Data(contentsOf: path) == handEdited, "the file is untouched")

            let overwritten = try await cli(["import", "--overwrite", "--agent", "dash"])
            #expect(overwritten.status == 0, "\(overwritten.stdout)\(overwritten.stderr)")
            #expect(overwritten.stdout == "wrote config/agents/dash.yaml\n")
            #expect(try Data(contentsOf: path) == original)
        }
        #expect(try await PlanApply.liveAgents(database).values.map(\.version) == ["1", "1"], "import never writes")
    }

    @Test func aWrongTokenIsAClearErrorThatNeverShowsTheToken() async throws {
        let repo = try TemporaryFolder()
        let state = try TemporaryFolder()
        let database = state.url.appendingPathComponent("platform.sqlite").path
        let serverToken = PlanApply.newToken()
        let wrongToken = PlanApply.newToken()
        try repo.write("config/agents/a.yaml", PlanApply.agentFile("a"))

        try await ServeProcess.with(database: database, token: serverToken) { server in
            for command in [["plan"], ["apply"], ["import"]] {
                // Debug logging: the token must not leak through the logs either.
                let result = try await PlanApply.run(
                    command + ["--platform", server.url], in: repo.url, token: wrongToken,
                    environment: ["SUPPORTSYNC_LOG": "debug"])
                #expect(result.status == 3, "\(command): \(result.stdout)\(result.stderr)")
                #expect(result.stdout.isEmpty, "\(command): \(result.stdout)")
                #expect(result.stderr.contains("error: "), "\(command): \(result.stderr)")
                #expect(result.stderr.contains("HTTP 401"), "\(command): \(result.stderr)")
                for secret in [wrongToken, serverToken] {
                    #expect(
                        !result.stdout.contains(secret) && !result.stderr.contains(secret), "\(command) shows a token")
                }
            }
        }
        #expect(try await PlanApply.liveAgents(database).isEmpty)
        let files = try FileManager.default.contentsOfDirectory(
            atPath: repo.url.appendingPathComponent("config/agents").path)
        #expect(files == ["a.yaml"], "import wrote nothing")
    }

    /// The local platform in-process (by default, or `--platform local`) and
    /// the same file served over HTTP give the same plan.
    @Test func inProcessAndServedPlatformsGiveIdenticalPlans() async throws {
        let repo = try TemporaryFolder()
        let state = try TemporaryFolder()
        let database = state.url.appendingPathComponent("platform.sqlite").path
        let token = PlanApply.newToken()
        for id in ["a", "b"] { try repo.write("config/agents/\(id).yaml", PlanApply.agentFile(id)) }
        let local = ["--db", database]
        let noPlatform = ["SUPPORTSYNC_PLATFORM": ""]
        let applied = try await PlanApply.run(["apply"] + local, in: repo.url, environment: noPlatform)
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        // One update, one create, one unchanged, one agent config/ does not manage.
        try repo.write("config/agents/b.yaml", PlanApply.agentFile("b", mode: "escalate", number: "+34910000009"))
        try repo.write("config/agents/c.yaml", PlanApply.agentFile("c", mode: "nothing"))
        let legacy = AgentSettings(
            id: "legacy", name: "Legacy", channels: [.messages], support: SupportSettings(mode: .nothing))
        _ = try await LocalPlatform(path: database).putAgent(
            id: "legacy", AgentWrite(legacy), expecting: .unconditional)

        try await ServeProcess.with(database: database, token: token) { server in
            for format in ["json", "text", "markdown"] {
                let plan = ["plan", "--format", format]
                let byDefault = try await PlanApply.run(plan + local, in: repo.url, environment: noPlatform)
                let explicit = try await PlanApply.run(plan + local + ["--platform", "local"], in: repo.url)
                let served = try await PlanApply.run(plan + ["--platform", server.url], in: repo.url, token: token)
                for result in [byDefault, explicit, served] { #expect(result.status == 0, "\(result.stderr)") }
                // The same plan, but for the platform each names (JSON's `platform`).
                func withoutPlatform(_ text: String) -> String {
                    text.split(separator: "\n", omittingEmptySubsequences: false)
                        .filter { !$0.hasPrefix("  \"platform\" : ") }.joined(separator: "\n")
                }
                #expect(
                    withoutPlatform(served.stdout) == withoutPlatform(byDefault.stdout),
                    "\(format):\n\(served.stdout)\n---\n\(byDefault.stdout)")
                #expect(withoutPlatform(explicit.stdout) == withoutPlatform(byDefault.stdout), "\(format)")
                if format == "json" {
                    let document = try #require(
                        try JSONSerialization.jsonObject(with: Data(served.stdout.utf8)) as? [String: Any])
                    let actions = (document["agents"] as? [[String: Any]] ?? []).map { $0["action"] as? String ?? "" }
                    #expect(actions == ["unchanged", "update", "create"])
                    #expect(document["unmanaged"] as? [String] == ["legacy"])
                    #expect(
                        document["platform_instance"] as? String
                            == (try await LocalPlatform(path: database).info().instance))
                }
            }
        }
        #expect(
            !FileManager.default.fileExists(atPath: repo.url.appendingPathComponent(".supportsync").path),
            "--db keeps the default database out of the repository")
    }

    @Test func inCIAMissingPlatformIsAUsageErrorAndCreatesNothing() async throws {
        let repo = try TemporaryFolder()
        try repo.write("config/agents/a.yaml", PlanApply.agentFile("a"))
        let ci = ["CI": "true", "SUPPORTSYNC_PLATFORM": ""]
        for command in [["plan"], ["apply"], ["import"]] {
            let result = try await PlanApply.run(command, in: repo.url, environment: ci)
            #expect(result.status == 64, "\(command): \(result.stdout)\(result.stderr)")
            #expect(
                result.stderr.contains("no platform configured: in CI (CI=true) set SUPPORTSYNC_PLATFORM"),
                "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: repo.url.appendingPathComponent(".supportsync").path))
        }
        // A deliberate local run is still possible in CI.
        let deliberate = try await PlanApply.run(["plan", "--platform", "local"], in: repo.url, environment: ci)
        #expect(deliberate.status == 0, "\(deliberate.stderr)")
        #expect(deliberate.stderr.contains("platform.sqlite: none yet, read as empty"), "\(deliberate.stderr)")
        let applied = try await PlanApply.run(["apply", "--platform", "local"], in: repo.url, environment: ci)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(
            FileManager.default.fileExists(atPath: repo.url.appendingPathComponent(".supportsync/platform.sqlite").path)
        )
    }
}
