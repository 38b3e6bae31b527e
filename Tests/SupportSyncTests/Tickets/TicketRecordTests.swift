import TestSupport
import Testing
import YAML

@testable import SupportSync

@Suite struct TicketRecordTests {
    typealias Field = TicketRecord.Field

    @Test func ownershipFollowsSpec4() {
        #expect(
            TicketRecord.ownedByPlatform.map(\.rawValue) == [
                "id", "agent", "channel", "conversation", "created_at", "reason", "summary", "customer", "fields",
                "tags", "erasure",
            ])
        #expect(TicketRecord.ownedByTeam.map(\.rawValue) == ["priority", "status", "assignee", "resolution"])
        #expect(Set(TicketRecord.ownedByPlatform).isDisjoint(with: TicketRecord.ownedByTeam))
        #expect(TicketRecord.ownedByPlatform.count + TicketRecord.ownedByTeam.count == Field.allCases.count)
    }

    @Test func keepsEverythingButThePlatformsBookkeeping() {
        var ticket = TicketSamples.ticket(version: "v7")
        ticket.priority = .urgent
        ticket.status = .resolved
        ticket.assignee = "ops@example.com"
        ticket.resolution = "Refunded"
        let record = TicketRecord(ticket)
        #expect(record.priority == .urgent && record.status == .resolved)
        #expect(record.assignee == "ops@example.com" && record.resolution == "Refunded")
        #expect(record.customer == ticket.customer && record.fields == ticket.fields && record.tags == ticket.tags)
        // Back to a ticket: only the bookkeeping comes from the caller.
        #expect(record.ticket(updatedAt: ticket.updatedAt, version: "v7") == ticket)
        // A platform-side touch that changes nothing else is no change in git.
        var touched = ticket
        touched.updatedAt = "2027-01-01T00:00:00Z"
        touched.version = "v8"
        #expect(TicketRecord(touched) == record)
    }

    /// The table's reason: a sealed value anywhere in it is abbreviated, a
    /// withheld one named, and only its first 60 characters are shown, on
    /// one line; plain short text is shown as it is.
    @Test func aTableShowsTheStartOfAReasonWithoutCiphertext() {
        let sealed = "sealed:v1:0123456789abcdef:QUJDREVG"
        #expect(TicketRecord.tableReason("Refund asked twice") == "Refund asked twice")
        #expect(TicketRecord.tableReason(sealed) == "(sealed)")
        #expect(TicketRecord.tableReason("said: \(sealed) twice") == "said: (sealed) twice")
        #expect(TicketRecord.tableReason("ends with \(sealed)") == "ends with (sealed)")
        #expect(TicketRecord.tableReason("sealed:v1") == "sealed:v1", "a prefix cut short is text")
        #expect(TicketRecord.tableReason(WithheldValue.text) == "(withheld)")
        #expect(TicketRecord.tableReason(String(repeating: "a", count: 61)) == String(repeating: "a", count: 60))
        #expect(TicketRecord.tableReason("two\nlines") == "two lines")
        #expect(TicketRecord.tableReason("", erased: true) == "(erased)")
    }

    @Test func applyingAPatchChangesOnlyTeamFields() {
        let record = TicketSamples.record
        let patched = record.applying(
            TicketPatch(priority: .high, status: .inProgress, assignee: .set("ana"), resolution: .clear))
        #expect(patched.changedFields(comparedTo: record) == [.priority, .status, .assignee])
        #expect(patched.priority == .high && patched.status == .inProgress && patched.assignee == "ana")
        #expect(record.applying(TicketPatch()) == record)
    }

    @Test("a change to one field shows in that field only", arguments: Field.allCases)
    func changedFields(_ field: Field) {
        var record = TicketSamples.record
        switch field {
        case .id: record.id = "T-2"
        case .agent: record.agent = "other"
        case .channel: record.channel = .messages
        case .conversation: record.conversation = "conv_2"
        case .createdAt: record.createdAt = "2026-11-24T10:02:12Z"
        case .reason: record.reason = "Another reason"
        case .summary: record.summary = "Another summary"
        case .customer: record.customer.phone = nil
        case .fields: record.fields["extra"] = "x"
        case .tags: record.tags.append("vip")
        case .priority: record.priority = .low
        case .status: record.status = .closed
        case .assignee: record.assignee = "someone"
        case .resolution: record.resolution = "done"
        case .erasure: record.erasure = Erasure(at: "2026-12-01T10:00:00Z", by: "dpo", reason: "request 1")
        }
        #expect(record.changedFields(comparedTo: TicketSamples.record) == [field])
    }

    @Test func absentCustomerDetailsAreNullNotLeftOut() {
        var record = TicketSamples.record
        record.customer = Customer(email: "x@example.com")
        #expect(
            record.value(of: .customer)
                == .map([("name", .null), ("email", .string("x@example.com")), ("phone", .null)]))
    }

    @Test func fieldsAreSortedByBytes() {
        var record = TicketSamples.record
        record.fields = ["zeta": "1", "Alpha": "2", "alpha": "3", "ñu": "4", "_x": "5"]
        guard case .map(let members) = record.value(of: .fields) else {
            Issue.record("fields is not a mapping")
            return
        }
        #expect(members.map(\.0) == ["Alpha", "_x", "alpha", "zeta", "ñu"])
    }
}
