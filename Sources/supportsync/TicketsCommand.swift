import ArgumentParser
import Foundation
import SupportSync
import SupportSyncEngine
import SupportSyncGit

struct TicketsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tickets",
        abstract: "Flagged tickets in git: pull them from the platform, push the team's changes back, read them.",
        subcommands: [
            PullCommand.self, PushCommand.self, ListCommand.self, ShowCommand.self, SetCommand.self,
            ResolveCommand.self,
            HistoryCommand.self,
            DiffCommand.self, FindCommand.self, EraseCommand.self, SealCommand.self, UnsealCommand.self,
        ]
    )
}

extension TicketStatus: ExpressibleByArgument {}
extension Priority: ExpressibleByArgument {}

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
            Tickets and the cursor move in one commit on the current branch (or --ref), built in memory; \
            the working tree and index are updated for exactly those files. A pull that brings nothing \
            makes no commit. Exit status: 0 done, 1 dirty paths refused or unsafe ids skipped or \
            conflicts kept, 3 the platform or git failed, 64 not a git repository or usage.
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var commit: CommitOptions

    @Option(name: .long, help: "Commit every N tickets (or 16 MiB of their text), each commit with its cursor.")
    var batch = 5_000

    @Option(name: .long, help: "Commit to this branch instead, without touching the working tree.")
    var ref: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let root = try repository.root()
            let tickets = try TicketStore.project(root: root, ref: ref)
            let author = try tickets.author(commit.author)
            var partial = TicketPuller.Report()
            let report: TicketPuller.Report
            do {
                report = try await platformOptions.with(try platformOptions.ticketTarget(root: root)) { platform in
                    try await TicketPuller(
                        tickets: tickets, platform: platform, logger: CommandLogging.logger("supportsync.pull")
                    )
                    .pull(TicketPuller.Options(author: author, batch: batch), into: &partial)
                }
            } catch {
                // Batches committed before a later one stopped the pull are reported with the error.
                if !partial.commits.isEmpty {
                    printOutput(
                        format == .json ? TicketOutput.json(partial) : TicketOutput.text(partial), json: format == .json
                    )
                }
                throw error
            }
            printOutput(format == .json ? TicketOutput.json(report) : TicketOutput.text(report), json: format == .json)
            if report.conflicts.contains(where: { $0.conflict.base == nil }) { printNoPlatformBase(tickets) }
            return report.exitStatus
        }
    }
}

