import Foundation
import TestSupport
import Testing

@testable import SupportSync

/// This repository's own config/ is a living example: it validates clean,
/// with one agent per mode.
@Suite struct OwnConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func repositoryConfigValidatesClean() throws {
        let result = try ConfigValidator(root: Self.root).validate()
        #expect(result.report.diagnostics.isEmpty, "\(DiagnosticFormatter.text(result.report))")
        #expect(Set(result.agents.map(\.support.mode)) == Set(SupportMode.allCases))
    }

    @Test func escalateExampleHasHoursAndTwoDestinations() throws {
        let result = try ConfigValidator(root: Self.root).validate()
        let escalating = try #require(result.agents.first { $0.support.mode == .escalate })
        #expect(escalating.support.escalate?.destinations.count == 2)
        #expect(escalating.support.escalate?.hours != nil)
    }

    @Test func repositoryScenariosPassAndCoverEveryAgent() throws {
        let result = try ConfigValidator(root: Self.root).validate()
        let report = ScenarioReport(validation: result, environment: nil)
        #expect(report.passes, "\(DiagnosticFormatter.text(report.report))")
        #expect(Set(report.results.map(\.scenario.agent)) == Set(result.agents.map(\.id)))
        // Each kind of expectation is used at least once.
        #expect(report.results.contains { if case .may = $0.scenario.expect { true } else { false } })
        #expect(report.results.contains { if case .transfer = $0.scenario.expect { true } else { false } })
        #expect(report.results.contains { if case .only = $0.scenario.expect { true } else { false } })
    }
}
