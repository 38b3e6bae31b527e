import Foundation
import TestSupport
import Testing

@testable import SupportSync

/// The workflow `init` writes runs where the repository lives: its default
/// branch, the published action, secrets only where they are used; and
/// `init --check` tells a repository whose files an older version wrote.
@Suite struct InitWorkflowTests {
    /// The lines of the workflow that name the branch.
    static func branchLines(_ workflow: String) -> [String] {
        workflow.split(separator: "\n").map(String.init).filter {
            ($0.contains("branches:") || $0.contains("refs/heads/") || $0.contains("BRANCH: "))
                && !$0.contains("$BRANCH")
        }
    }

    @Test(arguments: ["master", "main", "trunk"])
    func aRepositoryOnBranchGetsAWorkflowForIt(_ branch: String) throws {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", branch], in: folder.url)
        let result = try Executable.run(["init"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("syncs on branch \(branch) with \(Scaffold.publishedAction)"))
        let workflow = try String(contentsOf: folder.url.appendingPathComponent(Scaffold.workflowPath), encoding: .utf8)
        #expect(workflow == Scaffold.workflow(branch: branch))
        let lines = Self.branchLines(workflow)
        #expect(lines.count == 3, "\(lines)")
        for line in lines { #expect(line.contains(branch), "\(line)") }
        let other = branch == "main" ? "master" : "main"
        #expect(!workflow.contains("[\(other)]") && !workflow.contains("refs/heads/\(other)"))
    }

    @Test func theRemotesDefaultBranchWinsOverTheCurrentOne() throws {
        let folder = try TemporaryFolder()
        let origin = folder.url.appendingPathComponent("origin.git")
        let clone = folder.url.appendingPathComponent("clone")
        try WitnessGit.run(["init", "-q", "--bare", "-b", "develop", origin.path], in: folder.url)
        try WitnessGit.run(["init", "-q", "-b", "develop", clone.path], in: folder.url)
        try WitnessGit.run(["commit", "-q", "--allow-empty", "-m", "start"], in: clone)
        try WitnessGit.run(["remote", "add", "origin", origin.path], in: clone)
        try WitnessGit.run(["push", "-q", "origin", "develop"], in: clone)
        try WitnessGit.run(["remote", "set-head", "origin", "develop"], in: clone)
        try WitnessGit.run(["switch", "-q", "-c", "feature"], in: clone)
        #expect(try Executable.run(["init"], in: clone).status == 0)
        let workflow = try String(contentsOf: clone.appendingPathComponent(Scaffold.workflowPath), encoding: .utf8)
        #expect(workflow.contains("branches: [develop]"))
        // --branch overrides what is found.
        let explicit = try TemporaryFolder()
        #expect(try Executable.run(["init", "--branch", "release"], in: explicit.url).status == 0)
        let written = try String(
            contentsOf: explicit.url.appendingPathComponent(Scaffold.workflowPath), encoding: .utf8)
        #expect(written.contains("branches: [release]"))
        #expect(try Executable.run(["init", "--branch", "a b"], in: explicit.url).status == 64)
    }

    /// A branch YAML would read as another type (a number, null, a
    /// boolean) is quoted wherever the workflow gives it as a value, and
    /// `init --check` reads it back.
    @Test(arguments: ["1.10", "null", "true", "010"])
    func aBranchYAMLWouldReadAsAnotherTypeIsQuoted(_ branch: String) throws {
        let folder = try TemporaryFolder()
        #expect(try Executable.run(["init", "--branch", branch], in: folder.url).status == 0)
        let workflow = try String(contentsOf: folder.url.appendingPathComponent(Scaffold.workflowPath), encoding: .utf8)
        for value in ["branches: [\"\(branch)\"]", "ref: \"\(branch)\"", "BRANCH: \"\(branch)\""] {
            #expect(workflow.contains(value), "\(value)")
        }
        #expect(workflow.contains("github.ref == 'refs/heads/\(branch)'"))
        let check = try Executable.run(["init", "--check"], in: folder.url)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("current  \(Scaffold.workflowPath)\n"), "\(check.stdout)")
    }

    @Test func secretsReachOnlyTheSupportsyncSteps() throws {
        let workflow = Scaffold.workflow()
        // No workflow- or job-level env: only steps (indented 8 spaces) have one.
        let envLines = workflow.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces) == "env:" }
        #expect(!envLines.isEmpty)
        for line in envLines { #expect(line.hasPrefix("        env:"), "\(line)") }
        // Every step that gets the token runs supportsync itself.
        let steps = workflow.components(separatedBy: "\n      - ")
        let withToken = steps.filter { $0.contains("_TOKEN }}") }
        #expect(withToken.count == 2)
        for step in withToken {
            let run = step.components(separatedBy: "run:").last ?? ""
            #expect(run.contains("supportsync plan") || run.contains("supportsync sync"), "\(step)")
        }
        // Pull requests read; only the sync job may write; nothing reveals or erases.
        let plan = try #require(withToken.first { $0.contains("supportsync plan") })
        #expect(plan.contains("secrets.SUPPORTSYNC_READ_TOKEN"))
        let sync = try #require(withToken.first { $0.contains("supportsync sync") })
        #expect(sync.contains("secrets.SUPPORTSYNC_SYNC_TOKEN"))
        #expect(!workflow.contains("REVEAL") && !workflow.contains("ERASE"))
        #expect(!workflow.contains("uses: ./"))
        #expect(workflow.contains("repository_dispatch:"))
        #expect(workflow.contains("types: [supportsync-sync]"))
        // Off the hour: GitHub delays runs at minute 0.
        let cron = try #require(workflow.split(separator: "\n").first { $0.contains("cron:") })
        #expect(!cron.contains("\"0") && !cron.contains("*/15"), "\(cron)")
        #expect(workflow.contains("actions/create-github-app-token@v3"))
        #expect(workflow.contains("README: Protected branches"))
    }

