import Foundation
import TestSupport
import Testing

@testable import SupportSync

/// A provider declares what it can express; a setting it cannot is a
/// located diagnostic, an error unless `strict_supports: false`.
@Suite struct ProviderSupportTests {
    static let project = """
        platforms:
          production:
            provider: http
            url: env/SUPPORTSYNC_PLATFORM
            pull_tickets: true
          staging:
            provider: http
            url: env/STAGING_URL
            strict_supports: false
        default: production

        """

    /// This repository's example agents and the project file above.
    func folder() throws -> TemporaryFolder {
        var files = [ConfigValidator.defaultsFile: Scaffold.defaultsTemplate, ProjectFile.path: Self.project]
        for agent in Scaffold.exampleAgents { files[agent.path] = agent.text }
        return try TemporaryFolder(files)
    }

    static let noHours: @Sendable (ProjectFile.Provider) -> ProviderSupport = { _ in
        ProviderSupport(unsupported: [.hours])
    }

    @Test func aProviderWithoutHoursFailsAtTheHoursKey() throws {
        let folder = try folder()
        let root = folder.url
        let result = try ConfigValidator(root: root, environment: "production", providerSupport: Self.noHours)
            .validate()
        let found = result.report.diagnostics.filter { $0.rule == .providerUnsupported }
        // billing-line and concierge write hours; production is strict, staging is not.
        let errors = found.filter { $0.severity == .error }
        let warnings = found.filter { $0.severity == .warning }
        #expect(
            Set(errors.map(\.location.file)) == ["config/agents/billing-line.yaml", "config/agents/concierge.yaml"])
        #expect(errors.count == 2)
        #expect(warnings.count == 2)
        let billing = try #require(errors.first { $0.location.file == "config/agents/billing-line.yaml" })
        let text = Scaffold.escalateAgentTemplate.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(text.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "hours:" }) + 1
        #expect(billing.location.line == line)
        #expect(billing.location.column == 5)
        #expect(billing.message.contains("environment 'production' cannot express support.escalate.hours"))
        // The agents that write hours are not planned for production.
        #expect(Set(result.agents.map(\.id)) == ["returns-chat", "store-info"])
        #expect(result.report.errorCount == 2)
    }

    @Test func withoutTheDeclarationNothingIsReported() throws {
        let folder = try folder()
        let root = folder.url
        let result = try ConfigValidator(root: root).validate()
        #expect(result.report.diagnostics.isEmpty, "\(DiagnosticFormatter.text(result.report))")
        #expect(result.agents.count == 4)
    }

    @Test func anOverlayThatRemovesHoursSatisfiesTheProvider() throws {
        let folder = try folder()
        let root = folder.url
        let project = Self.project.replacingOccurrences(
            of: "    pull_tickets: true\n",
            with: "    pull_tickets: true\n    overlay: config/environments/production.yaml\n")
        try Data(project.utf8).write(to: root.appendingPathComponent(ProjectFile.path))
        let overlay = root.appendingPathComponent("config/environments/production.yaml")
        try FileManager.default.createDirectory(
            at: overlay.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("support:\n  escalate:\n    hours: null\n".utf8).write(to: overlay)
        let result = try ConfigValidator(root: root, environment: "production", providerSupport: Self.noHours)
            .validate()
        #expect(
            result.report.diagnostics.filter { $0.severity == .error }.isEmpty,
            "\(DiagnosticFormatter.text(result.report))")
        #expect(result.agents.count == 4)
        #expect(result.agents.allSatisfy { $0.support.escalate?.hours == nil })
    }
}
