import Foundation
import TestSupport
import Testing

@testable import SupportSync

/// Every setting Vapi cannot express, once strict (an error at its file,
/// line and column) and once lenient (a warning, and the settings become
/// what Vapi will do, with a note for the plan). Defaults never trigger one.
@Suite struct VapiSupportTests {
    static let project = """
        platforms:
          strict:
            provider: vapi
            token: env/VAPI_TOKEN
          lenient:
            provider: vapi
            token: env/VAPI_TOKEN
            strict_supports: false
        default: strict

        """

    /// An agent file written around `support`, which starts at column 3.
    static func agent(_ support: String, name: String = "Billing line") -> String {
        """
        agent: billing-line
        name: \(name)
        channels: [calls]
        support:
        \(support)
        """
    }

    static let escalate = """
          mode: escalate
          escalate:
            destinations:
              - name: billing-desk
                number: "+34910000000"

        """

    struct Outcome {
        var strict: ValidationResult
        var lenient: ValidationResult
        var text: [Substring]

        /// The one provider diagnostic of an environment (every
        /// environment is checked whichever one is chosen).
        func only(_ result: ValidationResult, _ environment: String) throws -> Diagnostic {
            let found = result.report.diagnostics.filter {
                $0.rule == .providerUnsupported && $0.message.contains("environment '\(environment)'")
            }
            try #require(found.count == 1, "\(found.map(\.message))")
            return found[0]
        }

        /// The 1-based line of the first line of the file containing `text`.
        func line(of text: String) throws -> Int {
            try #require(self.text.firstIndex { $0.contains(text) }) + 1
        }
    }

    func validate(_ file: String) throws -> Outcome {
        let folder = try TemporaryFolder([
            ProjectFile.path: Self.project, ConfigValidator.defaultsFile: Scaffold.defaultsTemplate,
            "config/agents/billing-line.yaml": file,
        ])
        let strict = try ConfigValidator(root: folder.url, environment: "strict").validate()
        let lenient = try ConfigValidator(root: folder.url, environment: "lenient").validate()
        return Outcome(
            strict: strict, lenient: lenient, text: file.split(separator: "\n", omittingEmptySubsequences: false))
    }

    /// Strict: an error at `key`'s line; lenient: the same as a warning, the
    /// agent kept, changed as `expect` says, with one note naming `path`.
    func check(
        _ file: String, at key: String, column: Int, path: String, _ expect: (AgentSettings) -> Bool
    ) throws {
        let outcome = try validate(file)
        let error = try outcome.only(outcome.strict, "strict")
        #expect(error.severity == .error)
        #expect(error.location.file == "config/agents/billing-line.yaml")
        #expect(error.location.line == (try outcome.line(of: key)))
        #expect(error.location.column == column)
        #expect(error.message.contains("cannot express \(path)"), "\(error.message)")
        #expect(error.hint?.contains("strict_supports: false") == true)
        #expect(outcome.strict.agents.isEmpty)

        let warning = try outcome.only(outcome.lenient, "lenient")
        #expect(warning.severity == .warning)
        #expect(warning.location == error.location)
        #expect(warning.hint?.hasPrefix("vapi ") == true, "\(warning.hint ?? "")")
        let agent = try #require(outcome.lenient.agents.first)
        #expect(expect(agent), "\(agent)")
        let notes = outcome.lenient.providerNotes["billing-line"] ?? []
        #expect(notes.count == 1 && notes[0].hasPrefix(path + ": "), "\(notes)")
    }

    /// Weekly hours under `escalate`, at column 5.
    static let hours = """
            hours:
              timezone: Europe/Madrid
              weekly:
                mon-fri: "09:00-18:00"

        """

    @Test func hoursAreRefusedOrDropped() throws {
        let file = Self.agent(Self.escalate + Self.hours)
        try check(file, at: "hours:", column: 5, path: "support.escalate.hours") { $0.support.escalate?.hours == nil }
    }

