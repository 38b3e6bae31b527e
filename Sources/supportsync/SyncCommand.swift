import ArgumentParser
import Foundation
import SupportSync
import SupportSyncEngine

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract:
            "The CI job: validate config/, apply it, pull new tickets into one commit, push the team's ticket changes.",
        discussion: """
            Stops before touching anything when config/ has errors or no platform is configured in CI.

            Exit status: the highest of 3 (an operation failed) then 1 (something needs a person), else 0; \
            64 for usage (no platform in CI, not a git repository).
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var commit: CommitOptions

    @Flag(
        name: .long,
        help:
            "Validate, plan and list what a pull would bring; change nothing on the platform or in git (the caches under .git/supportsync/ aside; where the local platform has no file yet, it is read as empty and none is created)."
    )
    var dryRun = false

    @Option(
        name: .long, help: "Append the report as Markdown to this file (e.g. $GITHUB_STEP_SUMMARY).",
        completion: .file())
    var summaryFile: String?

    @Option(name: .long, help: "How many agents to write at once.")
    var parallel = 8

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
    }

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let outcome: SyncEngine.Outcome
            do {
                let engine = SyncEngine(
                    root: try repository.root(), platform: platformOptions.selection,
                    options: .init(dryRun: dryRun, parallel: parallel, author: commit.author),
                    logger: CommandLogging.logger, progress: Progress.step)
                outcome = try await engine.run()
            } catch {
                // Stopped before a report: the job summary says why all the same.
                if let summaryFile {
                    try? SyncReport.appendStopped(
                        (error as? any UserError)?.description ?? "\(error)", dryRun: dryRun, to: summaryFile)
                }
                throw error
            }
            if let invalid = outcome.invalidConfig {
                // With --format json, stdout carries only the report's document.
                let diagnostics = DiagnosticFormatter.text(invalid)
                if format == .json {
                    printError(diagnostics, terminator: "")
                } else {
                    print(diagnostics, terminator: "")
                }
                printError(DiagnosticFormatter.summary(invalid))
            }
            printOutput(format == .json ? outcome.report.json : outcome.report.text, json: format == .json)
            try summaryFile.map(outcome.report.appendMarkdown(to:))
            return outcome.status
        }
    }
}

/// Step names on stderr, only on a terminal: CI logs stay clean.
enum Progress {
    static let enabled = isatty(STDERR_FILENO) == 1

    @Sendable static func step(_ text: String) {
        if enabled { printError("supportsync: \(text)…") }
    }
}
