import Foundation
import SupportSync
import SupportSyncGit

/// The one short report `sync` prints, and appends as Markdown.
public struct SyncReport: Sendable {
    public var dryRun: Bool
    /// The environment of `supportsync.yaml` synced; nil without one.
    public var environment: String?
    /// The environment's tickets are not pulled (no `pull_tickets: true`).
    public var ticketsNotPulled = false
    public var plan: Plan?
    public var apply: ApplyReport?
    public var pull: TicketPuller.Report?
    public var push: TicketPusher.Report?
    /// With `--dry-run`: what a push would do now.
    public var pushPreview: TicketPusher.Preview?
    public var failures: [String] = []
    /// `tickets: {erase_closed_after: Nd}`: what retention erased.
    public var retention: Retention?
    /// config/'s problems, when they stopped the sync before anything ran.
    public var configDiagnostics: [Diagnostic]?

    public struct Retention: Sendable, Encodable {
        public var days: Int
        public var erased: [String] = []
        /// Why nothing was erased: the token lacks the erase scope.
        public var refused: String?
        /// A dry run: the tickets the platform holds closed (as the pull
        /// read them, else as the platform base holds them; a platform that
        /// keeps no status: as git holds them) and created before the limit,
        /// which the run would erase.
        public var wouldErase: [String]?

        public init(days: Int) {
            self.days = days
        }

        enum CodingKeys: String, CodingKey {
            case days, erased, refused
            case wouldErase = "would_erase"
        }
    }

    /// Ids for a line of the report, escaped: some are the platform's (what retention erased).
    private func list(_ ids: [String]) -> String {
        ids.isEmpty ? "" : ": " + IDList.capped(ids.map { PrintableText.escaping($0) })
    }

    /// `T-1, T-2: reason`, escaped: the reason may be the platform's words.
    static func failure(_ group: (ids: [String], reason: String)) -> String {
        "\(IDList.capped(group.ids.map { PrintableText.escaping($0) })): \(PrintableText.escaping(group.reason))"
    }

    /// Ids in first-seen order, each once (a ticket in conflict on two fields is one ticket).
    static func unique(_ ids: [String]) -> [String] {
        var seen: Set<String> = []
        return ids.filter { seen.insert($0).inserted }
    }

    /// At most `IDList.limit` lines, then how many more and where they are.
    static func capped(_ lines: [String], _ what: String) -> [String] {
        guard lines.count > IDList.limit else { return lines }
        return Array(lines.prefix(IDList.limit)) + ["... and \(lines.count - IDList.limit) more \(what)"]
    }

    public init(dryRun: Bool) {
        self.dryRun = dryRun
    }

