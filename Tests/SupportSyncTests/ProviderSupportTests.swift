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

    /// Vapi's chats are not read for tickets: an agent that flags on the
    /// messages channel is warned (strict or not), at `messages` in its
    /// channels; one that never flags there is not.
    @Test func aFlagOnVapisMessagesIsAWarningAtTheChannel() throws {
        let agent = { (mode: String) in
            "agent: desk\nname: Desk\nchannels: [calls, messages]\nsupport:\n\(mode)"
        }
        let escalate =
            "  mode: escalate\n  escalate:\n    destinations: [{name: d, number: \"+34910000000\"}]\n"
        for (support, warned) in [
            ("  mode: flag\n", true),
            (escalate, true),
            (escalate + "    fallback: nothing\n", false),
            ("  mode: decide\n  decide:\n    allow: [respond, flag]\n", true),
            ("  mode: decide\n  decide:\n    allow: [respond]\n", false),
            ("  mode: nothing\n", false),
        ] {
            let folder = try TemporaryFolder([
                "config/agents/desk.yaml": agent(support),
                ProjectFile.path:
                    "platforms:\n  production: {provider: vapi, url: env/VAPI_URL, token: env/VAPI_TOKEN}\ndefault: production\n",
            ])
            let result = try ConfigValidator(root: folder.url).validate()
            let found = result.report.diagnostics.filter { $0.rule == .providerUnsupported }
            #expect(found.count == (warned ? 1 : 0), "\(support): \(result.report.diagnostics)")
            guard let warning = found.first else { continue }
            #expect(warning.severity == .warning)
            #expect(warning.location.line == 3 && warning.location.column == 19, "at messages: \(warning.location)")
            #expect(warning.message.contains("cannot express a flag on the messages channel"))
            #expect(warning.hint?.contains("never becomes a ticket") == true)
        }
    }

    /// A name cut to Vapi's 40 code points keeps whole characters: a flag
    /// (two code points) at the limit is left out, not split.
    @Test func aNameCutToTheLimitKeepsWholeCharacters() {
        let name = String(repeating: "a", count: 39) + "🇪🇸"
        #expect(name.unicodeScalars.count == 41)
        var settings = AgentSettings(
            id: "desk", name: name, channels: [.calls], support: SupportSettings(mode: .nothing))
        let (expressed, notes) = ProviderSupport.vapi.expressed(settings)
        #expect(expressed.name == String(repeating: "a", count: 39))
        #expect(notes.count == 1)
        settings.name = String(repeating: "é", count: 41)
        #expect(ProviderSupport.vapi.expressed(settings).settings.name == String(repeating: "é", count: 40))
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
