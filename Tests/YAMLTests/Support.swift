import Testing
import YAML

/// One step from a node to one of its children.
enum Step: Sendable, CustomStringConvertible {
    /// The value of the first entry whose key has this text.
    case value(String)
    /// The key node itself of the first entry with this text.
    case key(String)
    /// An item of a sequence.
    case item(Int)

    var description: String {
        switch self {
        case .value(let key): return ".\(key)"
        case .key(let key): return ".key(\(key))"
        case .item(let index): return "[\(index)]"
        }
    }
}

extension Node {
    /// The node at `path`, following aliases; nil when a step does not exist.
    func at(_ path: [Step]) -> Node? {
        var node = self
        for step in path {
            switch step {
            case .value(let key):
                guard let entry = node.entries?.first(where: { $0.key.scalar?.text == key }) else { return nil }
                node = entry.value
            case .key(let key):
                guard let entry = node.entries?.first(where: { $0.key.scalar?.text == key }) else { return nil }
                node = entry.key
            case .item(let index):
                guard let items = node.items, items.indices.contains(index) else { return nil }
                node = items[index]
            }
        }
        return node
    }

    func at(_ path: Step...) -> Node? { at(path) }

    /// Line and column only, for comparing with expectations.
    var position: Position { Position(start.line, start.column) }
}

/// A 1-based line and column, written `line:column` in failure messages.
struct Position: Sendable, Hashable, CustomStringConvertible {
    var line: Int
    var column: Int

    init(_ line: Int, _ column: Int) {
        self.line = line
        self.column = column
    }

    var description: String { "\(line):\(column)" }
}

extension YAMLError {
    var position: Position { Position(mark.line, mark.column) }
}

/// The root of a source that must hold exactly one document.
func root(_ yaml: String, limits: YAMLLimits = .default) throws -> Node {
    let documents = try YAMLReader.read(yaml, limits: limits)
    try #require(documents.count == 1, "expected one document, got \(documents.count)")
    return documents[0].root
}

/// The error reading `bytes` must throw.
func readError(_ bytes: [UInt8], limits: YAMLLimits = .default, sourceLocation: SourceLocation = #_sourceLocation)
    throws -> YAMLError
{
    try #require(throws: YAMLError.self, sourceLocation: sourceLocation) {
        _ = try YAMLReader.read(bytes, limits: limits)
    }
}

func readError(_ yaml: String, limits: YAMLLimits = .default, sourceLocation: SourceLocation = #_sourceLocation)
    throws -> YAMLError
{
    try readError(Array(yaml.utf8), limits: limits, sourceLocation: sourceLocation)
}

/// The text of the line `mark` points into and the character at its column,
/// so a test can check that a diagnostic points at the right thing.
func character(at position: Position, in yaml: String) -> Character? {
    let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.indices.contains(position.line - 1) else { return nil }
    let scalars = Array(lines[position.line - 1].unicodeScalars)
    guard scalars.indices.contains(position.column - 1) else { return nil }
    return Character(scalars[position.column - 1])
}

/// `depth` nested flow sequences around `inner`: `[[x]]` for depth 2.
func nestedFlow(_ depth: Int, around inner: String = "") -> String {
    String(repeating: "[", count: depth) + inner + String(repeating: "]", count: depth)
}
