import ArgumentParser
import Foundation
import Git
import SupportSync

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Scaffold config/, tickets/, the CI workflow and the .gitignore entry, never overwriting a file.",
        discussion: """
            Works in an empty or existing folder, git or not. Writes config/defaults.yaml and one example \
            agent per mode (both skipped when config/agents/ already has agents, so the next sync changes \
            nothing there), tickets/.gitkeep, .github/workflows/supportsync.yml, and adds .supportsync/ to \
            .gitignore. Each file is reported as created, kept (it exists), skipped, or updated (.gitignore \
            lacked the entry), then the next three commands to run.

            Exit status: 0 done, 3 a file could not be written, 64 usage.
            """
    )

    @OptionGroup var repository: RepositoryOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "What the workflow's 'uses:' names, e.g. OWNER/supportsync@v\(SupportSyncVersion.current) (default: ./, this repository's own action.yml).",
            valueName: "OWNER/REPO@REF"))
    var action: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if let action, !Scaffold.isValidAction(action) {
            throw ValidationError("--action \(action): expected OWNER/REPO@REF (or ./PATH)")
        }
        guard format != .github else { throw ValidationError("--format must be text or json") }
    }

    func run() async throws {
        try await reportingErrors {
            let root = try repository.root()
            let entries = try Scaffold(root: root, action: action).run()
            let inGit = (try? Repository.discover(from: root.path)) != nil
            let next = [
                "supportsync validate",
                (inGit ? "" : "git init && ") + "git add -A && git commit -m \"Add supportsync\"",
                "supportsync sync --platform local",
            ]
            var notes: [String] = []
            let workflow = entries.first { $0.path == Scaffold.workflowPath }
            let ownAction = FileManager.default.fileExists(atPath: root.appendingPathComponent("action.yml").path)
            if workflow?.outcome == .created && action == nil && !ownAction {
                notes.append(
                    "\(Scaffold.workflowPath) uses ./ (an action.yml in this repository): point 'uses:' at the published supportsync action, or run init with --action OWNER/supportsync@TAG"
                )
            }
            if workflow?.outcome == .created {
                notes.append(
                    "in CI, set the repository secrets SUPPORTSYNC_PLATFORM (the platform's URL) and SUPPORTSYNC_TOKEN")
            }
            if format == .json {
                struct Document: Encodable {
                    var files: [Scaffold.Entry]
                    var notes: [String]
                    var next: [String]
                }
                print(JSONCoding.prettyString(Document(files: entries, notes: notes, next: next)), terminator: "")
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
}
