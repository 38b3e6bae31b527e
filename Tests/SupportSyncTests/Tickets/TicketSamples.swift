import SupportSync

/// The ticket of SPEC 4, as a record, a platform ticket and its file.
enum TicketSamples {
    static let path = "tickets/2026/11/T-8F3A2C91.yaml"

    static let record = TicketRecord(
        id: "T-8F3A2C91", agent: "billing-line", channel: .calls, conversation: "conv_01HF2M",
        createdAt: "2026-11-24T10:02:11Z", reason: "Customer disputes a double charge on order A-1029",
        summary: "Charged twice on 2026-11-20. Wants a refund of the second charge.\n",
        customer: Customer(name: "Ana García", email: "ana@example.com", phone: "+34600000000"),
        fields: ["order_id": "A-1029"], tags: ["billing"])

    /// SPEC 4's example, comments removed: what `TicketFile.text` must write.
    static let text = """
        id: T-8F3A2C91
        agent: billing-line
        channel: calls
        conversation: conv_01HF2M
        created_at: "2026-11-24T10:02:11Z"
        reason: Customer disputes a double charge on order A-1029
        summary: |
          Charged twice on 2026-11-20. Wants a refund of the second charge.
        customer:
          name: Ana García
          email: ana@example.com
          phone: "+34600000000"
        fields:
          order_id: A-1029
        tags: [billing]
        priority: normal
        status: pending
        assignee: null
        resolution: null

        """

    static func ticket(_ record: TicketRecord = record, version: String = "v1") -> Ticket {
        record.ticket(updatedAt: "2026-11-24T11:00:00Z", version: version)
    }

    /// The sample file with whole lines replaced, for files with one problem.
    static func text(replacing replacements: [String: String]) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (old, new) in replacements {
            guard let index = lines.firstIndex(of: old) else { fatalError("no line '\(old)' in the sample") }
            lines[index] = new
        }
        return lines.joined(separator: "\n")
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}

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
