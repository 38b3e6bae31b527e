import Foundation

/// The outcome of `validate`: every diagnostic, and the canonical settings
/// of each agent that has no error.
public struct ValidationResult: Sendable {
    public var report: DiagnosticReport
    public var agents: [AgentSettings]
    /// The scenarios of `config/tests/` that can run (SPEC: `supportsync test`).
    public var scenarios: [Scenario] = []
    /// What the chosen environment's provider does instead of settings it
    /// cannot express (`strict_supports: false`), by agent id, in the plan's words.
    public var providerNotes: [String: [String]] = [:]

    /// The errors that stop `plan`, `apply` and `sync`: all but those of
    /// `config/tests/`. Scenarios test the policy; `validate` and `test`
    /// report their problems for the environment they run in, and a
    /// scenario that does not fit one environment (its overlay names other
    /// destinations) must not stop that environment's sync after the pull
    /// request passed.
    public var blockingErrorCount: Int {
        report.diagnostics.filter {
            $0.severity == .error && !$0.location.file.hasPrefix(ScenarioDecoder.directory + "/")
        }.count
    }
}

/// Validates the support settings under `config/`: every agent file merged
/// with `config/defaults.yaml`, and with each environment's overlay when
/// `supportsync.yaml` names some; every problem reported at once.
public struct ConfigValidator: Sendable {
    /// The repository root; reported paths are relative to it.
    public var root: URL {
        didSet { files = RepositoryFile.Reader(root: root.path) }
    }
    /// How the repository's files are read: one reader per validator, so
    /// folders are resolved once for every file in them.
    private var files: RepositoryFile.Reader
    /// The environment whose overlay the returned agents carry; nil for
    /// the project file's default (none without a project file).
    public var environment: String?

    public static let agentsDirectory = "config/agents"
    public static let defaultsFile = "config/defaults.yaml"

    /// What each provider can express (the built-in ones: everything).
    public var providerSupport: @Sendable (ProjectFile.Provider) -> ProviderSupport

    public init(
        root: URL, environment: String? = nil,
        providerSupport: @escaping @Sendable (ProjectFile.Provider) -> ProviderSupport = ProviderSupport.of
    ) {
        self.root = root.standardizedFileURL
        files = RepositoryFile.Reader(root: self.root.path)
        self.environment = environment
        self.providerSupport = providerSupport
    }

