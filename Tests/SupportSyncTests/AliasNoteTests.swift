import Foundation
import TestSupport
import Testing

@testable import SupportSync

/// A value shared through an anchor is judged where it is used; its problem
/// is reported once, where it is written, with a note at each alias that
/// brought it somewhere it does not fit.
@Suite struct AliasNoteTests {
    @Test func aProblemFoundThroughAnAliasNamesTheAlias() throws {
        let folder = try TemporaryFolder([
            "config/agents/shared.yaml": """
            agent: shared
            name: Shared
            channels: [messages]
            support:
              mode: decide
              flag:
                tags: &allowed [escalte]
              decide:
                allow: *allowed

            """
        ])
        let report = try ConfigValidator(root: folder.url).validate().report
        let problem = try #require(report.diagnostics.first { $0.rule == .decideAllow })
        #expect(problem.location == SourceLocation(file: "config/agents/shared.yaml", line: 7, column: 21))
        #expect(
            problem.notes == [
                Diagnostic.Note(
                    location: SourceLocation(file: "config/agents/shared.yaml", line: 9, column: 12),
                    message: "used here through the alias *allowed")
            ])
        #expect(
            DiagnosticFormatter.text(report).contains("shared.yaml:9:12: note: used here through the alias *allowed"))
    }

    /// A scalar shared through an anchor (a number used by three
    /// destinations) is reported once, at the anchor, with a note at each alias.
    @Test func aScalarWrongEverywhereIsReportedOnceAtItsAnchor() throws {
        let folder = try TemporaryFolder([
            "config/agents/desk.yaml": """
            agent: desk
            name: Desk
            channels: [calls]
            support:
              mode: escalate
              escalate:
                destinations:
                  - name: front
                    number: &n "+3491"
                  - name: back
                    number: *n

            """
        ])
        let report = try ConfigValidator(root: folder.url).validate().report
        let problems = report.diagnostics.filter { $0.rule == .phoneNumber }
        #expect(problems.count == 1, "\(report.diagnostics)")
        #expect(problems.first?.location == SourceLocation(file: "config/agents/desk.yaml", line: 9, column: 17))
        #expect(
            problems.first?.notes == [
                Diagnostic.Note(
                    location: SourceLocation(file: "config/agents/desk.yaml", line: 11, column: 17),
                    message: "used here through the alias *n")
            ])
    }

    @Test func aValueWrongEverywhereIsReportedOnceWithAtMostThreeAliases() throws {
        let folder = try TemporaryFolder([
            "config/agents/desk.yaml": """
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
                  weekly:
                    mon: &day ["09:00-18:60"]
                    tue: *day
                    wed: *day
                    thu: *day
                    fri: *day

            """
        ])
        let problems = try ConfigValidator(root: folder.url).validate().report.diagnostics.filter {
            $0.rule == .hoursRange
        }
        #expect(problems.count == 1)
        #expect(problems.first?.location.line == 12)
        #expect(problems.first?.notes.map(\.location.line) == [13, 14, 15])
    }

    /// The anchor's own use is not "through the alias": its problem at the
    /// anchored node itself carries no note.
    @Test func theAnchorsOwnProblemCarriesNoNote() throws {
        let folder = try TemporaryFolder([
            "config/agents/own.yaml":
                "agent: own\nname: Own\nchannels: [messages]\nsupport:\n  mode: flag\n  flag:\n    priority: &p 7\n  decide:\n    guidance: *p\n"
        ])
        let report = try ConfigValidator(root: folder.url).validate().report
        let own = try #require(report.diagnostics.first { $0.location.line == 7 }, "\(report.diagnostics)")
        #expect(own.notes.isEmpty, "\(own)")
    }

    @Test func aFileWithoutAliasesGetsNoNotes() throws {
        let folder = try TemporaryFolder([
            "config/agents/plain.yaml":
                "agent: plain\nname: Plain\nchannels: [messages]\nsupport:\n  mode: flag\n  flag:\n    tags: [Bad]\n"
        ])
        let problem = try #require(try ConfigValidator(root: folder.url).validate().report.diagnostics.first)
        #expect(problem.rule == .tagFormat && problem.notes.isEmpty)
    }
}
