import SupportSync

/// The one short report `sync` prints, and appends as Markdown.
struct SyncReport {
    var dryRun: Bool
    var plan: Plan?
    var apply: ApplyReport?
    var pull: TicketPuller.Report?
    var push: TicketPusher.Report?
    var pendingPush: [String] = []
    var failures: [String] = []

    private func list(_ ids: [String]) -> String { ids.isEmpty ? "" : ": " + ids.joined(separator: ", ") }

    var lines: [String] {
        var lines: [String] = []
        if let apply {
            lines.append("agents: \(apply.created.count) created\(list(apply.created)), \(apply.updated.count) updated\(list(apply.updated)), \(apply.unchanged.count) unchanged, \(apply.refused.count + apply.failed.count) failed\(list(apply.refused + apply.failed))")
        } else if let plan {
            let create = plan.agents.filter { $0.action == .create }.map(\.id)
            let update = plan.agents.filter { $0.action == .update }.map(\.id)
            lines.append("agents (dry run): \(create.count) to create\(list(create)), \(update.count) to update\(list(update)), \(plan.count(.unchanged)) unchanged")
        }
        if let pull {
            let verb = dryRun ? "to pull" : "pulled"
            lines.append("tickets \(verb): \(pull.new.count) new\(list(pull.new)), \(pull.updated.count) updated\(list(pull.updated)), \(pull.conflicts.count) conflicts\(list(pull.conflicts.map(\.id)))")
            for (id, reason) in pull.skipped { lines.append("skipped ticket \(id): \(reason)") }
            lines += pull.warnings.map { "warning: \($0)" }
        }
        if let push {
            lines.append("tickets pushed: \(push.pushed.count)\(list(push.pushed)), \(push.conflicts.count) conflicts\(list(push.conflicts.map(\.id))), \(push.failed.count) failed\(list(push.failed.map(\.id)))")
        } else if dryRun {
            lines.append("tickets to push: \(pendingPush.count)\(list(pendingPush))")
        }
        lines += failures.map { "failed: \($0)" }
        return lines
    }

    var text: String {
        (dryRun ? ["sync (dry run: nothing changed)"] : ["sync"]).joined() + "\n" + lines.map { "  \($0)\n" }.joined()
    }

    var markdown: String {
        "### supportsync sync\(dryRun ? " (dry run)" : "")\n\n" + lines.map { "- \($0)\n" }.joined() + "\n"
    }
}