    /// Validates `config/` or, when `paths` is not empty, just those files
    /// (a folder stands for the `.yaml` files in it; the repository's root
    /// or `config/` for all of `config/`, as with no path; `supportsync.yaml`
    /// for itself, which is always read). `config/defaults.yaml` is always
    /// merged in when it exists, and the overlays of `supportsync.yaml`'s
    /// environments over it.
    public func validate(paths: [String] = []) throws -> ValidationResult {
        var diagnostics: [Diagnostic] = []
        var files = 0
        var defaultsPath = Self.defaultsFile
        var agentPaths: [String] = []
        var scenarioPaths: [String] = []
        let named = paths.map { (path: $0, relative: relativePath($0)) }
        let whole = { (relative: String) in relative.isEmpty || relative == "config" }
        let all = paths.isEmpty || named.contains { whole($0.relative) }
        // supportsync.yaml and its overlays: read with every run (they shape
        // every agent), their own problems reported when all of config/ is
        // validated, or when named.
        let (project, projectDiagnostics) = ProjectFile.load(root: root)
        let overlayPaths = Set((project?.platforms ?? []).compactMap(\.overlay))
        let namedPaths = Set(named.map(\.relative))
        if all {
            // No config/, tickets/ or supportsync.yaml is a run in the wrong
            // folder, not a repository of no agents: said, never a green run.
            // (A repository may keep tickets only, or environments first.)
            // (Folders: a bare repository has a file named config.)
            let holds = { (path: String, folder: Bool) in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: self.absolute(path), isDirectory: &isDirectory)
                    && isDirectory.boolValue == folder
            }
            guard holds("config", true) || holds("tickets", true) || holds(ProjectFile.path, false) else {
                throw ConfigError.noProject(root.path)
            }
            let agentsListed = scanYAML(in: Self.agentsDirectory)
            let scenariosListed = scanYAML(in: ScenarioDecoder.directory)
            agentPaths = agentsListed.read
            scenarioPaths = scenariosListed.read
            // A file named like YAML that is not `*.yaml` is read by nothing:
            // said, so an agent or a scenario is never passed over unseen.
            // Nor is a folder inside: its files are passed over too.
            for (directory, listed) in [
                (Self.agentsDirectory, agentsListed), (ScenarioDecoder.directory, scenariosListed),
            ] {
                for path in listed.misnamed {
                    diagnostics.append(
                        Diagnostic(
                            .agentFileName, at: SourceLocation(file: path, line: 1, column: 1),
                            "\(path) is not read: files in \(directory)/ end in .yaml",
                            hint:
                                "rename it to \(((path as NSString).deletingPathExtension as NSString).lastPathComponent).yaml"
                        ))
                }
                // A warning: a folder kept aside (an archive) is a choice.
                for path in listed.folders {
                    diagnostics.append(
                        Diagnostic(
                            .agentFileName, at: SourceLocation(file: path, line: 1, column: 1),
                            "\(path)/ holds YAML files that are not read: only files directly in \(directory)/ are",
                            hint: "move them up into \(directory)/ to use them, or out of config/ to keep them aside",
                            severity: .warning))
                }
            }
        }
        // The files named besides, outside what `config/` as a whole reads.
        let rest = named.filter { !all || !(whole($0.relative) || $0.relative.hasPrefix("config/")) }
        if !rest.isEmpty {
            for (path, relative) in rest {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: absolute(relative), isDirectory: &isDirectory) else {
                    throw ConfigError.noSuchFile(path)
                }
                if relative == ProjectFile.path || overlayPaths.contains(relative) { continue }  // read with every run
                let inTests =
                    relative == ScenarioDecoder.directory || relative.hasPrefix(ScenarioDecoder.directory + "/")
                if inTests {
                    scenarioPaths += isDirectory.boolValue ? try listYAML(in: relative) : [relative]
                } else if isDirectory.boolValue {
                    agentPaths += try listYAML(in: relative)
                } else if (relative as NSString).lastPathComponent == "defaults.yaml" {
                    defaultsPath = relative
                } else {
                    agentPaths.append(relative)
                }
            }
            // Scenarios or an overlay alone are checked against every agent they may name.
            if agentPaths.isEmpty && (!scenarioPaths.isEmpty || !namedPaths.isDisjoint(with: overlayPaths)) {
                agentPaths = try listYAML(in: Self.agentsDirectory)
            }
            // A file named twice (itself and its folder) is read once.
            var seen: Set<String> = []
            agentPaths = agentPaths.filter { seen.insert($0).inserted }
            scenarioPaths = scenarioPaths.filter { seen.insert($0).inserted }
        }

        // defaults.yaml on its own: its problems are reported once, here.
        var defaults = Inherited(support: nil, diagnostics: [], unknown: false)
        if FileManager.default.fileExists(atPath: absolute(defaultsPath)) {
            files += 1
            var found: [Diagnostic] = []
            if let root = load(defaultsPath, diagnostics: &found) {
                var decoder = AgentDecoder()
                if let members = decoder.reader.mapping(root, path: "", allowed: ["support"]),
                    let support = members["support"]
                {
                    defaults.support = support.value
                    // It exists but what it holds cannot be known.
                    defaults.unknown = support.value.members == nil
                    _ = decoder.decodeSupport(support.value, keyLocation: support.keyLocation)
                }
                found += decoder.reader.diagnostics
            } else {
                defaults.unknown = !found.contains { $0.rule == .emptyFile }
            }
            defaults.diagnostics = Set(found.map(DiagnosticKey.init))
            diagnostics += found
        }

        // supportsync.yaml and its overlays, each reported once.
        if project != nil || !projectDiagnostics.isEmpty {
            files += 1
            if all || namedPaths.contains(ProjectFile.path) { diagnostics += projectDiagnostics }
        }
        // Each overlay file is read once, however many environments share it.
        var overlays: [String: Overlay] = [:]
        for path in Set((project?.platforms ?? []).compactMap(\.overlay)).sorted() {
            var found: [Diagnostic] = []
            if let overlay = Overlay.load(path: path, root: root, diagnostics: &found) {
                overlays[path] = overlay
                // Its blocks on their own, like defaults.yaml's.
                for support in [overlay.support] + overlay.agents.values.map(Optional.some) {
                    guard let support, support.members != nil else { continue }
                    var decoder = AgentDecoder()
                    _ = decoder.decodeSupport(support, keyLocation: support.location)
                    found += decoder.reader.diagnostics
                }
            }
            if all || namedPaths.contains(path) {
                files += 1
                diagnostics += found
            }
            defaults.diagnostics.formUnion(found.map(DiagnosticKey.init))
        }

        // With environments to check, every agent file is read and parsed
        // once and kept for every pass; without, each is read as it is
        // decoded, so a large config/ is never held in memory whole.
        let morePasses = (project?.platforms ?? []).contains {
            $0.overlay != nil || !providerSupport($0.provider).unsupported.isEmpty
        }
        let parsed = agentPaths.sorted().map { path in
            guard morePasses else { return ParsedAgent(path: path) }
            var found: [Diagnostic] = []
            var aliases = YAMLFile.AliasUses()
            let root = load(path, diagnostics: &found, aliases: &aliases)
            return ParsedAgent(path: path, root: root, diagnostics: found, aliases: aliases, read: true)
        }
        let base = decodeAgents(parsed, defaults: defaults, overlay: nil, keepingSettingsByPath: morePasses)
        diagnostics += base.diagnostics
        files += agentPaths.count
        var agents = base.agents
        var providerNotes: [String: [String]] = [:]

        // Each environment's overlay and provider: what is wrong only there
        // is reported too, naming the environment; the chosen one's agents
        // are returned. Without supportsync.yaml there is nothing to do.
        if let project {
            let chosen = environment ?? project.defaultPlatform
            let seen = Set(base.diagnostics.map(DiagnosticKey.init))
            var reported: Set<ReportedKey> = []
            let ids = Set(base.idLocations.keys)
            for overlay in overlays.values.sorted(by: { $0.path < $1.path })
            where all || namedPaths.contains(overlay.path) {
                for (id, location) in overlay.agentLocations.sorted(by: { $0.key < $1.key }) where !ids.contains(id) {
                    diagnostics.append(
                        Diagnostic(
                            .projectOverlay, at: location,
                            "the overlay names agent '\(id)', which config/agents/ lacks",
                            hint: Suggestion.closest(to: id, in: ids.sorted()).map { "did you mean '\($0)'?" }
                                ?? "remove it, or add config/agents/\(id).yaml"))
                }
            }
            for platform in project.platforms {
                let overlay = platform.overlay.flatMap { overlays[$0] }
                let support = providerSupport(platform.provider)
                guard overlay != nil || !support.unsupported.isEmpty else { continue }
                let pass = decodeAgents(
                    parsed, defaults: defaults, overlay: overlay,
                    provider: (support, platform.name, platform.provider.rawValue, platform.strictSupports),
                    unchanged: base)
                for var diagnostic in pass.diagnostics where !seen.contains(DiagnosticKey(diagnostic)) {
                    if diagnostic.rule != .providerUnsupported {
                        diagnostic.message += " (in environment '\(platform.name)')"
                    }
                    if reported.insert(ReportedKey(diagnostic)).inserted { diagnostics.append(diagnostic) }
                }
                if platform.name == chosen {
                    agents = pass.agents
                    providerNotes = pass.notes
                }
            }
        }

        for (id, locations) in base.idLocations where locations.count > 1 {
            // A copied file's id cannot match its name: the duplicate is the
            // problem, and renaming the file as agent-file-name suggests
            // would clash with the other file.
            diagnostics.removeAll { $0.rule == .agentFileName && locations.contains($0.location) }
            for location in locations {
                let others = locations.filter { $0 != location }
                // A file whose name is not the id (a copy): what to change there.
                let stem = Self.stem(location.file)
                diagnostics.append(
                    Diagnostic(
                        .duplicateAgent, at: location, "the agent id '\(id)' is used by \(locations.count) files",
                        hint: stem == id
                            ? "each agent has exactly one file"
                            : Patterns.isAgentID(String(stem))
                                ? "each agent has exactly one file: this one is named \(stem).yaml, so set agent: \(stem), or delete it"
                                : "each agent has exactly one file: give this one an id of its own (and its file that name), or delete it",
                        notes: others.map { Diagnostic.Note(location: $0, message: "also used here") }))
            }
            agents.removeAll { $0.id == id }
        }
        if all { diagnostics += Scaffold.outdatedFileDiagnostics(root: root) }
        // Scenarios run against the chosen environment's agents; an agent
        // with a file but errors is known, so its scenarios are not "unknown".
        let known = Set(base.idLocations.keys).union(
            agentPaths.map { String(Self.stem($0)) })
        files += scenarioPaths.count
        let scenarios = validateScenarios(
            paths: scenarioPaths.sorted(), agents: agents, known: known, diagnostics: &diagnostics)
        return ValidationResult(
            report: DiagnosticReport(files: files, diagnostics: diagnostics), agents: agents, scenarios: scenarios,
            providerNotes: providerNotes.filter { id, _ in agents.contains { $0.id == id } })
    }

    /// What every agent inherits: defaults.yaml's support block (or an
    /// overlay's), and the problems already reported in it.
    private struct Inherited {
        var support: ConfigNode?
        var diagnostics: Set<DiagnosticKey>
        /// The file exists but what it holds cannot be known.
        var unknown: Bool
    }

    /// An agent file, read ahead (its tree, or nil with why) or to be read when decoded.
    private struct ParsedAgent {
        var path: String
        var root: ConfigNode? = nil
        var diagnostics: [Diagnostic] = []
        var aliases = YAMLFile.AliasUses()
        var read = false
    }

    /// A decoded pass over the agents: settings and problems, by file.
    private struct Pass {
        var agents: [AgentSettings] = []
        var diagnostics: [Diagnostic] = []
        var idLocations: [String: [SourceLocation]] = [:]
        /// Kept only when other passes take unchanged agents from this one.
        var settingsByPath: [String: AgentSettings] = [:]
        /// The provider's fallbacks, by agent id.
        var notes: [String: [String]] = [:]
    }

    /// Decodes each agent merged with the defaults and the overlay, and
    /// checks it against the provider. An agent neither the overlay nor the
    /// provider concerns is taken from `unchanged` (the pass without them).
    private func decodeAgents(
        _ parsed: [ParsedAgent], defaults: Inherited, overlay: Overlay?,
        provider: (support: ProviderSupport, environment: String, name: String, strict: Bool)? = nil,
        unchanged: Pass? = nil, keepingSettingsByPath: Bool = false
    ) -> Pass {
        /// What one file gives: settings when it decoded without errors,
        /// where it declares its id, and its diagnostics.
        struct Outcome {
            var settings: AgentSettings?
            var id: (value: String, location: SourceLocation)?
            var diagnostics: [Diagnostic] = []
            var notes: [String] = []
        }
        // Each file is read, parsed and decoded on its own, on every core;
        // the outcomes are gathered in order.
        let outcomes = concurrentMap(parsed) { file -> Outcome in
            var file = file
            let path = file.path
            if !file.read { file.root = load(path, diagnostics: &file.diagnostics, aliases: &file.aliases) }
            guard let root = file.root else { return Outcome(diagnostics: file.diagnostics) }
            let stem = String(Self.stem(path))
            if let unchanged, overlay?.support == nil, overlay?.agents[stem] == nil,
                provider?.support.unsupported.isEmpty ?? true
            {
                return Outcome(settings: unchanged.settingsByPath[path])
            }
            // What reading found (a duplicate key, a tag) comes first.
            var found = file.diagnostics
            var decoder = AgentDecoder()
            decoder.defaultsUnknown = defaults.unknown
            var support = DefaultsMerge.merge(defaults: defaults.support, agent: root["support"]?.value)
            if let overlay { support = overlay.apply(to: support, agent: stem) }
            var settings = decoder.decodeAgent(root, file: path, stem: stem, support: support)
            for var diagnostic in decoder.reader.diagnostics {
                if diagnostic.location.file != path {
                    if defaults.diagnostics.contains(DiagnosticKey(diagnostic)) { continue }
                    let agent = decoder.context?.id ?? stem
                    diagnostic.agent = agent
                    diagnostic.message += " (in agent '\(agent)')"
                } else if diagnostic.notes.contains(where: { $0.location.file != path }) {
                    // At the agent's line, made by a value merged from another
                    // file: a problem of the merged agent, named as such.
                    diagnostic.agent = decoder.context?.id ?? stem
                }
                found.append(diagnostic)
            }
            if let provider {
                for var diagnostic in provider.support.diagnostics(
                    for: support, root: root, settings: settings, environment: provider.environment,
                    provider: provider.name, strict: provider.strict)
                {
                    if diagnostic.location.file != path {
                        diagnostic.agent = decoder.context?.id ?? stem
                        diagnostic.message += " (in agent '\(diagnostic.agent!)')"
                    }
                    if !found.contains(where: { $0.location == diagnostic.location && $0.rule == diagnostic.rule }) {
                        found.append(diagnostic)
                    }
                }
            }
            // What the provider will hold: its fallbacks, which only a
            // lenient environment gets this far with.
            var notes: [String] = []
            if let provider, let decoded = settings {
                (settings, notes) = provider.support.expressed(decoded)
            }
            if !file.aliases.isEmpty { found = file.aliases.folding(found, in: path) }
            return Outcome(
                settings: found.contains(where: { $0.severity == .error }) ? nil : settings,
                id: decoder.agentIDLocation.map { ($0.value, $0.location) }, diagnostics: found, notes: notes)
        }
        var pass = Pass()
        for (file, outcome) in zip(parsed, outcomes) {
            guard let outcome else { continue }
            if let id = outcome.id { pass.idLocations[id.value, default: []].append(id.location) }
            if let settings = outcome.settings {
                pass.agents.append(settings)
                if keepingSettingsByPath { pass.settingsByPath[file.path] = settings }
                if !outcome.notes.isEmpty { pass.notes[settings.id] = outcome.notes }
            }
            pass.diagnostics += outcome.diagnostics
        }
        return pass
    }

    /// A diagnostic as reported: rule, place and words.
    private struct ReportedKey: Hashable {
        var rule: Rule
        var location: SourceLocation
        var message: String
        init(_ diagnostic: Diagnostic) {
            rule = diagnostic.rule
            location = diagnostic.location
            message = diagnostic.message
        }
    }

    private struct DiagnosticKey: Hashable {
        var rule: Rule
        var location: SourceLocation
        init(_ diagnostic: Diagnostic) {
            rule = diagnostic.rule
            location = diagnostic.location
        }
    }

    /// Reads a file within the size budget, without loading an oversized one.
    func load(_ path: String, diagnostics: inout [Diagnostic], root kind: YAMLFile.Root = .mapping) -> ConfigNode? {
        var aliases = YAMLFile.AliasUses()
        return load(path, diagnostics: &diagnostics, aliases: &aliases, root: kind)
    }

    /// As `load(_:diagnostics:root:)`, also saying where anchored values are used again.
    func load(
        _ path: String, diagnostics: inout [Diagnostic], aliases: inout YAMLFile.AliasUses,
        root kind: YAMLFile.Root = .mapping
    ) -> ConfigNode? {
        let start = SourceLocation(file: path, line: 1, column: 1)
        switch files.read(absolute(path), limit: 1 << 20) {
        case .success(let bytes):
            return YAMLFile.load(bytes, file: path, diagnostics: &diagnostics, aliases: &aliases, root: kind)
        case .failure(.tooLarge):
            diagnostics.append(
                Diagnostic(
                    .yamlLimit, at: start, "the file is over the limit of 1 MiB",
                    hint: "config files are small; split or trim it"))
        case .failure(let failure):
            diagnostics.append(Diagnostic(.fileUnreadable, at: start, failure.description))
        }
        return nil
    }

    private func listYAML(in directory: String) throws -> [String] { scanYAML(in: directory).read }

    /// The `.yaml` files of `directory`, the entries that look meant as YAML
    /// but are not read (`.yml`, `.YAML` and the like), and the folders in
    /// it holding such files, from one listing (a folder is looked into only
    /// for a name that is not `*.yaml`).
    private func scanYAML(in directory: String) -> (read: [String], misnamed: [String], folders: [String]) {
        let url = URL(fileURLWithPath: absolute(directory), isDirectory: true)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { return ([], [], []) }
        let looksYAML = { (name: String) in
            name.utf8.count > 4 && ["yaml", "yml"].contains((name as NSString).pathExtension.lowercased())
        }
        var read: [String] = []
        var misnamed: [String] = []
        var folders: [String] = []
        for name in names where !name.hasPrefix(".") {
            if name.hasSuffix(".yaml") {
                read.append(name)
            } else if looksYAML(name) {
                misnamed.append(name)
            } else if let inside = try? FileManager.default.contentsOfDirectory(
                atPath: url.appendingPathComponent(name).path), inside.contains(where: looksYAML)
            {
                folders.append(name)
            }
        }
        let path = { (name: String) in directory.isEmpty || directory == "." ? name : "\(directory)/\(name)" }
        return (read.sorted().map(path), misnamed.sorted().map(path), folders.sorted().map(path))
    }

    func absolute(_ relative: String) -> String {
        guard !relative.hasPrefix("/") else { return relative }
        let base = root.path
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    /// A file's name without its folder and extension: an agent's id.
    static func stem(_ path: String) -> Substring {
        let name = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { path[path.utf8.index(after: $0)...] } ?? path[...]
        guard let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")), dot != name.startIndex else { return name }
        return name[..<dot]
    }

    /// `path` (absolute, or relative to the current directory) relative to
    /// the root: empty for the root itself.
    /// Folders are compared as the file system resolves them (a path
    /// through a symbolic link to the repository, such as macOS's `/tmp`,
    /// is inside it); a file's own name is kept, never resolved.
    private func relativePath(_ path: String) -> String {
        let given = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        let folder =
            FileManager.default.fileExists(atPath: given.path, isDirectory: &isDirectory) && isDirectory.boolValue
        let absolute =
            folder
            ? given.resolvingSymlinksInPath().path
            : given.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(
                given.lastPathComponent
            )
            .path
        let resolvedRoot = root.resolvingSymlinksInPath().path
        let rootPath = resolvedRoot.hasSuffix("/") ? resolvedRoot : resolvedRoot + "/"
        if absolute + "/" == rootPath { return "" }
        return absolute.hasPrefix(rootPath) ? String(absolute.dropFirst(rootPath.count)) : absolute
    }
}

public enum ConfigError: Error, CustomStringConvertible {
    case noSuchFile(String)
    /// The root has no `config/`, `tickets/` or `supportsync.yaml`.
    case noProject(String)

    public var description: String {
        switch self {
        case .noSuchFile(let path): return "no such file or folder: \(path)"
        case .noProject(let root):
            return
                "\(PrintableText.escaping(root)) holds no config/, tickets/ or supportsync.yaml: run supportsync at the root of the repository that holds them (or pass --repo), or create them with supportsync init"
        }
    }
}
