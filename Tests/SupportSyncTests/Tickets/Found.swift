import SupportSync
import TestSupport

/// A diagnostic's rule and place, for comparing with what a test expects.
struct Found: Hashable, Comparable, CustomStringConvertible {
    var rule: String
    var line: Int
    var column: Int

    init(_ rule: String, _ line: Int, _ column: Int) {
        self.rule = rule
        self.line = line
        self.column = column
    }

    init(_ diagnostic: Diagnostic) {
        self.init(diagnostic.rule.rawValue, diagnostic.location.line, diagnostic.location.column)
    }

    static func < (lhs: Found, rhs: Found) -> Bool {
        (lhs.line, lhs.column, lhs.rule) < (rhs.line, rhs.column, rhs.rule)
    }

    var description: String { "\(rule)@\(line):\(column)" }

    static func all(_ diagnostics: [Diagnostic]) -> [Found] { diagnostics.map(Found.init).sorted() }
}
