import Foundation
import TestSupport
import Testing

@testable import SupportSync

/// `supportsync init`, and the templates it writes: every example agent
/// validates clean, and the templates are this repository's own files, so
/// the two cannot drift apart.
@Suite struct InitCommandTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let scaffoldPaths = [
        "config/defaults.yaml", "config/agents/store-info.yaml", "config/agents/returns-chat.yaml",
        "config/agents/billing-line.yaml", "config/agents/concierge.yaml", "config/tests/billing-line.yaml",
        "config/tests/concierge.yaml", "config/tests/chat-agents.yaml", "tickets/.gitkeep",
        ".github/workflows/supportsync.yml", "config/schemas/agent.schema.json", "config/schemas/ticket.schema.json",
        ".vscode/settings.json", ".vscode/extensions.json", ".gitignore",
    ]

    // MARK: - The templates

    @Test func everyAgentTemplateValidatesCleanWithOneAgentPerMode() throws {
        let folder = try TemporaryFolder()
        try folder.write(ConfigValidator.defaultsFile, Scaffold.defaultsTemplate)
        for agent in Scaffold.exampleAgents { try folder.write(agent.path, agent.text) }
        let result = try ConfigValidator(root: folder.url).validate()
        #expect(result.report.diagnostics.isEmpty, "\(DiagnosticFormatter.text(result.report))")
        #expect(result.agents.count == Scaffold.exampleAgents.count)
        #expect(Set(result.agents.map(\.support.mode)) == Set(SupportMode.allCases))
        let escalating = try #require(result.agents.first { $0.support.mode == .escalate })
        #expect(escalating.support.escalate?.destinations.count == 2)
        #expect(escalating.support.escalate?.hours != nil)
    }

    @Test func eachAgentTemplateValidatesCleanOnItsOwn() throws {
        // Without defaults.yaml too: a user may delete it.
        for agent in Scaffold.exampleAgents {
            let folder = try TemporaryFolder()
            try folder.write(agent.path, agent.text)
            let result = try ConfigValidator(root: folder.url).validate()
            #expect(result.report.errorCount == 0, "\(agent.path): \(DiagnosticFormatter.text(result.report))")
            #expect(result.agents.count == 1)
        }
    }

    @Test func workflowTemplateIsThisRepositorysWorkflow() throws {
        let own = try String(
            contentsOf: Self.repositoryRoot.appendingPathComponent(Scaffold.workflowPath), encoding: .utf8)
        #expect(
            Scaffold.workflow(action: "./", branch: "main") == own,
            "copy .github/workflows/supportsync.yml into Scaffold+Templates.swift")
        #expect(!Scaffold.workflow().contains("%"), "every placeholder is filled")
        #expect(Scaffold.workflow().contains("uses: \(Scaffold.publishedAction)\n"))
    }

    @Test func editorFilesAreThisRepositorysOwn() throws {
        let files = [
            (Scaffold.agentSchemaPath, Scaffold.agentSchemaText),
            (Scaffold.ticketSchemaPath, Scaffold.ticketSchemaText),
            (Scaffold.vscodeSettingsPath, Scaffold.vscodeSettings),
            (Scaffold.vscodeExtensionsPath, Scaffold.vscodeExtensions),
        ]
        for (path, text) in files {
            let own = try String(contentsOf: Self.repositoryRoot.appendingPathComponent(path), encoding: .utf8)
            #expect(own == text, "run supportsync init in this repository to write \(path) anew")
        }
        let settings = try #require(
            try JSONSerialization.jsonObject(with: Data(Scaffold.vscodeSettings.utf8)) as? [String: Any])
        let schemas = try #require(settings["yaml.schemas"] as? [String: [String]])
        #expect(schemas["./config/schemas/agent.schema.json"] == ["config/agents/*.yaml"])
        #expect(schemas["./config/schemas/ticket.schema.json"] == ["tickets/**/*.yaml"])
    }

    @Test func configTemplatesAreThisRepositorysConfig() throws {
        let files =
            [Scaffold.File(path: ConfigValidator.defaultsFile, text: Scaffold.defaultsTemplate)]
            + Scaffold.exampleAgents + Scaffold.exampleScenarios
        for file in files {
            let own = try String(contentsOf: Self.repositoryRoot.appendingPathComponent(file.path), encoding: .utf8)
            #expect(file.text == own, "copy \(file.path) into Scaffold+Templates.swift")
        }
    }

    @Test func actionReplacesOnlyTheUsesLines() {
        let workflow = Scaffold.workflow(action: "acme/supportsync@v1.2.3")
        let uses = workflow.split(separator: "\n").filter { $0.contains("uses:") }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        #expect(
            uses == [
                "- uses: actions/checkout@v7", "- uses: acme/supportsync@v1.2.3",
                "uses: acme/supportsync/comment@v1.2.3", "uses: actions/create-github-app-token@v3",
                "- uses: actions/checkout@v7", "- uses: acme/supportsync@v1.2.3",
            ])
        #expect(!workflow.contains("uses: ./"))
        #expect(!workflow.contains("<owner>"))
        #expect(Scaffold.isValidAction("acme/supportsync@v1.2.3"))
        #expect(Scaffold.isValidAction("./"))
        #expect(!Scaffold.isValidAction("acme/supportsync"))
        #expect(!Scaffold.isValidAction("acme/x@v1\n  run: curl evil"))
    }

    // MARK: - The command

    @Test func scaffoldsAnEmptyFolderThatValidatesAndPrintsTheNextCommands() throws {
        let folder = try TemporaryFolder()
        let result = try Executable.run(["init"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        for path in Self.scaffoldPaths {
            #expect(result.stdout.contains("created \(path)\n"), "\(path) in:\n\(result.stdout)")
            #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(path).path), "\(path)")
        }
        let gitignore = try String(contentsOf: folder.url.appendingPathComponent(".gitignore"), encoding: .utf8)
        #expect(gitignore.split(separator: "\n").contains(".supportsync/"))
        // The next three commands, the git one starting with git init outside a repository.
        let next = try #require(result.stdout.components(separatedBy: "\nNext:\n").last)
        let commands = next.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(
            commands == [
                "supportsync validate", "git init && git add -A && git commit -m \"Add supportsync\"",
                "supportsync sync --platform local",
            ])
        let validate = try Executable.run(["validate", "--strict"], in: folder.url)
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
    }

    @Test func neverOverwritesAndReportsEachFileKept() throws {
        let folder = try TemporaryFolder()
        #expect(try Executable.run(["init"], in: folder.url).status == 0)
        // A user's edits, which a second init must keep byte for byte.
        let edited = "# mine\nsupport:\n  flag:\n    priority: high\n"
        try folder.write("config/defaults.yaml", edited)
        let before = try snapshot(folder.url)
        let again = try Executable.run(["init"], in: folder.url)
        #expect(again.status == 0, "\(again.stderr)")
        for path in Self.scaffoldPaths {
            #expect(again.stdout.contains("kept    \(path) ("), "\(path) in:\n\(again.stdout)")
        }
        #expect(try snapshot(folder.url) == before)
    }

    /// A symbolic link in the repository that leads out of it (a folder
    /// init writes into, `.gitignore` itself) is not written through: the
    /// file is skipped and said, the others are written, nothing lands
    /// outside. A link that stays inside is followed as any folder.
    @Test func neverWritesThroughALinkOutOfTheRepository() throws {
        let folder = try TemporaryFolder()
        let repo = folder.url.appendingPathComponent("repo")
        let elsewhere = folder.url.appendingPathComponent("elsewhere")
        for path in [repo.appendingPathComponent("config"), elsewhere, repo.appendingPathComponent("editor")] {
            try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        }
        let outsideIgnore = folder.url.appendingPathComponent("other-project.gitignore")
        try Data("build/\n".utf8).write(to: outsideIgnore)
        let fm = FileManager.default
        try fm.createSymbolicLink(
            atPath: repo.appendingPathComponent("config/schemas").path, withDestinationPath: "../../elsewhere")
        try fm.createSymbolicLink(
            atPath: repo.appendingPathComponent(".gitignore").path, withDestinationPath: outsideIgnore.path)
        try fm.createSymbolicLink(atPath: repo.appendingPathComponent(".vscode").path, withDestinationPath: "editor")
        // A link that leads nowhere (yet): not followed either.
        try fm.createSymbolicLink(
            atPath: repo.appendingPathComponent("tickets").path, withDestinationPath: "/nowhere/x")
        let result = try Executable.run(["init"], in: repo)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        for path in [Scaffold.agentSchemaPath, Scaffold.ticketSchemaPath, ".gitignore", "tickets/.gitkeep"] {
            #expect(
                result.stdout.contains("skipped \(path) (a symbolic link on its path leads outside the repository"),
                "\(path): \(result.stdout)")
        }
        #expect(try fm.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        #expect(try String(contentsOf: outsideIgnore, encoding: .utf8) == "build/\n")
        #expect(fm.fileExists(atPath: repo.appendingPathComponent("editor/settings.json").path), "\(result.stdout)")
        #expect(fm.fileExists(atPath: repo.appendingPathComponent("config/defaults.yaml").path))
    }

    /// A file where a folder goes stops only the files under it: the
    /// others are written, each listed, the failed ones with why (exit 3,
    /// also in JSON). A bare repository has no working tree: said (64).
    @Test func aFileWhereAFolderGoesFailsOnlyWhatIsUnderIt() throws {
        let folder = try TemporaryFolder()
        try folder.write(".github", "not a folder\n")
        try folder.write("tickets", "not a folder\n")
        let result = try Executable.run(["init"], in: folder.url)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains("failed  \(Scaffold.workflowPath) (.github is a file, where a folder goes)"),
            "\(result.stdout)")
        #expect(result.stdout.contains("failed  tickets/.gitkeep (tickets is a file, where a folder goes)"))
        #expect(result.stdout.contains("created config/defaults.yaml"), "\(result.stdout)")
        #expect(result.stdout.contains("created \(Scaffold.agentSchemaPath)"), "\(result.stdout)")
        #expect(result.stderr.contains("and 1 more (above)"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".gitignore").path))
        let json = try Executable.run(["init", "--format", "json"], in: folder.url)
        #expect(json.status == 3)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        let files = try #require(document["files"] as? [[String: Any]])
        #expect(files.filter { $0["outcome"] as? String == "failed" }.count == 2, "\(files)")

        let bare = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "--bare"], in: bare.url)
        let refused = try Executable.run(["init"], in: bare.url)
        #expect(refused.status == 64, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("is a bare repository, with no working tree"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bare.url.appendingPathComponent("tickets").path))
    }

    /// A GitLab pipeline that runs the sync (as the README shows) is the
    /// repository's sync: init writes no GitHub workflow beside it, and
    /// --check says it is the team's own rather than missing (exit 0).
    @Test func aGitLabPipelineThatSyncsIsTheOne() throws {
        let folder = try TemporaryFolder()
        try folder.write(
            ".gitlab-ci.yml",
            "supportsync-sync:\n  script:\n    - SUPPORTSYNC_TOKEN=\"$T\" supportsync sync --summary-file sync.md\n")
        let result = try Executable.run(["init"], in: folder.url)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains("skipped \(Scaffold.workflowPath) (.gitlab-ci.yml already runs supportsync sync)"),
            "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".github").path))
        let check = try Executable.run(["init", "--check"], in: folder.url)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("own      .gitlab-ci.yml (runs supportsync sync"), "\(check.stdout)")
        #expect(!check.stdout.contains("missing"), "\(check.stdout)")
        // A pipeline that only plans is no sync: init writes its workflow.
        let other = try TemporaryFolder()
        try other.write(".gitlab-ci.yml", "review:\n  script:\n    - supportsync sync --dry-run\n")
        #expect(try Executable.run(["init"], in: other.url).status == 0)
        #expect(FileManager.default.fileExists(atPath: other.url.appendingPathComponent(Scaffold.workflowPath).path))
    }

    @Test func inAnExistingRepositoryAddsOnlyWhatIsMissing() throws {
        let folder = try TemporaryFolder()
        try folder.write(
            "config/agents/front-desk.yaml",
            "agent: front-desk\nname: Front desk\nchannels: [calls]\nsupport:\n  mode: nothing\n")
        try folder.write(".gitignore", "node_modules")  // no final newline
        try folder.write(".github/workflows/supportsync.yml", "name: ours\n")
        let result = try Executable.run(["init", "--action", "acme/supportsync@v0.1.0"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        // config/ is in use: no defaults and no examples that the next sync would apply.
        #expect(result.stdout.contains("skipped config/defaults.yaml (config/agents/ already has 1 agent file)"))
        for agent in Scaffold.exampleAgents {
            #expect(result.stdout.contains("skipped \(agent.path)"))
            #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(agent.path).path))
        }
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("config/defaults.yaml").path))
        #expect(result.stdout.contains("created tickets/.gitkeep"))
        #expect(result.stdout.contains("kept    .github/workflows/supportsync.yml (it exists)"))
        #expect(result.stdout.contains("updated .gitignore (added .supportsync/)"))
        let gitignore = try String(contentsOf: folder.url.appendingPathComponent(".gitignore"), encoding: .utf8)
        #expect(gitignore.hasPrefix("node_modules\n"))
        #expect(gitignore.hasSuffix("\n.supportsync/\n"))
        #expect(
            try String(
                contentsOf: folder.url.appendingPathComponent(".github/workflows/supportsync.yml"), encoding: .utf8)
                == "name: ours\n")
    }

    /// A sync workflow of the team's own under another name: init adds no
    /// second one (it would sync at the same time, outside the first's
    /// concurrency group), and says why.
    @Test func aSyncWorkflowUnderAnotherNameIsTheOne() throws {
        let folder = try TemporaryFolder()
        try folder.write(
            ".github/workflows/supportsync.yaml", "jobs:\n  s:\n    steps:\n      - run: supportsync sync\n")
        try folder.write(".github/workflows/tests.yml", "jobs:\n  t:\n    steps:\n      - run: make test\n")
        let result = try Executable.run(["init"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "skipped .github/workflows/supportsync.yml (.github/workflows/supportsync.yaml already runs supportsync sync)"
            ),
            "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(Scaffold.workflowPath).path))
        // init --check takes it for the team's own, not a missing file.
        let check = try Executable.run(["init", "--check"], in: folder.url)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains(".github/workflows/supportsync.yaml"), "\(check.stdout)")
        // Written by an older version under that name: outdated, as at init's own path.
        try folder.write(
            ".github/workflows/supportsync.yaml",
            "# Written by supportsync 0.4.0 (supportsync init).\njobs:\n  s:\n    steps:\n      - run: supportsync sync\n"
        )
        let outdated = try Executable.run(["init", "--check"], in: folder.url)
        #expect(outdated.status == 1, "\(outdated.stdout)\(outdated.stderr)")
        let validate = try Executable.run(["validate"], in: folder.url)
        #expect(validate.stdout.contains(".github/workflows/supportsync.yaml:1:1: warning:"), "\(validate.stdout)")

        // A mention in a comment, or a dry run, is no sync workflow.
        for text in [
            "# TODO: run supportsync sync here\n", "jobs:\n  p:\n    steps:\n      - run: supportsync sync --dry-run\n",
        ] {
            let other = try TemporaryFolder()
            try other.write(".github/workflows/ci.yml", text)
            #expect(try Executable.run(["init"], in: other.url).status == 0)
            #expect(
                FileManager.default.fileExists(atPath: other.url.appendingPathComponent(Scaffold.workflowPath).path),
                "\(text)")
        }
    }

    @Test func actionOptionNamesThePublishedAction() throws {
        let folder = try TemporaryFolder()
        let result = try Executable.run(
            ["init", "--action", "acme/supportsync@v0.1.0", "--format", "json"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let files = try #require(document["files"] as? [[String: Any]])
        #expect(files.map { $0["path"] as? String } == Self.scaffoldPaths)
        #expect(files.allSatisfy { $0["outcome"] as? String == "created" })
        let workflow = try String(contentsOf: folder.url.appendingPathComponent(Scaffold.workflowPath), encoding: .utf8)
        #expect(workflow == Scaffold.workflow(action: "acme/supportsync@v0.1.0"))
        let bad = try Executable.run(["init", "--action", "not an action"], in: folder.url)
        #expect(bad.status == 64)
    }

    /// The three commands init prints, run as printed in a fresh repository:
    /// the first sync creates the example agents on the local platform, pulls
    /// nothing, and leaves git clean.
    @Test func theNextThreeCommandsWork() throws {
        let folder = try TemporaryFolder()
        try WitnessGit.run(["init", "-q", "-b", "main"], in: folder.url)
        let result = try Executable.run(["init"], in: folder.url)
        #expect(result.status == 0)
        #expect(result.stdout.contains("\n  git add -A && git commit -m \"Add supportsync\"\n"))
        #expect(try Executable.run(["validate"], in: folder.url).status == 0)
        try WitnessGit.run(["add", "-A"], in: folder.url)
        try WitnessGit.run(["commit", "-q", "-m", "Add supportsync"], in: folder.url)
        let head = try WitnessGit.run(["rev-parse", "HEAD"], in: folder.url)
        let sync = try Executable.run(["sync", "--platform", "local"], in: folder.url)
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        #expect(sync.stdout.contains("4 created: billing-line, concierge, returns-chat, store-info"))
        #expect(try WitnessGit.run(["rev-parse", "HEAD"], in: folder.url) == head, "nothing pulled, nothing committed")
        #expect(
            try WitnessGit.run(["status", "--porcelain"], in: folder.url).isEmpty,
            "the local platform's state is ignored")
    }

    // MARK: - Helpers

    private func snapshot(_ root: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[url.path] = try Data(contentsOf: url)
            }
        }
        return files
    }
}
