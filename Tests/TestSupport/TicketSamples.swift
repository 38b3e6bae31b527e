import Foundation
import SupportSync

/// The ticket of SPEC 4, as a record, a platform ticket and its file.
public enum TicketSamples {
    public static let path = "tickets/2026/11/T-8F3A2C91.yaml"

    public static let record = TicketRecord(
        id: "T-8F3A2C91", agent: "billing-line", channel: .calls, conversation: "conv_01HF2M",
        createdAt: "2026-11-24T10:02:11Z", reason: "Customer disputes a double charge on order A-1029",
        summary: "Charged twice on 2026-11-20. Wants a refund of the second charge.\n",
        customer: Customer(name: "Ana García", email: "ana@example.com", phone: "+34600000000"),
        fields: ["order_id": "A-1029"], tags: ["billing"])

    /// SPEC 4's example, comments removed: what `TicketFile.text` must write.
    public static let text = """
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

    public static func ticket(_ record: TicketRecord = record, version: String = "v1") -> Ticket {
        record.ticket(updatedAt: "2026-11-24T11:00:00Z", version: version)
    }

    /// The sample file with whole lines replaced, for files with one problem.
    public static func text(replacing replacements: [String: String]) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (old, new) in replacements {
            guard let index = lines.firstIndex(of: old) else { fatalError("no line '\(old)' in the sample") }
            lines[index] = new
        }
        return lines.joined(separator: "\n")
    }

    public static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}

/// Tickets as a platform reports them.
public enum SampleTickets {
    public static func id(_ number: Int) -> String { "T-" + String(number, radix: 16, uppercase: true).zeroPadded(8) }

    /// A ticket with every kind of value the file form has to write:
    /// multi-line text, a non-ASCII name, a phone number to quote.
    public static func make(
        _ number: Int, status: TicketStatus = .pending, assignee: String? = nil, month: Int? = nil,
        summary: String? = nil
    ) -> Ticket {
        let month = month ?? (number % 12 + 1)
        let day = number % 28 + 1
        let createdAt = "2026-\(String(month).zeroPadded(2))-\(String(day).zeroPadded(2))T10:02:11Z"
        return Ticket(
            id: id(number), agent: "billing-line", channel: number % 2 == 0 ? .calls : .messages,
            conversation: "conv_\(number)", createdAt: createdAt,
            reason: "Customer disputes a double charge on order A-\(number)",
            summary: summary ?? "Charged twice on 2026-11-20.\nWants a refund of the second charge.",
            customer: Customer(name: "Ana García", email: "ana@example.com", phone: "+34600000000"),
            fields: ["order_id": "A-\(number)"], tags: ["billing"], priority: .normal, status: status,
            assignee: assignee, resolution: status == .resolved || status == .closed ? "Refunded" : nil,
            updatedAt: createdAt, version: "0")
    }

    public static func make(_ numbers: Range<Int>) -> [Ticket] { numbers.map { make($0) } }

    /// `tickets/2026/MM/ID.yaml` for a ticket made above.
    public static func path(_ ticket: Ticket) -> String {
        TicketPaths.path(for: ticket.id, createdAt: ticket.createdAt)!
    }
}

extension String {
    /// The text with zeros before it, to `width` characters.
    public func zeroPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
