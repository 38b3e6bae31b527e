/// Where a problem is: a path relative to the repository root (`/`-separated)
/// and a 1-based line and column.
public struct SourceLocation: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }

    public var description: String { "\(file):\(line):\(column)" }
}

public enum Severity: String, Sendable, Hashable, Codable {
    case error
    case warning
    case note
}

/// One problem found in the user's files, ready to print.
public struct Diagnostic: Sendable, Hashable {
    public var location: SourceLocation
    public var severity: Severity
    public var rule: Rule
    public var message: String
    public var hint: String?
    /// The agent the problem belongs to, when it shows only once merged into one.
    public var agent: String?
    /// Other places that explain the problem (the first occurrence of a duplicate).
    public var notes: [Note]
    /// The commit that made the change, for a problem `audit` found in history.
    public var commit: CommitReference?

    /// A commit, as `audit` names it in JSON.
    public struct CommitReference: Sendable, Hashable, Encodable {
        public var id: String
        public var author: String
        public var email: String
        /// RFC 3339, UTC.
        public var date: String

        public init(id: String, author: String, email: String, date: String) {
            self.id = id
            self.author = author
            self.email = email
            self.date = date
        }
    }

    public struct Note: Sendable, Hashable {
        public var location: SourceLocation
        public var message: String

        public init(location: SourceLocation, message: String) {
            self.location = location
            self.message = message
        }
    }

    public init(
        _ rule: Rule, at location: SourceLocation, _ message: String, hint: String? = nil,
        severity: Severity? = nil, agent: String? = nil, notes: [Note] = []
    ) {
        self.location = location
        self.severity = severity ?? rule.severity
        self.rule = rule
        self.message = message
        self.hint = hint
        self.agent = agent
        self.notes = notes
    }
}

/// The outcome of checking a set of files.
public struct DiagnosticReport: Sendable {
    public var files: Int
    public var diagnostics: [Diagnostic]

    public init(files: Int, diagnostics: [Diagnostic]) {
        self.files = files
        self.diagnostics = diagnostics.sorted { ($0.location, $0.rule.rawValue) < ($1.location, $1.rule.rawValue) }
    }

    public var errorCount: Int { diagnostics.count { $0.severity == .error } }
    public var warningCount: Int { diagnostics.count { $0.severity == .warning } }

    /// Whether the files pass: no errors, and no warnings either when strict.
    public func passes(strict: Bool) -> Bool {
        errorCount == 0 && (!strict || warningCount == 0)
    }
}
