internal import CYAML

/// One document of a YAML stream.
public struct Document: Sendable {
    public var root: Node
    /// Where the document starts (its `---`, or its first node).
    public var start: Mark
    /// Whether an alias (`*name`) repeats a node somewhere in the document.
    public var hasAliases = false
    /// The tags written on lists and mappings (`!!seq`, `!custom {a: 1}`),
    /// resolved, with where each node starts. A scalar keeps its own tag.
    public var collectionTags: [(tag: String, start: Mark)] = []
}

/// Reads YAML with libyaml's event parser into located `Node`s, without any
/// type resolution: scalars keep their text, style and tag.
public enum YAMLReader {
    /// Reads every document of `bytes`. Throws at the first syntax error,
    /// encoding error or budget breach.
    public static func read(_ bytes: [UInt8], limits: YAMLLimits = .default) throws(YAMLError) -> [Document] {
        if bytes.count > limits.maxBytes {
            throw YAMLError(
                .limit, "file is \(bytes.count) bytes, over the limit of \(limits.maxBytes) bytes",
                at: Mark(line: 1, column: 1))
        }
        var builder = TreeBuilder(limits: limits)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(.syntax, "could not start the YAML parser (out of memory)", at: Mark(line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }
        // libyaml skips a byte-order mark but counts it as a column; drop it
        // so the first line's columns match what an editor shows.
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
        return try body.withUnsafeBufferPointer { (buffer) throws(YAMLError) -> [Document] in
            if let (offset, name) = ambiguousBreak(in: buffer) {
                throw YAMLError(
                    .encoding,
                    "a \(name) is here, which YAML 1.1 readers (this one among them) take for a line break and YAML 1.2 readers do not; remove it, or write it as an escape in a double-quoted string",
                    at: markForOffset(offset, in: buffer))
            }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    throw parserError(parser, bytes: buffer)
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                try builder.handle(&event)
            }
            return builder.documents
        }
    }

    public static func read(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> [Document] {
        try read(Array(text.utf8), limits: limits)
    }

    private static func parserError(_ parser: yaml_parser_t, bytes: UnsafeBufferPointer<UInt8>) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        if parser.error == YAML_READER_ERROR {
            var offset = parser.problem_offset
            if problem == "invalid trailing UTF-8 octet" {
                // libyaml points at the bad continuation byte; point at the
                // start of the sequence it breaks instead.
                while offset > 0, offset <= bytes.count, bytes[offset - 1] & 0xC0 == 0x80 { offset -= 1 }
                if offset > 0, offset <= bytes.count, bytes[offset - 1] >= 0xC0 { offset -= 1 }
            }
            let mark = markForOffset(offset, in: bytes)
            var message = problem
            if problem.contains("UTF-8") || problem.contains("octet") {
                message = "the file is not valid UTF-8 (\(problem))"
            } else if parser.problem_value != -1 {
                message = "\(problem) (character #x\(String(parser.problem_value, radix: 16, uppercase: true)))"
            }
            return YAMLError(.encoding, message, at: mark)
        }
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            let contextMark = Mark(parser.context_mark)
            message = "\(problem) (\(context) at line \(contextMark.line), column \(contextMark.column))"
        }
        let mark = Mark(parser.problem_mark)
        // A tab used for indentation surfaces as "found character that cannot
        // start any token", which does not say what is wrong.
        if problem.contains("tab") || byte(atCharacterOffset: mark.offset, in: bytes) == 0x09 {
            message += "; indent with spaces, not tabs"
        }
        return YAMLError(.syntax, message, at: mark)
    }

    /// The first NEXT LINE (U+0085), LINE SEPARATOR (U+2028) or PARAGRAPH
    /// SEPARATOR (U+2029) written as it is, by byte offset: libyaml breaks
    /// lines there (YAML 1.1), so a file holding one reads otherwise than in
    /// an editor or a YAML 1.2 reader, and every later line's number is off.
    /// The tool's writer escapes them.
    static func ambiguousBreak(in bytes: UnsafeBufferPointer<UInt8>) -> (offset: Int, name: String)? {
        var index = 0
        while index + 1 < bytes.count {
            switch bytes[index] {
            case 0xC2 where bytes[index + 1] == 0x85: return (index, "NEXT LINE character (U+0085)")
            case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xA8:
                return (index, "LINE SEPARATOR (U+2028)")
            case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xA9:
                return (index, "PARAGRAPH SEPARATOR (U+2029)")
            default: index += 1
            }
        }
        return nil
    }

    /// libyaml reports reader errors as a byte offset; turn it into a line,
    /// a column and a character offset, counted the way libyaml's marks are.
    static func markForOffset(_ offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Mark {
        var line = 1
        var column = 1
        var characters = 0
        var index = 0
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 { characters += 1 }
            if byte == 0x0A || (byte == 0x0D && (index + 1 == bytes.count || bytes[index + 1] != 0x0A)) {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 && byte != 0x0D {
                column += 1
            }
            index += 1
        }
        return Mark(line: line, column: column, offset: characters)
    }

    /// The first byte of the character at a libyaml mark index (which counts characters).
    private static func byte(atCharacterOffset offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> UInt8? {
        var characters = -1
        for byte in bytes where byte & 0xC0 != 0x80 {
            characters += 1
            if characters == offset { return byte }
        }
        return nil
    }
}

extension Mark {
    init(_ mark: yaml_mark_t) {
        self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1, offset: Int(mark.index))
    }
}

