/// Why a YAML source could not be read. Reading stops at the first of these.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// libyaml's own problem: bad indentation, tabs, unclosed quotes...
        case syntax
        /// Bytes that are not UTF-8, or characters YAML does not allow.
        case encoding
        /// Over the size, depth, node or alias budget.
        case limit
        /// `*name` with no `&name` before it.
        case undefinedAlias
    }

    public var kind: Kind
    public var message: String
    public var mark: Mark

    public init(_ kind: Kind, _ message: String, at mark: Mark) {
        self.kind = kind
        self.message = message
        self.mark = mark
    }

    public var description: String { "\(mark): \(message)" }
}

/// Budgets applied while reading, so a hostile document is refused quickly
/// and in bounded memory.
public struct YAMLLimits: Sendable, Hashable {
    public var maxBytes: Int
    /// The deepest level any node may sit at, aliases expanded; the root is
    /// level 1, so `[[x]]` needs 3. A document's `height` never exceeds it.
    public var maxDepth: Int
    /// Nodes in the whole stream, counting each alias as the nodes it expands to.
    public var maxNodes: Int
    /// The most nodes a single alias may stand for.
    public var maxAliasExpansion: Int

    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 64, maxNodes: Int = 100_000, maxAliasExpansion: Int = 10_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxAliasExpansion = maxAliasExpansion
    }

    public static let `default` = YAMLLimits()
}
