/// Prints a plan for people (text), for a pull-request comment (Markdown,
/// under GitHub's 65,536-character limit) or for tools (JSON).
public enum PlanFormatter {
    public enum Format: String, Sendable, CaseIterable {
        case text
        case json
        case markdown
    }

    public static func format(_ plan: Plan, as format: Format) -> String {
        switch format {
        case .text: return text(plan)
        case .json: return JSONDocument.render(plan)
        case .markdown: return markdown(plan)
        }
    }

    static func value(_ text: String?) -> String { text ?? "(none)" }

    public static func summary(_ plan: Plan) -> String {
        "\(plan.count(.create)) to create, \(plan.count(.update)) to update, \(plan.count(.unchanged)) unchanged"
            + (plan.unmanaged.isEmpty ? "" : ", \(plan.unmanaged.count) not managed by config/")
    }

    public static func text(_ plan: Plan) -> String {
        var output = plan.environment.map { "Environment: \($0)\n" } ?? ""
        for agent in plan.agents {
            switch agent.action {
            case .unchanged:
                // Unchanged, but doing more than its settings say: said every time.
                guard agent.notes != nil else { continue }
                output += "= \(agent.id)\n" + platformNotes(agent)
            case .create:
                output += "+ create \(agent.id)\n"
                output += behaviour(agent)
                for change in agent.changes { output += "    \(change.field): \(value(change.new))\n" }
            case .update:
                output += "~ update \(agent.id)\n"
                if let binds = agent.binds {
                    output += "    takes over '\(PrintableText.escaping(binds))', which no agent managed: same name\n"
                }
                if let drift = agent.drift {
                    output +=
                        "    edited on the platform since the last apply; apply puts back: \(drift.joined(separator: ", "))\n"
                }
                output += behaviour(agent)
                for change in agent.changes {
                    output += "    \(change.field): \(value(change.old)) -> \(value(change.new))\n"
                }
            }
        }
        if !plan.unmanaged.isEmpty {
            // Ids the platform chose: shown escaped.
            output +=
                "Not managed by config/ (left untouched): \(IDList.capped(plan.unmanaged.map { PrintableText.escaping(plan.shownUnmanaged($0)) }))\n"
        }
        if plan.conditional == .emulated, plan.hasChanges {
            output +=
                "Conditional writes are emulated: the platform has none, so apply reads each agent again and refuses one changed since this plan.\n"
        }
        output +=
            plan.hasChanges
            ? "Plan: \(summary(plan)).\n" : "No changes: the platform matches config/ (\(summary(plan))).\n"
        return output
    }

    /// The behaviour lines of an agent's plan, before its fields, and what
    /// the provider does instead of settings it cannot express.
    static func behaviour(_ agent: Plan.AgentPlan) -> String {
        let fallbacks =
            (agent.fallbacks ?? []).map { "    provider: \($0)\n" }.joined() + platformNotes(agent)
        guard let change = agent.behaviour else { return fallbacks }
        let lines = change.lines
        if change.isEmpty { return "    behaviour: \(lines[0])\n" + fallbacks }
        return "    behaviour:\n" + lines.map { "      \($0)\n" }.joined() + fallbacks
    }

    /// What the platform holds outside the managed settings, one line each.
    static func platformNotes(_ agent: Plan.AgentPlan) -> String {
        (agent.notes ?? []).map { "    platform: \($0)\n" }.joined()
    }

    /// GitHub refuses comments over 65,536 characters; stay well under.
    public static let markdownLimit = 65_000