    @Test func closedDaysGoWithTheHours() throws {
        let file = Self.agent(Self.escalate + Self.hours + "      closed: [\"2026-12-25\"]\n")
        // Vapi has no schedule at all: the hours are the setting reported.
        try check(file, at: "hours:", column: 5, path: "support.escalate.hours") { $0.support.escalate?.hours == nil }
    }

    @Test func aRingTimeoutIsRefusedOrIgnored() throws {
        let file = Self.agent(Self.escalate + "    ring_timeout: 45\n")
        try check(file, at: "ring_timeout", column: 5, path: "support.escalate.ring_timeout") {
            $0.support.escalate?.ringTimeout == EscalateSettings.defaultRingTimeout
        }
    }

    @Test func anOrderOfDestinationsIsRefusedOrOfferedAsAChoice() throws {
        let file = Self.agent(
            Self.escalate + """
                      - name: on-call
                        sip: "sip:oncall@pbx.example.com"

                """)
        try check(file, at: "destinations:", column: 5, path: "the order of support.escalate.destinations") {
            $0.support.escalate?.destinations.map(\.name) == ["billing-desk", "on-call"]
        }
    }

    @Test func aLongNameIsRefusedOrCut() throws {
        let name = String(repeating: "Billing line for every region ", count: 2)
        let file = Self.agent(Self.escalate, name: name)
        try check(file, at: "name:", column: 7, path: "name") { $0.name == String(name.prefix(40)) }
        // An overlay holds support settings only: the hint points at the agent's file.
        let error = try validate(file).strict.report.diagnostics.first { $0.rule == .providerUnsupported }
        #expect(error?.hint?.hasPrefix("shorten the name in the agent's file") == true, "\(error?.hint ?? "")")
        #expect(error?.hint?.contains("overlay") == false)
    }

    @Test func aLongExtensionIsRefusedOrDropped() throws {
        let file = Self.agent(
            Self.escalate.replacingOccurrences(
                of: "\"+34910000000\"\n", with: "\"+34910000000\"\n        extension: \"12345678901\"\n"))
        try check(file, at: "extension:", column: 20, path: "support.escalate.destinations[].extension") {
            $0.support.escalate?.destinations.first?.extension == nil
        }
    }

    /// The extraction tickets come from has `flagged` and `reason` of its
    /// own: a collect field so named would break it.
    @Test func aCollectFieldNamedLikeTheExtractionsOwnIsRefusedOrLeftOut() throws {
        let file = Self.agent(
            """
              mode: flag
              flag:
                collect:
                  - email
                  - field: flagged
                    label: Flagged before

            """)
        try check(file, at: "field: flagged", column: 16, path: "support.flag.collect[].field") {
            $0.support.flag?.collect.map(\.field) == ["email"]
        }
        let plain = Self.agent("  mode: flag\n  flag:\n    collect: [email, reason]\n")
        try check(plain, at: "collect:", column: 22, path: "support.flag.collect[].field") {
            $0.support.flag?.collect.map(\.field) == ["email"]
        }
    }

    @Test func anExtensionOnASIPDestinationIsRefusedOrDropped() throws {
        let file = Self.agent(
            """
              mode: escalate
              escalate:
                destinations:
                  - name: pbx
                    sip: "sip:desk@pbx.example.com"
                    extension: "204"

            """)
        try check(file, at: "extension:", column: 9, path: "an extension on a sip destination") {
            $0.support.escalate?.destinations.first?.extension == nil
        }
    }

    @Test func longGuidanceIsRefusedOrCut() throws {
        let guidance = String(repeating: "Escalate disputed charges. ", count: 45)
        let file = Self.agent(
            """
              mode: decide
              decide:
                allow: [respond, flag]
                guidance: "\(guidance)"

            """)
        try check(file, at: "guidance:", column: 15, path: "support.decide.guidance") {
            $0.support.decide?.guidance == String(guidance.prefix(870))
        }
    }

    @Test func defaultsAndExpressibleSettingsTriggerNothing() throws {
        let file = Self.agent(Self.escalate + "    announce: \"One moment\"\n    transfer: cold\n")
        let outcome = try validate(file)
        #expect(outcome.strict.report.diagnostics.isEmpty, "\(outcome.strict.report.diagnostics.map(\.message))")
        #expect(outcome.lenient.report.diagnostics.isEmpty)
        #expect(outcome.strict.agents.count == 1)
        #expect(outcome.lenient.providerNotes.isEmpty)
        #expect(outcome.strict.agents == outcome.lenient.agents)
    }

