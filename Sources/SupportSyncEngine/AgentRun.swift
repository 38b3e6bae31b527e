import Foundation
import Logging
import SupportSync
import SupportSyncGit
import VapiProvider

/// `plan`, `apply` and `import`: config/ (merged for the environment) against
/// the platform the selection names.
public enum AgentRun {
    /// The plan for `only` (every agent when empty), naming the environment.
    public static func plan(
        root: URL, selection: PlatformSelection, only: Set<String> = [],
        logger: @escaping LoggerFactory = { Logger(label: $0) }
    ) async throws -> Plan {
        let target = try selection.resolve(root: root)
        let desired = try loadDesired(root: root, environment: target.environment)
        var plan = try await selection.with(target, readsOnly: true, logger: logger("supportsync.platform")) {
            platform in
            try await Reconciler(platform: platform, logger: logger("supportsync.plan")).plan(
                desired: desired.agents, only: only)
        }
        plan.environment = target.environment
        try UnknownAgentError.check(only, known: desired.agents.map(\.id) + plan.unmanaged)
        plan.noteFallbacks(providerNotes(desired, target: target))
        annotateDrift(&plan, root: root, environment: target.environment)
        return plan
    }

    /// Names in `plan` the fields edited on its platform since the last
    /// apply there, as the repository's record of what was applied holds it.
    static func annotateDrift(_ plan: inout Plan, root: URL, environment: String?) {
        Drift.annotate(
            &plan,
            lastApplied: AppliedRecord.read(
                root: root, environment: environment, platformInstance: plan.platformInstance))
    }

    /// Applies `plan`, says which edits made on the platform it put back,
    /// and records what it applied (a warning in the report when that
    /// cannot be recorded): what `apply` and `sync` do alike.
    static func applyRecording(
        _ plan: Plan, with reconciler: Reconciler, root: URL, target: PlatformSelection.Target, parallel: Int
    ) async -> ApplyReport {
        var report = await reconciler.apply(plan, parallel: parallel)
        report.putBack = Drift.putBack(plan, report)
        if let warning = AppliedRecord.record(
            root: root, environment: target.environment, platformInstance: plan.platformInstance,
            applied: report.applied(from: plan), pullsTickets: target.pullTickets)
        {
            report.warnings.append(warning)
        }
        return report
    }

    /// Applies a fresh plan, or exactly the plan saved at `savedPlan`
    /// (refused when it was made for another environment).
    public static func apply(
        root: URL, selection: PlatformSelection, savedPlan: String? = nil, only: Set<String> = [], parallel: Int = 8,
        logger: @escaping LoggerFactory = { Logger(label: $0) }
    ) async throws -> ApplyReport {
        let target = try selection.resolve(root: root)
        var saved: Plan?
        if let savedPlan {
            guard let data = FileManager.default.contents(atPath: savedPlan) else {
                throw SavedPlanError(path: savedPlan, reason: "no such file, or it cannot be read")
            }
            guard let decoded = try? JSONDecoder().decode(Plan.self, from: data) else {
                throw SavedPlanError(path: savedPlan)
            }
            // A plan of a later format may mean more than this version reads;
            // one without the platform it was made against cannot be checked
            // against the platform it is applied to.
            let version = (try? JSONDecoder().decode(SavedPlanHeader.self, from: data))?.formatVersion
            guard version == JSONDocument.formatVersion else {
                throw SavedPlanError(
                    path: savedPlan,
                    reason: version.map {
                        "it is of format_version \($0), which this version of supportsync does not read (it reads \(JSONDocument.formatVersion)); plan again"
                    } ?? "it has no format_version: it is not as plan --out saved it; plan again")
            }
            guard let instance = decoded.platformInstance, !instance.isEmpty else {
                throw SavedPlanError(
                    path: savedPlan,
                    reason:
                        "it does not name the platform it was made against (platform_instance): it is not as plan --out saved it; plan again"
                )
            }
            guard decoded.environment == target.environment else {
                throw SavedPlanError(
                    path: savedPlan,
                    reason:
                        "it was made for \(decoded.environment ?? "no environment"), not \(target.environment ?? "no environment")"
                )
            }
            try requireValid(decoded, path: savedPlan)
            saved = decoded
        }
        let desired = saved == nil ? try loadDesired(root: root, environment: target.environment) : nil
        // A mistyped --agent is said before the platform is reached (a local
        // one is not created for a run that writes nothing).
        if let saved {
            try UnknownAgentError.check(
                only, known: saved.agents.map(\.id) + saved.unmanaged,
                place: savedPlan.map { "in the saved plan \($0)" })
        }
        let local: Bool
        if case .local = target.kind { local = true } else { local = false }
        return try await selection.with(target, logger: logger("supportsync.platform")) { platform in
            let reconciler = Reconciler(platform: platform, logger: logger("supportsync.apply"))
            var plan: Plan
            if let saved {
                plan = saved
                // A plan saved where no local platform file existed yet (read
                // as an empty platform, `noInstance`) is the plan of a local
                // platform that still has no agent: the file this apply
                // creates, or one nothing was applied to yet.
                if saved.platformInstance == PlatformInfo.noInstance, local,
                    try await platform.agents().isEmpty
                {
                    plan.platformInstance = try await platform.info().instance
                }
            } else {
                plan = try await reconciler.plan(desired: desired?.agents ?? [], only: only, describing: false)
                plan.environment = target.environment
                plan.noteFallbacks(desired.map { providerNotes($0, target: target) } ?? [:])
                try UnknownAgentError.check(only, known: (desired?.agents.map(\.id) ?? []) + plan.unmanaged)
            }
            if !only.isEmpty { plan.agents.removeAll { !only.contains($0.id) } }
            annotateDrift(&plan, root: root, environment: target.environment)
            return await applyRecording(plan, with: reconciler, root: root, target: target, parallel: parallel)
        }
    }