/// Where conflicts are judged and recorded, for a clone that fetched
/// branches only; for a branch that holds none of the commits the base
/// names, how it agrees with the base again.
func printNoPlatformBase(_ tickets: TicketStore? = nil) {
    if let tickets, (try? tickets.holdsNoCommitTheBaseNames()) == true {
        printError(
            "note: \(tickets.branch) holds none of the commits the platform base (\(TicketStore.platformRef)) names "
                + "(its history replaced, or the base pulled on another branch), so what it holds otherwise is a conflict: "
                + "merge the branch the base was pulled on (git pull), or settle each with supportsync tickets resolve; "
                + "the base then agrees with this branch again")
        return
    }
    printError(
        "note: this clone has no platform base (\(TicketStore.platformRef)), where conflicts are recorded: "
            + "git fetch origin '+refs/supportsync/*:refs/supportsync/*', then merge the branch it agrees with (git pull)"
    )
}

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Send the team's ticket changes (priority, status, assignee, resolution) to the platform.",
        discussion: """
            Each change is merged field by field against the platform base and sent as a PATCH \
            conditional on the version just read. Conflicts are reported and git's value kept.

            Exit status: 0 done, 1 conflicts, or a change the platform refused for what git holds (a \
            status the lifecycle does not allow, a ticket it does not have), 3 a push failed for the \
            platform's sake (unreachable, the token refused), 64 usage.
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var commit: CommitOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let root = try repository.root()
            let tickets = try TicketStore.project(root: root)
            let author = try tickets.author(commit.author)
            let report = try await platformOptions.with(try platformOptions.ticketTarget(root: root)) { platform in
                try await TicketPusher(
                    tickets: tickets, platform: platform, logger: CommandLogging.logger("supportsync.push")
                )
                .push(author: author)
            }
            printOutput(format == .json ? TicketOutput.json(report) : TicketOutput.text(report), json: format == .json)
            if report.conflicts.contains(where: { $0.conflict.base == nil }) { printNoPlatformBase(tickets) }
            return report.exitStatus
        }
    }
}

extension TicketQueries.Sort: ExpressibleByArgument {}

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List tickets, filtered and sorted.",
        discussion: """
            Reads the working tree (the branch tip in a bare repository). Filters combine: every one \
            given must match. JSON lists each ticket with its path. Exit status: 0 done, 1 a ticket \
            file it cannot read (each is named), 64 usage.
            """)

    @OptionGroup var repository: RepositoryOptions

    @Option(name: .long, help: "Only tickets with this status: pending, in_progress, resolved or closed.")
    var status: TicketStatus?

    @Option(name: .long, help: "Only tickets of this agent.")
    var agent: String?

    @Option(name: .long, help: "Only tickets assigned to this person.")
    var assignee: String?

    @Flag(name: .long, help: "Only tickets nobody is assigned.")
    var unassigned = false

    @Option(name: .long, help: "Only tickets of this priority: low, normal, high or urgent.")
    var priority: Priority?

    @Option(name: .long, help: "Only tickets with this tag.")
    var tag: String?

    @Option(name: .long, help: "Only tickets from this channel: calls or messages.")
    var channel: Channel?

    @Option(name: .long, help: "Only tickets created on or after this day (YYYY-MM-DD, UTC).")
    var since: String?

    @Option(name: .long, help: "Only tickets created on or before this day (YYYY-MM-DD, UTC).")
    var until: String?

    @Flag(
        name: .long,
        help: "Only tickets in conflict, as the last pull, push or resolve recorded them (offline), with each conflict."
    )
    var conflicts = false

    @Option(name: .long, help: "Order: created (oldest first), priority (urgent first) or status (pending first).")
    var sort: TicketQueries.Sort = .created

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func validate() throws {
        for (flag, day) in [("--since", since), ("--until", until)] {
            if let day, TicketTimestamp("\(day)T00:00:00Z") == nil {
                throw ValidationError("\(flag) \(day): expected a date YYYY-MM-DD")
            }
        }
        if unassigned && assignee != nil { throw ValidationError("--assignee and --unassigned do not go together") }
    }

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let root = try repository.root()
            var tickets = try TicketStore.reading(root: root)
            try tickets.readAsStored()
            let filter = TicketQueries.Filter(
                status: status, agent: agent, since: since, until: until, assignee: assignee,
                unassigned: unassigned, priority: priority, tag: tag, channel: channel)
            let queries = TicketQueries(tickets: tickets)
            // The table needs no more than the list cache keeps; JSON prints whole tickets.
            let listing = try queries.listing(filter, sort: sort, complete: format == .json)
            var listed = listing.tickets
            var ledger: ConflictLedger?
            if conflicts {
                ledger = try queries.conflicts()
                if ledger == nil { printNoPlatformBase(tickets) }
                listed = listed.filter { ledger?.tickets[$0.record.id] != nil }
            }
            // Files that are not tickets any more are never skipped silently.
            let problems = (listing.problems + listing.duplicates).sorted { $0.location < $1.location }
            if format == .json {
                StandardOutput.shared.markPrinted()
                TicketOutput.writeJSON(listed, conflicts: ledger, diagnostics: problems) { print($0, terminator: "") }
            } else {
                print(TicketOutput.table(listed), terminator: "")
                for item in listed {
                    for conflict in (ledger?.tickets[item.record.id] ?? []).compactMap(\.conflict) {
                        print("conflict \(item.record.id): \(conflict.describe(id: item.record.id))")
                    }
                }
            }
            if let notice = tickets.workingTreeNotice { printError("warning: \(notice)") }
            guard problems.isEmpty else {
                printError(
                    DiagnosticFormatter.text(DiagnosticReport(files: 0, diagnostics: problems))
                        + "\(plural(Set(problems.map(\.location.file)).count, "ticket file")) with a problem; supportsync audit says more"
                )
                return .needsAttention
            }
            return .success
        }
    }
}

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one ticket.",
        discussion: """
            Sealed customer data prints sealed. With --reveal, the ticket's key is fetched from the \
            platform (the token needs the reveal scope) and the values are opened in memory; without \
            that scope, or once the ticket was erased, they print sealed with a note on stderr. A value \
            that does not open (changed, or moved from another ticket or field) exits 1.
            """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions

    @Argument(help: "The ticket id.")
    var id: String

    @Flag(name: .long, help: "Open sealed customer data with the ticket's key (reveal scope).")
    var reveal = false

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let root = try repository.root()
            var tickets = try TicketStore.reading(root: root)
            try tickets.readAsStored()
            let shown = try TicketQueries(tickets: tickets).show(id)
            if let notice = tickets.workingTreeNotice { printError("warning: \(notice)") }
            var record = shown.record
            var text = shown.text
            if reveal, let sealed = record {
                let revealed = try await platformOptions.with(
                    try platformOptions.ticketTarget(root: root), readsOnly: true
                ) {
                    try await TicketCustodyRun.reveal(sealed, sealing: tickets.sealing, platform: $0)
                }
                if let note = revealed.note { printError("note: \(note)") }
                record = revealed.record
                text = TicketFile.text(revealed.record)
            }
            if format == .json, let record {
                printOutput(TicketOutput.json(shown: record, path: shown.path, diagnostics: shown.problems), json: true)
            } else if format == .json {
                // Not a ticket at all: the failure document, with why.
                printFailure(
                    "\(shown.path) does not read as a ticket", .needsAttention, shown.problems)
            } else if format == .text {
                print("# \(shown.path)\n\(PrintableText.escaping(text, keepingNewlines: true))", terminator: "")
            }
            // A file that does not read as a ticket: shown as it is, and why.
            guard shown.problems.isEmpty else {
                printError(DiagnosticFormatter.text(DiagnosticReport(files: 1, diagnostics: shown.problems)))
                return .needsAttention
            }
            return .success
        }
    }
}

struct SetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change a ticket's team fields (status, assignee, priority, resolution) in its file.",
        discussion: """
            Checks the status lifecycle and that a resolved or closed ticket has a resolution, as audit \
            does, before writing; the file is written as a pull writes it. With --commit, the change is \
            committed on the current branch (message naming the ticket and each change); otherwise it is \
            left in the working tree for a commit of your own. Exit status: 0 done (or nothing to \
            change), 1 unknown ticket or a refused change, 64 usage.
            """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var commitOptions: CommitOptions

    @Argument(help: "The ticket id.")
    var id: String

    @Option(name: .long, help: "pending, in_progress, resolved or closed.")
    var status: TicketStatus?

    @Option(name: .long, help: "Who works the ticket.")
    var assignee: String?

    @Flag(name: .long, help: "Clear the assignee.")
    var unassign = false

    @Option(name: .long, help: "low, normal, high or urgent.")
    var priority: Priority?

    @Option(name: .long, help: "What was done (required to resolve or close).")
    var resolution: String?

    @Flag(name: .long, help: "Commit the change on the current branch.")
    var commit = false

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func validate() throws {
        if unassign && assignee != nil { throw ValidationError("--assignee and --unassign do not go together") }
        if status == nil && assignee == nil && !unassign && priority == nil && resolution == nil {
            throw ValidationError("name a change: --status, --assignee, --unassign, --priority or --resolution")
        }
        if let assignee, assignee.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--assignee must not be empty; --unassign clears it")
        }
    }

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            var tickets = try TicketStore(root: try repository.root())
            try tickets.readAsStored()
            let author = commit ? try tickets.author(commitOptions.author) : nil
            let patch = TicketPatch(
                priority: priority, status: status,
                assignee: unassign ? .clear : assignee.map(TicketPatch.Update.set),
                resolution: resolution.map { $0.isEmpty ? .clear : .set($0) })
            let result = try TicketEditor(tickets: tickets).set(id, patch, commit: author)
            if format == .json {
                print(TicketOutput.json(result), terminator: "")
            } else {
                print(TicketOutput.text(result), terminator: "")
            }
            return .success
        }
    }
}

extension TicketResolver.Side: ExpressibleByArgument {}
extension TeamFields.Field: ExpressibleByArgument {}

struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a conflict: keep git's value or the platform's, for one field or every one in conflict.",
        discussion: """
            A conflict is a team field git and the platform both changed, differently. --keep git sends \
            the branch's value to the platform (a PATCH expecting the version just read) and moves the \
            platform base; the next sync anywhere sees both agree, so nothing else needs pushing. --keep \
            platform writes the platform's value into the ticket file in the working tree, for a commit \
            of your own (or with --commit, committed with the base).

            Exit status: 0 settled (or nothing to settle: the ticket has no conflict at all), 1 no such \
            ticket, or --field names a field not in conflict while others are, 3 the platform failed, 64 \
            usage (--commit without --keep platform too).
            """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var commitOptions: CommitOptions

    @Argument(help: "The ticket id.")
    var id: String

    @Option(
        name: .long, help: "Only this field: priority, status, assignee or resolution (default: every one in conflict)."
    )
    var field: TeamFields.Field?

    @Option(name: .long, help: "Whose value wins: git or platform.")
    var keep: TicketResolver.Side

    @Flag(name: .long, help: "With --keep platform: commit the file (and the base) on the current branch.")
    var commit = false

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func validate() throws {
        // --keep git changes the platform, not git: there is nothing to commit.
        if commit && keep != .platform { throw ValidationError("--commit goes with --keep platform") }
    }

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let root = try repository.root()
            let tickets = try TicketStore.project(root: root)
            let author = try tickets.author(commitOptions.author)
            let result = try await platformOptions.with(try platformOptions.ticketTarget(root: root)) { platform in
                try await TicketResolver(
                    tickets: tickets, platform: platform, logger: CommandLogging.logger("supportsync.resolve")
                )
                .resolve(id, field: field, keep: keep, author: author, commit: commit)
            }
            printOutput(format == .json ? TicketOutput.json(result) : TicketOutput.text(result), json: format == .json)
            return .success
        }
    }
}

struct FindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "List a customer's tickets, with their data, for an access request (reveal scope).",
        discussion: """
            The platform finds the tickets by e-mail (any case) or phone (any punctuation) and returns \
            them in plain text: this prints customer data on purpose. Exit status: 0 done, 3 the platform \
            failed or the token may not reveal, 64 usage.
            """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions

    @Option(name: .long, help: "The customer's e-mail or phone number.")
    var customer: String

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let root = try repository.root()
            let records = try await platformOptions.with(try platformOptions.ticketTarget(root: root), readsOnly: true)
            {
                try await TicketCustodyRun.find(customer: customer, platform: $0, root: root)
            }
            if format == .json {
                printOutput(JSONDocument.render(records, under: "tickets"), json: true)
            } else {
                print(records.map { TicketFile.text($0) }.joined(separator: "---\n"), terminator: "")
                printError("find: \(plural(records.count, "ticket"))")
            }
            return .success
        }
    }
}

struct EraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a ticket's customer data on the platform and destroy its key (erase scope).",
        discussion: """
            The platform empties the ticket's customer data, destroys its key (so every sealed copy in \
            git, in any clone, can never be opened again) and keeps the ticket with an erasure record: \
            when, by whom, and --reason. The next pull commits it. On Vapi, which holds no keys, the \
            call itself is deleted and the erasure committed to git at once (no later pull would see \
            it). --customer erases every ticket of one customer. Exit status: 0 done, 1 no such ticket \
            (none of that customer), or a reason or --by that holds the customer's details, 3 the \
            platform failed or the token may not erase, 64 usage.
            """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions

    @Argument(help: "The ticket id.")
    var id: String?

    @Option(name: .long, help: "Erase every ticket of the customer with this e-mail or phone instead.")
    var customer: String?

    @Option(name: .long, help: "Why: a request number, never customer data (it is kept in git).")
    var reason: String

    @Option(name: .long, help: "Who asks (default: git's user.name, else supportsync).")
    var by: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func validate() throws {
        guard id != nil || customer != nil else { throw ValidationError("give a ticket id or --customer") }
        guard id == nil || customer == nil else { throw ValidationError("give a ticket id or --customer, not both") }
        guard !reason.allSatisfy(\.isWhitespace) else { throw ValidationError("--reason must say why") }
    }

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let root = try repository.root()
            let tickets = try TicketStore.project(root: root)
            let author = try tickets.author(nil)
            let requester = by ?? author.name
            let selection: ErasureSelection = id.map(ErasureSelection.ticket) ?? .customer(customer!)
            let erased = try await platformOptions.with(try platformOptions.ticketTarget(root: root)) {
                try await TicketCustodyRun.erase(
                    selection, reason: reason, by: requester, platform: $0, tickets: tickets, author: author)
            }
            if format == .json {
                printOutput(
                    JSONDocument.render(
                        TicketOutput.Erased(
                            erased: erased.ids, alreadyErased: erased.alreadyErased, commit: erased.commit?.hex)),
                    json: true)
            } else {
                let ids = erased.ids.map { PrintableText.escaping($0) }
                // None of that customer: said on stderr alone, never as an erasure of none.
                if !ids.isEmpty || !erased.alreadyErased.isEmpty {
                    print("erased: \(ids.count)\(ids.isEmpty ? "" : " " + ids.joined(separator: " "))")
                }
                let already = erased.alreadyErased.map { PrintableText.escaping($0) }
                if !already.isEmpty {
                    print("already erased: \(already.count) \(already.joined(separator: " "))")
                }
                if ids.isEmpty, !already.isEmpty {
                    printError("git holds \(already.count == 1 ? "its" : "their") erasure already: nothing changed")
                } else if ids.isEmpty {
                    printError("the platform holds no ticket of that customer: nothing was erased")
                } else if let commit = erased.commit {
                    printError(
                        "the erasure is committed (\(commit.hex.prefix(8))): the platform deleted the conversation")
                } else if erased.forgotten {
                    printError("no ticket file in git to erase: the platform deleted the conversation")
                } else {
                    printError("the next tickets pull (or sync) commits the erasure")
                }
            }
            if !erased.ids.isEmpty, tickets.sealing != .all {
                printError(
                    "note: this repository keeps some customer data in plain text (tickets: seal in supportsync.yaml): the earlier versions in git's history still hold it; README \"What erasure reaches\" says how to remove them"
                )
            }
            // A customer with no ticket is most often a mistyped address: a person looks.
            return erased.ids.isEmpty && erased.alreadyErased.isEmpty ? .needsAttention : .success
        }
    }
}

struct SealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seal",
        abstract: "Rewrite the ticket files in git with customer data sealed, in one commit.",
        discussion: """
            For a repository that holds plain tickets (written by 0.1, or before seal was set): each \
            file's customer data is replaced by the platform's sealed values, as supportsync.yaml's \
            tickets.seal says, in one commit with the cursor (run it once in the sync job, like a \
            pull). Files already in history stay as they were; see the README on rewriting history.
            """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var commit: CommitOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            try await Reseal.run(
                repository: repository, platformOptions: platformOptions, commit: commit, seal: true, format: format)
        }
    }
}

struct UnsealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unseal",
        abstract: "Rewrite the ticket files in git with customer data in plain text (reveal scope), in one commit.",
        discussion: """
            Takes the fields out of tickets.seal in supportsync.yaml first: the files are rewritten \
            as it says, with the plain values the platform returns to a token with the reveal scope.
            """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions
    @OptionGroup var commit: CommitOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            try await Reseal.run(
                repository: repository, platformOptions: platformOptions, commit: commit, seal: false, format: format)
        }
    }
}

/// `tickets seal` and `tickets unseal`: both write what supportsync.yaml says.
enum Reseal {
    static func run(
        repository: RepositoryOptions, platformOptions: PlatformOptions, commit: CommitOptions, seal: Bool,
        format: DataFormat
    ) async throws -> ExitStatus {
        let root = try repository.root()
        let tickets = try TicketStore.project(root: root)
        let author = try tickets.author(commit.author)
        let report = try await platformOptions.with(try platformOptions.ticketTarget(root: root)) {
            try await TicketResealer(tickets: tickets, platform: $0, logger: CommandLogging.logger("supportsync.seal"))
                .reseal(seal ? .seal : .unseal, author: author)
        }
        if format == .json {
            printOutput(TicketOutput.json(report), json: true)
        } else {
            printOutput(TicketOutput.text(report, verb: seal ? "sealed" : "unsealed"), json: false)
        }
        return report.exitStatus
    }
}

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Every commit that changed a ticket, with its field changes.",
        discussion: "Exit status: 0 done, 1 no such ticket, 64 usage.")

    @OptionGroup var repository: RepositoryOptions

    @Argument(help: "The ticket id.")
    var id: String

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            var tickets = try TicketStore(root: try repository.root())
            try tickets.readAsStored()
            let history = try TicketQueries(tickets: tickets).history(id)
            print(
                format == .json
                    ? TicketOutput.json(history.entries, id: id, path: history.path)
                    : TicketOutput.text(history.entries, path: history.path),
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
            Compares the merge base of --base and --head with --head, like git diff base...head, so what \
            the base gained meanwhile (the sync job's pulls) does not show. --format markdown is what the \
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
        try await reportingErrors(json: format == .json) {
            let root = try repository.root()
            let git = try TicketStore.openRepository(root: root)
            let changes = try TicketQueries.diff(
                in: git, base: range.base, head: range.head, codec: try TicketStore.storedCodec(root: root))
            switch format {
            case .text: print(TicketChangesReport.text(changes), terminator: "")
            case .markdown: print(TicketChangesReport.markdown(changes), terminator: "")
            case .json: print(JSONDocument.render(changes, under: "tickets"), terminator: "")
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
            Each changed ticket must parse and validate, sit at the path its id and created_at give, \
            keep its platform-owned fields, move its status along the lifecycle, and carry a resolution \
            once resolved or closed; no ticket may be deleted. Exit status: 0 clean, 1 violations, 3 git \
            failed, 64 usage. \
            --trust-tool-commits accepts commits carrying the Supportsync-Cursor: trailer unchecked: a \
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
        try await reportingErrors(json: format == .json) {
            let root = try repository.root()
            let git = try TicketStore.openRepository(root: root)
            let result = try TicketAuditor(repository: git, codec: try TicketStore.storedCodec(root: root))
                .audit(base: range.base, head: range.head, trustToolCommits: trustToolCommits)
            print(DiagnosticFormatter.format(result.report, as: format), terminator: "")
            if format == .text {
                printError(
                    "audit: \(plural(result.commits, "commit")), \(result.ticketCommits) touching tickets/, \(DiagnosticFormatter.summary(result.report))"
                )
            }
            return result.report.errorCount == 0 ? .success : .needsAttention
        }
    }
}
