import Foundation
import TestSupport
import Testing

@testable import SupportSync

/// Every validation rule has fixtures: a bad one that raises exactly that
/// rule at each marked place, and a good one that raises nothing.
@Suite("Validation rules, by fixture")
struct RuleFixtureTests {
    static let fixtures = RuleFixture.all()

    @Test("bad fixture raises exactly its rule at the marks", arguments: fixtures.filter(\.isBad))
    func badFixture(_ fixture: RuleFixture) throws {
        let root = try fixture.materialize()
        defer { try? FileManager.default.removeItem(at: root) }
        let report = try ConfigValidator(root: root).validate().report
        let raised = report.diagnostics.filter { $0.rule.rawValue == fixture.rule }
            .map { RuleFixture.Expected(file: $0.location.file, line: $0.location.line, column: $0.location.column) }
        #expect(!fixture.expected.isEmpty, "the fixture marks no place with ↓")
        #expect(raised.sorted() == fixture.expected, "\(DiagnosticFormatter.text(report))")
        let others = report.diagnostics.filter { $0.rule.rawValue != fixture.rule }
        #expect(
            others.isEmpty,
            "other rules raised too:\n\(DiagnosticFormatter.text(DiagnosticReport(files: 0, diagnostics: others)))")
    }

    @Test("good fixture raises nothing", arguments: fixtures.filter { !$0.isBad })
    func goodFixture(_ fixture: RuleFixture) throws {
        let root = try fixture.materialize()
        defer { try? FileManager.default.removeItem(at: root) }
        let report = try ConfigValidator(root: root).validate().report
        #expect(report.diagnostics.isEmpty, "\(DiagnosticFormatter.text(report))")
        #expect(fixture.expected.isEmpty, "a good fixture has no ↓ marks")
    }

    /// Rules checked some other way than by a fixture file.
    static let testedElsewhere: Set<Rule> = [
        .fileUnreadable,
        // No built-in provider lacks a setting: ProviderSupportTests declares one that does.
        .providerUnsupported,
        // Ticket rules: Tests/SupportSyncTests/Tickets/.
        .ticketID, .ticketAgent, .ticketChannel, .ticketPriority, .ticketStatus, .ticketCreatedAt,
        .ticketResolution, .ticketPath, .ticketDeleted, .ticketAdded, .ticketDuplicate, .ticketStray,
        .ticketPlatformField, .ticketLifecycle, .ticketSealed,
        // A failing scenario is found by running it: ScenarioReportTests.
        .scenarioFailed,
    ]

    @Test("every rule has a bad and a good fixture", arguments: Rule.allCases)
    func everyRuleHasFixtures(_ rule: Rule) {
        guard !Self.testedElsewhere.contains(rule) else { return }
        let mine = Self.fixtures.filter { $0.rule == rule.rawValue }
        #expect(mine.contains { $0.isBad }, "no bad fixture for \(rule.rawValue)")
        #expect(mine.contains(where: { !$0.isBad }), "no good fixture for \(rule.rawValue)")
    }

    @Test("fixture folders name real rules")
    func fixtureFoldersNameRules() {
        let names = Set(Rule.allCases.map(\.rawValue))
        for fixture in Self.fixtures {
            #expect(names.contains(fixture.rule), "Fixtures/Rules/\(fixture.rule) is not a rule")
        }
    }
}
