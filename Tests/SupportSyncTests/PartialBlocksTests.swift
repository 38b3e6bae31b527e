import Foundation
import TestSupport
import Testing

@testable import SupportSync

/// defaults.yaml and overlays hold parts of blocks that agents complete: a
/// key missing from such a part is judged once merged, at the agent.
@Suite struct PartialBlocksTests {
    static let desk = """
        agent: desk
        name: Desk
        channels: [calls]
        support:
          mode: escalate
          escalate:
            destinations:
              - {name: desk, number: "+34910000000"}
            hours:
              timezone: Europe/Madrid
              weekly: {mon-fri: "09:00-18:00"}

        """

    /// A zone set once in defaults.yaml, for the agents that escalate: an
    /// agent that does not escalate inherits an escalate block it never
    /// uses, which is not judged for the `weekly` only escalating needs.
    /// An escalating agent without its own `weekly` still is, and a bad
    /// value in defaults.yaml is still an error, once, in that file.
    @Test func aPartOfABlockInDefaultsBindsOnlyTheAgentsThatUseIt() throws {
        let folder = try TemporaryFolder([
            "config/defaults.yaml": "support:\n  escalate:\n    hours:\n      timezone: Europe/Madrid\n",
            "config/agents/desk.yaml": Self.desk,
            "config/agents/chat.yaml": "agent: chat\nname: Chat\nchannels: [messages]\nsupport: {mode: flag}\n",
        ])
        let valid = try ConfigValidator(root: folder.url).validate()
        #expect(valid.report.errorCount == 0, "\(valid.report.diagnostics)")
        #expect(valid.agents.map(\.id).sorted() == ["chat", "desk"])
        #expect(valid.agents.first { $0.id == "chat" }?.support.escalate == nil)

        try folder.write(
            "config/agents/desk.yaml",
            Self.desk.replacingOccurrences(of: "      weekly: {mon-fri: \"09:00-18:00\"}\n", with: ""))
        try folder.write(
            "config/defaults.yaml",
            "support:\n  escalate:\n    hours:\n      timezone: Europe/Madrid\n    ring_timeout: 5000\n")
        let invalid = try ConfigValidator(root: folder.url).validate()
        let said = invalid.report.diagnostics.map { "\($0.location.file):\($0.location.line) \($0.message)" }
        #expect(
            said.sorted() == [
                "config/agents/desk.yaml:9 support.escalate.hours has no 'weekly' opening hours",
                "config/defaults.yaml:5 ring_timeout is 5000 seconds; it must be between 5 and 300",
            ], "\(said)")
    }

    @Test func anOverlayMayChangeOneDayOfAnAgentsHours() throws {
        let folder = try TemporaryFolder([
            "config/agents/desk.yaml": Self.desk,
            "supportsync.yaml": """
            platforms:
              production: {provider: local}
              staging: {provider: local, overlay: config/environments/staging.yaml}
            default: production

            """,
            "config/environments/staging.yaml": """
            agents:
              desk:
                support:
                  escalate:
                    hours:
                      weekly:
                        sat: "10:00-21:00"

            """,
        ])
        let staging = try ConfigValidator(root: folder.url, environment: "staging").validate()
        #expect(staging.report.errorCount == 0, "\(staging.report.diagnostics)")
        let hours = try #require(staging.agents.first?.support.escalate?.hours)
        #expect(hours.timezone == "Europe/Madrid" && hours.weekly[.sat] == ["10:00-21:00"])
    }

    /// `weekly` merges day by day (its canonical form is one key per day):
    /// an overlay's `tue: []`, `wed: null` or `mon: ...` replaces that day of
    /// the agent's `mon-fri`, and the other days stay, with their source.
    @Test func aDayWrittenElsewhereReplacesThatDayOfAnInheritedRange() throws {
        let folder = try TemporaryFolder([
            "config/agents/desk.yaml": Self.desk,
            "supportsync.yaml": """
            platforms:
              production: {provider: local}
              staging: {provider: local, overlay: config/environments/staging.yaml}
            default: production

            """,
            "config/environments/staging.yaml": """
            agents:
              desk:
                support:
                  escalate:
                    hours:
                      weekly:
                        mon: "10:00-12:00"
                        tue: []
                        wed: null

            """,
        ])
        let staging = try ConfigValidator(root: folder.url, environment: "staging").validate()
        #expect(staging.report.diagnostics.isEmpty, "\(staging.report.diagnostics)")
        let weekly = try #require(staging.agents.first?.support.escalate?.hours?.weekly)
        #expect(weekly[.mon] == ["10:00-12:00"])
        #expect(weekly[.tue] == [] && weekly[.wed] == [])
        #expect(weekly[.thu] == ["09:00-18:00"] && weekly[.fri] == ["09:00-18:00"])
        // explain's sources: each day where it was written, the null too.
        let agent = try #require(staging.agents.first)
        let sources = ConfigValidator(root: folder.url, environment: "staging").sources(of: agent)
        func source(_ day: String) -> String? {
            sources.first { $0.field == "support.escalate.hours.weekly.\(day)" }?.location.map {
                "\($0.file):\($0.line)"
            }
        }
        let overlay = "config/environments/staging.yaml"
        #expect(source("mon") == "\(overlay):7" && source("tue") == "\(overlay):8")
        #expect(source("wed") == "\(overlay):9", "\(sources)")
        #expect(source("thu") == "config/agents/desk.yaml:11")
        let production = try ConfigValidator(root: folder.url).validate()
        #expect(production.agents.first?.support.escalate?.hours?.weekly[.tue] == ["09:00-18:00"])
    }

    /// Within one file hours for a day under two keys add up: a day closed
    /// (`[]` or `null`) beside keys that open it closes nothing, and the
    /// message names the days it fails to close, every key opening them,
    /// and what to write instead.
    @Test func aDayClosedBesideAKeyThatOpensItInTheSameFileIsSaid() throws {
        func weekly(_ lines: [String]) -> String {
            lines.map { "        \($0)\n" }.joined()
        }
        let cases: [(weekly: String, line: Int, message: String, hint: String)] = [
            (
                weekly(["mon-fri: \"09:00-18:00\"", "tue: null"]), 13,
                "'tue: null' closes nothing: 'mon-fri' (line 12) opens it, and hours written for a day under two keys add up",
                "write the open days only: mon, wed, thu, fri"
            ),
            (
                weekly(["mon-fri: []", "tue: \"09:00-12:00\"", "thu: \"09:00-12:00\""]), 12,
                "'mon-fri: []' does not close tue, thu: 'tue' (line 13) and 'thu' (line 14) open them, and hours written for a day under two keys add up",
                "close only the days nothing else opens: mon, wed, fri"
            ),
            (
                weekly(["mon-tue: \"09:00-12:00\"", "wed: \"09:00-12:00\"", "mon-wed: []"]), 14,
                "'mon-wed: []' closes nothing: 'mon-tue' (line 12) and 'wed' (line 13) open them, and hours written for a day under two keys add up",
                "delete this line, or the hours of the days it means to close"
            ),
        ]
        for (weekly, line, message, hint) in cases {
            let folder = try TemporaryFolder([
                "config/agents/desk.yaml": Self.desk.replacingOccurrences(
                    of: " {mon-fri: \"09:00-18:00\"}\n", with: "\n" + weekly)
            ])
            let report = try ConfigValidator(root: folder.url).validate().report
            let found = report.diagnostics.filter { $0.rule == .hoursOverlap }
            #expect(found.map(\.message) == [message], "\(report.diagnostics)")
            #expect(found.map(\.hint) == [hint])
            #expect(found.map(\.location.line) == [line])
        }
    }

    /// An overlap names the first-written range it overlaps, once per
    /// range, however many a day holds; a key for several days (or a range
    /// read again through an alias) is said once, at its place.
    @Test func eachOverlapNamesTheFirstRangeItOverlaps() throws {
        func overlaps(_ weekly: String) throws -> [String] {
            let folder = try TemporaryFolder([
                "config/agents/desk.yaml": Self.desk.replacingOccurrences(
                    of: " {mon-fri: \"09:00-18:00\"}\n", with: "\n" + weekly)
            ])
            let report = try ConfigValidator(root: folder.url).validate().report
            return report.diagnostics.filter { $0.rule == .hoursOverlap }.map(\.message)
        }
        #expect(
            try overlaps("        mon: [\"10:00-11:00\", \"09:00-10:30\", \"09:00-12:00\", \"11:00-12:00\"]\n") == [
                "'09:00-10:30' overlaps '10:00-11:00' on mon", "'09:00-12:00' overlaps '10:00-11:00' on mon",
                "'11:00-12:00' overlaps '09:00-12:00' on mon",
            ])
        #expect(
            try overlaps("        mon-fri: &r [\"09:00-12:00\"]\n        tue-wed: [\"11:00-13:00\"]\n        thu: *r\n")
                == ["'11:00-13:00' overlaps '09:00-12:00' on tue"])
        let many = try overlaps(
            "        mon: [" + Array(repeating: "\"09:00-10:00\"", count: 3000).joined(separator: ", ") + "]\n")
        #expect(many.count == 2999)
        #expect(Set(many) == ["'09:00-10:00' overlaps '09:00-10:00' on mon"])
    }

    /// A null removes what is inherited: `mon-fri: null` beside `tue: ...`
    /// over an inherited `mon-fri` leaves Tuesday's hours only, in an agent
    /// file or an overlay; a null under a key that is no day is an error.
    @Test func aNullRangeRemovesTheInheritedDaysAndItsFileOpensOthersAgain() throws {
        let agent = Self.desk.replacingOccurrences(
            of: " {mon-fri: \"09:00-18:00\"}\n", with: "\n        mon-fri: null\n        tue: \"10:00-11:00\"\n")
        let defaults = "support:\n  escalate:\n    hours:\n      weekly: {mon-fri: \"09:00-17:00\"}\n"
        let folder = try TemporaryFolder(["config/agents/desk.yaml": agent, "config/defaults.yaml": defaults])
        let result = try ConfigValidator(root: folder.url).validate()
        #expect(result.report.diagnostics.isEmpty, "\(result.report.diagnostics)")
        let weekly = try #require(result.agents.first?.support.escalate?.hours?.weekly)
        #expect(weekly[.tue] == ["10:00-11:00"])
        #expect(Weekday.allCases.filter { !weekly[$0].isEmpty } == [.tue])
        let sources = ConfigValidator(root: folder.url).sources(of: try #require(result.agents.first))
        let mon = sources.first { $0.field == "support.escalate.hours.weekly.mon" }?.location
        #expect(mon.map { "\($0.file):\($0.line)" } == "config/agents/desk.yaml:12", "closed by the null: \(sources)")

        // A day another key of the file closes keeps that key, for explain too.
        let closedToo = try TemporaryFolder([
            "config/agents/desk.yaml": Self.desk.replacingOccurrences(
                of: " {mon-fri: \"09:00-18:00\"}\n",
                with: "\n        mon-fri: null\n        tue: []\n        wed: \"10:00-11:00\"\n"),
            "config/defaults.yaml": defaults,
        ])
        let both = try ConfigValidator(root: closedToo.url).validate()
        #expect(both.report.diagnostics.isEmpty, "\(both.report.diagnostics)")
        let open = try #require(both.agents.first?.support.escalate?.hours?.weekly)
        #expect(Weekday.allCases.filter { !open[$0].isEmpty } == [.wed])
        let tue = ConfigValidator(root: closedToo.url).sources(of: try #require(both.agents.first)).first {
            $0.field == "support.escalate.hours.weekly.tue"
        }
        #expect(tue?.location?.line == 13, "at tue: [], \(String(describing: tue))")

        // A null over a day nothing passed down, beside a key opening it,
        // closes nothing there: an error, as in one file.
        let notInherited = try TemporaryFolder([
            "config/agents/desk.yaml": Self.desk.replacingOccurrences(
                of: " {mon-fri: \"09:00-18:00\"}\n", with: "\n        fri-sat: null\n        fri: \"10:00-11:00\"\n"),
            "config/defaults.yaml": "support:\n  escalate:\n    hours:\n      weekly: {sat-sun: \"09:00-17:00\"}\n",
        ])
        let refused = try ConfigValidator(root: notInherited.url).validate().report
        #expect(refused.diagnostics.map(\.rule) == [.hoursOverlap], "\(refused.diagnostics)")

        let misspelled = try TemporaryFolder([
            "config/agents/desk.yaml": Self.desk.replacingOccurrences(
                of: " {mon-fri: \"09:00-18:00\"}\n", with: "\n        mon-fri: \"09:00-18:00\"\n        tues: null\n")
        ])
        let report = try ConfigValidator(root: misspelled.url).validate().report
        #expect(report.diagnostics.map(\.rule) == [.hoursDay], "\(report.diagnostics)")
        #expect(report.diagnostics.first?.location.line == 13)
    }

    /// The warning for an escalating agent that also serves messages names
    /// the fallback those conversations get, from defaults.yaml too, and
    /// hints at setting it only when nobody did.
    @Test func theMessagesFallbackWarningNamesTheFallbackAsMerged() throws {
        let agent = Self.desk.replacingOccurrences(of: "channels: [calls]", with: "channels: [calls, messages]")
        for (defaults, fallback, hint) in [
            ("support:\n  escalate:\n    fallback: nothing\n", "nothing", nil),
            ("support: {}\n", "flag", "set escalate.fallback to say what happens on messages (default flag)"),
        ] {
            let folder = try TemporaryFolder(["config/agents/desk.yaml": agent, "config/defaults.yaml": defaults])
            let report = try ConfigValidator(root: folder.url).validate().report
            let found = report.diagnostics.filter { $0.rule == .escalateMessagesFallback }
            #expect(
                found.map(\.message) == [
                    "escalate transfers calls only; this agent's messages conversations use the fallback, \(fallback)"
                ], "\(report.diagnostics)")
            #expect(found.map(\.hint) == [hint])
        }
    }

    /// A problem at the agent's line made by a value from defaults names
    /// the agent, and points at that value.
    @Test func aSummaryAgainstAColdTransferFromDefaultsPointsAtIt() throws {
        let agent = Self.desk.replacingOccurrences(of: "    hours:\n", with: "    summary: true\n    hours:\n")
        let folder = try TemporaryFolder([
            "config/agents/desk.yaml": agent,
            "config/defaults.yaml": "support:\n  escalate:\n    transfer: cold\n",
        ])
        let report = try ConfigValidator(root: folder.url).validate().report
        let found = report.diagnostics.filter { $0.rule == .coldTransferSummary }
        #expect(found.count == 1, "\(report.diagnostics)")
        #expect(found.first?.location.file == "config/agents/desk.yaml")
        #expect(found.first?.agent == "desk", "\(found)")
        #expect(
            found.first?.notes.map(\.location) == [SourceLocation(file: "config/defaults.yaml", line: 3, column: 15)],
            "\(found)")
    }

    @Test func aPartOfHoursNoAgentCompletesIsReportedAtThePartNamingTheAgent() throws {
        let agent = Self.desk.replacingOccurrences(
            of: "    hours:\n      timezone: Europe/Madrid\n      weekly: {mon-fri: \"09:00-18:00\"}\n", with: "")
        let folder = try TemporaryFolder([
            "config/agents/desk.yaml": agent,
            "config/defaults.yaml": "support:\n  escalate:\n    hours:\n      weekly: {mon-fri: \"09:00-18:00\"}\n",
        ])
        let report = try ConfigValidator(root: folder.url).validate().report
        let missing = report.diagnostics.filter { $0.rule == .missingKey }
        #expect(missing.count == 1, "\(report.diagnostics)")
        #expect(missing.first?.location == SourceLocation(file: "config/defaults.yaml", line: 3, column: 5))
        #expect(missing.first?.agent == "desk" && missing.first?.message.contains("has no 'timezone'") == true)
    }
}
