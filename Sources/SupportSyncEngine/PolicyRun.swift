import Foundation
import SupportSync
import SupportSyncGit

/// `explain` and `test`: the support policy read offline from config/,
/// merged for an environment (`--env`, else `supportsync.yaml`'s default).
public enum PolicyRun {
    /// The agent's effective settings with their sources, and its week.
    public static func explain(root: URL, environment: String?, agent: String) throws -> AgentExplanation {
        let (validator, settings, notes) = try agentSettings(root: root, environment: environment, agent: agent)
        return AgentExplanation(
            settings: settings, file: "\(ConfigValidator.agentsDirectory)/\(agent).yaml",
            environment: environmentName(root: root, environment), sources: validator.sources(of: settings),
            provider: notes)
    }

    /// What happens at `at` on `channel` (which may be left out when the agent serves one channel).
    public static func explain(root: URL, environment: String?, agent: String, channel: Channel?, at: String) throws
        -> MomentExplanation
    {
        let (_, settings, _) = try agentSettings(root: root, environment: environment, agent: agent)
        guard let channel = channel ?? (settings.channels.count == 1 ? settings.channels[0] : nil) else {
            throw PolicyError("agent '\(agent)' serves calls and messages: name one with --channel")
        }
        guard settings.channels.contains(channel) else {
            throw PolicyError("agent '\(agent)' does not serve \(channel.rawValue)")
        }
        switch ZonedMoment.parse(at, zone: settings.timeZone) {
        case .success(let moment): return MomentExplanation(settings: settings, channel: channel, moment: moment)
        case .failure(let error): throw PolicyError("--at: \(error.description)")
        }
    }

    /// Runs every scenario of config/tests/ against the environment's agents.
    public static func test(root: URL, environment: String?) throws -> ScenarioReport {
        if let environment { try PlatformSelection.requireEnvironment(environment, root: root) }
        let validation = try ConfigValidator(root: root, environment: environment).validate()
        // Settings every agent reads that do not validate: no scenario runs on what is left of them.
        return ScenarioReport(
            validation: validation, environment: environmentName(root: root, environment),
            sharedErrors: !sharedErrors(validation, root: root, environment: environment).isEmpty)
    }

    /// The errors of a file every agent of the environment reads (defaults,
    /// supportsync.yaml, the environment's overlay): without it, settings
    /// would be explained or tested as they are not. Another environment's
    /// overlay is not read.
    private static func sharedErrors(_ result: ValidationResult, root: URL, environment: String?) -> [Diagnostic] {
        let platforms = Workspace.projectFile(root: root).project?.platforms ?? []
        let selected = environmentName(root: root, environment)
        let mine = Set(platforms.filter { $0.name == selected }.compactMap(\.overlay))
        let others = Set(platforms.compactMap(\.overlay)).subtracting(mine)
        return result.report.diagnostics.filter {
            $0.severity == .error && $0.agent == nil
                && !$0.location.file.hasPrefix(ConfigValidator.agentsDirectory + "/")
                && !$0.location.file.hasPrefix("config/tests/") && !others.contains($0.location.file)
        }
    }

    private static func agentSettings(root: URL, environment: String?, agent: String) throws -> (
        ConfigValidator, AgentSettings, [String]
    ) {
        if let environment { try PlatformSelection.requireEnvironment(environment, root: root) }
        let validator = ConfigValidator(root: root, environment: environment)
        let file = "\(ConfigValidator.agentsDirectory)/\(agent)"
        // An id, never a path (`./billing`, `../defaults`): named as no agent, and no file outside is looked at.
        guard Patterns.isAgentID(agent),
            FileManager.default.fileExists(atPath: root.appendingPathComponent(file + ".yaml").path)
        else {
            let known =
                (try? FileManager.default.contentsOfDirectory(
                    atPath: root.appendingPathComponent(ConfigValidator.agentsDirectory).path)) ?? []
            let ids = known.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
            throw PolicyError(
                "there is no agent '\(agent)' in config/agents/"
                    + (Suggestion.closest(to: agent, in: ids).map { "; did you mean '\($0)'?" } ?? ""))
        }
        let result = try validator.validate()
        guard let settings = result.agents.first(where: { $0.id == agent }) else {
            let mine = result.report.diagnostics.filter {
                $0.severity == .error && ($0.location.file == file + ".yaml" || $0.agent == agent)
            }
            // Named by the file the first problem is in: an overlay's value
            // that does not fit the agent is the overlay's to fix.
            let shown = mine.isEmpty ? result.report.diagnostics : mine
            throw ConfigInvalid(
                report: DiagnosticReport(files: Set(shown.map(\.location.file)).count, diagnostics: shown),
                subject: shown.first?.location.file ?? file + ".yaml", consequence: "its settings cannot be explained")
        }
        let shared = sharedErrors(result, root: root, environment: environment)
        if !shared.isEmpty {
            throw ConfigInvalid(
                report: DiagnosticReport(files: Set(shared.map(\.location.file)).count, diagnostics: shared),
                subject: shared[0].location.file, consequence: "its settings cannot be explained")
        }
        return (validator, settings, result.providerNotes[agent] ?? [])
    }

    private static func environmentName(root: URL, _ environment: String?) -> String? {
        environment ?? Workspace.projectFile(root: root).project?.defaultPlatform
    }
}

/// An agent, channel or time `explain` cannot use (exit 64).
public struct PolicyError: UserError {
    public var description: String
    public var exitStatus: ExitStatus { .usage }
    init(_ description: String) { self.description = description }
}
