import YAML

/// A YAML node of one of the user's files, with the file it came from, so a
/// tree merged from `defaults.yaml` and an agent file still says where each
/// value was written. Aliases are expanded (within the reader's budget) and
/// duplicate keys are reported and dropped when the tree is built.
public struct ConfigNode: Sendable {
    public enum Value: Sendable {
        case scalar(Scalar)
        case mapping([Member])
        case sequence([ConfigNode])
    }

    public struct Member: Sendable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: ConfigNode
    }

    public var value: Value
    public var location: SourceLocation
    /// Set on a value whose problem was reported while the tree was built
    /// (an unsupported tag): reads of it return nothing, quietly, so the
    /// one problem is not reported again as a wrong type or value.
    public var isReported = false

    public var scalar: Scalar? {
        if case .scalar(let scalar) = value { return scalar }
        return nil
    }

    public var members: [Member]? {
        if case .mapping(let members) = value { return members }
        return nil
    }

    public var items: [ConfigNode]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    /// `null`, `~` or an empty value, written plain.
    public var isNull: Bool { scalar.map { $0.coreType == .null } ?? false }

    /// A day's hours that open nothing: `null` or `[]`.
    var opensNoHours: Bool { isNull || items?.isEmpty == true }

    public subscript(key: String) -> Member? {
        members?.first { $0.key == key }
    }

    /// What kind of value this is, for messages: "a mapping", "a list", "a number"...
    public var kindDescription: String {
        switch value {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            switch scalar.coreType {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int, .float: return "a number"
            case .timestamp, .special, .string: return "a string"
            }
        }
    }
}

extension ConfigNode {
    /// Builds the tree of `node` read from `file`, reporting duplicate keys
    /// (at the second occurrence, with a note at the first), keys that are
    /// not plain text, and tags other than `!!str`.
    static func build(_ node: Node, file: String, diagnostics: inout [Diagnostic]) -> ConfigNode {
        let location = SourceLocation(file: file, line: node.start.line, column: node.start.column)
        switch node.kind {
        case .alias(_, let target):
            // The anchored node was built, and its problems reported, where
            // it was written; the alias must not report them again.
            var again: [Diagnostic] = []
            var built = build(target, file: file, diagnostics: &again)
            built.location = location
            return built
        case .scalar(let scalar):
            if let tag = scalar.tag, tag != Scalar.stringTag {
                diagnostics.append(
                    Diagnostic(
                        .yamlTag, at: location, "the tag \(shortTag(tag)) is not supported here",
                        hint: "remove the tag; quote the value if it should be text"))
                return ConfigNode(
                    value: .scalar(Scalar(text: scalar.text, style: .doubleQuoted)), location: location,
                    isReported: true)
            }
            return ConfigNode(value: .scalar(scalar), location: location)
        case .sequence(let items):
            return ConfigNode(
                value: .sequence(items.map { build($0, file: file, diagnostics: &diagnostics) }), location: location)
        case .mapping(let entries):
            var members: [Member] = []
            members.reserveCapacity(entries.count)
            // Keys seen, looked up in the members themselves while the
            // mapping is small (most are), by hash beyond.
            var seen: [String: SourceLocation] = [:]
            let hashed = entries.count > 16
            for entry in entries {
                let keyLocation = SourceLocation(file: file, line: entry.key.start.line, column: entry.key.start.column)
                guard let keyScalar = entry.key.scalar else {
                    diagnostics.append(
                        Diagnostic(.wrongType, at: keyLocation, "a key must be text, not \(entry.key.kindDescription)"))
                    continue
                }
                let key = keyScalar.text
                if let first = hashed ? seen[key] : members.first(where: { $0.key == key })?.keyLocation {
                    diagnostics.append(
                        Diagnostic(
                            .duplicateKey, at: keyLocation, "duplicate key '\(key)'",
                            hint: "remove one of the two; YAML readers disagree on which one wins",
                            notes: [Diagnostic.Note(location: first, message: "'\(key)' is first defined here")]))
                    continue
                }
                if hashed { seen[key] = keyLocation }
                members.append(
                    Member(
                        key: key, keyLocation: keyLocation,
                        value: build(entry.value, file: file, diagnostics: &diagnostics)))
            }
            return ConfigNode(value: .mapping(members), location: location)
        }
    }

    static func shortTag(_ tag: String) -> String {
        let prefix = "tag:yaml.org,2002:"
        return tag.hasPrefix(prefix) ? "!!" + tag.dropFirst(prefix.count) : tag
    }
}
