import Foundation
import YAML

/// `import`: writes `config/agents/<id>.yaml` from what is live, so agents
/// configured in a dashboard can be adopted. Each file is checked before it
/// is written: it must validate and mean exactly the live settings.
public struct Importer: Sendable {
    public let platform: any AgentTarget
    public let root: URL
    /// The environment whose platform is read: its overlay's fields are
    /// named in the report (`Report.overlaid`).
    public let environment: String?

    public init(platform: any AgentTarget, root: URL, environment: String? = nil) {
        self.platform = platform
        self.root = root
        self.environment = environment
    }

    public struct Report: Sendable {
        public var written: [String] = []
        /// Existing files left alone (no `--overwrite`).
        public var kept: [String] = []
        /// Agents whose id is not a safe file name, or that could not be
        /// written faithfully.
        public var skipped: [(id: String, reason: String)] = []
        /// What the platform holds outside the settings a file written
        /// says (a Vapi transfer tool of the team's own), by that file.
        public var notes: [(path: String, note: String)] = []
        /// The fields of a written file that the environment's overlay sets
        /// (`overlay`, its path): the file holds the environment's live
        /// values of them, which an environment without that overlay plans.
        public var overlaid: [(path: String, overlay: String, fields: [String])] = []

        public var exitStatus: ExitStatus { kept.isEmpty && skipped.isEmpty ? .success : .needsAttention }
    }

