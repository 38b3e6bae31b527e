import Foundation
import LocalPlatform
import SupportSync
import TestSupport
import Testing

/// An agent edited on the platform (a dashboard) since the last apply: plan
/// and sync name it and the fields they put back; a config change alone does not.
@Suite("drift named, end to end")
struct DriftTests {
    @Test func aDashboardEditIsNamedWhenPutBack() async throws {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "main"], in: folder.url)
        #expect(try Executable.run(["init"], in: folder.url).status == 0)
        try WitnessGit.run(["add", "-A"], in: folder.url)
        try WitnessGit.run(["commit", "-q", "-m", "Add supportsync"], in: folder.url)
        #expect(try Executable.run(["sync", "--platform", "local"], in: folder.url).status == 0)
        let base = try WitnessGit.run(["rev-parse", "refs/supportsync/platform"], in: folder.url)

        // A sync that changes nothing records nothing new.
        #expect(try Executable.run(["sync", "--platform", "local"], in: folder.url).status == 0)
        #expect(try WitnessGit.run(["rev-parse", "refs/supportsync/platform"], in: folder.url) == base)

        // Someone raises the ring time on the platform's dashboard.
        let platform = try LocalPlatform(path: LocalPlatform.defaultPath(root: folder.url))
        let live = try #require(try await platform.agent(id: "billing-line"))
        var edited = live.settings
        edited.support.escalate?.ringTimeout = 45
        _ = try await platform.putAgent(id: "billing-line", AgentWrite(edited), expecting: .revision(live.version))

        let plan = try Executable.run(["plan", "--platform", "local"], in: folder.url)
        #expect(
            plan.stdout.contains(
                "~ update billing-line\n    edited on the platform since the last apply; apply puts back: support.escalate.ring_timeout\n"
            ), "\(plan.stdout)")
        // The dry run says it too (and, like the run, in JSON's plan).
        let dry = try Executable.run(["sync", "--dry-run", "--platform", "local"], in: folder.url)
        #expect(
            dry.stdout.contains(
                "agent billing-line was edited on the platform since the last apply; the run would put back: support.escalate.ring_timeout"
            ), "\(dry.stdout)")
        let dryJSON = try ticketJSON(
            try Executable.run(["sync", "--dry-run", "--platform", "local", "--format", "json"], in: folder.url).stdout)
        let planned = try #require(dryJSON["planned_agents"] as? [String: Any])
        let putBack = try #require(planned["put_back"] as? [[String: Any]])
        #expect(putBack.first?["id"] as? String == "billing-line", "\(planned)")
        #expect(putBack.first?["fields"] as? [String] == ["support.escalate.ring_timeout"], "\(planned)")
        let sync = try Executable.run(["sync", "--platform", "local"], in: folder.url)
        #expect(
            sync.stdout.contains(
                "agent billing-line was edited on the platform since the last apply; put back: support.escalate.ring_timeout"
            ), "\(sync.stdout)")
        #expect(try await platform.agent(id: "billing-line")?.settings.support.escalate?.ringTimeout == 25)

        // A change made in config/ is no drift.
        let file = folder.url.appendingPathComponent("config/agents/billing-line.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "ring_timeout: 25", with: "ring_timeout: 20").utf8).write(to: file)
        let changed = try Executable.run(["plan", "--platform", "local", "--format", "json"], in: folder.url)
        let document = try ticketJSON(changed.stdout)
        let agent = try #require(
            (document["agents"] as? [[String: Any]])?.first { $0["id"] as? String == "billing-line" })
        #expect(agent["action"] as? String == "update")
        #expect(agent["drift"] == nil || agent["drift"] is NSNull, "\(agent)")

        // A lock a killed command left keeps the record from moving: said,
        // since the next plan would take this apply's write for an edit.
        let lock = folder.url.appendingPathComponent(".git/refs/supportsync/platform.lock")
        #expect(FileManager.default.createFile(atPath: lock.path, contents: Data()))
        let locked = try Executable.run(["apply", "--platform", "local"], in: folder.url)
        #expect(locked.status == 0, "\(locked.stderr)")
        #expect(
            locked.stdout.contains("warning: what was applied could not be recorded in refs/supportsync/platform"),
            "\(locked.stdout)")
        #expect(locked.stdout.contains("platform.lock exists"), "\(locked.stdout)")
    }

    /// The record is of the platform applied to: a change applied to
    /// another platform under the same environment name (another --db) is
    /// no edit made on this one, and a record of an earlier version
    /// (settings alone) is still read.
    @Test func whatWasAppliedElsewhereIsNoEditHere() throws {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "main"], in: folder.url)
        #expect(try Executable.run(["init"], in: folder.url).status == 0)
        try WitnessGit.run(["add", "-A"], in: folder.url)
        try WitnessGit.run(["commit", "-q", "-m", "Add supportsync"], in: folder.url)
        let first = ["--platform", "local", "--db", folder.url.appendingPathComponent("a.sqlite").path]
        let second = ["--platform", "local", "--db", folder.url.appendingPathComponent("b.sqlite").path]
        let file = folder.url.appendingPathComponent("config/agents/billing-line.yaml")
        func ringFor(_ seconds: Int) throws {
            let text = try String(contentsOf: file, encoding: .utf8)
            let edited = text.replacingOccurrences(
                of: #"ring_timeout: \d+"#, with: "ring_timeout: \(seconds)", options: .regularExpression)
            try Data(edited.utf8).write(to: file)
        }
        #expect(try Executable.run(["apply"] + first, in: folder.url).status == 0)
        try ringFor(30)
        #expect(try Executable.run(["apply"] + second, in: folder.url).status == 0)
        try ringFor(35)
        let plan = try Executable.run(["plan"] + first, in: folder.url)
        #expect(plan.stdout.contains("~ update billing-line"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("edited on the platform"), "\(plan.stdout)")
        let record = try WitnessGit.run(
            ["cat-file", "-p", "refs/supportsync/platform:supportsync-applied/default/billing-line.json"],
            in: folder.url)
        #expect(record.contains("\"platform_instance\""), "\(record)")
        #expect(record.contains("\"ring_timeout\" : 30"), "\(record)")
    }
}
