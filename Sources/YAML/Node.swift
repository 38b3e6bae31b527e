/// A position in a YAML source: 1-based line and column, and a 0-based offset,
/// all counted in characters (Unicode scalars, as libyaml counts them) after
/// any byte-order mark.
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(line: Int, column: Int, offset: Int = 0) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public static func < (lhs: Mark, rhs: Mark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// How a scalar was written. Types are decided from the style and the text,
/// never by a YAML 1.1 resolver.
public enum ScalarStyle: Sendable, Hashable {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
    case folded

    /// True for every style but plain: the author marked the value as text.
    public var isQuotedOrBlock: Bool { self != .plain }
}

/// A scalar exactly as the source wrote it: its decoded text, style and tag.
public struct Scalar: Sendable, Hashable {
    public var text: String
    public var style: ScalarStyle
    /// The resolved tag when the source wrote one (`!!str` becomes `tag:yaml.org,2002:str`).
    public var tag: String?

    public init(text: String, style: ScalarStyle = .plain, tag: String? = nil) {
        self.text = text
        self.style = style
        self.tag = tag
    }

    /// What a YAML 1.2 core-schema reader makes of this scalar. Quoted, block,
    /// `!!str`-tagged and `!`-tagged (non-specific) scalars are always strings.
    public var coreType: PlainScalarType {
        if tag == Scalar.stringTag || tag == "!" || style != .plain { return .string }
        return PlainScalarType.core(text)
    }

    public static let stringTag = "tag:yaml.org,2002:str"
}

/// One key/value pair of a mapping, in source order (duplicates are kept so
/// the caller can report them).
public struct Entry: Sendable {
    public var key: Node
    public var value: Node

    public init(key: Node, value: Node) {
        self.key = key
        self.value = value
    }
}

/// A node of a YAML document with the position where it starts.
public struct Node: Sendable {
    /// Only an alias is boxed: a scalar, a mapping or a list is held in
    /// place, so reading a file allocates no box per node.
    public enum Kind: Sendable {
        case scalar(Scalar)
        case mapping([Entry])
        case sequence([Node])
        /// `*name`: the node is the alias itself (its own position); `target`
        /// is the anchored node it stands for.
        indirect case alias(name: String, target: Node)
    }

    public var kind: Kind
    public var start: Mark
    public var anchor: String?
    /// How many nodes this node stands for once every alias is expanded.
    public var expandedSize: Int
    /// The deepest nesting below and including this node, aliases expanded.
    public var height: Int

    public init(kind: Kind, start: Mark, anchor: String? = nil, expandedSize: Int = 1, height: Int = 1) {
        self.kind = kind
        self.start = start
        self.anchor = anchor
        self.expandedSize = expandedSize
        self.height = height
    }

    /// The node an alias stands for (itself when it is not an alias).
    public var resolved: Node {
        var node = self
        while case .alias(_, let target) = node.kind { node = target }
        return node
    }

    public var scalar: Scalar? {
        if case .scalar(let scalar) = resolved.kind { return scalar }
        return nil
    }

    public var entries: [Entry]? {
        if case .mapping(let entries) = resolved.kind { return entries }
        return nil
    }

    public var items: [Node]? {
        if case .sequence(let items) = resolved.kind { return items }
        return nil
    }

    /// A plain scalar that YAML 1.2 reads as null: `null`, `~` or nothing.
    public var isNull: Bool {
        guard let scalar else { return false }
        return scalar.coreType == .null
    }

    /// A short name for the kind of value, for messages ("a mapping", "a list").
    public var kindDescription: String {
        switch resolved.kind {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            switch scalar.coreType {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "a number"
            case .float: return "a number"
            case .timestamp, .special, .string: return "a string"
            }
        case .alias: return "an alias"
        }
    }
}
