import YAML

/// A ticket file, `tickets/<YYYY>/<MM>/<id>.yaml` (SPEC 4): written in one
/// stable form, read back with every problem located.
///
/// The written form: the keys in SPEC 4's order (`TicketRecord.Field`), all
/// of them always, `null` where a value is absent (`assignee`, `resolution`
/// and the customer's `name`, `email`, `phone`, which are never left out, so
/// every file has the same shape); `fields` sorted by key; `tags` on one
/// line; multi-line text as literal blocks; everything else plain where
/// YAML 1.1 and 1.2 readers agree, double-quoted where they would not. That
/// quotes every valid `created_at` (a YAML 1.1 timestamp) and every phone
/// number made of digits (`"+34600000000"`, a number to a YAML 1.2 reader).
/// A sealed value (`"sealed:v1:..."`) is always double-quoted, and the
/// `erasure` key is written only once the platform erased the ticket.
public enum TicketFile {
    /// The file's text: the same record always gives the same bytes, and
    /// `read` gives the record back.
    public static func text(_ record: TicketRecord) -> String {
        let fields = TicketRecord.Field.allCases.filter { $0 != .erasure || record.erasure != nil }
        return YAMLWriter.write(
            .map(fields.map { ($0.rawValue, record.value(of: $0)) }),
            alwaysQuoting: WithheldValue.hidesValue)
    }

    /// The record in `bytes`, read from the repository path `path`, and every
    /// problem found, located in `path`. The record is returned whenever each
    /// key could be read as its type, even when checks on the values failed
    /// (an id that does not match the path, a resolved ticket without a
    /// resolution), so an audit can still compare it; it is sound only when
    /// no diagnostic is an error.
    ///
    /// `sealing`: the places the repository's platform seals; only there
    /// must a value that starts like a sealed value be one (elsewhere, in a
    /// repository without sealing say, it is the customer's text).
    public static func read(_ bytes: [UInt8], path: String, sealing: Sealing = .all) -> (TicketRecord?, [Diagnostic]) {
        let file = parse(bytes, path: path, sealing: sealing)
        return (file.record, file.diagnostics)
    }

    /// Like `read`, keeping where each key and value was written.
    public static func parse(_ bytes: [UInt8], path: String, sealing: Sealing = .all) -> Parsed {
        var diagnostics: [Diagnostic] = []
        guard let root = YAMLFile.load(bytes, file: path, diagnostics: &diagnostics, allowAliases: false) else {
            return Parsed(path: path, record: nil, diagnostics: diagnostics.map(withTicketHint))
        }
        var decoder = TicketDecoder(root: root, file: path, reader: NodeReader(diagnostics: diagnostics))
        let record = decoder.decode()
        if let record { decoder.check(record, sealing: sealing) }
        var parsed = Parsed(path: path, record: record, diagnostics: decoder.reader.diagnostics.map(withTicketHint))
        parsed.keyLocations = decoder.keyLocations
        parsed.valueLocations = decoder.valueLocations
        return parsed
    }

    /// A ticket file as read, with the places its keys and values were written.
    public struct Parsed: Sendable {
        /// The repository path the file was read from.
        public var path: String
        public var record: TicketRecord?
        /// In file order.
        public var diagnostics: [Diagnostic]
        /// Where each key was written, by its path: `status`,
        /// `customer.email`, `fields.order_id`.
        public var keyLocations: [String: SourceLocation] = [:]
        /// Where each value starts, by the same paths.
        public var valueLocations: [String: SourceLocation] = [:]

        init(path: String, record: TicketRecord?, diagnostics: [Diagnostic]) {
            self.path = path
            self.record = record
            self.diagnostics = diagnostics.sorted { ($0.location, $0.rule.rawValue) < ($1.location, $1.rule.rawValue) }
        }

        /// Where the key at `keyPath` was written; for a key the file does
        /// not have, its enclosing key, else the top of the file.
        public func location(of keyPath: String) -> SourceLocation {
            var path = Substring(keyPath)
            while true {
                if let location = keyLocations[String(path)] { return location }
                guard let dot = path.lastIndex(of: ".") else { break }
                path = path[..<dot]
            }
            return SourceLocation(file: self.path, line: 1, column: 1)
        }
    }

    /// `YAMLFile.load` words its hints for agent files.
    private static func withTicketHint(_ diagnostic: Diagnostic) -> Diagnostic {
        var diagnostic = diagnostic
        switch diagnostic.rule {
        case .emptyFile:
            diagnostic.hint = "restore the ticket from the file's history; tickets pull writes every ticket"
        case .multipleDocuments: diagnostic.hint = "a ticket file holds one ticket"
        case .yamlLimit: diagnostic.hint = "ticket files are small; a file this large or this nested is refused"
        default: break
        }
        return diagnostic
    }
}
