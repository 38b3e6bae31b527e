import Foundation
import YAML

/// `supportsync init`: scaffolds config/ (defaults and one example agent
/// per mode), tickets/, the CI workflow, the editor schemas and settings and
/// the `.gitignore` entry for the local state, in an empty or existing
/// folder, never overwriting a file. `check()` compares what a repository
/// has with what this version writes.
public struct Scaffold: Sendable {
    /// One file the scaffold writes.
    public struct File: Sendable, Hashable {
        /// Relative to the repository root, `/`-separated.
        public var path: String
        public var text: String

        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    /// What happened to one file.
    public enum Outcome: String, Sendable, Codable {
        /// Written: it did not exist.
        case created
        /// Left as it was: it exists.
        case kept
        /// Not written: `config/defaults.yaml`, the example agents and their scenarios when
        /// config/agents/ already has agents; a path a symbolic link leads out of the repository.
        case skipped
        /// An existing `.gitignore` that lacked the entry: the entry was appended.
        case updated
        /// Could not be written (the note says why); the other files were.
        case failed
    }

    public struct Entry: Sendable, Hashable, Codable {
        public var path: String
        public var outcome: Outcome
        /// Why it was kept or what was added, when that is not plain.
        public var note: String?
    }

    public static let workflowPath = ".github/workflows/supportsync.yml"
    /// GitLab CI's pipeline: a team's own, which `init` neither writes nor compares.
    public static let gitlabPipelinePath = ".gitlab-ci.yml"
    public static let gitignorePath = ".gitignore"
    /// What `.gitignore` must hold: the local platform's database is local state.
    public static let ignoreEntry = ".supportsync/"
    /// The schemas editors read, next to the config they describe.
    public static let agentSchemaPath = "config/schemas/agent.schema.json"
    public static let ticketSchemaPath = "config/schemas/ticket.schema.json"
    public static let vscodeSettingsPath = ".vscode/settings.json"
    public static let vscodeExtensionsPath = ".vscode/extensions.json"
    /// The branch a workflow is written for outside a git repository.
    public static let defaultBranch = "main"

    /// The published action at this version: what a new workflow uses.
    public static var publishedAction: String { "supportsync/supportsync@v\(SupportSyncVersion.current)" }

    /// The example agents, one per mode, keyed by their paths.
    public static let exampleAgents: [File] = [
        File(path: "config/agents/store-info.yaml", text: nothingAgentTemplate),
        File(path: "config/agents/returns-chat.yaml", text: flagAgentTemplate),
        File(path: "config/agents/billing-line.yaml", text: escalateAgentTemplate),
        File(path: "config/agents/concierge.yaml", text: decideAgentTemplate),
    ]

    /// The workflow for `branch`, using the action at `action`
    /// (`owner/supportsync@tag`, or `./` in this repository) and its
    /// pull-request comment action beside it.
    public static func workflow(action: String? = nil, branch: String = defaultBranch) -> String {
        let action = action ?? publishedAction
        return
            workflowTemplate
            .replacingOccurrences(of: "%VERSION%", with: SupportSyncVersion.current)
            // Quoted where YAML would read it as another type (`1.10` a
            // number, `null`, `true`), as the ticket writer quotes.
            .replacingOccurrences(of: "%BRANCH_VALUE%", with: YAMLWriter.scalar(branch, flow: true))
            .replacingOccurrences(of: "%BRANCH%", with: branch)
            .replacingOccurrences(of: "%COMMENT_ACTION%", with: commentAction(for: action))
            .replacingOccurrences(of: "%ACTION%", with: action)
    }

    /// The comment action that ships beside `action`: `./comment` beside
    /// `./`, `owner/repo/comment@ref` beside `owner/repo@ref`.
    public static func commentAction(for action: String) -> String {
        if action.hasPrefix("./") {
            return action.hasSuffix("/") ? action + "comment" : action + "/comment"
        }
        guard let at = action.firstIndex(of: "@") else { return action + "/comment" }
        return String(action[..<at]) + "/comment" + String(action[at...])
    }

    /// Whether `action` can go on a `uses:` line as it is: `owner/repo@ref`,
    /// `owner/repo/path@ref` or a local `./path`.
    public static func isValidAction(_ action: String) -> Bool {
        action.range(
            of: #"^(\./[A-Za-z0-9._/-]*|[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[A-Za-z0-9_./-]+)$"#,
            options: .regularExpression) != nil
    }

