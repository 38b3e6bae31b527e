import Foundation
import SupportSync
import TestSupport
import Testing

/// `explain` and `test`, run as a user runs them, on the example agents.
@Suite("explain and test, end to end")
struct PolicyCommandTests {
    func exampleRepository() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write(ConfigValidator.defaultsFile, Scaffold.defaultsTemplate)
        for file in Scaffold.exampleAgents + Scaffold.exampleScenarios { try folder.write(file.path, file.text) }
        return folder
    }

    @Test func explainAtPrintsTheDocumentedJSON() throws {
        let folder = try exampleRepository()
        let result = try Executable.run(
            ["explain", "billing-line", "--channel", "calls", "--at", "2026-12-05T20:00", "--format", "json"],
            in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["agent"] as? String == "billing-line")
        #expect(object["at"] as? String == "2026-12-05T20:00:00+01:00")
        #expect(object["mode"] as? String == "escalate")
        #expect(object["actions"] as? [String] == ["flag"])
        let flag = try #require(object["flag"] as? [String: Any])
        #expect(flag["collect"] as? [String] == ["name", "email"])
        #expect(flag["tags"] as? [String] == ["billing"])
    }

    @Test func explainShowsSourcesAndTheWeek() throws {
        let folder = try exampleRepository()
        let result = try Executable.run(["explain", "billing-line"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("support.flag.priority: normal"))
        #expect(result.stdout.contains("config/defaults.yaml:9"))
        #expect(result.stdout.contains("mon-fri 09:00-13:00  transfer billing-desk (25 s) -> on-call (25 s) -> flag"))
        #expect(result.stdout.contains("closed dates, all day: 2026-12-25, 2027-01-01"))
    }

    /// The defaults every agent reads, unreadable or broken: explain says
    /// so and explains nothing, rather than the agent without them.
    @Test func explainRefusesWhenTheDefaultsCannotBeRead() throws {
        let folder = try exampleRepository()
        let defaults = folder.url.appendingPathComponent(ConfigValidator.defaultsFile).path
        try FileManager.default.removeItem(atPath: defaults)
        #expect(mkfifo(defaults, 0o600) == 0)
        let fifo = try Executable.run(["explain", "billing-line"], in: folder.url)
        #expect(fifo.status == 1, "\(fifo.stdout)")
        #expect(fifo.stderr.contains("config/defaults.yaml:1:1: error: the path is a FIFO"), "\(fifo.stderr)")
        #expect(!fifo.stdout.contains("Settings after defaults"))
        try FileManager.default.removeItem(atPath: defaults)
        try folder.write(ConfigValidator.defaultsFile, "support: [unclosed\n")
        let broken = try Executable.run(["explain", "billing-line"], in: folder.url)
        #expect(broken.status == 1 && broken.stderr.contains("config/defaults.yaml:"), "\(broken.stderr)")
    }

    /// Another environment's overlay is not read: its errors do not stop
    /// explain for this one, and they do for the environment it belongs to.
    @Test func explainReadsOnlyItsOwnEnvironmentsOverlay() throws {
        let folder = try exampleRepository()
        try folder.write("supportsync.yaml", EnvironmentsTests.project)
        try folder.write("config/environments/staging.yaml", "support: [unclosed\n")
        let production = try Executable.run(["explain", "billing-line"], in: folder.url)
        #expect(production.status == 0, "\(production.stderr)")
        #expect(production.stdout.contains("Settings after defaults"), "\(production.stdout)")
        let staging = try Executable.run(["explain", "billing-line", "--env", "staging"], in: folder.url)
        #expect(staging.status == 1, "\(staging.stdout)")
        #expect(staging.stderr.contains("config/environments/staging.yaml:2:1: error:"), "\(staging.stderr)")
    }

    /// explain's JSON gives each setting's value as a JSON value, as plan's does.
    @Test func explainJSONValuesAreJSONValuesNotText() throws {
        let folder = try exampleRepository()
        let result = try Executable.run(["explain", "billing-line", "--format", "json"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        let settings = try #require(document["settings"] as? [[String: Any]], "\(result.stdout)")
        func value(_ field: String) -> Any? { settings.first { $0["field"] as? String == field }?["value"] }
        #expect(value("channels") as? [String] == ["calls"])
        #expect(value("support.escalate.ring_timeout") as? Int == 25)
        #expect(value("support.escalate.summary") as? Bool == true && !(value("support.escalate.summary") is String))
        #expect(value("support.escalate.hours.closed") as? [String] == ["2026-12-25", "2027-01-01"])
    }

    /// An overlay's value that does not fit the agent is the overlay's
    /// problem: explain names that file, not the agent's.
    @Test func explainNamesTheOverlayWhenTheProblemIsThere() throws {
        let folder = try exampleRepository()
        try folder.write("supportsync.yaml", EnvironmentsTests.project)
        try folder.write(
            "config/environments/staging.yaml", "agents:\n  returns-chat:\n    support:\n      mode: escalate\n")
        let staging = try Executable.run(["explain", "returns-chat", "--env", "staging"], in: folder.url)
        #expect(staging.status == 1, "\(staging.stdout)\(staging.stderr)")
        #expect(
            staging.stderr.contains("error: config/environments/staging.yaml has errors (above)"), "\(staging.stderr)")
    }

    /// SUPPORTSYNC_ENV picks the environment of the offline commands too, as
    /// it does for plan: the same broken overlay stops each of them.
    @Test func supportsyncEnvPicksTheEnvironmentOfEveryOfflineCommand() throws {
        let folder = try exampleRepository()
        try folder.write("supportsync.yaml", EnvironmentsTests.project)
        try folder.write("config/environments/staging.yaml", "support: [unclosed\n")
        let staging = ["SUPPORTSYNC_ENV": "staging"]
        let explain = try Executable.run(["explain", "billing-line"], in: folder.url, environment: staging)
        #expect(explain.status == 1 && explain.stderr.contains("staging.yaml:2:1: error:"), "\(explain.stderr)")
        try folder.write("config/environments/staging.yaml", "support:\n  escalate:\n    ring_timeout: 10\n")
        let test = try Executable.run(["test", "--format", "json"], in: folder.url, environment: staging)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(test.stdout.utf8)) as? [String: Any], "\(test.stderr)")
        #expect(document["environment"] as? String == "staging", "\(test.stdout)")
        let explained = try Executable.run(
            ["explain", "billing-line", "--at", "2026-12-07T10:00"], in: folder.url, environment: staging)
        #expect(explained.stdout.contains("billing-desk (10 s)"), "\(explained.stdout)\(explained.stderr)")
        let unknown = try Executable.run(["validate"], in: folder.url, environment: ["SUPPORTSYNC_ENV": "nope"])
        #expect(unknown.status == 64 && unknown.stderr.contains("nope"), "\(unknown.stderr)")
        // --env still wins over the variable.
        let chosen = try Executable.run(
            ["explain", "billing-line", "--env", "production"], in: folder.url, environment: staging)
        #expect(chosen.status == 0, "\(chosen.stderr)")
    }

    /// Scenarios test the policy: one that does not fit an environment (its
    /// overlay names other destinations) is reported by validate --env and
    /// test --env, and never stops that environment's plan, apply or sync.
    @Test func aScenarioThatDoesNotFitAnEnvironmentDoesNotStopItsSync() throws {
        let folder = try exampleRepository()
        try folder.write(
            "supportsync.yaml",
            """
            platforms:
              production: {provider: local, db: .supportsync/production.sqlite, pull_tickets: true}
              staging: {provider: local, db: .supportsync/staging.sqlite, overlay: config/environments/staging.yaml}
            default: production

            """)
        try folder.write(
            "config/environments/staging.yaml",
            "support:\n  escalate:\n    destinations:\n      - {name: test-desk, number: \"+34910000099\"}\n")
        let validate = try Executable.run(["validate"], in: folder.url)
        #expect(validate.status == 0, "\(validate.stderr)")
        let staging = try Executable.run(["validate", "--env", "staging"], in: folder.url)
        #expect(staging.status == 1 && staging.stdout.contains("[scenario-expect]"), "\(staging.stdout)")
        // Each missing destination at its name in the list.
        for (column, name) in [(23, "billing-desk"), (37, "on-call")] {
            #expect(
                staging.stdout.contains(
                    "config/tests/billing-line.yaml:6:\(column): error: agent 'billing-line' has no destination '\(name)'"
                ),
                "\(staging.stdout)")
        }
        for command in [["plan"], ["apply"], ["sync", "--dry-run"], ["sync"]] {
            let result = try Executable.run(command + ["--env", "staging"], in: folder.url)
            #expect(result.status == 0, "\(command): \(result.stdout)\(result.stderr)")
        }
        // An agent's own error still stops them.
        try folder.write("config/agents/store-info.yaml", "agent: store-info\nname: Store\nchannels: [messages]\n")
        let broken = try Executable.run(["plan", "--env", "staging"], in: folder.url)
        #expect(broken.status == 1 && broken.stderr.contains("nothing was planned"), "\(broken.stderr)")
    }

    /// A name holding an escape sequence and a newline cannot recolour the
    /// terminal or forge a `file:line:` line in explain's text.
    @Test func explainEscapesTheAgentsName() throws {
        let folder = try exampleRepository()
        let file = "config/agents/billing-line.yaml"
        let text = try String(contentsOf: folder.url.appendingPathComponent(file), encoding: .utf8)
        let name = try #require(text.split(separator: "\n").first { $0.hasPrefix("name:") })
        try folder.write(
            file,
            text.replacingOccurrences(
                of: String(name), with: #"name: "N\e[2Jx\nconfig/agents/n.yaml:1:1: error: forged""#))
        let result = try Executable.run(["explain", "billing-line"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            !result.stdout.contains("\u{1B}") && !result.stdout.contains("\nconfig/agents/n.yaml"), "\(result.stdout)")
        #expect(result.stdout.contains(#"billing-line: N\u{1B}[2Jx\nconfig/agents/n.yaml"#), "\(result.stdout)")

        // A destination's name too: in the week, at one moment, and in a plan's behaviour.
        let forged = #"name: "d\e[31m\nconfig/agents/n.yaml:1:1: error: forged""#
        try folder.write(
            file,
            text.replacingOccurrences(of: "name: billing-desk", with: forged))
        for arguments in [["explain", "billing-line"], ["explain", "billing-line", "--at", "2026-12-07T10:00"]] {
            let shown = try Executable.run(arguments, in: folder.url)
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(
                !shown.stdout.contains("\u{1B}") && !shown.stdout.contains("\nconfig/agents/n.yaml"),
                "\(arguments): \(shown.stdout)")
            #expect(shown.stdout.contains(#"transfer d\u{1B}[31m\nconfig/agents/n.yaml"#), "\(shown.stdout)")
        }
    }

    /// An agent is named by its id, never by a path: `./billing-line` or
    /// `../defaults` is no agent (64), and no file outside config/agents/ is looked at.
    @Test func explainTakesAnIDNotAPath() throws {
        let folder = try exampleRepository()
        for name in ["./billing-line", "../defaults", "../tests/billing-line", "../../../tmp/x"] {
            let result = try Executable.run(["explain", name], in: folder.url)
            #expect(result.status == 64, "\(name): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("there is no agent '\(name)'"), "\(result.stderr)")
            #expect(!result.stderr.contains("has errors") && !result.stdout.contains("0 files"), "\(result.stdout)")
        }
    }

    /// `plan --out` to a place that cannot take the file: a usage error
    /// saying why, not Foundation's error domain and code.
    @Test func aPlanThatCannotBeSavedSaysWhy() throws {
        let folder = try exampleRepository()
        let result = try Executable.run(["plan", "--platform", "local", "--out", folder.url.path], in: folder.url)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("the plan cannot be written there (Is a directory)"), "\(result.stderr)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain"), "\(result.stderr)")
    }

    /// Arguments that do not parse, with `--format json`: standard output
    /// holds the error document, as for every other error.
    @Test func argumentsThatDoNotParseGiveTheJSONErrorDocument() throws {
        let folder = try exampleRepository()
        for arguments in [
            ["explain", "billing-line", "--format", "json", "--channel", "sms", "--at", "2026-12-07T10:00"],
            ["explain", "billing-line", "--format=json", "--at"], ["tickets", "lst", "--format", "json"],
        ] {
            let result = try Executable.run(arguments, in: folder.url)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect(document?["exit_status"] as? Int == 64, "\(arguments): \(result.stdout)")
            #expect((document?["error"] as? String)?.isEmpty == false, "\(result.stdout)")
        }
        let text = try Executable.run(["explain", "billing-line", "--channel", "sms"], in: folder.url)
        #expect(text.status == 64 && text.stdout.isEmpty, "\(text.stdout)")
        let help = try Executable.run(["explain", "--help", "--format", "json"], in: folder.url)
        #expect(help.status == 0 && help.stdout.contains("USAGE"), "\(help.stdout)")
    }

    @Test func explainRefusesWhatItCannotUse() throws {
        let folder = try exampleRepository()
        let unknown = try Executable.run(["explain", "biling-line"], in: folder.url)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("did you mean 'billing-line'?"))
        let twoChannels = try Executable.run(["explain", "concierge", "--at", "2026-12-07T10:00"], in: folder.url)
        #expect(twoChannels.status == 64)
        #expect(twoChannels.stderr.contains("name one with --channel"))
        let skipped = try Executable.run(["explain", "billing-line", "--at", "2026-03-29T02:30"], in: folder.url)
        #expect(skipped.status == 64)
        #expect(skipped.stderr.contains("2026-03-29T02:30+01:00"))
        #expect(skipped.stderr.contains("2026-03-29T02:30+02:00"))
        try folder.write(
            "config/agents/billing-line.yaml",
            "agent: billing-line\nname: B\nchannels: [calls]\nsupport: {mode: escalate}\n")
        let invalid = try Executable.run(["explain", "billing-line"], in: folder.url)
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("[escalate-requires-destinations]"))
    }

    /// A value of defaults.yaml that does not validate is in every agent's
    /// settings: no scenario runs on the settings without it, and the
    /// summary says so (it passed on the default the bad value left).
    @Test func testRunsNoScenarioWhenTheDefaultsHaveErrors() throws {
        let folder = try exampleRepository()
        let defaults = try String(
            contentsOf: folder.url.appendingPathComponent(ConfigValidator.defaultsFile), encoding: .utf8)
        try folder.write(
            ConfigValidator.defaultsFile,
            defaults.replacingOccurrences(of: "support:\n", with: "support:\n  escalate: {fallback: nothng}\n"))
        let result = try Executable.run(["test"], in: folder.url)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stderr.contains(
                "0 scenarios: 0 passed, 0 failed; config/ has 1 error (supportsync validate shows them), so 12 scenarios of the agents they concern did not run"
            ), "\(result.stderr)")
    }

    @Test func testPassesOnTheExamplesAndFailsAtTheScenariosLine() throws {
        let folder = try exampleRepository()
        let passing = try Executable.run(["test"], in: folder.url)
        #expect(passing.status == 0, "\(passing.stdout)\(passing.stderr)")
        #expect(passing.stderr.contains("12 scenarios: 12 passed, 0 failed"))
        try folder.write(
            "config/tests/more.yaml",
            """
            - name: Sunday calls reach the desk
              agent: billing-line
              at: 2026-12-06T12:00
              expect: {transfer: [billing-desk, on-call], then: flag}

            """)
        let failing = try Executable.run(["test", "--format", "github"], in: folder.url)
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("::error file=config/tests/more.yaml,line=1,col=3,title=scenario-failed::"))
        #expect(failing.stdout.contains("got flag"))
        // validate reads scenario files too, and only checks them.
        let validate = try Executable.run(["validate"], in: folder.url)
        #expect(validate.status == 0, "\(validate.stdout)")
    }
}