/// Turns the event stream into trees, applying the budgets as it goes.
private struct TreeBuilder {
    /// A collection being read. A class so its arrays grow in place.
    private final class Frame {
        let isMapping: Bool
        let start: Mark
        let anchor: String?
        var entries: [Entry] = []
        var items: [Node] = []
        var pendingKey: Node?
        var size = 1
        var height = 1

        init(isMapping: Bool, start: Mark, anchor: String?) {
            self.isMapping = isMapping
            self.start = start
            self.anchor = anchor
        }
    }

    let limits: YAMLLimits
    var documents: [Document] = []
    private var stack: [Frame] = []
    private var anchors: [String: Node] = [:]
    private var documentStart = Mark(line: 1, column: 1)
    private var totalNodes = 0
    private var documentHasAliases = false
    private var documentCollectionTags: [(tag: String, start: Mark)] = []

    init(limits: YAMLLimits) {
        self.limits = limits
    }

    mutating func handle(_ event: inout yaml_event_t) throws(YAMLError) {
        let mark = Mark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documentStart = mark
            anchors = [:]
            documentHasAliases = false
            documentCollectionTags = []
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let text = string(data.value, count: data.length)
            let style: ScalarStyle
            switch data.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let tag = data.tag.map { String(cString: $0) }
            let node = Node(
                kind: .scalar(Scalar(text: text, style: style, tag: tag)), start: mark,
                anchor: data.anchor.map { String(cString: $0) })
            try checkDepth(of: 1, at: mark)
            try count(1, at: mark)
            attach(node)
        case YAML_ALIAS_EVENT:
            let name = String(cString: event.data.alias.anchor)
            guard let target = anchors[name] else {
                throw YAMLError(
                    .undefinedAlias, "alias *\(name) refers to no anchor &\(name) defined before it", at: mark)
            }
            if target.expandedSize > limits.maxAliasExpansion {
                throw YAMLError(
                    .limit,
                    "alias *\(name) expands to \(target.expandedSize) nodes, over the limit of \(limits.maxAliasExpansion)",
                    at: mark)
            }
            if stack.count + target.height > limits.maxDepth {
                throw YAMLError(.limit, "alias *\(name) nests deeper than \(limits.maxDepth) levels", at: mark)
            }
            try count(target.expandedSize, at: mark)
            documentHasAliases = true
            attach(
                Node(
                    kind: .alias(name: name, target: target), start: mark,
                    expandedSize: target.expandedSize, height: target.height))
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            try checkDepth(of: 1, at: mark)
            try count(1, at: mark)
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let anchor = (isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
                .map { String(cString: $0) }
            if let tag = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag {
                documentCollectionTags.append((String(cString: tag), mark))
            }
            stack.append(Frame(isMapping: isMapping, start: mark, anchor: anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            let kind: Node.Kind = frame.isMapping ? .mapping(frame.entries) : .sequence(frame.items)
            attach(
                Node(
                    kind: kind, start: frame.start, anchor: frame.anchor, expandedSize: frame.size, height: frame.height
                ))
        default:
            break
        }
    }

    /// Every node, scalars included, must sit at most `maxDepth` levels deep
    /// (the root is level 1), so a document's `height` never exceeds it.
    private func checkDepth(of height: Int, at mark: Mark) throws(YAMLError) {
        if stack.count + height > limits.maxDepth {
            throw YAMLError(.limit, "the document nests deeper than \(limits.maxDepth) levels", at: mark)
        }
    }

    private mutating func count(_ nodes: Int, at mark: Mark) throws(YAMLError) {
        totalNodes += nodes
        if totalNodes > limits.maxNodes {
            throw YAMLError(
                .limit,
                "the document has more than \(limits.maxNodes) nodes (each alias counted as what it expands to)",
                at: mark)
        }
    }

    private mutating func attach(_ node: consuming Node) {
        if let anchor = node.anchor { anchors[anchor] = node }
        guard let parent = stack.last else {
            documents.append(
                Document(
                    root: node, start: documentStart, hasAliases: documentHasAliases,
                    collectionTags: documentCollectionTags))
            return
        }
        parent.size += node.expandedSize
        parent.height = max(parent.height, node.height + 1)
        if !parent.isMapping {
            parent.items.append(node)
        } else if let key = parent.pendingKey {
            parent.entries.append(Entry(key: key, value: node))
            parent.pendingKey = nil
        } else {
            parent.pendingKey = node
        }
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, count: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}
