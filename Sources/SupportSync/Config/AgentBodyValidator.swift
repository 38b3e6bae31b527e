import YAML

/// Validates an agent sent to the platform (`PUT /v1/agents/{id}`) with the
/// same rules as `validate`, so the platform and the command line never
/// disagree about what is valid. JSON is read as YAML (it is a subset), so
/// number/boolean/null typing stays exactly as strict as in files.
public enum AgentBodyValidator {
    /// The first error of a rejected body.
    public struct Problem: Error, Sendable, Hashable {
        /// The offending field as a path: `support.escalate.destinations[0].number`.
        public var field: String?
        public var message: String
        public var rule: Rule
    }

    static let source = "request body"

    public static func validate(json: [UInt8], id: String) -> Result<AgentSettings, Problem> {
        guard Patterns.isAgentID(id) else {
            return .failure(
                Problem(field: "id", message: "'\(id)' is not a valid agent id (\(Patterns.agentID))", rule: .agentID))
        }
        var diagnostics: [Diagnostic] = []
        guard let root = YAMLFile.load(json, file: source, diagnostics: &diagnostics) else {
            let first = diagnostics.first
            return .failure(
                Problem(
                    field: nil, message: first?.message ?? "the body is not a JSON object",
                    rule: first?.rule ?? .notAMapping))
        }
        var decoder = AgentDecoder()
        let settings = decoder.decodeBody(root, id: id)
        let errors = (diagnostics + decoder.reader.diagnostics).filter { $0.severity == .error }
        if let error = errors.sorted(by: { $0.location < $1.location }).first {
            return .failure(Problem(field: root.keyPath(to: error.location), message: error.message, rule: error.rule))
        }
        guard let settings else {
            return .failure(Problem(field: nil, message: "the agent could not be read", rule: .wrongType))
        }
        return .success(settings)
    }
}

extension ConfigNode {
    /// The path of the key or value at `location`, such as
    /// `support.escalate.destinations[0].number`; nil for the root itself.
    func keyPath(to location: SourceLocation) -> String? {
        func search(_ node: ConfigNode, _ path: String) -> String? {
            switch node.value {
            case .scalar:
                return nil
            case .mapping(let members):
                for member in members {
                    let here = path.isEmpty ? member.key : "\(path).\(member.key)"
                    if member.keyLocation == location || member.value.location == location { return here }
                    if let found = search(member.value, here) { return found }
                }
            case .sequence(let items):
                for (index, item) in items.enumerated() {
                    let here = "\(path)[\(index)]"
                    if item.location == location {
                        return item.scalar != nil || item.members == nil ? here : search(item, here) ?? here
                    }
                    if let found = search(item, here) { return found }
                }
            }
            return nil
        }
        return search(self, "")
    }
}