    /// Whether `branch` can be written into the workflow as it is.
    public static func isValidBranch(_ branch: String) -> Bool {
        branch.range(of: #"^[A-Za-z0-9._/-]{1,200}$"#, options: .regularExpression) != nil
            && !branch.hasPrefix("/") && !branch.hasSuffix("/") && !branch.contains("..")
    }

    /// A schema as `supportsync schema --draft 7` prints it: the dialect
    /// yaml-language-server reads without a warning.
    public static var agentSchemaText: String { AgentSchema.document(draft: .draft7).prettyPrinted() }
    public static var ticketSchemaText: String { TicketSchema.document(draft: .draft7).prettyPrinted() }

    /// Maps the schemas to the files they describe, for the YAML extension.
    public static let vscodeSettings = """
        {
          "yaml.schemas": {
            "./\(agentSchemaPath)": ["config/agents/*.yaml"],
            "./\(ticketSchemaPath)": ["tickets/**/*.yaml"]
          }
        }

        """

    public static let vscodeExtensions = """
        {
          "recommendations": ["redhat.vscode-yaml"]
        }

        """

    /// The files whose content belongs to a version of supportsync (the
    /// workflow and the schemas): `--check` compares them with what this
    /// version writes.
    public static let versionedPaths = [workflowPath, agentSchemaPath, ticketSchemaPath]

    public let root: URL
    public let action: String
    public let branch: String

    /// - Parameters:
    ///   - root: the folder to scaffold (it must exist).
    ///   - action: what the workflow's `uses:` names; nil for the published action at this version.
    ///   - branch: the branch the sync job runs on; nil for main (`detectBranch`
    ///     finds a repository's).
    public init(root: URL, action: String? = nil, branch: String? = nil) {
        self.root = root.standardizedFileURL
        self.action = action ?? Self.publishedAction
        self.branch = branch ?? Self.defaultBranch
    }

    /// Every file `init` writes, in the order it reports them.
    func files() -> [File] {
        [
            File(path: "\(TicketPaths.folder)/.gitkeep", text: ""),
            File(path: Self.workflowPath, text: Self.workflow(action: action, branch: branch)),
            File(path: Self.agentSchemaPath, text: Self.agentSchemaText),
            File(path: Self.ticketSchemaPath, text: Self.ticketSchemaText),
            File(path: Self.vscodeSettingsPath, text: Self.vscodeSettings),
            File(path: Self.vscodeExtensionsPath, text: Self.vscodeExtensions),
        ]
    }

    /// Writes every file that does not exist yet; reports each one.
    public func run() throws -> [Entry] {
        var entries: [Entry] = []
        // A config/ already in use gets no defaults and no examples: the next
        // sync would apply them to the platform's agents.
        let existingAgents = agentFiles().count
        let config =
            [File(path: ConfigValidator.defaultsFile, text: Self.defaultsTemplate)] + Self.exampleAgents
            + Self.exampleScenarios
        for file in config {
            if existingAgents > 0 && !exists(file.path) {
                entries.append(
                    Entry(
                        path: file.path, outcome: .skipped,
                        note: "config/agents/ already has \(existingAgents) agent file\(existingAgents == 1 ? "" : "s")"
                    ))
            } else {
                entries.append(attempt(file))
            }
        }
        for file in files() {
            // One sync workflow: a second, outside the first's concurrency
            // group, would sync at the same time and fail to push.
            if file.path == Self.workflowPath, !exists(file.path), let other = Self.otherSyncWorkflow(root: root) {
                entries.append(
                    Entry(path: file.path, outcome: .skipped, note: "\(other) already runs supportsync sync"))
                continue
            }
            entries.append(attempt(file))
        }
        do {
            entries.append(try ignoreLocalState())
        } catch {
            entries.append(Entry(path: Self.gitignorePath, outcome: .failed, note: error.reason))
        }
        return entries
    }

    /// `write(file)`, or the file as failed with why: one path that cannot
    /// be written (a file where a folder goes) does not stop the others.
    private func attempt(_ file: File) -> Entry {
        do {
            return try write(file)
        } catch {
            return Entry(path: file.path, outcome: .failed, note: error.reason)
        }
    }

    /// The first part of `path`'s folders that exists as something other
    /// than a folder (a file named `tickets`, `.github`), if any.
    private func blockingFile(on path: String) -> String? {
        let parts = path.split(separator: "/").dropLast()
        var prefix = ""
        for part in parts {
            prefix += prefix.isEmpty ? String(part) : "/" + part
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url(prefix).path, isDirectory: &isDirectory) {
                if !isDirectory.boolValue { return prefix }
            } else {
                return nil
            }
        }
        return nil
    }

    /// Another workflow of the repository at `root` that runs `supportsync
    /// sync` (`supportsync.yaml`, say, written by hand or by another name),
    /// by its path: one with a line that runs it for real (not in a
    /// comment, not a dry run).
    /// GitLab's pipeline (`.gitlab-ci.yml`, as the README shows it) counts too.
    public static func otherSyncWorkflow(root: URL) -> String? {
        let folder = (workflowPath as NSString).deletingLastPathComponent
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
        return (names.sorted().map { folder + "/" + $0 } + [gitlabPipelinePath]).lazy.first { path in
            guard path != workflowPath, path.hasSuffix(".yml") || path.hasSuffix(".yaml"),
                let data = try? read(path, root: root).get()
            else { return false }
            return String(decoding: data, as: UTF8.self).split(separator: "\n").contains { line in
                let text = line.drop { $0 == " " || $0 == "\t" }
                return !text.hasPrefix("#") && text.contains("supportsync sync") && !text.contains("--dry-run")
            }
        }
    }