    public func run(only: Set<String> = [], overwrite: Bool = false) async throws(PlatformError) -> Report {
        let live = try await platform.agentsOnce()
        let agents = live.filter { only.isEmpty || only.contains($0.id) }
        let validator = ConfigValidator(root: root)
        var ignored: [Diagnostic] = []
        let defaults = validator.load(ConfigValidator.defaultsFile, diagnostics: &ignored).flatMap {
            $0["support"]?.value
        }
        .map(Self.yamlValue)
        let directory = root.appendingPathComponent(ConfigValidator.agentsDirectory)
        // Written only inside the repository, where validate reads: never
        // through a linked folder that leads out of it.
        let resolvedRoot = root.resolvingSymlinksInPath().standardized.path
        var resolved = directory
        while !FileManager.default.fileExists(atPath: resolved.path), resolved.path != root.path {
            resolved.deleteLastPathComponent()
        }
        let place = resolved.resolvingSymlinksInPath().standardized.path
        guard place == resolvedRoot || place.hasPrefix(resolvedRoot + "/") else {
            throw .failed(
                "\(ConfigValidator.agentsDirectory)/ is reached through a symbolic link to a place outside the repository (\(PrintableText.escaping(place))): import writes only inside it, where validate reads; nothing was written"
            )
        }
        var report = Report()
        // An --agent the platform does not have is said, not passed over.
        for id in only.subtracting(live.map(\.id)).sorted() {
            report.skipped.append(
                (PrintableText.escaping(id), "the platform has no agent '\(PrintableText.escaping(id))'"))
        }
        // Objects bound to no agent take their id from their name: two of
        // one name would write one file twice, and one named like a bound
        // agent would overwrite that agent's file.
        let counts = Dictionary(agents.map { ($0.id, 1) }, uniquingKeysWith: +)
        let boundCounts = Dictionary(agents.filter { !$0.adoptable }.map { ($0.id, 1) }, uniquingKeysWith: +)
        let bound = Set(boundCounts.keys)
        var reported: Set<String> = []
        // What each written file replaced (nil: nothing), to put back if validate refuses it.
        var earlier: [String: Data?] = [:]
        for agent in agents.sorted(by: { $0.id < $1.id }) {
            // An object without a name (listed by the platform's id for it) has none to write.
            if agent.name.isEmpty {
                report.skipped.append(
                    (PrintableText.escaping(agent.id), "it has no name on the platform; name it there to import it"))
                continue
            }
            if agent.adoptable, bound.contains(agent.id) {
                report.skipped.append(
                    (
                        PrintableText.escaping(agent.id),
                        "'\(PrintableText.escaping(agent.name))', bound to no agent, is named like this agent, which another object is bound to; rename it on the platform to import it"
                    ))
                continue
            }
            if let count = counts[agent.id], count > 1, boundCounts[agent.id] != 1 {
                if reported.insert(agent.id).inserted {
                    report.skipped.append(
                        (
                            PrintableText.escaping(agent.id),
                            "the platform holds \(count) agents bound to no file that would all be this file (named \(IDList.capped(agents.filter { $0.id == agent.id }.map { "'\(PrintableText.escaping($0.name))'" }))); rename all but one on the platform, or import one by hand"
                        ))
                }
                continue
            }
            guard Patterns.isAgentID(agent.id) else {
                let shown = PrintableText.escaping(agent.id)
                report.skipped.append((shown, "'\(shown)' is not a safe agent id for a file name"))
                continue
            }
            let path = "\(ConfigValidator.agentsDirectory)/\(agent.id).yaml"
            let file = directory.appendingPathComponent("\(agent.id).yaml")
            if FileManager.default.fileExists(atPath: file.path), !overwrite {
                report.kept.append(path)
                continue
            }
            // Without the blocks the mode does not use when the merge with
            // defaults gives them back unchanged (no unused-block warning);
            // else written in full.
            let lean = AgentFileWriter.text(
                for: agent.settings, defaults: defaults, leavingOut: Self.unusedBlocks(agent.settings))
            let leanCheck = validator.checkAgent(Array(lean.utf8), path: path)
            let leanHolds = leanCheck.settings == agent.settings
            let text = leanHolds ? lean : AgentFileWriter.text(for: agent.settings, defaults: defaults)
            let check = leanHolds ? leanCheck : validator.checkAgent(Array(text.utf8), path: path)
            guard let settings = check.settings, settings == agent.settings else {
                let problems = check.diagnostics.filter { $0.severity == .error }.map(\.message).joined(separator: "; ")
                report.skipped.append(
                    (
                        agent.id,
                        "the written file would not mean the live settings\(problems.isEmpty ? "" : ": \(problems)")"
                    ))
                continue
            }
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                earlier.updateValue(FileManager.default.contents(atPath: file.path), forKey: path)
                try Data(text.utf8).write(to: file, options: .atomic)
                report.written.append(path)
                report.notes += agent.notes.map { (path, $0) }
            } catch {
                throw .failed("cannot write \(path): \(error.localizedDescription)")
            }
        }
        try takeBackRefused(&report, earlier: earlier, validator: validator)
        report.overlaid = overlaidFields(report.written)
        return report
    }

    /// Of each file written, the fields the environment's overlay sets: its
    /// platform holds the overlay's values, so the file does too, and an
    /// environment without that overlay would plan them (staging's test
    /// desk as production's destination). Said, for the review to decide.
    private func overlaidFields(_ written: [String]) -> [(path: String, overlay: String, fields: [String])] {
        guard let environment, !written.isEmpty,
            let overlay = ProjectFile.load(root: root).project?.platform(named: environment)?.overlay
        else { return [] }
        let validator = ConfigValidator(root: root, environment: environment)
        guard let result = try? validator.validate(paths: written) else { return [] }
        return result.agents.compactMap { settings in
            let path = "\(ConfigValidator.agentsDirectory)/\(settings.id).yaml"
            guard written.contains(path) else { return nil }
            let fields = validator.sources(of: settings).filter { $0.location?.file == overlay }.map(\.field)
            return fields.isEmpty ? nil : (path, overlay, fields)
        }.sorted { $0.path < $1.path }
    }

    /// The `support` blocks `settings`' mode never uses (`unused-block`).
    static func unusedBlocks(_ settings: AgentSettings) -> Set<String> {
        Set(["flag", "escalate", "decide"]).subtracting(
            settings.support.mode.usedBlocks(messagesOnly: !settings.channels.contains(.calls)))
    }

    /// What `validate` says of the files written, with every environment's
    /// overlay and provider (a Vapi assistant named over Vapi's own 40
    /// characters): each file it refuses is taken back, the file it
    /// replaced put back, and the agent reported skipped with the reasons.
    private func takeBackRefused(
        _ report: inout Report, earlier: [String: Data?], validator: ConfigValidator
    ) throws(PlatformError) {
        guard !report.written.isEmpty, let result = try? validator.validate(paths: report.written) else { return }
        let errors = result.report.diagnostics.filter { $0.severity == .error }
        for path in report.written {
            let id = String(path.dropFirst(ConfigValidator.agentsDirectory.count + 1).dropLast(".yaml".count))
            let refused = errors.filter { $0.location.file == path || $0.agent == id }
            guard !refused.isEmpty else { continue }
            let file = root.appendingPathComponent(path)
            do {
                if let bytes = earlier[path] ?? nil {
                    try bytes.write(to: file, options: .atomic)
                } else {
                    try FileManager.default.removeItem(at: file)
                }
            } catch {
                throw .failed("cannot take back \(path): \(error.localizedDescription)")
            }
            report.written.removeAll { $0 == path }
            report.notes.removeAll { $0.path == path }
            report.skipped.append(
                (
                    id,
                    "validate would refuse the file: "
                        + refused.map { $0.message + ($0.hint.map { " (\($0))" } ?? "") }.joined(separator: "; ")
                ))
        }
    }

    static func yamlValue(_ node: ConfigNode) -> YAMLValue {
        switch node.value {
        case .scalar(let scalar): return node.isNull ? .null : .string(scalar.text)
        case .sequence(let items): return .list(items.map(yamlValue))
        case .mapping(let members): return .map(members.map { ($0.key, yamlValue($0.value)) })
        }
    }
}

extension ConfigValidator {
    /// Checks one agent file's text as if it were at `path`, merged with the
    /// repository's `config/defaults.yaml`.
    public func checkAgent(_ bytes: [UInt8], path: String) -> (settings: AgentSettings?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var ignored: [Diagnostic] = []
        let defaults = load(Self.defaultsFile, diagnostics: &ignored).flatMap { $0["support"]?.value }
        guard let root = YAMLFile.load(bytes, file: path, diagnostics: &diagnostics) else { return (nil, diagnostics) }
        var decoder = AgentDecoder()
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let support = DefaultsMerge.merge(defaults: defaults, agent: root["support"]?.value)
        let settings = decoder.decodeAgent(root, file: path, stem: stem, support: support)
        diagnostics += decoder.reader.diagnostics
        return (diagnostics.contains { $0.severity == .error } ? nil : settings, diagnostics)
    }
}
