import ArgumentParser
import Foundation
import Git
import SupportSync
import SupportSyncGit

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Scaffold config/, tickets/, the CI workflow, editor schemas and settings, never overwriting a file.",
        discussion: """
            Works in an empty or existing folder, git or not. Writes config/defaults.yaml and one example \
            agent per mode (both skipped when config/agents/ already has agents, so the next sync changes \
            nothing there), tickets/.gitkeep, .github/workflows/supportsync.yml for the repository's default \
            branch, the agent and ticket schemas in config/schemas/, .vscode/settings.json mapping them to \
            the files they describe and .vscode/extensions.json, and adds .supportsync/ to .gitignore. Each \
            file is reported as created, kept (it exists), skipped, or updated.

            --check writes nothing: it compares the workflow and the schemas with what this version writes \
            and prints the difference.

            Exit status: 0 done (with --check: nothing older than this version), 1 with --check: a file is \
            older than this version or missing, 3 a file could not be written, 64 usage.
            """
    )

    @OptionGroup var repository: RepositoryOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "What the workflow's 'uses:' names (default: \(Scaffold.publishedAction)).",
            valueName: "OWNER/REPO@REF"))
    var action: String?

    @Option(
        name: .long,
        help:
            "The branch the sync job runs on (default: the remote's default branch, else the current branch, else main)."
    )
    var branch: String?

    @Flag(name: .long, help: "Write nothing; compare the workflow and the schemas with what this version writes.")
    var check = false

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func validate() throws {
        if let action, !Scaffold.isValidAction(action) {
            throw ValidationError("--action \(action): expected OWNER/REPO@REF (or ./PATH)")
        }
        if let branch, !Scaffold.isValidBranch(branch) {
            throw ValidationError("--branch \(branch): expected a branch name such as main")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let root = try repository.root()
            let scaffold = Scaffold(root: root, action: action, branch: branch ?? Scaffold.detectBranch(root: root))
            return check ? try runCheck(scaffold) : try runInit(scaffold)
        }
    }

    private func runCheck(_ scaffold: Scaffold) throws -> ExitStatus {
        let comparisons = try scaffold.check(actionGiven: action != nil, branchGiven: branch != nil)
        if format == .json {
            struct Document: Encodable {
                var version: String
                var files: [Scaffold.Comparison]
            }
            print(
                JSONCoding.prettyString(Document(version: SupportSyncVersion.current, files: comparisons)),
                terminator: "")
        } else {
            for comparison in comparisons {
                let by = comparison.writtenBy.map { "written by supportsync \($0)" } ?? "no version marker"
                switch comparison.state {
                case .current: print("current  \(comparison.path)")
                case .missing: print("missing  \(comparison.path) (supportsync init writes it)")
                case .outdated: print("outdated \(comparison.path) (\(by); this is \(SupportSyncVersion.current))")
                case .edited: print("edited   \(comparison.path) (\(by), changed since)")
                }
                if !comparison.diff.isEmpty {
                    print(comparison.diff, terminator: comparison.diff.hasSuffix("\n") ? "" : "\n")
                }
            }
        }
        return comparisons.contains(where: \.needsUpdate) ? .needsAttention : .success
    }

    private func runInit(_ scaffold: Scaffold) throws -> ExitStatus {
        let entries = try scaffold.run()
        let inGit = (try? Repository.discover(from: scaffold.root.path)) != nil
        let next = [
            "supportsync validate",
            (inGit ? "" : "git init && ") + "git add -A && git commit -m \"Add supportsync\"",
            "supportsync sync --platform local",
        ]
        var notes: [String] = []
        let workflow = entries.first { $0.path == Scaffold.workflowPath }
        if workflow?.outcome == .created {
            notes.append("\(Scaffold.workflowPath) syncs on branch \(scaffold.branch) with \(scaffold.action)")
            notes.append(
                "in CI, set the repository secrets SUPPORTSYNC_PLATFORM (the platform's URL) and SUPPORTSYNC_TOKEN")
        } else if workflow?.outcome == .kept {
            notes.append(
                "\(Scaffold.workflowPath) exists: supportsync init --check compares it with what this version writes")
        }
        if format == .json {
            struct Document: Encodable {
                var files: [Scaffold.Entry]
                var branch: String
                var notes: [String]
                var next: [String]
            }
            print(
                JSONCoding.prettyString(Document(files: entries, branch: scaffold.branch, notes: notes, next: next)),
                terminator: "")
        } else {
            for entry in entries {
                let outcome = entry.outcome.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                print("\(outcome)\(entry.path)\(entry.note.map { " (\($0))" } ?? "")")
            }
            for note in notes { print("note: \(note)") }
            print("\nNext:")
            for command in next { print("  \(command)") }
        }
        return .success
    }
}