    /// The sync workflow the repository uses: `init`'s, else the team's own
    /// by another name, else `init`'s path (missing).
    public static func syncWorkflow(root: URL) -> String {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(workflowPath).path)
            ? workflowPath : otherSyncWorkflow(root: root) ?? workflowPath
    }

    public func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// A file of the repository as `init` and `validate` read it, through
    /// `RepositoryFile`: a regular file inside the repository, at most 1 MiB
    /// (a workflow linked to `/dev/zero`, or a FIFO, is no file to read).
    public static func read(_ path: String, root: URL) -> Result<[UInt8], RepositoryFile.Failure> {
        RepositoryFile.read(root.appendingPathComponent(path).path, root: root.path, limit: 1 << 20)
    }

    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: url(path).path) }

    private func agentFiles() -> [String] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: url(ConfigValidator.agentsDirectory).path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
    }

    /// Whether writing `path` stays in the repository: its deepest part
    /// that exists (the file, else its folder, else theirs), with every
    /// symbolic link on the way resolved, is the root or under it. A
    /// repository a person cloned can hold links out of it (`config/schemas`
    /// to elsewhere, `.gitignore` to a file of another project).
    private func staysInside(_ path: String) -> Bool {
        let top = root.resolvingSymlinksInPath().path
        var probe = url(path)
        // A link counts as there even when it leads nowhere (`attributesOfItem` does not follow it).
        while (try? FileManager.default.attributesOfItem(atPath: probe.path)) == nil, probe.path.count > root.path.count
        {
            probe = probe.deletingLastPathComponent()
        }
        // A link that leads nowhere could lead anywhere once its target is made: not followed.
        if !FileManager.default.fileExists(atPath: probe.path) { return false }
        let real = probe.resolvingSymlinksInPath().path
        return real == top || real.hasPrefix(top == "/" ? "/" : top + "/")
    }

    private func outside(_ path: String) -> Entry {
        Entry(
            path: path, outcome: .skipped,
            note: "a symbolic link on its path leads outside the repository, or nowhere: init writes nothing there")
    }

    private func write(_ file: File) throws(ScaffoldError) -> Entry {
        if exists(file.path) { return Entry(path: file.path, outcome: .kept, note: "it exists") }
        guard staysInside(file.path) else { return outside(file.path) }
        if let blocking = blockingFile(on: file.path) {
            throw ScaffoldError(path: file.path, reason: "\(blocking) is a file, where a folder goes")
        }
        let target = url(file.path)
        do {
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            // Never replaces a file that appeared meanwhile.
            try Data(file.text.utf8).write(to: target, options: .withoutOverwriting)
        } catch {
            if exists(file.path) { return Entry(path: file.path, outcome: .kept, note: "it exists") }
            throw ScaffoldError(path: file.path, reason: "\(error.localizedDescription)")
        }
        return Entry(path: file.path, outcome: .created)
    }

    /// Adds `.supportsync/` to `.gitignore` unless an entry already ignores it.
    private func ignoreLocalState() throws(ScaffoldError) -> Entry {
        let path = Self.gitignorePath
        let block = "# supportsync: local state (the local platform's database)\n\(Self.ignoreEntry)\n"
        let data: [UInt8]
        switch Self.read(path, root: root) {
        case .success(let bytes): data = bytes
        // None yet (a dangling link is none: writing through it is refused).
        case .failure where !exists(path): return try write(File(path: path, text: block))
        case .failure(let failure):
            guard staysInside(path) else { return outside(path) }
            throw ScaffoldError(path: path, reason: failure.description)
        }
        let text = String(decoding: data, as: UTF8.self)
        let ignored = text.split(whereSeparator: \.isNewline).contains { line in
            [".supportsync", ".supportsync/", "/.supportsync", "/.supportsync/", ".supportsync/*", "/.supportsync/*"]
                .contains(line.trimmingCharacters(in: .whitespaces))
        }
        if ignored { return Entry(path: path, outcome: .kept, note: "it already ignores \(Self.ignoreEntry)") }
        guard staysInside(path) else { return outside(path) }
        let separator = text.isEmpty || text.hasSuffix("\n") ? "" : "\n"
        do {
            let handle = try FileHandle(forWritingTo: url(path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((separator + (text.isEmpty ? "" : "\n") + block).utf8))
        } catch {
            throw ScaffoldError(path: path, reason: "\(error.localizedDescription)")
        }
        return Entry(path: path, outcome: .updated, note: "added \(Self.ignoreEntry)")
    }
}

/// A file `init` could not write (exit 3).
public struct ScaffoldError: UserError {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write \(path): \(reason)" }
    public var exitStatus: ExitStatus { .failure }
}
