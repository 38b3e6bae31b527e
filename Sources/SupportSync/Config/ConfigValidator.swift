import Foundation

/// The outcome of `validate`: every diagnostic, and the canonical settings
/// of each agent that has no error.
public struct ValidationResult: Sendable {
    public var report: DiagnosticReport
    public var agents: [AgentSettings]
}

/// Validates the support settings under `config/`: every agent file merged
/// with `config/defaults.yaml`, every problem reported at once.
public struct ConfigValidator: Sendable {
    /// The repository root; reported paths are relative to it.
    public var root: URL

    public static let agentsDirectory = "config/agents"
    public static let defaultsFile = "config/defaults.yaml"

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// Validates `config/` or, when `paths` is not empty, just those files
    /// (a folder stands for the `.yaml` files in it). `config/defaults.yaml`
    /// is always merged in when it exists.
    public func validate(paths: [String] = []) throws -> ValidationResult {
        var diagnostics: [Diagnostic] = []
        var files = 0
        var defaultsPath = Self.defaultsFile
        var agentPaths: [String] = []
        if paths.isEmpty {
            agentPaths = try listYAML(in: Self.agentsDirectory)
        } else {
            for path in paths {
                let relative = relativePath(path)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: absolute(relative), isDirectory: &isDirectory) else {
                    throw ConfigError.noSuchFile(path)
                }
                if isDirectory.boolValue {
                    agentPaths += try listYAML(in: relative)
                } else if (relative as NSString).lastPathComponent == "defaults.yaml" {
                    defaultsPath = relative
                } else {
                    agentPaths.append(relative)
                }
            }
        }

        // defaults.yaml on its own: its problems are reported once, here.
        var defaultsSupport: ConfigNode?
        var defaultsDiagnostics: Set<DiagnosticKey> = []
        // defaults.yaml exists but what it holds cannot be known (it does not
        // parse, or its support block is not a mapping).
        var defaultsUnknown = false
        if FileManager.default.fileExists(atPath: absolute(defaultsPath)) {
            files += 1
            var found: [Diagnostic] = []
            if let root = load(defaultsPath, diagnostics: &found) {
                var decoder = AgentDecoder()
                if let members = decoder.reader.mapping(root, path: "", allowed: ["support"]),
                    let support = members["support"]
                {
                    defaultsSupport = support.value
                    defaultsUnknown = support.value.members == nil
                    _ = decoder.decodeSupport(support.value, keyLocation: support.keyLocation)
                }
                found += decoder.reader.diagnostics
            } else {
                defaultsUnknown = !found.contains { $0.rule == .emptyFile }
            }
            defaultsDiagnostics = Set(found.map(DiagnosticKey.init))
            diagnostics += found
        }

        var agents: [AgentSettings] = []
        var idLocations: [String: [SourceLocation]] = [:]
        for path in agentPaths.sorted() {
            files += 1
            var found: [Diagnostic] = []
            guard let root = load(path, diagnostics: &found) else {
                diagnostics += found
                continue
            }
            var decoder = AgentDecoder()
            decoder.defaultsUnknown = defaultsUnknown
            let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            let support = DefaultsMerge.merge(defaults: defaultsSupport, agent: root["support"]?.value)
            let settings = decoder.decodeAgent(root, file: path, stem: stem, support: support)
            if let id = decoder.agentIDLocation { idLocations[id.value, default: []].append(id.location) }
            for var diagnostic in decoder.reader.diagnostics {
                if diagnostic.location.file != path {
                    if defaultsDiagnostics.contains(DiagnosticKey(diagnostic)) { continue }
                    let agent = decoder.context?.id ?? stem
                    diagnostic.agent = agent
                    diagnostic.message += " (in agent '\(agent)')"
                }
                found.append(diagnostic)
            }
            if let settings, !found.contains(where: { $0.severity == .error }) { agents.append(settings) }
            diagnostics += found
        }

        for (id, locations) in idLocations where locations.count > 1 {
            // A copied file's id cannot match its name: the duplicate is the
            // problem, and renaming the file as agent-file-name suggests
            // would clash with the other file.
            diagnostics.removeAll { $0.rule == .agentFileName && locations.contains($0.location) }
            for location in locations {
                let others = locations.filter { $0 != location }
                diagnostics.append(
                    Diagnostic(
                        .duplicateAgent, at: location, "the agent id '\(id)' is used by \(locations.count) files",
                        hint: "each agent has exactly one file",
                        notes: others.map { Diagnostic.Note(location: $0, message: "also used here") }))
            }
            agents.removeAll { $0.id == id }
        }
        if paths.isEmpty { diagnostics += Scaffold.outdatedFileDiagnostics(root: root) }
        return ValidationResult(report: DiagnosticReport(files: files, diagnostics: diagnostics), agents: agents)
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
    func load(_ path: String, diagnostics: inout [Diagnostic]) -> ConfigNode? {
        let start = SourceLocation(file: path, line: 1, column: 1)
        let limit = 1 << 20
        guard let handle = FileHandle(forReadingAtPath: absolute(path)) else {
            diagnostics.append(Diagnostic(.fileUnreadable, at: start, "the file cannot be read"))
            return nil
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            diagnostics.append(
                Diagnostic(.fileUnreadable, at: start, "the file cannot be read: \(error.localizedDescription)"))
            return nil
        }
        if data.count > limit {
            diagnostics.append(
                Diagnostic(
                    .yamlLimit, at: start, "the file is over the limit of 1 MiB",
                    hint: "agent files are small; split or trim it"))
            return nil
        }
        return YAMLFile.load([UInt8](data), file: path, diagnostics: &diagnostics)
    }

    private func listYAML(in directory: String) throws -> [String] {
        let url = URL(fileURLWithPath: absolute(directory), isDirectory: true)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { return [] }
        return names.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.sorted()
            .map { directory.isEmpty || directory == "." ? $0 : "\(directory)/\($0)" }
    }

    func absolute(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : root.appendingPathComponent(relative).path
    }

    /// `path` (absolute, or relative to the current directory) relative to the root.
    private func relativePath(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        return absolute.hasPrefix(rootPath) ? String(absolute.dropFirst(rootPath.count)) : absolute
    }
}

public enum ConfigError: Error, CustomStringConvertible {
    case noSuchFile(String)

    public var description: String {
        switch self {
        case .noSuchFile(let path): return "no such file or folder: \(path)"
        }
    }
}