    public var lines: [String] {
        var lines: [String] = []
        if let environment { lines.append("environment: \(environment)") }
        if let apply {
            lines.append(
                "agents: \(apply.created.count) created\(list(apply.created)), \(apply.updated.count) updated\(list(apply.updated)), \(apply.unchanged.count) unchanged, \(apply.refused.count) refused\(list(apply.refused)), \(apply.failed.count) failed\(list(apply.failed))"
            )
        } else if let plan {
            let create = plan.agents.filter { $0.action == .create }.map(\.id)
            let update = plan.agents.filter { $0.action == .update }.map(\.id)
            lines.append(
                "agents (dry run): \(create.count) to create\(list(create)), \(update.count) to update\(list(update)), \(plan.count(.unchanged)) unchanged"
            )
        }
        if ticketsNotPulled, let environment {
            lines.append("tickets: not pulled in environment \(environment) (pull_tickets is not true)")
        }
        if let retention {
            if let refused = retention.refused {
                lines.append(
                    "warning: retention (\(retention.days) days) \(dryRun ? "would erase" : "erased") nothing: \(refused)"
                )
            } else if let wouldErase = retention.wouldErase {
                lines.append(
                    "tickets retention would erase (closed, created over \(retention.days) days ago): \(wouldErase.count)\(list(wouldErase))"
                )
            } else if !dryRun {
                lines.append(
                    "tickets erased by retention (closed, created over \(retention.days) days ago): \(retention.erased.count)\(list(retention.erased))"
                )
            }
        }
        // Why each agent was refused or failed, as `apply` says it: the
        // agents one reason stopped on one line (an outage stops them all).
        struct Why: Hashable {
            var kind, reason: String
        }
        let groups = IDList.grouped(
            (apply?.results ?? []).compactMap { result -> (id: String, reason: Why)? in
                guard let kind = result.outcome.notWritten, let reason = result.outcome.reason else { return nil }
                // The reason without the agent it names first.
                let own = "agent \(result.id): "
                return (
                    result.id,
                    Why(kind: kind, reason: reason.hasPrefix(own) ? String(reason.dropFirst(own.count)) : reason)
                )
            })
        lines += Self.capped(
            groups.map {
                "\($0.reason.kind) \(IDList.capped($0.ids.map { PrintableText.escaping($0) })): \(PrintableText.escaping($0.reason.reason))"
            }, "reasons agents were refused or failed (--format json lists them all)")
        lines += (apply?.warnings ?? []).map { "warning: \($0)" }
        for (id, fields) in apply?.putBack ?? [] {
            lines.append(
                "agent \(id) was edited on the platform since the last apply; put back: \(fields.joined(separator: ", "))"
            )
        }
        if apply == nil, let plan {
            // The dry run: what the run would put back, as `plan` says it.
            for (id, fields) in Drift.putBack(plan) {
                lines.append(
                    "agent \(id) was edited on the platform since the last apply; the run would put back: \(fields.joined(separator: ", "))"
                )
            }
        }
        // Each conflict and each failed push once, at most 20 lines of each,
        // then where to see them all.
        var details: [String] = []
        var pushFailures: [String] = []
        if let pull {
            let verb = dryRun ? "to pull" : "pulled"
            lines.append(
                "tickets \(verb): \(pull.new.count) new\(list(pull.new)), \(pull.updated.count) updated\(list(pull.updated)), \(plural(pull.conflicts.count, "conflict"))\(list(Self.unique(pull.conflicts.map(\.id))))"
            )
            details += pull.conflicts.map { "conflict \($0.id): \($0.conflict.describe(id: $0.id))" }
            for (id, reason) in pull.skipped { lines.append("skipped ticket \(id): \(reason)") }
            lines += pull.warnings.map { "warning: \($0)" }
        }
        if let push, push.notSent != nil {
            lines.append("tickets pushed: none; the platform keeps no ticket status (team fields live in git)")
        } else if let push {
            lines.append(
                "tickets pushed: \(push.pushed.count)\(list(push.pushed)), \(plural(push.conflicts.count, "conflict"))\(list(Self.unique(push.conflicts.map(\.id)))), \(push.failed.count) failed\(list(push.failed.map(\.id)))"
            )
            for (id, conflict) in push.conflicts
            where !(pull?.conflicts.contains { $0.id == id && $0.conflict == conflict } ?? false) {
                details.append("conflict \(id): \(conflict.describe(id: id))")
            }
            // One line a reason: a push the platform stopped leaves many
            // tickets unsent for one reason (JSON lists each).
            pushFailures = push.failedByReason.map { "push failed for \(Self.failure($0))" }
        } else if let preview = pushPreview {
            lines.append(
                "tickets to push: \(preview.toPush.count)\(list(preview.toPush)), \(plural(preview.conflicts.count, "conflict"))\(list(Self.unique(preview.conflicts.map(\.id)))), \(preview.failed.count) would fail\(list(preview.failed.map(\.id)))"
            )
            for (id, conflict) in preview.conflicts
            where !(pull?.conflicts.contains { $0.id == id && $0.conflict == conflict } ?? false) {
                details.append("conflict \(id): \(conflict.describe(id: id))")
            }
            pushFailures = IDList.grouped(preview.failed).map { "push would fail for \(Self.failure($0))" }
        }
        for problem in ticketProblems {
            lines.append(
                "unreadable ticket file \(PrintableText.escaping(problem.location.description)): \(PrintableText.escaping(problem.message))"
            )
        }
        lines += Self.capped(details, "conflicts (supportsync tickets list --conflicts shows them all)")
        lines += Self.capped(pushFailures, "failed pushes (--format json lists them all)")
        lines += failures.map { "failed: \($0)" }
        return lines
    }

