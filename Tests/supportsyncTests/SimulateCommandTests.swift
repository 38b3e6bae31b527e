import Foundation
import LocalPlatform
import SupportSync
import TestSupport
import Testing

/// `platform simulate` as a newcomer runs it: tickets from the
/// repository's own agents arrive through a server serving the same
/// database, pull, and pass validate and audit.
@Suite("platform simulate, end to end")
struct SimulateCommandTests {
    @Test func simulatedTicketsArriveThroughTheServerAndAuditClean() throws {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "main"], in: folder.url)
        #expect(try Executable.run(["init"], in: folder.url).status == 0)
        try WitnessGit.run(["add", "-A"], in: folder.url)
        try WitnessGit.run(["commit", "-q", "-m", "Add supportsync"], in: folder.url)
        #expect(try Executable.run(["sync", "--platform", "local"], in: folder.url).status == 0)

        let server = try TicketServer(database: LocalPlatform.defaultPath(root: folder.url))
        defer { server.stop() }
        let simulate = try Executable.run(
            [
                "platform", "simulate", "--seed", "5", "--conversations", "80", "--from", "2026-11-23", "--days", "7",
                "--format", "json",
            ], in: folder.url)
        #expect(simulate.status == 0, "\(simulate.stderr)")
        let report = try ticketJSON(simulate.stdout)
        // Named as every command that reaches a platform names it.
        #expect(simulate.stderr.hasPrefix("platform: local (.supportsync/platform.sqlite)\n"), "\(simulate.stderr)")
        #expect(report["platform"] as? String == "local (.supportsync/platform.sqlite)", "\(report)")
        let made = try #require(report["tickets"] as? [String])
        #expect(!made.isEmpty)
        let agents = try #require(report["agents"] as? [[String: Any]])
        #expect(agents.compactMap { $0["conversations"] as? Int }.reduce(0, +) == 80)

        // The server sees them at once: pull through it.
        let pull = try Executable.run(
            ["tickets", "pull", "--platform", server.url], in: folder.url, environment: server.environment("sync"))
        #expect(pull.status == 0, "\(pull.stdout)\(pull.stderr)")
        let listed = try jsonList(
            try Executable.run(["tickets", "list", "--format", "json"], in: folder.url).stdout, "tickets")
        #expect(Set(listed.compactMap { $0["id"] as? String }) == Set(made))
        // Dated when the conversations happened.
        #expect(
            listed.allSatisfy { ($0["created_at"] as? String).map { $0 >= "2026-11-22" && $0 < "2026-12-01" } == true })

        #expect(try Executable.run(["validate"], in: folder.url).status == 0)
        // A team edit of a simulated ticket audits clean.
        let pulled = try WitnessGit.run(["rev-parse", "HEAD"], in: folder.url).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let path = try #require(
            try WitnessGit.run(["ls-files", "tickets"], in: folder.url).split(separator: "\n").first {
                $0.hasSuffix("\(made[0]).yaml")
            })
        let file = folder.url.appendingPathComponent(String(path))
        let text = try String(contentsOf: file, encoding: .utf8)
        try Data(
            text.replacingOccurrences(of: "status: pending", with: "status: in_progress")
                .replacingOccurrences(of: "assignee: null", with: "assignee: ana").utf8
        ).write(to: file)
        try WitnessGit.run(["commit", "-q", "-am", "Take \(made[0])"], in: folder.url)
        let audit = try Executable.run(["audit", "--base", pulled], in: folder.url)
        #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
    }

    /// The closing hint says how to pull what was played, with this run's
    /// options; an environment that keeps no tickets in git says so.
    @Test func theClosingHintMatchesTheOptionsUsed() throws {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "main"], in: folder.url)
        #expect(try Executable.run(["init"], in: folder.url).status == 0)
        let database = folder.url.appendingPathComponent("other.sqlite").path
        #expect(try Executable.run(["apply", "--db", database], in: folder.url).status == 0)
        let played = try Executable.run(
            ["platform", "simulate", "--db", database, "--conversations", "5", "--seed", "1"], in: folder.url)
        #expect(played.status == 0, "\(played.stderr)")
        // What this run flagged, not what waits in all (a count of this run's).
        #expect(played.stderr.contains(" flagged: supportsync tickets pull"), "\(played.stderr)")
        #expect(
            played.stderr.contains(
                ": supportsync tickets pull --platform local --db \(database) brings them into tickets/"),
            "\(played.stderr)")
        // The hint works as written.
        let pulled = try Executable.run(["tickets", "pull", "--platform", "local", "--db", database], in: folder.url)
        #expect(pulled.status == 0, "\(pulled.stdout)\(pulled.stderr)")
        try folder.write(
            "supportsync.yaml",
            "platforms:\n  production: {provider: local, pull_tickets: true}\n  dev: {provider: local}\ndefault: production\n"
        )
        #expect(try Executable.run(["apply", "--env", "dev"], in: folder.url).status == 0)
        let dev = try Executable.run(
            ["platform", "simulate", "--env", "dev", "--conversations", "5", "--seed", "1"], in: folder.url)
        #expect(dev.status == 0, "\(dev.stderr)")
        #expect(
            dev.stderr.contains("(environment dev keeps no tickets in git: its pull_tickets is not true)"),
            "\(dev.stderr)")
    }

    @Test func badOptionsAreUsageErrors() throws {
        let folder = try TemporaryFolder()
        #expect(try Executable.run(["platform", "simulate", "--from", "2026-02-30"], in: folder.url).status == 64)
        #expect(try Executable.run(["platform", "simulate", "--days", "0"], in: folder.url).status == 64)
        // A window past year 9999: said, not a crash.
        for window in [["--from", "9999-12-31"], ["--from", "9999-12-28", "--days", "7"]] {
            let late = try Executable.run(["platform", "simulate"] + window, in: folder.url)
            #expect(late.status == 64, "\(window): \(late.stderr)")
            #expect(late.stderr.contains("ends after 9999-12-31"), "\(late.stderr)")
        }
        // No agents yet: a clear error, nothing made (not even an empty database).
        let empty = try Executable.run(["platform", "simulate"], in: folder.url)
        #expect(empty.status == 3, "\(empty.stderr)")
        #expect(empty.stderr.contains("no agents"))
        let mistyped = folder.url.appendingPathComponent("nodir/typo.sqlite")
        let typo = try Executable.run(["platform", "simulate", "--db", mistyped.path], in: folder.url)
        #expect(typo.status == 3 && typo.stderr.contains("there is no local platform at"), "\(typo.stderr)")
        #expect(!FileManager.default.fileExists(atPath: mistyped.deletingLastPathComponent().path))
        #expect(!FileManager.default.fileExists(atPath: LocalPlatform.defaultPath(root: folder.url)))
    }

    /// An environment on another provider has no local database to play
    /// on: said (64), and no database is made in its place.
    @Test func anEnvironmentOnAnotherProviderIsRefused() throws {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "main"], in: folder.url)
        try folder.write(
            "supportsync.yaml",
            "platforms:\n  production:\n    provider: http\n    url: https://support.example.com\ndefault: production\n"
        )
        for arguments in [["platform", "simulate"], ["platform", "simulate", "--env", "production"]] {
            let result = try Executable.run(arguments, in: folder.url)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(
                result.stderr.contains("environment 'production' is on the http provider, not a local platform"),
                "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: LocalPlatform.defaultPath(root: folder.url)))
        // With --db, that file is played on, whatever the environment's provider.
        let named = try Executable.run(
            ["platform", "simulate", "--db", folder.url.appendingPathComponent("x.sqlite").path], in: folder.url)
        #expect(named.stderr.contains("no agents"), "\(named.stderr)")
    }
}