    @Test func aVapiPlatformDefaultsItsURLAndToken() throws {
        let folder = try TemporaryFolder([ProjectFile.path: Self.project])
        let (project, diagnostics) = ProjectFile.load(root: folder.url)
        #expect(diagnostics.isEmpty)
        let strict = try #require(project?.platform(named: "strict"))
        #expect(strict.url == .literal("https://api.vapi.ai"))
        #expect(strict.token == .variable("VAPI_TOKEN"))
        #expect(strict.strictSupports)
        #expect(project?.platform(named: "lenient")?.strictSupports == false)
    }

    @Test func aFlagWebhookMustBeHTTPSAndTicketsMayBePulled() throws {
        let folder = try TemporaryFolder([
            ProjectFile.path: """
            platforms:
              production:
                provider: vapi
                flag_webhook: http://hooks.example.com/flag
                pull_tickets: true
            default: production

            """
        ])
        let (project, diagnostics) = ProjectFile.load(root: folder.url)
        #expect(diagnostics.contains { $0.location.line == 4 && $0.message.contains("not an https URL") })
        #expect(!diagnostics.contains { $0.rule == .projectPullTickets })
        #expect(project?.platform(named: "production")?.pullTickets == true)
    }

    /// A URL is never printed with a user name and password, and one
    /// written in the repository is an error: they are secrets.
    @Test func aURLWithAPasswordIsRefusedAndNotRepeated() throws {
        let folder = try TemporaryFolder([
            ProjectFile.path: """
            platforms:
              production:
                provider: vapi
                url: https://carol:s3cret-pw@api.example.com
                flag_webhook: http://carol:s3cret-pw@hooks.example.com/flag
              other:
                provider: http
                url: ftp://carol:s3cret-pw@example.com/
                token: env/OTHER_TOKEN
            default: production

            """
        ])
        let (_, diagnostics) = ProjectFile.load(root: folder.url)
        #expect(diagnostics.contains { $0.location.line == 4 && $0.rule == .projectSecret })
        #expect(
            diagnostics.contains { $0.location.line == 5 && $0.message.contains("'http://***@hooks.example.com/flag'") }
        )
        #expect(diagnostics.contains { $0.location.line == 8 && $0.message.contains("'ftp://***@example.com/'") })
        #expect(!diagnostics.contains { $0.message.contains("s3cret") }, "\(diagnostics)")
    }
    /// A retention of bare days is refused with a hint that works when followed.
    @Test func aRetentionOfBareDaysHintsAtTheSuffix() throws {
        let folder = try TemporaryFolder([ProjectFile.path: "tickets:\n  erase_closed_after: 365\n"])
        let (_, diagnostics) = ProjectFile.load(root: folder.url)
        let refused = try #require(diagnostics.first { $0.location.line == 2 })
        #expect(refused.hint == "write 365d", "\(refused)")
        // The message names the missing unit; it does not say to quote (a quoted "365" is refused too).
        #expect(refused.rule == .invalidValue && refused.message.contains("has none"), "\(refused)")
        #expect(!refused.message.contains("quote") && !refused.message.contains("must be text"), "\(refused)")
        // No hint that would be refused next.
        let zero = try TemporaryFolder([ProjectFile.path: "tickets:\n  erase_closed_after: 0\n"])
        let none = try #require(ProjectFile.load(root: zero.url).1.first { $0.location.line == 2 })
        #expect(none.hint == "write a whole number of days followed by d, e.g. 365d", "\(none)")
        let followed = try TemporaryFolder([ProjectFile.path: "tickets:\n  erase_closed_after: 365d\n"])
        let (project, again) = ProjectFile.load(root: followed.url)
        #expect(again.isEmpty, "\(again)")
        #expect(project?.tickets.eraseClosedAfterDays == 365)
    }
}
