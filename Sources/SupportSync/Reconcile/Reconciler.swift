import Logging

/// Moves support settings between config/ and the platform: `plan` reads,
/// `apply` writes, each write conditional on the version the plan saw.
public struct Reconciler: Sendable {
    public let platform: any AgentTarget
    public let logger: Logger

    public init(platform: any AgentTarget, logger: Logger = Logger(label: "supportsync.reconcile")) {
        self.platform = platform
        self.logger = logger
    }

    /// Compares the desired agents with the platform's, on canonical forms.
    /// `only`, when given, limits the plan to those agent ids.
    /// `describing`: what a person reads of the plan, each agent's
    /// behaviour before and after and a create's fields; an apply or sync
    /// that goes on to write without printing the plan leaves them out (a
    /// tenth of the client's time applying 1,000 new agents).
    public func plan(
        desired: [AgentSettings], only: Set<String> = [], describing: Bool = true
    ) async throws(PlatformError) -> Plan {
        let info = try await platform.info()
        let live = try await platform.agentsOnce()
        // Agents bound to the platform's objects by id; objects bound to no
        // agent may be taken over by the one agent of their name.
        let bound = live.filter { !$0.adoptable }
        let liveByID = Dictionary(bound.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var adopted: Set<String> = []
        var agents: [Plan.AgentPlan] = []
        for settings in desired.sorted(by: { $0.id < $1.id }) where only.isEmpty || only.contains(settings.id) {
            var current = liveByID[settings.id]
            var binds: String?
            if current == nil {
                let named = live.filter { $0.adoptable && $0.name == settings.name && !adopted.contains($0.version) }
                if named.count == 1, var found = named.first {
                    adopted.insert(found.version)
                    binds = found.name
                    found.id = settings.id
                    current = found
                }
            }
            let changes =
                current == nil && !describing
                ? []
                : SettingsDiff.changes(from: current?.settings, to: settings) + (current?.providerChanges ?? [])
            let action: Plan.Action =
                current == nil ? .create : changes.isEmpty && binds == nil ? .unchanged : .update
            var agent = Plan.AgentPlan(
                id: settings.id, action: action, changes: changes, platformVersion: current?.version,
                desired: settings,
                behaviour: action == .unchanged || !describing
                    ? nil : BehaviourChange.between(current?.settings, settings))
            agent.binds = binds
            if action == .update, let edited = current?.providerDrift, !edited.isEmpty { agent.drift = edited }
            if let notes = current?.notes, !notes.isEmpty { agent.notes = notes }
            agents.append(agent)
        }
        let managed = Set(desired.map(\.id))
        let others = live.filter { $0.adoptable ? !adopted.contains($0.version) : !managed.contains($0.id) }
            .filter { only.isEmpty || only.contains($0.id) }
        let unmanaged = others.map(\.id).sorted()
        logger.debug("planned", metadata: ["agents": "\(agents.count)", "unmanaged": "\(unmanaged.count)"])
        var plan = Plan(agents: agents, unmanaged: unmanaged, platformInstance: info.instance)
        // An object bound to no agent whose name gives a managed agent's id
        // is another object: the plan names it so as not to read as that agent.
        for other in others where other.adoptable && managed.contains(other.id) {
            plan.unmanagedNames[other.id] = other.name
        }
        plan.conditional = platform.conditionalWrites
        return plan
    }

    /// Applies the plan's pending agents, `parallel` at a time, going on past
    /// failures. Each write is conditional on the version the plan saw; a
    /// create is refused when the agent appeared on the platform meanwhile.
    public func apply(_ plan: Plan, parallel: Int = 8) async -> ApplyReport {
        var results: [ApplyReport.Result] = plan.agents.filter { $0.action == .unchanged }
            .map { ApplyReport.Result(id: $0.id, action: .unchanged, outcome: .unchanged) }
        if let expected = plan.platformInstance {
            // A plan is applied only to the platform it was made against; one
            // that cannot say which it is gets nothing.
            let refusal: String?
            do {
                let actual = try await platform.info().instance
                if actual == expected {
                    refusal = nil
                } else if expected == PlatformInfo.noInstance {
                    refusal =
                        "the plan was made where no local platform existed yet, and this platform (instance \(PrintableText.escaping(actual))) is another, or has agents now: plan again"
                } else {
                    refusal =
                        "the plan was made against another platform (instance \(PrintableText.escaping(expected)), not \(PrintableText.escaping(actual)))"
                }
            } catch {
                refusal = "the platform did not say which it is, so the plan cannot be checked against it: \(error)"
            }
            if let refusal {
                // Nor is an agent the plan found unchanged there said to be
                // unchanged here (or recorded as applied).
                results = []
                for agent in plan.pending {
                    results.append(
                        ApplyReport.Result(id: agent.id, action: agent.action, outcome: .conflict(refusal)))
                }
                var report = ApplyReport(results: results, environment: plan.environment)
                report.conditional = platform.conditionalWrites
                return report
            }
        }
        let pending = plan.pending
        let width = max(1, parallel)
        await withTaskGroup(of: ApplyReport.Result.self) { group in
            var next = 0
            while next < min(width, pending.count) {
                let agent = pending[next]
                group.addTask { await self.apply(agent) }
                next += 1
            }
            for await result in group {
                results.append(result)
                if next < pending.count {
                    let agent = pending[next]
                    group.addTask { await self.apply(agent) }
                    next += 1
                }
            }
        }
        var report = ApplyReport(results: results, environment: plan.environment)
        report.conditional = platform.conditionalWrites
        return report
    }

    private func apply(_ agent: Plan.AgentPlan) async -> ApplyReport.Result {
        do {
            // A create only creates: an agent made on the platform since the
            // plan is never overwritten. Looked for first too, for a server
            // of the API that predates If-None-Match and would ignore it
            // (an emulating platform looks itself, just before its write).
            if agent.action == .create, platform.conditionalWrites == .native,
                let existing = try await platform.agent(id: agent.id)
            {
                let reason =
                    "agent \(agent.id) was created on the platform since the plan; nothing was overwritten (version \(existing.version)); plan again"
                return ApplyReport.Result(id: agent.id, action: agent.action, outcome: .conflict(reason))
            }
            let precondition = agent.platformVersion.map(AgentPrecondition.revision) ?? .absent
            let written = try await platform.putAgent(
                id: agent.id, AgentWrite(agent.desired), expecting: precondition)
            logger.info("applied", metadata: ["agent": "\(agent.id)", "version": "\(written.version)"])
            return ApplyReport.Result(id: agent.id, action: agent.action, outcome: .applied(version: written.version))
        } catch {
            let outcome: ApplyReport.Outcome
            let reason: String
            switch error {
            case .versionConflict(let message):
                reason =
                    "agent \(agent.id) \(agent.platformVersion == nil ? "was created" : "changed") on the platform since the plan; nothing was overwritten (\(message)); plan again"
                outcome = .conflict(reason)
            case .invalid:
                reason = "the platform rejects \(Self.naming(agent.id, error.message))"
                outcome = .rejected(reason)
            default:
                reason = Self.naming(agent.id, error.message)
                outcome = .failed(reason)
            }
            // The report says it, once; the log only for whoever asks for more.
            logger.info("not applied", metadata: ["agent": "\(agent.id)", "reason": "\(reason)"])
            return ApplyReport.Result(id: agent.id, action: agent.action, outcome: outcome)
        }
    }
}

extension Reconciler {
    /// `message` starting with the agent it is about, once: the HTTP
    /// client's messages already start with `agent <id>: `.
    static func naming(_ id: String, _ message: String) -> String {
        message.hasPrefix("agent \(id): ") ? message : "agent \(id): \(message)"
    }
}

/// The result of `apply`, agent by agent.
public struct ApplyReport: Sendable {
    public enum Outcome: Sendable, Hashable {
        case applied(version: String)
        case unchanged
        /// Changed on the platform since the plan: refused, nothing overwritten.
        case conflict(String)
        /// The platform refused the settings (422).
        case rejected(String)
        /// The write failed (unreachable, 5xx after retries, 401...).
        case failed(String)

