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
}