    /// Every ticket file the pull or the push could not read, once each
    /// (both look at every file).
    var ticketProblems: [Diagnostic] {
        var seen = Set<String>()
        return ((pull?.problems ?? []) + (push?.problems ?? []) + (pushPreview?.problems ?? [])).filter {
            seen.insert("\($0.location)\u{0}\($0.message)").inserted
        }
    }

    public var text: String {
        (dryRun ? ["sync (dry run: nothing changed)"] : ["sync"]).joined() + "\n" + lines.map { "  \($0)\n" }.joined()
    }

    /// `sync --format json`: the same report as one JSON document.
    public var json: String {
        struct PutBack: Encodable {
            var id: String
            var fields: [String]
        }
        struct Agents: Encodable {
            var created, updated, unchanged, refused, failed: [String]
            var putBack: [PutBack]
            /// Why each refused or failed agent was, as `apply` says it.
            var reasons: [Skipped]

            enum CodingKeys: String, CodingKey {
                case created, updated, unchanged, refused, failed, reasons
                case putBack = "put_back"
            }
        }
        struct PlannedAgents: Encodable {
            var create, update, unchanged: [String]
            /// What the run would put back: fields edited on the platform since the last apply.
            var putBack: [PutBack]

            enum CodingKeys: String, CodingKey {
                case create, update, unchanged
                case putBack = "put_back"
            }
        }
        typealias Conflict = TicketOutput.ConflictJSON
        struct Skipped: Encodable {
            var id, reason: String
        }
        /// Diagnostics as `validate --format json` writes them.
        struct Problems: Encodable {
            var list: [Diagnostic]

            func encode(to encoder: any Encoder) throws {
                try DiagnosticFormatter.jsonEntries(list).encode(to: encoder)
            }
        }
        struct Tickets: Encodable {
            var new, updated: [String]
            var conflicts: [Conflict]
            var skipped: [Skipped]
            var pushed: [String]?
            var toPush: [String]?
            var pushConflicts: [Conflict]?
            var pushFailed: [Skipped]?
            var diagnostics: Problems

            enum CodingKeys: String, CodingKey {
                case new, updated, conflicts, skipped, pushed, diagnostics
                case toPush = "to_push"
                case pushConflicts = "push_conflicts"
                case pushFailed = "push_failed"
            }
        }
        struct Document: Encodable {
            var dryRun: Bool
            var environment: String?
            var ticketsPulled: Bool
            var agents: Agents?
            var plannedAgents: PlannedAgents?
            var tickets: Tickets?
            var retention: Retention?
            var warnings: [String]
            var failures: [String]
            var diagnostics: Problems?

            enum CodingKeys: String, CodingKey {
                case dryRun = "dry_run"
                case environment
                case ticketsPulled = "tickets_pulled"
                case agents
                case plannedAgents = "planned_agents"
                case tickets, retention, warnings, failures, diagnostics
            }
        }
        // Whether this run pulled tickets (a pull that failed after some
        // batches committed counts): not in an environment that does not
        // pull them, nor when the run stopped before the pull.
        var document = Document(
            dryRun: dryRun, environment: environment, ticketsPulled: pull != nil,
            warnings: (apply?.warnings ?? []) + (pull?.warnings ?? []), failures: failures)
        document.diagnostics = configDiagnostics.map(Problems.init)
        document.retention = retention
        if let apply {
            document.agents = Agents(
                created: apply.created, updated: apply.updated, unchanged: apply.unchanged, refused: apply.refused,
                failed: apply.failed, putBack: apply.putBack.map { PutBack(id: $0.id, fields: $0.fields) },
                reasons: apply.results.compactMap { result in
                    result.outcome.reason.map { Skipped(id: result.id, reason: $0) }
                })
        } else if let plan {
            document.plannedAgents = PlannedAgents(
                create: plan.agents.filter { $0.action == .create }.map(\.id),
                update: plan.agents.filter { $0.action == .update }.map(\.id),
                unchanged: plan.agents.filter { $0.action == .unchanged }.map(\.id),
                putBack: Drift.putBack(plan).map { PutBack(id: $0.id, fields: $0.fields) })
        }
        if let pull {
            var tickets = Tickets(
                new: pull.new, updated: pull.updated,
                conflicts: pull.conflicts.map(TicketOutput.conflictJSON),
                skipped: pull.skipped.map { Skipped(id: $0.id, reason: $0.reason) },
                diagnostics: Problems(list: ticketProblems))
            if let push {
                tickets.pushed = push.pushed
                tickets.pushConflicts = push.conflicts.map(TicketOutput.conflictJSON)
                tickets.pushFailed = push.failed.map { Skipped(id: $0.id, reason: $0.reason) }
            } else if let preview = pushPreview {
                tickets.toPush = preview.toPush
                tickets.pushConflicts = preview.conflicts.map(TicketOutput.conflictJSON)
                tickets.pushFailed = preview.failed.map { Skipped(id: $0.id, reason: $0.reason) }
            }
            document.tickets = tickets
        }
        return JSONDocument.render(document)
    }