    public static func markdown(_ plan: Plan) -> String {
        let header =
            "### supportsync plan\(plan.environment.map { " (environment \($0))" } ?? "")\n\n**\(summary(plan))**\n\n"
        var details = ""
        for agent in plan.pending {
            let verb = agent.action == .create ? "create" : "update"
            details +=
                "<details><summary><code>\(agent.id)</code>: \(verb), \(agent.changes.count) field\(agent.changes.count == 1 ? "" : "s")</summary>\n\n"
            if let binds = agent.binds {
                details += "Takes over \(markdownCode(binds)), which no agent managed (same name).\n\n"
            }
            for fallback in agent.fallbacks ?? [] {
                details += "Provider: \(markdownCode(fallback)).\n\n"
            }
            for note in agent.notes ?? [] {
                details += "Platform: \(markdownCode(note)).\n\n"
            }
            if let drift = agent.drift {
                details +=
                    "**Edited on the platform since the last apply**; apply puts back: "
                    + drift.map { "`\($0)`" }.joined(separator: ", ") + "\n\n"
            }
            if let change = agent.behaviour {
                details +=
                    change.isEmpty
                    ? "Behaviour: \(change.lines[0]).\n\n"
                    : "Behaviour:\n\n" + change.lines.map { "- \(markdownCode($0))\n" }.joined() + "\n"
            }
            details += "```diff\n"
            for change in agent.changes {
                if let old = change.old { details += "- \(change.field): \(fence(old))\n" }
                if let new = change.new { details += "+ \(change.field): \(fence(new))\n" }
            }
            details += "```\n\n</details>\n\n"
        }
        for agent in plan.agents where agent.action == .unchanged {
            for note in agent.notes ?? [] {
                details += "`\(agent.id)` (unchanged). Platform: \(markdownCode(note)).\n\n"
            }
        }
        var unmanaged = ""
        if !plan.unmanaged.isEmpty {
            unmanaged =
                "Not managed by `config/` (left untouched): "
                + IDList.capped(plan.unmanaged.map { markdownCode(PrintableText.escaping(plan.shownUnmanaged($0))) })
                + "\n"
        }
        var output = header + details + unmanaged
        if output.count > markdownLimit {
            // Too long for one comment: list the agents, not their fields.
            var list = ""
            for action in [Plan.Action.create, .update] {
                let ids = plan.agents.filter { $0.action == action }.map(\.id)
                if !ids.isEmpty {
                    list += "- \(action.rawValue): " + ids.map { "`\($0)`" }.joined(separator: ", ") + "\n"
                }
            }
            // What a reviewer must see beyond the fields is kept, at most
            // IDList.limit lines: first the agents taken over or edited on
            // the platform since the last apply (about this plan), then the
            // providers' fallbacks and what platforms do beside the settings.
            var said: [String] = []
            var about: [String] = []
            for agent in plan.agents {
                let id = "`\(agent.id)`"
                if let binds = agent.binds { said.append("\(id): takes over \(markdownCode(binds))") }
                if let drift = agent.drift {
                    said.append(
                        "\(id): edited on the platform since the last apply; apply puts back: "
                            + drift.map { "`\($0)`" }.joined(separator: ", "))
                }
                about += (agent.fallbacks ?? []).map { "\(id): provider: \(markdownCode($0))" }
                about += (agent.notes ?? []).map { "\(id): platform: \(markdownCode($0))" }
            }
            said += about
            var notes = said.prefix(IDList.limit).map { "- \($0)\n" }.joined()
            if said.count > IDList.limit { notes += "- … and \(said.count - IDList.limit) more\n" }
            if !notes.isEmpty { notes += "\n" }
            // What changes for customers, each line once with the agents it
            // concerns (a change made to many agents alike is one line), as
            // many as the comment has room for.
            var groups: [(line: String, ids: [String])] = []
            var place: [String: Int] = [:]
            for agent in plan.agents where agent.action != .unchanged {
                guard let change = agent.behaviour, !change.isEmpty else { continue }
                for line in change.lines {
                    if let index = place[line] {
                        groups[index].ids.append(agent.id)
                    } else {
                        place[line] = groups.count
                        groups.append((line, [agent.id]))
                    }
                }
            }
            let start =
                header + "The full plan is too long for a comment; run `supportsync plan` for every field.\n\n" + list
                + "\n" + notes
            var behaviour = ""
            var shown = 0
            for group in groups {
                let ids = group.ids.prefix(IDList.limit).map { "`\($0)`" }.joined(separator: ", ")
                let more = group.ids.count > IDList.limit ? " and \(group.ids.count - IDList.limit) more" : ""
                let line = "- \(markdownCode(group.line)): \(ids)\(more)\n"
                // Room kept for the rest and the closing line.
                guard start.count + behaviour.count + line.count + unmanaged.count + 200 < markdownLimit else { break }
                behaviour += line
                shown += 1
            }
            if !behaviour.isEmpty {
                if shown < groups.count { behaviour += "- … and \(groups.count - shown) more changes\n" }
                behaviour = "What changes for customers:\n\n" + behaviour + "\n"
            }
            output = start + behaviour + unmanaged
            if output.count > markdownLimit {
                output = String(output.prefix(markdownLimit - 60)) + "\n\n… (truncated; run `supportsync plan`)\n"
            }
        }
        return output
    }

