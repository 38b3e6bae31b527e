import Foundation
import Git
import Logging
import SupportSync
import SupportSyncGit

/// `sync`, the CI job: validate config/, apply it, pull new tickets into one
/// commit, push the team's ticket changes back, and one report of it all.
///
/// Stop rules: nothing changes when config/ has errors (exit 1); the ticket
/// steps are skipped when every agent write failed (the platform is down,
/// exit 3); a step failing later (a pull refusing dirty paths, a git
/// failure) still leaves the report of what the steps before it did. The
/// exit status is the highest of 3, then 1, else 0.
public struct SyncEngine: Sendable {
    public struct Options: Sendable {
        /// Validate, plan and list what a pull would bring; change nothing.
        public var dryRun = false
        /// How many agents to write at once.
        public var parallel = 8
        /// `Name <email>`; nil for git config, else supportsync's own.
        public var author: String?

        public init(dryRun: Bool = false, parallel: Int = 8, author: String? = nil) {
            self.dryRun = dryRun
            self.parallel = parallel
            self.author = author
        }
    }

    /// What a run did, and how it ends.
    public struct Outcome: Sendable {
        public var report: SyncReport
        public var status: ExitStatus
        /// config/'s diagnostics when it has errors (and nothing was done).
        public var invalidConfig: DiagnosticReport?
    }

    public let root: URL
    public let platform: PlatformSelection
    public let options: Options
    let logger: LoggerFactory
    let progress: @Sendable (String) -> Void

    /// - Parameters:
    ///   - progress: told each step's name as it starts (a terminal shows them).
    public init(
        root: URL, platform: PlatformSelection, options: Options = Options(),
        logger: @escaping LoggerFactory = { Logger(label: $0) },
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.root = root
        self.platform = platform
        self.options = options
        self.logger = logger
        self.progress = progress
    }

    /// Runs the pipeline. Throws only for what stops it before anything is
    /// touched: not a git repository, a bad author, no platform in CI.
    public func run() async throws -> Outcome {
        // Everything that can refuse at once is checked before any change.
        let target = try platform.resolve(root: root)
        var tickets: (repository: TicketStore, author: Signature, eraseClosedAfterDays: Int?)?
        if target.pullTickets {
            let settings = try TicketStore.ticketSettings(root: root)
            let repository = try TicketStore.project(root: root, settings: settings)
            tickets = (repository, try repository.author(options.author), settings.eraseClosedAfterDays)
        }
        return try await platform.with(target, readsOnly: options.dryRun, logger: logger("supportsync.platform")) {
            platform in
            await sync(target: target, tickets: tickets, platform: platform)
        }
    }