    @Test func checkSaysCurrentOnAFreshScaffold() throws {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "master"], in: folder.url)
        #expect(
            try Executable.run(["init", "--action", "acme/supportsync@v\(SupportSyncVersion.current)"], in: folder.url)
                .status == 0)
        let check = try Executable.run(["init", "--check"], in: folder.url)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        for path in Scaffold.versionedPaths { #expect(check.stdout.contains("current  \(path)\n"), "\(check.stdout)") }
        #expect(!check.stdout.contains("@@"))
    }

    @Test func checkShowsTheDifferenceForAnOlderWorkflowAndAMissingSchema() throws {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "main"], in: folder.url)
        // The workflow 0.1 wrote, with its header and `uses: ./`.
        let old = Scaffold.workflowHeaderOf010 + "\nname: supportsync\non:\n  push:\n    branches: [main]\njobs: {}\n"
        try folder.write(Scaffold.workflowPath, old)
        try folder.write(Scaffold.agentSchemaPath, Scaffold.agentSchemaText)
        let check = try Executable.run(["init", "--check"], in: folder.url)
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        #expect(
            check.stdout.contains(
                "outdated \(Scaffold.workflowPath) (written by supportsync 0.1.0; this is \(SupportSyncVersion.current))"
            ))
        #expect(check.stdout.contains("--- a/\(Scaffold.workflowPath)\n+++ b/\(Scaffold.workflowPath)\n"))
        #expect(check.stdout.contains("\n-jobs: {}\n"))
        #expect(check.stdout.contains("\n+  repository_dispatch:\n"))
        #expect(check.stdout.contains("current  \(Scaffold.agentSchemaPath)\n"))
        #expect(check.stdout.contains("missing  \(Scaffold.ticketSchemaPath)"))
        // Nothing was written.
        let text = try String(contentsOf: folder.url.appendingPathComponent(Scaffold.workflowPath), encoding: .utf8)
        #expect(text == old)
        #expect(
            !FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(Scaffold.ticketSchemaPath).path))
        // validate warns about the older workflow, at its first line.
        let validate = try Executable.run(["validate", "--format", "json"], in: folder.url)
        #expect(validate.status == 0)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(validate.stdout.utf8)) as? [String: Any])
        let diagnostics = try #require(document["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?["rule"] as? String == "init-outdated")
        #expect(diagnostics.first?["file"] as? String == Scaffold.workflowPath)
        #expect(try Executable.run(["validate", "--strict"], in: folder.url).status == 1)
    }

    @Test func checkComparesAnEditedCurrentWorkflowWithoutFailing() throws {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "main"], in: folder.url)
        #expect(try Executable.run(["init"], in: folder.url).status == 0)
        let path = folder.url.appendingPathComponent(Scaffold.workflowPath)
        let edited = try String(contentsOf: path, encoding: .utf8) + "# our note\n"
        try Data(edited.utf8).write(to: path)
        let check = try Executable.run(["init", "--check", "--format", "json"], in: folder.url)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        let files = try #require(document["files"] as? [[String: Any]])
        let workflow = try #require(files.first { $0["path"] as? String == Scaffold.workflowPath })
        #expect(workflow["state"] as? String == "edited")
        #expect(workflow["written_by"] as? String == SupportSyncVersion.current)
        #expect((workflow["diff"] as? String)?.contains("\n-# our note") == true)
        #expect(try Executable.run(["validate", "--strict"], in: folder.url).status == 0)
    }

    @Test func theSchemaCommandPrintsWhatInitWrites() throws {
        let folder = try TemporaryFolder()
        let agent = try Executable.run(["schema", "--draft", "7"], in: folder.url)
        #expect(agent.status == 0)
        #expect(agent.stdout == Scaffold.agentSchemaText)
        #expect(agent.stdout.contains("\"$schema\" : \"http://json-schema.org/draft-07/schema#\""))
        let ticket = try Executable.run(["schema", "--ticket", "--draft", "7"], in: folder.url)
        #expect(ticket.stdout == Scaffold.ticketSchemaText)
        let current = try Executable.run(["schema"], in: folder.url)
        #expect(current.stdout.contains("https://json-schema.org/draft/2020-12/schema"))
        #expect(try Executable.run(["schema", "--draft", "4"], in: folder.url).status == 64)
    }
}

/// One version everywhere: the VERSION file the action and the release read,
/// what `--version` prints, and the CHANGELOG section a release publishes.
@Suite struct VersionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func versionFileBinaryAndChangelogAgree() throws {
        let file = try String(contentsOf: Self.root.appendingPathComponent("VERSION"), encoding: .utf8)
        #expect(file == SupportSyncVersion.current + "\n")
        let printed = try Executable.run(["--version"], in: Self.root)
        #expect(printed.stdout == SupportSyncVersion.current + "\n")
        let changelog = try String(contentsOf: Self.root.appendingPathComponent("CHANGELOG.md"), encoding: .utf8)
        #expect(changelog.contains("\n## [\(SupportSyncVersion.current)]"))
        #expect(Scaffold.publishedAction == "supportsync/supportsync@v\(SupportSyncVersion.current)")
    }
}
