import Foundation
import Testing

@testable import SupportSync

/// `supportsync test`: scenarios run against the validated agents, a
/// failure reported at its file and line with what happens instead, and an
/// environment's overlay taken into account.
@Suite struct ScenarioReportTests {
    func repository(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "supportsync-scenarios-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    static let agent = "agent: a\nname: A\n" + PolicyFixture.billing

    @Test func aChannelTheAgentDoesNotServeIsHintedWithTheOnesItDoes() throws {
        let root = try repository([
            "config/agents/line.yaml": "agent: line\nname: Line\nchannels: [calls]\nsupport:\n  mode: flag\n",
            "config/agents/both.yaml": "agent: both\nname: Both\nchannels: [calls, messages]\nsupport:\n  mode: flag\n",
            "config/tests/a.yaml": """
            - name: not served
              agent: line
              channel: messages
              at: 2026-12-05T20:00
              expect: flag
            - name: not named
              agent: both
              at: 2026-12-05T20:00
              expect: flag

            """,
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let diagnostics = try ConfigValidator(root: root).validate().report.diagnostics.filter {
            $0.rule == .scenarioChannel
        }
        #expect(diagnostics.map(\.location.line) == [3, 7])
        #expect(diagnostics.first?.hint == "write channel: calls", "the refused channel is not suggested")
        #expect(diagnostics.last?.hint == "add channel: calls or channel: messages")
    }

    /// `expect` takes an action or a mapping: a list is told both forms.
    @Test func anExpectationThatIsAListNamesBothForms() throws {
        let root = try repository([
            "config/agents/line.yaml": "agent: line\nname: Line\nchannels: [calls]\nsupport:\n  mode: flag\n",
            "config/tests/a.yaml": "- name: a list\n  agent: line\n  at: 2026-12-05T20:00\n  expect: [flag]\n",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let found = try ConfigValidator(root: root).validate().report.diagnostics.filter { $0.rule == .wrongType }
        #expect(
            found.map(\.message) == [
                "expect must be an action (respond, flag or transfer) or a mapping, found a list"
            ], "\(found)")
        #expect(found.first?.hint?.contains("expect: {may: [...]}") == true, "\(found)")
    }

    @Test func failingScenarioIsReportedAtItsLineWithWhatHappens() throws {
        let root = try repository([
            "config/agents/a.yaml": Self.agent,
            "config/tests/a.yaml": """
            - name: passes
              agent: a
              channel: calls
              at: 2026-12-05T20:00
              expect: flag
            - name: fails
              agent: a
              channel: calls
              at: 2026-12-05T11:00
              expect: flag

            """,
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let report = ScenarioReport(validation: try ConfigValidator(root: root).validate(), environment: nil)
        #expect(report.results.count == 2)
        #expect(report.failed.map(\.scenario.name) == ["fails"])
        #expect(!report.passes)
        let failure = try #require(report.report.diagnostics.first { $0.rule == .scenarioFailed })
        #expect(failure.location == SourceLocation(file: "config/tests/a.yaml", line: 6, column: 3))
        #expect(failure.message.contains("expected flag, got transfer billing-desk (25 s) -> on-call (25 s) -> flag"))
        #expect(failure.hint == "because within hours: sat 10:00-14:00 (Europe/Madrid)")
        #expect(report.summary == "2 scenarios: 1 passed, 1 failed")

        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(report.format(.json).utf8)) as? [String: Any])
        #expect(json["failed"] as? Int == 1)
        let results = try #require(json["results"] as? [[String: Any]])
        #expect(results.map { $0["passed"] as? Bool } == [true, false])
        #expect(
            report.format(.github).contains("::error file=config/tests/a.yaml,line=6,col=3,title=scenario-failed::"))
    }

    @Test func environmentOverlayChangesTheOutcome() throws {
        let root = try repository([
            "config/agents/a.yaml": Self.agent,
            "supportsync.yaml": """
            platforms:
              production: {provider: local}
              staging: {provider: local, overlay: config/environments/staging.yaml}
            default: production

            """,
            "config/environments/staging.yaml": "support:\n  mode: flag\n",
            "config/tests/a.yaml": """
            - name: weekday calls ring the desk
              agent: a
              channel: calls
              at: 2026-12-07T10:00
              expect: {transfer: [billing-desk, on-call], then: flag}

            """,
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let production = ScenarioReport(validation: try ConfigValidator(root: root).validate(), environment: nil)
        #expect(production.passes, "\(DiagnosticFormatter.text(production.report))")
        let staging = ScenarioReport(
            validation: try ConfigValidator(root: root, environment: "staging").validate(), environment: "staging")
        #expect(staging.failed.count == 1)
        #expect(staging.summary.hasSuffix("(environment staging)"))
    }

    @Test func sourcesNameTheFileAndLineOfEachValue() throws {
        let root = try repository([
            "config/defaults.yaml": "support:\n  flag:\n    priority: high\n    collect: [name]\n",
            "config/agents/a.yaml": Self.agent,
            "supportsync.yaml": """
            platforms:
              production: {provider: local, overlay: config/environments/production.yaml}
            default: production

            """,
            "config/environments/production.yaml":
                "agents:\n  a:\n    support:\n      escalate:\n        ring_timeout: 60\n",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let validator = ConfigValidator(root: root)
        let settings = try #require(try validator.validate().agents.first)
        let sources = Dictionary(uniqueKeysWithValues: validator.sources(of: settings).map { ($0.field, $0) })
        func place(_ field: String) -> String? {
            sources[field]?.location.map { "\($0.file):\($0.line)" }
        }
        #expect(sources["support.escalate.ring_timeout"]?.value == "60")
        #expect(place("support.escalate.ring_timeout") == "config/environments/production.yaml:5")
        #expect(place("support.flag.priority") == "config/defaults.yaml:3")
        #expect(place("support.flag.collect[0].field") == "config/defaults.yaml:4")
        #expect(place("support.mode") == "config/agents/a.yaml:5")
        #expect(place("name") == "config/agents/a.yaml:2")
        // mon-fri: written once, for each day it covers.
        #expect(place("support.escalate.hours.weekly.wed") == "config/agents/a.yaml:14")
        // Nobody wrote these: the tool's defaults.
        #expect(sources["support.escalate.transfer"]?.location == nil)
        #expect(sources["support.escalate.transfer"]?.value == "warm")
        #expect(place("support.escalate.hours.weekly.mon") == place("support.escalate.hours.weekly.fri"))
        #expect(Array(validator.sources(of: settings).prefix(3).map(\.field)) == ["name", "channels", "support.mode"])
    }

    @Test func configErrorsAreCountedNotRepeated() throws {
        let root = try repository([
            "config/agents/a.yaml": Self.agent,
            "config/agents/b.yaml": "agent: b\nname: B\nchannels: [calls]\nsupport: {mode: escalate}\n",
            "config/tests/a.yaml": """
            - name: passes
              agent: a
              channel: calls
              at: 2026-12-05T20:00
              expect: flag
            - name: b cannot run
              agent: b
              at: 2026-12-05T20:00
              expect: {transfer: [desk], then: nothing}

            """,
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let report = ScenarioReport(validation: try ConfigValidator(root: root).validate(), environment: nil)
        // validate reports b's error; test counts it and says why b's scenario did not run.
        #expect(report.report.diagnostics.isEmpty, "\(DiagnosticFormatter.text(report.report))")
        #expect(report.configErrors == 1)
        #expect(!report.passes)
        #expect(report.results.map(\.scenario.name) == ["passes"])
        #expect(
            report.summary.contains(
                "config/ has 1 error (supportsync validate shows them), so 1 scenario of the agents they concern did not run"
            ), "\(report.summary)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(report.format(.json).utf8)) as? [String: Any])
        #expect(json["config_errors"] as? Int == 1)
        #expect(json["environment"] is NSNull)
    }

    /// An error only another environment's overlay makes stops no scenario
    /// here, and the summary does not say it did.
    @Test func anErrorInAnotherEnvironmentStopsNoScenarioHere() throws {
        let root = try repository([
            "config/agents/a.yaml": Self.agent,
            "supportsync.yaml": """
            platforms:
              production: {provider: local}
              staging: {provider: local, overlay: config/environments/staging.yaml}
            default: production

            """,
            "config/environments/staging.yaml": "agents:\n  a:\n    support:\n      mode: flg\n",
            "config/tests/a.yaml": """
            - name: passes
              agent: a
              channel: calls
              at: 2026-12-05T20:00
              expect: flag

            """,
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let report = ScenarioReport(validation: try ConfigValidator(root: root).validate(), environment: "production")
        #expect(report.configErrors == 1 && report.notRun == 0)
        #expect(report.results.map(\.passed) == [true])
        #expect(report.summary.hasSuffix(", none in the settings these scenarios test"), "\(report.summary)")
    }
}