        /// What was said when the agent was not written (refused or
        /// failed); nil when it was written or already matched.
        public var reason: String? {
            switch self {
            case .conflict(let said), .rejected(let said), .failed(let said): said
            case .applied, .unchanged: nil
            }
        }

        /// How a report names an agent not written: `refused` (a conflict,
        /// or settings the platform refused) or `failed`; nil when written.
        public var notWritten: String? {
            switch self {
            case .conflict, .rejected: "refused"
            case .failed: "failed"
            case .applied, .unchanged: nil
            }
        }
    }

    public struct Result: Sendable, Hashable {
        public var id: String
        public var action: Plan.Action
        public var outcome: Outcome
    }

    public var results: [Result]
    /// The environment the plan was made for; nil without `supportsync.yaml`.
    public var environment: String?
    /// Agents edited on the platform since the last apply, and the fields this apply put back.
    public var putBack: [(id: String, fields: [String])] = []
    /// How the writes were made conditional on the plan's versions.
    public var conditional: ConditionalWrites = .native
    /// What went wrong beside the writes (the record of what was applied).
    public var warnings: [String] = []

    /// The settings written: what a later plan compares the live ones with.
    public func applied(from plan: Plan) -> [AgentSettings] {
        let written = Set(created + updated + unchanged)
        return plan.agents.filter { written.contains($0.id) }.map(\.desired)
    }

    public init(results: [Result], environment: String? = nil) {
        self.results = results.sorted { $0.id < $1.id }
        self.environment = environment
    }

    public func ids(where predicate: (Outcome) -> Bool) -> [String] {
        results.filter { predicate($0.outcome) }.map(\.id)
    }

    public var created: [String] { results.filter { $0.action == .create && isApplied($0.outcome) }.map(\.id) }
    public var updated: [String] { results.filter { $0.action == .update && isApplied($0.outcome) }.map(\.id) }
    public var unchanged: [String] { ids { $0 == .unchanged } }
    public var refused: [String] { ids { $0.notWritten == "refused" } }
    public var failed: [String] { ids { $0.notWritten == "failed" } }

    private func isApplied(_ outcome: Outcome) -> Bool {
        if case .applied = outcome { return true }
        return false
    }

    /// 3 when an agent failed, else 1 when one was refused, else 0.
    public var exitStatus: ExitStatus {
        if !failed.isEmpty { return .failure }
        if !refused.isEmpty { return .needsAttention }
        return .success
    }
}
