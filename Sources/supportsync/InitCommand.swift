import ArgumentParser
import Foundation
import SupportSync
import SupportSyncEngine

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Scaffold config/, tickets/, the CI workflow, editor schemas and settings, never overwriting a file.",
        discussion: """
            Works in an empty or existing folder, git or not. Writes config/defaults.yaml, one example \
            agent per mode and their scenarios in config/tests/ (all skipped when config/agents/ already \
            has agents, so the next sync changes nothing there), tickets/.gitkeep, .github/workflows/supportsync.yml for the repository's default \
            branch, the agent and ticket schemas in config/schemas/, .vscode/settings.json mapping them to \
            the files they describe and .vscode/extensions.json, and adds .supportsync/ to .gitignore. Each \
            file is reported as created, kept (it exists), skipped, updated, or failed (with the file in the way; exit 3).

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
        try await reportingErrors(json: format == .json) {
            let scaffold = InitRun.scaffold(root: try repository.root(), action: action, branch: branch)
            if check {
                let found = try InitRun.check(scaffold, actionGiven: action != nil, branchGiven: branch != nil)
                print(format == .json ? found.json : found.text, terminator: "")
                return found.status
            }
            let report = try InitRun.run(scaffold)
            printOutput(format == .json ? report.json : report.text, json: format == .json)
            // What could not be written is said after what was (exit 3).
            if let failure = report.failure { throw failure }
            return .success
        }
    }
}
