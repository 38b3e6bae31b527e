import Foundation
import LocalPlatform
import SupportSync

/// A temporary repository folder with a config/ and a local platform file.
final class Workbench {
    let root: URL

    init(agents: [String: String] = [:], defaults: String? = nil) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("supportsync-local-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("config/agents"), withIntermediateDirectories: true)
        for (id, text) in agents { try write("config/agents/\(id).yaml", text) }
        if let defaults { try write("config/defaults.yaml", defaults) }
    }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: root.appendingPathComponent(path)), as: UTF8.self)
    }

    func platform() throws -> LocalPlatform {
        try LocalPlatform(path: LocalPlatform.defaultPath(root: root))
    }

    func desired() throws -> [AgentSettings] {
        let result = try ConfigValidator(root: root).validate()
        precondition(result.report.errorCount == 0, DiagnosticFormatter.text(result.report))
        return result.agents
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }
}

enum Samples {
    static func flagAgent(_ id: String, mode: String = "flag") -> String {
        """
        agent: \(id)
        name: Agent \(id)
        channels: [calls, messages]
        support:
          mode: \(mode)
          flag:
            collect: [name, email]
          escalate:
            destinations:
              - name: desk
                number: "+34910000000"

        """
    }
}
