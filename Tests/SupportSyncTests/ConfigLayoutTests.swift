import Foundation
import TestSupport
import Testing

@testable import SupportSync

/// Where config/'s files are, and what each is named: nothing is passed
/// over unseen, and each problem says what to change in which file.
@Suite struct ConfigLayoutTests {
    static let agent = """
        agent: desk
        name: Desk
        channels: [calls]
        support:
          mode: nothing

        """

    /// A file named other than its agent: the hint offers the file's name
    /// as the id only when it can be one (an id is lower case).
    @Test func aFileNameThatIsNoIdIsNotOfferedAsOne() throws {
        let folder = try TemporaryFolder([
            "config/agents/Desk.yaml": Self.agent, "config/agents/front.yaml": Self.agent,
        ])
        let report = try ConfigValidator(root: folder.url).validate(paths: [
            folder.url.appendingPathComponent("config/agents/Desk.yaml").path
        ]).report
        #expect(report.diagnostics.map(\.hint) == ["rename the file to desk.yaml (Desk is no agent id)"])
        let other = try ConfigValidator(root: folder.url).validate(paths: [
            folder.url.appendingPathComponent("config/agents/front.yaml").path
        ]).report
        #expect(other.diagnostics.map(\.hint) == ["rename the file to desk.yaml, or set agent: front"])
    }

    /// A folder inside config/agents/ or config/tests/ is not read: one
    /// holding YAML files is said, so its agents and scenarios are never
    /// passed over unseen; one holding none is left alone.
    @Test func aFolderOfYAMLFilesInsideConfigIsSaid() throws {
        let folder = try TemporaryFolder([
            "config/agents/desk.yaml": Self.agent,
            "config/agents/billing/other.yaml": Self.agent,
            "config/agents/notes/README.md": "# notes\n",
            "config/tests/desk/open.yaml": "- {name: open, agent: desk, at: 2026-12-07T10:00, expect: transfer}\n",
        ])
        let report = try ConfigValidator(root: folder.url).validate().report
        let found = report.diagnostics.filter { $0.rule == .agentFileName }
        #expect(
            found.map { "\($0.location.file): \($0.message)" } == [
                "config/agents/billing: config/agents/billing/ holds YAML files that are not read: only files directly in config/agents/ are",
                "config/tests/desk: config/tests/desk/ holds YAML files that are not read: only files directly in config/tests/ are",
            ], "\(report.diagnostics)")
        #expect(
            found.first?.hint == "move them up into config/agents/ to use them, or out of config/ to keep them aside")
        // A folder kept aside (an archive) is a choice: warned, not an error.
        #expect(report.errorCount == 0 && report.warningCount == 2)
    }

    /// A copied file holds another file's id: the copy is told to take its
    /// own name's id (or go), the original only that the id is taken.
    @Test func aCopiedFileIsToldWhatToChange() throws {
        let folder = try TemporaryFolder([
            "config/agents/desk.yaml": Self.agent,
            "config/agents/front.yaml": Self.agent,
            "config/agents/Desk (copy).yaml": Self.agent,
        ])
        let report = try ConfigValidator(root: folder.url).validate().report
        let hints = Dictionary(
            uniqueKeysWithValues: report.diagnostics.map { ($0.location.file, "\($0.rule.rawValue): \($0.hint ?? "")") }
        )
        #expect(
            hints == [
                "config/agents/desk.yaml": "duplicate-agent: each agent has exactly one file",
                "config/agents/Desk (copy).yaml":
                    "duplicate-agent: each agent has exactly one file: give this one an id of its own (and its file that name), or delete it",
                "config/agents/front.yaml":
                    "duplicate-agent: each agent has exactly one file: this one is named front.yaml, so set agent: front, or delete it",
            ], "\(report.diagnostics)")
    }
}