    private func sync(
        target: PlatformSelection.Target,
        tickets: (repository: TicketStore, author: Signature, eraseClosedAfterDays: Int?)?,
        platform: any ManagedPlatform
    ) async -> Outcome {
        var report = SyncReport(dryRun: options.dryRun)
        report.environment = target.environment
        progress("validating config/")
        let validation: ValidationResult
        do {
            validation = try ConfigValidator(root: root, environment: target.environment).validate()
        } catch {
            report.failures.append("\(error)")
            return Outcome(report: report, status: (error as? any UserError)?.exitStatus ?? .failure)
        }
        guard validation.blockingErrorCount == 0 else {
            report.failures.append("config/ has errors: nothing was applied, pulled or pushed")
            report.configDiagnostics = validation.report.diagnostics
            return Outcome(report: report, status: .needsAttention, invalidConfig: validation.report)
        }

        var status = ExitStatus.success
        func record(_ outcome: ExitStatus) { status = max(status, outcome) }
        do {
            progress("planning \(plural(validation.agents.count, "agent"))")
            let reconciler = Reconciler(platform: platform, logger: logger("supportsync.apply"))
            // A dry run's plan is not printed either: counts and what it puts back.
            var plan = try await reconciler.plan(desired: validation.agents, describing: false)
            plan.environment = target.environment
            AgentRun.annotateDrift(&plan, root: root, environment: target.environment)
            report.plan = plan
            // A dry run only reads: what the token may write is the
            // platform's to say, so the run's refusals are foretold.
            var mayWrite: Bool?
            func tokenMayWrite() async -> Bool {
                if let mayWrite { return mayWrite }
                let scopes = try? await platform.info().scopes
                mayWrite = scopes.map { $0.contains("sync") } ?? true
                return mayWrite!
            }
            if options.dryRun, !plan.pending.isEmpty, !(await tokenMayWrite()) {
                report.failures.append(
                    "the token lacks the sync scope: the run would be refused writing \(plural(plan.pending.count, "agent")) (\(IDList.capped(plan.pending.map { PrintableText.escaping($0.id) })))"
                )
                record(.failure)
            }
            if !options.dryRun {
                progress("applying \(plural(plan.pending.count, "agent"))")
                let applied = await AgentRun.applyRecording(
                    plan, with: reconciler, root: root, target: target, parallel: options.parallel)
                report.apply = applied
                record(applied.exitStatus)
                if !applied.failed.isEmpty && applied.created.isEmpty && applied.updated.isEmpty {
                    // Every write failed: the platform is down; the ticket steps would fail too.
                    throw Stopped(
                        message:
                            "every write to the platform failed (\(plural(applied.failed.count, "agent"))); tickets were not pulled or pushed"
                    )
                }
            }
            guard let (tickets, author, eraseClosedAfterDays) = tickets else {
                report.ticketsNotPulled = true
                return Outcome(report: report, status: status)
            }
            if let days = eraseClosedAfterDays, !options.dryRun {
                progress("erasing closed tickets created over \(days) days ago")
                report.retention = try await retention(
                    days: days, platform: platform, tickets: tickets, author: author)
            }
            progress("pulling tickets")
            var pullOptions = TicketPuller.Options(author: author)
            pullOptions.dryRun = options.dryRun
            pullOptions.notesPlatformStatus = options.dryRun && eraseClosedAfterDays != nil
            // In a dry run, after the pull's read: what the platform holds now decides.
            func previewRetention(_ pulled: TicketPuller.Report) async throws {
                guard options.dryRun, let days = eraseClosedAfterDays else { return }
                progress("looking for closed tickets created over \(days) days ago (retention)")
                report.retention = try await retentionPreview(
                    days: days, platform: platform, tickets: tickets, pulled: pulled)
            }
            var partial = TicketPuller.Report()
            let pulled: TicketPuller.Report
            do {
                pulled = try await TicketPuller(
                    tickets: tickets, platform: platform, logger: logger("supportsync.pull")
                )
                .pull(pullOptions, into: &partial)
            } catch {
                // What the batches before the failure committed is in the report.
                if !partial.commits.isEmpty { report.pull = partial }
                try? await previewRetention(partial)
                throw error
            }
            report.pull = pulled
            record(pulled.exitStatus)
            try await previewRetention(pulled)
            let pusher = TicketPusher(tickets: tickets, platform: platform, logger: logger("supportsync.push"))
            if options.dryRun {
                let preview = try await pusher.preview()
                report.pushPreview = preview
                record(preview.exitStatus)
                if !preview.toPush.isEmpty, !(await tokenMayWrite()) {
                    report.failures.append(
                        "the token lacks the sync scope: the run's push would be refused for \(plural(preview.toPush.count, "ticket"))"
                    )
                    record(.failure)
                }
            } else {
                progress("pushing ticket changes")
                let pushed = try await pusher.push(author: author)
                report.push = pushed
                record(pushed.exitStatus)
            }
        } catch let stop as Stopped {
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
        return Outcome(report: report, status: status)
    }

    /// `tickets: {erase_closed_after: Nd}`: erases closed tickets created
    /// more than N days ago; the next step (pull) commits the erasures. A
    /// token without the erase scope is reported, not fatal.
    /// A platform that keeps no ticket status has the closed tickets chosen
    /// from git, and the erasures committed now.
    private func retention(days: Int, platform: any ManagedPlatform, tickets: TicketStore, author: Signature)
        async throws -> SyncReport.Retention
    {
        var retention = SyncReport.Retention(days: days)
        let limit = TicketCustodyRun.retentionLimit(days: days)
        let reason = "retention: closed tickets are erased \(days) days after they were created"
        do {
            if platform.holdsTeamFields {
                retention.erased = try await platform.erase(
                    .closedBefore(limit), reason: reason, by: "supportsync sync"
                )
                .map(\.id)
            } else {
                retention.erased = try await TicketCustodyRun.erase(
                    .closedBefore(limit), reason: reason, by: "supportsync sync", platform: platform, tickets: tickets,
                    author: author
                ).ids
            }
        } catch let error as PlatformError {
            guard case .forbidden(let message) = error else { throw error }
            retention.refused = message
        }
        return retention
    }

    /// What `retention` would erase, changing nothing: the tickets the
    /// platform holds closed (it decides by its own status): as the pull
    /// just read them, else as the platform base holds them (unchanged on
    /// the platform since; git's, in a clone that did not fetch the base).
    /// A platform that keeps no status: git's, as the run does.
    private func retentionPreview(
        days: Int, platform: any ManagedPlatform, tickets: TicketStore, pulled: TicketPuller.Report
    ) async throws -> SyncReport.Retention {
        var retention = SyncReport.Retention(days: days)
        // As the run would: a token without the erase scope erases nothing.
        if let scopes = try? await platform.info().scopes, !scopes.contains("erase") {
            retention.refused = "the token lacks the erase scope"
            return retention
        }
        let limit = TicketCustodyRun.retentionLimit(days: days)
        guard platform.holdsTeamFields else {
            retention.wouldErase = try TicketCustodyRun.closedTickets(before: limit, in: tickets)
            return retention
        }
        // No platform base fetched: git's closed tickets stand in for the platform's.
        let held =
            try tickets.baseTip() != nil
            ? try TicketStore(root: root, ref: TicketStore.platformRef, codec: tickets.codec) : tickets
        var closed = Set(try TicketCustodyRun.closedTickets(before: limit, in: held))
        closed.subtract(pulled.platformNotClosed)
        let old = TicketTimestamp(limit)
        for (id, createdAt) in pulled.platformClosed {
            if let old, let created = TicketTimestamp(createdAt), created < old {
                closed.insert(id)
            } else {
                closed.remove(id)
            }
        }
        retention.wouldErase = closed.sorted()
        return retention
    }

    private struct Stopped: Error {
        var message: String
    }
}
