import Foundation

/// `supportsync init`: scaffolds config/ (defaults and one example agent
/// per mode), tickets/, the CI workflow and the `.gitignore` entry for the
/// local state, in an empty or existing folder, never overwriting a file.
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
        /// Not written: `config/defaults.yaml` and the example agents when
        /// config/agents/ already has agents.
        case skipped
        /// An existing `.gitignore` that lacked the entry: the entry was appended.
        case updated
    }

    public struct Entry: Sendable, Hashable, Codable {
        public var path: String
        public var outcome: Outcome
        /// Why it was kept or what was added, when that is not plain.
        public var note: String?
    }

    public static let workflowPath = ".github/workflows/supportsync.yml"
    public static let gitignorePath = ".gitignore"
    /// What `.gitignore` must hold: the local platform's database is local state.
    public static let ignoreEntry = ".supportsync/"

    /// The example agents, one per mode, keyed by their paths.
    public static let exampleAgents: [File] = [
        File(path: "config/agents/store-info.yaml", text: nothingAgentTemplate),
        File(path: "config/agents/returns-chat.yaml", text: flagAgentTemplate),
        File(path: "config/agents/billing-line.yaml", text: escalateAgentTemplate),
        File(path: "config/agents/concierge.yaml", text: decideAgentTemplate),
    ]

    /// The workflow's line that uses the action, and the comment above it.
    static let actionLines = """
              # In your own repository: uses: <owner>/supportsync@<tag> (the published action).
              - uses: ./

        """

    /// The workflow, using the action at `action` (`owner/supportsync@tag`)
    /// instead of this repository's own `./` when given.
    public static func workflow(action: String?) -> String {
        guard let action else { return workflowTemplate }
        return workflowTemplate.replacingOccurrences(of: actionLines, with: "      - uses: \(action)\n")
    }

    /// Whether `action` can go on a `uses:` line as it is: `owner/repo@ref`,
    /// `owner/repo/path@ref` or a local `./path`.
    public static func isValidAction(_ action: String) -> Bool {
        action.range(
            of: #"^(\./[A-Za-z0-9._/-]*|[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[A-Za-z0-9_./-]+)$"#,
            options: .regularExpression) != nil
    }

    public let root: URL
    public let action: String?

    /// - Parameters:
    ///   - root: the folder to scaffold (it must exist).
    ///   - action: what the workflow's `uses:` names; nil keeps `./`.
    public init(root: URL, action: String? = nil) {
        self.root = root.standardizedFileURL
        self.action = action
    }

    /// Writes every file that does not exist yet; reports each one.
    public func run() throws -> [Entry] {
        var entries: [Entry] = []
        // A config/ already in use gets no defaults and no examples: the next
        // sync would apply them to the platform's agents.
        let existingAgents = agentFiles().count
        let config = [File(path: ConfigValidator.defaultsFile, text: Self.defaultsTemplate)] + Self.exampleAgents
        for file in config {
            if existingAgents > 0 && !exists(file.path) {
                entries.append(
                    Entry(
                        path: file.path, outcome: .skipped,
                        note: "config/agents/ already has \(existingAgents) agent file\(existingAgents == 1 ? "" : "s")"
                    ))
            } else {
                entries.append(try write(file))
            }
        }
        entries.append(try write(File(path: "\(TicketPaths.folder)/.gitkeep", text: "")))
        entries.append(try write(File(path: Self.workflowPath, text: Self.workflow(action: action))))
        entries.append(try ignoreLocalState())
        return entries
    }

    private func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: url(path).path) }

    private func agentFiles() -> [String] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: url(ConfigValidator.agentsDirectory).path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
    }

    private func write(_ file: File) throws -> Entry {
        if exists(file.path) { return Entry(path: file.path, outcome: .kept, note: "it exists") }
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
    private func ignoreLocalState() throws -> Entry {
        let path = Self.gitignorePath
        let block = "# supportsync: local state (the local platform's database)\n\(Self.ignoreEntry)\n"
        guard let data = FileManager.default.contents(atPath: url(path).path) else {
            return try write(File(path: path, text: block))
        }
        let text = String(decoding: data, as: UTF8.self)
        let ignored = text.split(whereSeparator: \.isNewline).contains { line in
            [".supportsync", ".supportsync/", "/.supportsync", "/.supportsync/", ".supportsync/*", "/.supportsync/*"]
                .contains(line.trimmingCharacters(in: .whitespaces))
        }
        if ignored { return Entry(path: path, outcome: .kept, note: "it already ignores \(Self.ignoreEntry)") }
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

    public var description: String { "cannot write \(path): \(reason)" }
    public var exitStatus: ExitStatus { .failure }
}
