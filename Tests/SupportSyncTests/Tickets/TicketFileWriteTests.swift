import TestSupport
import Testing
import YAML

@testable import SupportSync

/// `TicketFile.text`: SPEC 4's form, byte for byte, and back again.
@Suite struct TicketFileWriteTests {
    @Test func writesSpec4sExampleExactly() {
        #expect(TicketFile.text(TicketSamples.record) == TicketSamples.text)
    }

    @Test func writesNullsEmptiesAndBlocks() {
        let record = TicketRecord(
            id: "T-2", agent: "desk", channel: .messages, conversation: "c", createdAt: "2026-01-05T00:00:00.250Z",
            reason: "yes", summary: "Line one\nline two", customer: Customer(phone: "0123"),
            fields: ["zip": "08001", "count": "3", "note": "null"], tags: [], priority: .urgent, status: .resolved,
            assignee: "ops@example.com", resolution: "Refunded\n")
        #expect(
            TicketFile.text(record) == """
                id: T-2
                agent: desk
                channel: messages
                conversation: c
                created_at: "2026-01-05T00:00:00.250Z"
                reason: "yes"
                summary: |-
                  Line one
                  line two
                customer:
                  name: null
                  email: null
                  phone: "0123"
                fields:
                  count: "3"
                  note: "null"
                  zip: "08001"
                tags: []
                priority: urgent
                status: resolved
                assignee: ops@example.com
                resolution: |
                  Refunded

                """)
    }

    @Test func emptyFieldsAndManyTags() {
        var record = TicketSamples.record
        record.fields = [:]
        record.tags = ["billing", "vip", "yes"]
        let text = TicketFile.text(record)
        #expect(text.contains("\nfields: {}\n"))
        #expect(text.contains("\ntags: [billing, vip, \"yes\"]\n"))
    }

    /// Every valid `created_at` is a YAML 1.1 timestamp, so the writer
    /// quotes it; this holds the writer to that.
    @Test(
        "created_at is always double-quoted",
        arguments: [
            "2026-11-24T10:02:11Z", "2024-02-29T23:59:59Z", "0001-01-01T00:00:00Z", "2026-11-24T10:02:11.5Z",
            "2026-11-24T10:02:11.123456789Z",
        ])
    func createdAtIsQuoted(_ createdAt: String) throws {
        var record = TicketSamples.record
        record.createdAt = createdAt
        try #require(TicketTimestamp(createdAt) != nil)
        #expect(TicketFile.text(record).contains("\ncreated_at: \"\(createdAt)\"\n"))
    }

    @Test(
        "phone numbers a reader could take for numbers are quoted",
        arguments: ["+34600000000", "+14155550123", "600000000", "0034600000000", "+1"])
    func phoneIsQuoted(_ phone: String) {
        var record = TicketSamples.record
        record.customer.phone = phone
        #expect(TicketFile.text(record).contains("\n  phone: \"\(phone)\"\n"))
    }

    static let tricky: [String] = [
        "plain", "yes", "No", "on", "null", "~", "", " padded ", "0123", "1e3", "0x1F", "+34600000000", "12:30",
        "2026-11-24", "2026-11-24T10:02:11Z", "key: value", "a # b", "#hash", "- dash", "[x]", "{y}", "x, y",
        "'single'", "\"double\"", "back\\slash", "tab\there", "bell\u{7}", "emoji 🎉", "Ñandú", "line one\nline two",
        "ends with newline\n", "two newlines\n\n", "\nleading newline", "trailing space \nnext", "<<", "*star",
        "&amp", "!bang", "|pipe", ">gt", "%pct", "@at", "`tick`", "\u{2028}sep", "\u{FEFF}bom", "e\u{301}",
    ]

    @Test("reads back as the same record", arguments: tricky)
    func roundTrip(_ text: String) {
        var record = TicketSamples.record
        record.conversation = text
        record.reason = text
        record.summary = text
        record.customer = Customer(name: text, email: nil, phone: text)
        record.fields = ["k": text, text: "v"]
        record.tags = [text, "billing"]
        record.assignee = text
        record.resolution = text
        let written = TicketFile.text(record)
        let (read, diagnostics) = TicketFile.read(Array(written.utf8), path: TicketSamples.path)
        #expect(diagnostics.isEmpty, "\(diagnostics)\n\(written)")
        #expect(read == record, "\(written)")
        // Byte for byte, not just Unicode-equivalent.
        #expect(read.map { Array($0.reason.unicodeScalars) } == Array(text.unicodeScalars))
        #expect(TicketFile.text(record) == written)
        #expect(read.map(TicketFile.text) == written)
    }

    @Test func writingTwiceGivesTheSameBytes() {
        var record = TicketSamples.record
        // Many keys, so a dictionary's order would show if it leaked through.
        record.fields = Dictionary(uniqueKeysWithValues: (0..<50).map { ("field_\($0)", "value \($0)") })
        let first = TicketFile.text(record)
        for _ in 0..<5 {
            var copy = TicketRecord(record.ticket(updatedAt: "x", version: "y"))
            copy.fields = Dictionary(uniqueKeysWithValues: record.fields.map { ($0.key, $0.value) })
            #expect(TicketFile.text(copy) == first)
        }
        #expect(first.hasSuffix("\n") && !first.hasSuffix("\n\n"))
    }
}