    /// Refuses a saved plan with settings `validate` would refuse (a file
    /// edited after `plan --out`, or damaged): what apply writes always
    /// passes the rules, on every provider, not only where the platform
    /// checks them itself.
    static func requireValid(_ plan: Plan, path: String) throws(SavedPlanError) {
        for agent in plan.agents where agent.action != .unchanged {
            guard let body = try? JSONCoding.encoder().encode(AgentWrite(agent.desired)) else {
                throw SavedPlanError(
                    path: path, reason: "the settings of agent \(PrintableText.escaping(agent.id)) cannot be written")
            }
            if case .failure(let problem) = AgentBodyValidator.validate(json: Array(body), id: agent.id) {
                throw SavedPlanError(
                    path: path,
                    reason:
                        "the settings of agent \(PrintableText.escaping(agent.id)) do not validate (\(problem.field.map { "\($0): " } ?? "")\(PrintableText.escaping(problem.message))): it is not as plan --out saved it; plan again"
                )
            }
        }
    }

    /// What the provider does instead of settings it cannot express, and
    /// what else the plan should say of it, by agent.
    static func providerNotes(_ desired: ValidationResult, target: PlatformSelection.Target) -> [String: [String]] {
        var notes = desired.providerNotes
        if case .vapi(_, _, let webhook) = target.kind {
            let slice = VapiSlice(environment: target.environment ?? "", flagWebhook: webhook)
            for agent in desired.agents {
                let more = slice.notes(for: agent)
                if !more.isEmpty { notes[agent.id, default: []] += more }
            }
        }
        return notes
    }

    /// Writes config/agents/*.yaml from what is live.
    public static func importAgents(
        root: URL, selection: PlatformSelection, only: Set<String> = [], overwrite: Bool = false,
        logger: @escaping LoggerFactory = { Logger(label: $0) }
    ) async throws -> Importer.Report {
        let target = try selection.resolve(root: root)
        return try await selection.with(target, readsOnly: true, logger: logger("supportsync.platform")) {
            platform in
            try await Importer(platform: platform, root: root, environment: target.environment).run(
                only: only, overwrite: overwrite)
        }
    }
}

/// `--agent ID` naming no agent of config/agents/ or of the platform (exit
/// 64): a mistyped id must not look like a plan with nothing to do.
public struct UnknownAgentError: UserError {
    public var ids: [String]
    public var known: [String]
    /// Where the agents were looked for.
    public var place = "in config/agents/ or on the platform"
    public var description: String {
        let names = ids.map { "'\(PrintableText.escaping($0))'" }.joined(separator: ", ")
        let hint = ids.count == 1 ? Suggestion.closest(to: ids[0], in: known).map { "; did you mean '\($0)'?" } : nil
        return "--agent \(names): no such agent \(place)" + (hint ?? "")
    }
    public var exitStatus: ExitStatus { .usage }

    static func check(
        _ only: Set<String>, known: [String], place: String? = nil
    ) throws(UnknownAgentError) {
        let unknown = only.subtracting(known).sorted()
        guard unknown.isEmpty else {
            var error = UnknownAgentError(ids: unknown, known: known.sorted())
            if let place { error.place = place }
            throw error
        }
    }
}

/// What a saved plan says of its own format.
private struct SavedPlanHeader: Decodable {
    var formatVersion: Int
    enum CodingKeys: String, CodingKey { case formatVersion = "format_version" }
}

/// `apply --plan FILE` with a file that is not a saved plan, or one made
/// for another environment (exit 64).
public struct SavedPlanError: UserError {
    public var path: String
    public var reason = "it is not a plan saved by 'supportsync plan --out'"
    public var description: String { "\(path): \(reason)" }

    public init(path: String, reason: String = "it is not a plan saved by 'supportsync plan --out'") {
        self.path = path
        self.reason = reason
    }
    public var exitStatus: ExitStatus { .usage }
}

extension Importer.Report {
    /// One line a file or agent on stdout; the summary goes to stderr.
    public var text: String {
        written.map { path in
            "wrote \(path)\n" + notes.filter { $0.path == path }.map { "  platform: \($0.note)\n" }.joined()
                + overlaid.filter { $0.path == path }.map {
                    "  overlay: \($0.overlay) sets \($0.fields.joined(separator: ", ")): the file holds this environment's live values of them, which an environment without that overlay would plan\n"
                }.joined()
        }.joined()
            + kept.map { "kept \($0): it exists (use --overwrite to replace it)\n" }.joined()
            + skipped.map { "skipped \($0.0): \($0.1)\n" }.joined()
    }

    public var summary: String { "import: \(written.count) written, \(kept.count) kept, \(skipped.count) skipped" }

    /// `import --format json`: each file written or kept, each agent skipped and why.
    public var json: String {
        struct Skipped: Encodable { var id, reason: String }
        struct Note: Encodable { var path, note: String }
        struct Overlaid: Encodable {
            var path, overlay: String
            var fields: [String]
        }
        struct Document: Encodable {
            var written, kept: [String]
            var skipped: [Skipped]
            var notes: [Note]
            var overlaid: [Overlaid]
        }
        return JSONDocument.render(
            Document(
                written: written, kept: kept, skipped: skipped.map { Skipped(id: $0.0, reason: $0.1) },
                notes: notes.map { Note(path: $0.path, note: $0.note) },
                overlaid: overlaid.map { Overlaid(path: $0.path, overlay: $0.overlay, fields: $0.fields) }))
    }
}
