import ArgumentParser
import Foundation
import Git
import SupportSync

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "The CI job: validate config/, apply it, pull new tickets into one commit, push the team's ticket changes.",
        discussion: """
            Stops before touching anything when config/ has errors or no platform is configured in CI.

            Exit status: the highest of 3 (an operation failed) then 1 (something needs a person), else 0; \
            64 for usage (no platform in CI, not a git repository).
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var commit: CommitOptions

    @Flag(name: .long, help: "Validate, plan and list what a pull would bring; change nothing anywhere.")
    var dryRun = false

    @Option(name: .long, help: "Append the report as Markdown to this file (e.g. $GITHUB_STEP_SUMMARY).", completion: .file())
    var summaryFile: String?

    @Option(name: .long, help: "How many agents to write at once.")
    var parallel = 8

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        guard format != .github else { throw ValidationError("--format must be text or json") }
    }

    func run() async throws {
        try await reportingErrors {
            let root = try repository.root()
            let progress = Progress()
            // Everything that can refuse at once is checked before any change.
            let tickets = try TicketRepository(root: root)
            let author = try tickets.author(commit.author)
            return try await platformOptions.with(root: root) { platform in
                try await sync(root: root, tickets: tickets, author: author, platform: platform, progress: progress)
            }
        }
    }

    private func sync(
        root: URL, tickets: TicketRepository, author: Signature, platform: any AgentPlatform, progress: Progress
    ) async throws -> ExitStatus {
        progress.step("validating config/")
        let validation = try ConfigValidator(root: root).validate()
        guard validation.report.errorCount == 0 else {
            // With --format json, stdout carries only the report's document.
            let diagnostics = DiagnosticFormatter.text(validation.report)
            if format == .json {
                FileHandle.standardError.write(Data(diagnostics.utf8))
            } else {
                print(diagnostics, terminator: "")
            }
            printError(DiagnosticFormatter.summary(validation.report))
            var report = SyncReport(dryRun: dryRun)
            report.failures.append("config/ has errors: nothing was applied, pulled or pushed")
            try finish(report)
            return .needsAttention
        }

        var report = SyncReport(dryRun: dryRun)
        var status = ExitStatus.success
        func record(_ outcome: ExitStatus) { status = max(status, outcome) }
        do {
            progress.step("planning \(validation.agents.count) agents")
            let reconciler = Reconciler(platform: platform, logger: CommandLogging.logger("supportsync.apply"))
            let plan = try await reconciler.plan(desired: validation.agents)
            report.plan = plan
            if !dryRun {
                progress.step("applying \(plan.pending.count) agents")
                let applied = await reconciler.apply(plan, parallel: parallel)
                report.apply = applied
                record(applied.exitStatus)
                if !applied.failed.isEmpty && applied.created.isEmpty && applied.updated.isEmpty {
                    // Every write failed: the platform is down; the ticket steps would fail too.
                    throw SyncStopped(message: "the platform failed for every agent; tickets were not pulled or pushed")
                }
            }
            progress.step("pulling tickets")
            var options = TicketPuller.Options(author: author)
            options.dryRun = dryRun
            let pulled = try await TicketPuller(tickets: tickets, platform: platform, logger: CommandLogging.logger("supportsync.pull"))
                .pull(options)
            report.pull = pulled
            record(pulled.exitStatus)
            let pusher = TicketPusher(tickets: tickets, platform: platform, logger: CommandLogging.logger("supportsync.push"))
            if dryRun {
                report.pendingPush = try pusher.pending().map(\.git.id)
            } else {
                progress.step("pushing ticket changes")
                let pushed = try await pusher.push(author: author)
                report.push = pushed
                record(pushed.exitStatus)
            }
        } catch let stop as SyncStopped {
            report.failures.append(stop.message)
            record(.failure)
        } catch let error as PlatformError {
            report.failures.append(error.message)
            record(error.exitStatus)
        } catch let error as any UserError {
            // A pull refusing dirty paths, say: what was applied is still reported.
            report.failures.append(error.description)
            record(error.exitStatus)
        } catch {
            // A git failure: exit 3, after the report of what was done before it.
            report.failures.append("\(error)")
            record(.failure)
        }
        try finish(report)
        return status
    }

    private func finish(_ report: SyncReport) throws {
        print(format == .json ? report.json : report.text, terminator: "")
        if let summaryFile {
            let url = URL(fileURLWithPath: summaryFile)
            if !FileManager.default.fileExists(atPath: url.path) {
                _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(report.markdown.utf8))
        }
    }
}

struct SyncStopped: Error {
    var message: String
}

/// Step names on stderr, only on a terminal: CI logs stay clean.
struct Progress {
    let enabled = isatty(STDERR_FILENO) == 1

    func step(_ text: String) {
        if enabled { printError("supportsync: \(text)…") }
    }
}
