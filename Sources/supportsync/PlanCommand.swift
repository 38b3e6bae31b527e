import ArgumentParser
import Foundation
import SupportSync
import SupportSyncEngine

extension PlanFormatter.Format: ExpressibleByArgument {}

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change on the platform, agent by agent and field by field.",
        discussion: """
            Read-only. Agents on the platform that config/ does not manage are listed, never touched.

            Exit status: 0 done (with --detailed-exitcode: no changes), 2 changes pending (--detailed-exitcode), \
            1 config/ has errors (a scenario's in config/tests/ does not stop it), 3 the platform failed, 64 \
            usage (also: --agent names no agent).
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions

    @Option(name: .long, help: "Output format: text, json or markdown (a pull-request comment).")
    var format: PlanFormatter.Format = .text

    @Flag(name: .long, help: "Exit 2 when changes are pending.")
    var detailedExitcode = false

    @Option(
        name: .long, help: "Save the plan (JSON, with each agent's platform version) for apply --plan.",
        completion: .file())
    var out: String?

    @Option(name: .customLong("agent"), help: "Plan only this agent (repeatable).")
    var agents: [String] = []

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let plan = try await AgentRun.plan(
                root: try repository.root(), selection: platformOptions.selection, only: Set(agents),
                logger: CommandLogging.logger)
            if let out {
                do {
                    try Data(PlanFormatter.format(plan, as: .json).utf8).write(
                        to: URL(fileURLWithPath: out), options: .atomic)
                } catch {
                    // Foundation's error names its domain and code: the reason is what helps.
                    let underlying = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? any Error).map {
                        $0 as NSError
                    }
                    let reason = underlying.flatMap {
                        $0.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32($0.code))) : nil
                    }
                    throw SavedPlanError(
                        path: out, reason: "the plan cannot be written there (\(reason ?? error.localizedDescription))")
                }
            }
            printOutput(PlanFormatter.format(plan, as: format), json: format == .json)
            return detailedExitcode && plan.hasChanges ? .changesPending : .success
        }
    }
}

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make the platform's agents match config/ (or exactly a plan saved by plan --out).",
        discussion: """
            Each write is conditional on the version just read (or saved in the plan): an agent edited \
            on the platform meanwhile is refused, never overwritten. Goes on past a failed agent.

            Exit status: 0 applied, 1 an agent was refused (changed since the plan, or rejected) or \
            config/ has errors (a scenario's does not stop it), 3 an agent failed (unreachable, 5xx after \
            retries, 401/403), 64 usage (also: --agent names no agent, --plan is no saved plan).
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions

    @Option(name: .long, help: "Apply exactly this saved plan.", completion: .file())
    var plan: String?

    @Option(name: .customLong("agent"), help: "Apply only this agent (repeatable).")
    var agents: [String] = []

    @Option(name: .long, help: "How many agents to write at once.")
    var parallel = 8

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
    }

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let report = try await AgentRun.apply(
                root: try repository.root(), selection: platformOptions.selection, savedPlan: plan,
                only: Set(agents), parallel: parallel, logger: CommandLogging.logger)
            printOutput(
                format == .json ? PlanFormatter.json(report) : PlanFormatter.text(report), json: format == .json)
            return report.exitStatus
        }
    }
}

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write config/agents/*.yaml from the agents live on the platform (adoption).",
        discussion: """
            Each file validates and means exactly the live settings, so plan reports it unchanged: a \
            file validate would refuse in any environment is taken back (the file it replaced put back) \
            and its agent skipped with the reasons. Existing files are kept unless --overwrite. Exit \
            status: 0 all written, 1 a file was kept or an agent skipped (an --agent the platform does \
            not have too), 3 the platform failed, 64 usage.
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var platformOptions: PlatformOptions

    @Option(name: .customLong("agent"), help: "Import only this agent (repeatable).")
    var agents: [String] = []

    @Flag(name: .long, help: "Replace existing agent files.")
    var overwrite = false

    @Option(name: .long, help: "Output format: text or json.")
    var format: DataFormat = .text

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let report = try await AgentRun.importAgents(
                root: try repository.root(), selection: platformOptions.selection, only: Set(agents),
                overwrite: overwrite, logger: CommandLogging.logger)
            printOutput(format == .json ? report.json : report.text, json: format == .json)
            if format == .text { printError(report.summary) }
            return report.exitStatus
        }
    }
}