    /// A line as inline code, its backticks made harmless.
    private static func markdownCode(_ text: String) -> String {
        "`" + text.replacingOccurrences(of: "`", with: "'") + "`"
    }

    /// Keeps a value on one line inside a code fence.
    private static func fence(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "```", with: "'''")
    }

    public static func text(_ report: ApplyReport) -> String {
        var output = report.environment.map { "Environment: \($0)\n" } ?? ""
        for result in report.results {
            switch result.outcome {
            case .unchanged: continue
            case .applied(let version):
                output += "\(result.action == .create ? "created" : "updated") \(result.id) (version \(version))\n"
                if let fields = report.putBack.first(where: { $0.id == result.id })?.fields {
                    output +=
                        "  put back what was edited on the platform since the last apply: \(fields.joined(separator: ", "))\n"
                }
            case .conflict(let message), .rejected(let message): output += "refused \(result.id): \(message)\n"
            case .failed(let message): output += "failed  \(result.id): \(message)\n"
            }
        }
        if report.conditional == .emulated,
            !report.created.isEmpty || !report.updated.isEmpty || !report.refused.isEmpty
        {
            output +=
                "Conditional writes were emulated: each agent was read again and compared just before its write.\n"
        }
        output += report.warnings.map { "warning: \($0)\n" }.joined()
        output +=
            "Apply: \(report.created.count) created, \(report.updated.count) updated, \(report.unchanged.count) unchanged, "
            + "\(report.refused.count) refused, \(report.failed.count) failed.\n"
        return output
    }

    public static func json(_ report: ApplyReport) -> String {
        struct Entry: Encodable {
            var id: String
            var action: String
            var outcome: String
            var version: String?
            var message: String?
            /// Fields edited on the platform since the last apply, put back.
            var putBack: [String]?

            enum CodingKeys: String, CodingKey {
                case id, action, outcome, version, message
                case putBack = "put_back"
            }
        }
        let entries = report.results.map { result -> Entry in
            switch result.outcome {
            case .applied(let version):
                return Entry(
                    id: result.id, action: result.action.rawValue, outcome: "applied", version: version,
                    putBack: report.putBack.first { $0.id == result.id }?.fields)
            case .unchanged: return Entry(id: result.id, action: result.action.rawValue, outcome: "unchanged")
            case .conflict(let m):
                return Entry(id: result.id, action: result.action.rawValue, outcome: "conflict", message: m)
            case .rejected(let m):
                return Entry(id: result.id, action: result.action.rawValue, outcome: "rejected", message: m)
            case .failed(let m):
                return Entry(id: result.id, action: result.action.rawValue, outcome: "failed", message: m)
            }
        }
        struct Document: Encodable {
            var environment: String?
            var conditional: ConditionalWrites
            var agents: [Entry]
            var warnings: [String]
        }
        return JSONDocument.render(
            Document(
                environment: report.environment, conditional: report.conditional, agents: entries,
                warnings: report.warnings))
    }
}

extension Plan {
    /// An unmanaged id as the plan prints it: with the object's name when
    /// it is another object than the managed agent of that id.
    func shownUnmanaged(_ id: String) -> String {
        unmanagedNames[id].map { "\(id) (another, bound to no agent: '\($0)')" } ?? id
    }
}
