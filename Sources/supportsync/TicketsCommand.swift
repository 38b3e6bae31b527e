import ArgumentParser
import Foundation
import Git
import SupportSync
import SupportSyncEngine
import SupportSyncGit

struct TicketsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tickets",
        abstract: "Flagged tickets in git: pull them from the platform, push the team's changes back, read them.",
        subcommands: [
            PullCommand.self, PushCommand.self, ListCommand.self, ShowCommand.self, HistoryCommand.self,
            DiffCommand.self,
        ]
    )
}

extension TicketStatus: ExpressibleByArgument {}

/// `--base REV [--head REV]`, for the commands that look at what a branch changed.
struct RevisionRange: ParsableArguments {
    @Option(name: .long, help: "The revision the changes start from (e.g. origin/main).")
    var base: String

    @Option(name: .long, help: "The revision they end at.")
    var head = "HEAD"
}

/// Options of the ticket commands that write commits.
struct CommitOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Commit author \"Name <email>\" (default: git config, else supportsync <supportsync@localhost>).")
    var author: String?
}

struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Write tickets created or changed on the platform since the last pull, in one commit.",
        discussion: """
            Tickets and the cursor move in one commit on the current branch (or --ref), built in memory;
            the working tree and index are updated for exactly those files. A pull that brings nothing
            makes no commit. Exit status: 0 done, 1 dirty paths refused or unsafe ids skipped or
            conflicts kept, 3 the platform or git failed, 64 not a git repository or usage.
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var commit: CommitOptions

    @Option(name: .long, help: "Commit every N tickets, each commit with its cursor.")
    var batch = 5_000

    @Option(name: .long, help: "Commit to this branch instead, without touching the working tree.")
    var ref: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() async throws {
        try await reportingErrors {
            let root = try repository.root()
            let tickets = try TicketStore(root: root, ref: ref)
            let author = try tickets.author(commit.author)
            let report = try await platformOptions.with(try platformOptions.ticketTarget(root: root)) { platform in
                try await TicketPuller(
                    tickets: tickets, platform: platform, logger: CommandLogging.logger("supportsync.pull")
                )
                .pull(TicketPuller.Options(author: author, batch: batch))
            }
            print(format == .json ? TicketOutput.json(report) : TicketOutput.text(report), terminator: "")
            return report.exitStatus
        }
    }
}

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Send the team's ticket changes (priority, status, assignee, resolution) to the platform.",
        discussion: """
            Each change is merged field by field against the platform base and sent as a PATCH
            conditional on the version just read. Conflicts are reported and git's value kept.
            Exit status: 0 done, 1 conflicts, 3 a push failed, 64 usage.
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var commit: CommitOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func run() async throws {
        try await reportingErrors {
            let root = try repository.root()
            let tickets = try TicketStore(root: root)
            let author = try tickets.author(commit.author)
            let report = try await platformOptions.with(try platformOptions.ticketTarget(root: root)) { platform in
                try await TicketPusher(
                    tickets: tickets, platform: platform, logger: CommandLogging.logger("supportsync.push")
                )
                .push(author: author)
            }
            print(format == .json ? TicketOutput.json(report) : TicketOutput.text(report), terminator: "")
            return report.exitStatus
        }
    }
}

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tickets.")

    @OptionGroup var repository: RepositoryOptions

    @Option(name: .long, help: "Only tickets with this status: pending, in_progress, resolved or closed.")
    var status: TicketStatus?

    @Option(name: .long, help: "Only tickets of this agent.")
    var agent: String?

    @Option(name: .long, help: "Only tickets created on or after this day (YYYY-MM-DD, UTC).")
    var since: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func validate() throws {
        if let since, TicketTimestamp("\(since)T00:00:00Z") == nil {
            throw ValidationError("--since \(since): expected a date YYYY-MM-DD")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let tickets = try TicketStore(root: try repository.root())
            let records = try TicketQueries(tickets: tickets).list(.init(status: status, agent: agent, since: since))
            print(format == .json ? TicketOutput.json(records) : TicketOutput.table(records), terminator: "")
            return .success
        }
    }
}

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one ticket.")

    @OptionGroup var repository: RepositoryOptions

    @Argument(help: "The ticket id.")
    var id: String

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func run() async throws {
        try await reportingErrors {
            let tickets = try TicketStore(root: try repository.root())
            let shown = try TicketQueries(tickets: tickets).show(id)
            if format == .json, let record = shown.record {
                print(JSONCoding.prettyString(record), terminator: "")
            } else {
                print("# \(shown.path)\n\(shown.text)", terminator: "")
            }
            return .success
        }
    }
}

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Every commit that changed a ticket, with its field changes.")

    @OptionGroup var repository: RepositoryOptions

    @Argument(help: "The ticket id.")
    var id: String

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func run() async throws {
        try await reportingErrors {
            let tickets = try TicketStore(root: try repository.root())
            let history = try TicketQueries(tickets: tickets).history(id)
            print(
                format == .json
                    ? TicketOutput.json(history.entries) : TicketOutput.text(history.entries, path: history.path),
                terminator: "")
            return .success
        }
    }
}

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What a branch does to tickets: each ticket's net field changes since it left a base.",
        discussion: """
            Compares the merge base of --base and --head with --head, like git diff base...head, so what
            the base gained meanwhile (the sync job's pulls) does not show. --format markdown is what the
            workflow puts in the pull-request comment. Exit status: 0 done, 64 usage or a bad revision.
            """
    )

    enum Format: String, ExpressibleByArgument {
        case text, json, markdown
    }

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var range: RevisionRange

    @Option(name: .long, help: "Output format: text, json or markdown.")
    var format: Format = .text

    func run() async throws {
        try await reportingErrors {
            let git = try TicketStore.openRepository(root: try repository.root())
            let changes = try TicketQueries.diff(in: git, base: range.base, head: range.head)
            switch format {
            case .text: print(TicketChangesReport.text(changes), terminator: "")
            case .markdown: print(TicketChangesReport.markdown(changes), terminator: "")
            case .json: print(JSONCoding.prettyString(changes), terminator: "")
            }
            return .success
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the ticket changes of every commit between two revisions.",
        discussion: """
            Each changed ticket must parse and validate, sit at the path its id and created_at give,
            keep its platform-owned fields, move its status along the lifecycle, and carry a resolution
            once resolved or closed; no ticket may be deleted. Exit status: 0 clean, 1 violations, 64 usage.
            --trust-tool-commits accepts commits carrying the Supportsync-Cursor: trailer unchecked: a
            convention for auditing the default branch's own history, not a proof.
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var range: RevisionRange

    @Flag(name: .long, help: "Accept commits made by supportsync (with the Supportsync-Cursor: trailer) unchecked.")
    var trustToolCommits = false

    @Option(name: .long, help: "Output format: text, json or github.")
    var format: OutputFormat = .text

    func run() async throws {
        try await reportingErrors {
            let git = try TicketStore.openRepository(root: try repository.root())
            let result = try TicketAuditor(repository: git)
                .audit(base: range.base, head: range.head, trustToolCommits: trustToolCommits)
            print(DiagnosticFormatter.format(result.report, as: format), terminator: "")
            if format == .text {
                printError(
                    "audit: \(result.commits) commits, \(result.ticketCommits) touching tickets/, \(DiagnosticFormatter.summary(result.report))"
                )
            }
            return result.report.errorCount == 0 ? .success : .needsAttention
        }
    }
}
