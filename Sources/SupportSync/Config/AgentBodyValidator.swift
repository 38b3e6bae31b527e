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

    /// JSON text as the YAML reader reads it the same: in its strings, a
    /// surrogate pair's two escapes (`\ud83d\ude00`, which JSON allows and
    /// libyaml refuses) become the character they stand for, and a NEXT
    /// LINE, LINE SEPARATOR or PARAGRAPH SEPARATOR written as it is (text
    /// to JSON, a line break to YAML 1.1) becomes an escape, as does a DEL
    /// or C1 control character (text to JSON, which writes them as they
    /// are; not allowed unescaped in YAML, which reads them escaped).
    static func readableAsYAML(_ json: [UInt8]) -> [UInt8] {
        // Nothing to change in the common case: no escape of a surrogate, no such character.
        guard json.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 0xC2 || $0 == 0xE2 || $0 == 0x7F }) else {
            return json
        }
        func hex(_ at: Int) -> UInt32? {
            guard at + 4 <= json.count else { return nil }
            return UInt32(String(decoding: json[at..<(at + 4)], as: UTF8.self), radix: 16)
        }
        var output: [UInt8] = []
        output.reserveCapacity(json.count)
        var inString = false
        var index = 0
        while index < json.count {
            let byte = json[index]
            if !inString {
                if byte == UInt8(ascii: "\"") { inString = true }
                output.append(byte)
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = false
                output.append(byte)
                index += 1
            case UInt8(ascii: "\\"):
                guard index + 1 < json.count else {
                    output.append(byte)
                    index += 1
                    break
                }
                if json[index + 1] == UInt8(ascii: "u"), let high = hex(index + 2), (0xD800...0xDBFF).contains(high),
                    index + 7 < json.count, json[index + 6] == UInt8(ascii: "\\"), json[index + 7] == UInt8(ascii: "u"),
                    let low = hex(index + 8), (0xDC00...0xDFFF).contains(low),
                    let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                {
                    output += Array(String(Character(scalar)).utf8)
                    index += 12
                } else {
                    // Any other escape, copied whole (`\\` never starts one).
                    output += json[index...(index + 1)]
                    index += 2
                }
            case 0xC2 where index + 1 < json.count && (0x80...0x9F).contains(json[index + 1]):
                output += Array(String(format: "\\u%04X", Int(json[index + 1])).utf8)
                index += 2
            case 0x7F:
                output += Array("\\u007F".utf8)
                index += 1
            case 0xE2
            where index + 2 < json.count && json[index + 1] == 0x80
                && (json[index + 2] == 0xA8 || json[index + 2] == 0xA9):
                output += Array((json[index + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                index += 3
            default:
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// The first key a JSON object body writes twice in one object, for a
    /// request read by a decoder that keeps one of the two in silence; nil
    /// when none is, or when the body does not read (the decoder says why).
    public static func duplicateKey(inJSON json: [UInt8]) -> Problem? {
        var diagnostics: [Diagnostic] = []
        guard let root = YAMLFile.load(readableAsYAML(json), file: source, diagnostics: &diagnostics),
            let duplicate = diagnostics.filter({ $0.rule == .duplicateKey }).min(by: { $0.location < $1.location })
        else { return nil }
        return Problem(field: root.keyPath(to: duplicate.location), message: duplicate.message, rule: .duplicateKey)
    }

    public static func validate(json: [UInt8], id: String) -> Result<AgentSettings, Problem> {
        guard Patterns.isAgentID(id) else {
            return .failure(
                Problem(field: "id", message: "'\(id)' is not a valid agent id (\(Patterns.agentID))", rule: .agentID))
        }
        var diagnostics: [Diagnostic] = []
        guard let root = YAMLFile.load(readableAsYAML(json), file: source, diagnostics: &diagnostics) else {
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