    /// The job summary: the report's lines, then a table of the tickets the
    /// pull wrote (at most 20 rows, then how many more).
    public var markdown: String {
        var output =
            "### supportsync sync\(environment.map { " (environment \($0))" } ?? "")\(dryRun ? " (dry run)" : "")\n\n"
            + lines.map { "- \(Self.markdownText($0))\n" }.joined() + "\n"
        // What stopped the run, where it is: the job summary is where CI is read.
        let errors = (configDiagnostics ?? []).filter { $0.severity == .error }
        if !errors.isEmpty {
            output += "| where | problem | rule |\n|---|---|---|\n"
            for error in errors.prefix(IDList.limit) {
                let text =
                    PrintableText.escaping(error.message)
                    + (error.hint.map { " (\(PrintableText.escaping($0)))" } ?? "")
                output +=
                    "| \(Self.markdownText(PrintableText.escaping(error.location.description))) | \(Self.markdownText(text)) | \(error.rule.rawValue) |\n"
            }
            if errors.count > IDList.limit {
                output += "\n… and \(errors.count - IDList.limit) more (`supportsync validate` has them all)\n"
            }
            output += "\n"
        }
        let summaries = pull?.summaries ?? []
        let written = (pull?.new.count ?? 0) + (pull?.updated.count ?? 0)
        if !summaries.isEmpty {
            output += "| ticket | agent | status | changed |\n|---|---|---|---|\n"
            for summary in summaries.prefix(IDList.limit) {
                output +=
                    "| `\(summary.id)` | \(Self.markdownText(summary.agent)) | \(summary.status) | \(Self.markdownText(summary.changed.joined(separator: ", "))) |\n"
            }
            if written > summaries.count {
                output += "\n… and \(written - summaries.count) more (`supportsync tickets list` has them all)\n"
            }
            output += "\n"
        }
        return output
    }

    /// A line of the report as Markdown text that reads as it is: values
    /// from the platform (a conflict's assignee, an error's message) make
    /// no HTML, link, image or table cell in the job summary.
    static func markdownText(_ line: String) -> String {
        var out = ""
        out.reserveCapacity(line.utf8.count)
        for character in line {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "|", "~", "!": out += "\\" + String(character)
            default: out.append(character)
            }
        }
        return out
    }

    /// The job summary of a run that stopped before it had a report (a
    /// detached HEAD, no platform in CI): what stopped it, so the summary
    /// is never blank.
    public static func appendStopped(_ message: String, dryRun: Bool, to path: String) throws {
        var report = SyncReport(dryRun: dryRun)
        report.failures = ["stopped before syncing: " + message]
        try report.appendMarkdown(to: path)
    }

    /// Appends the Markdown report to `path` (`$GITHUB_STEP_SUMMARY`),
    /// creating the file when missing.
    public func appendMarkdown(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(markdown.utf8))
    }
}
