import Foundation
import LocalPlatform
import SupportSync
import TestSupport
import Testing

/// `supportsync sync` against the local platform: its report as JSON, the
/// report kept when a later step refuses, and the retry budget variable.
@Suite struct SyncCommandTests {
    /// A repository made by `init` and committed, whose local platform has
    /// the example agents and one ticket pulled.
    private func repositoryWithATicket() async throws -> (TemporaryFolder, LocalPlatform, String) {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "main"], in: folder.url)
        #expect(try Executable.run(["init"], in: folder.url).status == 0)
        try WitnessGit.run(["add", "-A"], in: folder.url)
        try WitnessGit.run(["commit", "-q", "-m", "Add supportsync"], in: folder.url)
        #expect(try Executable.run(["sync", "--platform", "local"], in: folder.url).status == 0)
        let platform = try LocalPlatform(path: LocalPlatform.defaultPath(root: folder.url))
        let ticket = try await platform.createTicket(
            TicketDraft(agent: "returns-chat", channel: .messages, conversation: "conv_1", reason: "Broken kettle"),
            idempotencyKey: nil)
        let pulled = try Executable.run(["sync", "--platform", "local"], in: folder.url)
        #expect(pulled.status == 0, "\(pulled.stdout)\(pulled.stderr)")
        return (folder, platform, ticket.id)
    }

    /// A run stopped before it has a report (no platform named in CI) still
    /// says why in the job summary, which would otherwise stay blank.
    @Test func aRunStoppedBeforeSyncingSaysWhyInTheJobSummary() throws {
        let folder = try TemporaryFolder()
        #expect(try Executable.run(["init"], in: folder.url).status == 0)
        let summary = folder.url.appendingPathComponent("summary.md")
        try Data("# earlier step\n".utf8).write(to: summary)
        let result = try Executable.run(
            ["sync", "--summary-file", summary.path], in: folder.url,
            environment: ["CI": "true", "SUPPORTSYNC_PLATFORM": ""])
        #expect(result.status == 64, "\(result.stdout)\(result.stderr)")
        let written = try String(contentsOf: summary, encoding: .utf8)
        #expect(written.hasPrefix("# earlier step\n### supportsync sync\n"), "\(written)")
        #expect(written.contains("- failed: stopped before syncing: "), "\(written)")
    }

    @Test func formatJSONIsOneDocumentNamingWhatChanged() async throws {
        let (folder, platform, _) = try await repositoryWithATicket()
        let second = try await platform.createTicket(
            TicketDraft(agent: "concierge", channel: .calls, conversation: "conv_2", reason: "Lost order"),
            idempotencyKey: nil)
        let result = try Executable.run(["sync", "--platform", "local", "--format", "json"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["dry_run"] as? Bool == false)
        let agents = try #require(document["agents"] as? [String: Any])
        #expect(agents["unchanged"] as? [String] == ["billing-line", "concierge", "returns-chat", "store-info"])
        let tickets = try #require(document["tickets"] as? [String: Any])
        #expect(tickets["new"] as? [String] == [second.id])
        #expect(tickets["pushed"] as? [String] == [])
        #expect(document["failures"] as? [String] == [])
        #expect((tickets["diagnostics"] as? [Any])?.isEmpty == true)
        #expect(try Executable.run(["sync", "--format", "github"], in: folder.url).status == 64)
    }

    /// A ticket file that does not read is reported by sync, once, in text
    /// and in JSON, at its place; sync exits 1 and the rest still runs.
    @Test func anUnreadableTicketFileIsReportedOnceInTextAndJSON() async throws {
        let (folder, platform, id) = try await repositoryWithATicket()
        let ticket = try #require(
            FileManager.default.enumerator(atPath: folder.url.appendingPathComponent("tickets").path)?
                .compactMap { $0 as? String }.first { $0.hasSuffix("/\(id).yaml") })
        let path = "tickets/" + ticket
        let file = folder.url.appendingPathComponent(path)
        let text = try String(contentsOf: file, encoding: .utf8)
        try (text + "unknown_key: 1\n").write(to: file, atomically: true, encoding: .utf8)
        try WitnessGit.run(["commit", "-q", "-am", "Break a ticket"], in: folder.url)
        let second = try await platform.createTicket(
            TicketDraft(agent: "concierge", channel: .calls, conversation: "conv_2", reason: "Lost order"),
            idempotencyKey: nil)

        let result = try Executable.run(["sync", "--platform", "local", "--format", "json"], in: folder.url)
        #expect(result.status == 1, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let tickets = try #require(document["tickets"] as? [String: Any])
        #expect(tickets["new"] as? [String] == [second.id])
        let diagnostics = try #require(tickets["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1 && diagnostics.first?["file"] as? String == path, "\(diagnostics)")

        let plain = try Executable.run(["sync", "--platform", "local"], in: folder.url)
        #expect(plain.status == 1)
        let lines = plain.stdout.split(separator: "\n").filter { $0.contains("unreadable ticket file \(path):") }
        #expect(lines.count == 1, "\(plain.stdout)")
    }

    /// Agents applied before a pull refuses dirty paths are still reported,
    /// on stdout and in the summary file, and the exit status is the pull's.
    @Test func aRefusedPullStillReportsWhatWasApplied() async throws {
        let (folder, platform, id) = try await repositoryWithATicket()
        let path = try #require(
            try WitnessGit.run(["ls-files", "tickets"], in: folder.url).split(separator: "\n").first {
                $0.hasSuffix("\(id).yaml")
            })
        // A local edit of the ticket file, and a change on the platform the pull would write there.
        let file = folder.url.appendingPathComponent(String(path))
        try Data((try String(contentsOf: file, encoding: .utf8) + "# note\n").utf8).write(to: file)
        let current = try #require(try await platform.ticket(id: id))
        _ = try await platform.patchTicket(id: id, TicketPatch(priority: .urgent), expecting: current.version)
        // And an agent change to apply first.
        let agent = folder.url.appendingPathComponent("config/agents/store-info.yaml")
        try Data(
            try String(contentsOf: agent, encoding: .utf8).replacingOccurrences(
                of: "name: Store information", with: "name: Store desk"
            )
            .utf8
        ).write(to: agent)
        // The dry run says the pull would stop, and exits as the run does.
        let dry = try Executable.run(["sync", "--dry-run", "--platform", "local"], in: folder.url)
        #expect(dry.status == 1, "\(dry.stdout)\(dry.stderr)")
        #expect(dry.stdout.contains("failed: uncommitted changes on paths this command would write"), "\(dry.stdout)")
        let summary = folder.url.appendingPathComponent("summary.md")
        let result = try Executable.run(
            ["sync", "--platform", "local", "--summary-file", summary.path], in: folder.url)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("agents: 0 created, 1 updated: store-info"), "\(result.stdout)")
        #expect(result.stdout.contains("failed: uncommitted changes on paths this command would write"))
        let markdown = try String(contentsOf: summary, encoding: .utf8)
        #expect(markdown.contains("1 updated: store-info"))
        #expect(markdown.contains(String(path)))
    }

    @Test(arguments: ["soon", "-1", "3601", "nan"])
    func retryBudgetMustBeSeconds(_ value: String) throws {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "main"], in: folder.url)
        let result = try Executable.run(
            ["sync", "--platform", "http://127.0.0.1:9"], in: folder.url,
            environment: ["SUPPORTSYNC_TOKEN": "retry-token", "SUPPORTSYNC_RETRY_BUDGET": value])
        #expect(result.status == 64)
        #expect(result.stderr.contains("SUPPORTSYNC_RETRY_BUDGET=\(value)"), "\(result.stderr)")
    }

    @Test func aZeroRetryBudgetReportsAnUnreachablePlatformAtOnce() throws {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "main"], in: folder.url)
        #expect(try Executable.run(["init"], in: folder.url).status == 0)
        let start = Date()
        let result = try Executable.run(
            ["sync", "--platform", "http://127.0.0.1:9"], in: folder.url,
            environment: ["SUPPORTSYNC_TOKEN": "retry-token", "SUPPORTSYNC_RETRY_BUDGET": "0"])
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        // One attempt: no retry announced, none counted.
        #expect(!result.stderr.contains("retrying") && !result.stderr.contains("gave up after"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 30)
    }
}
