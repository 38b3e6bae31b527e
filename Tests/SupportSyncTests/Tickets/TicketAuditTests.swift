import TestSupport
import Testing

@testable import SupportSync

/// `TicketAudit`: one ticket path between two commits, every violation
/// located in the new file.
@Suite struct TicketAuditTests {
    static let path = TicketSamples.path
    static let old = TicketSamples.record

    static func audit(_ new: TicketRecord?, parents: [TicketRecord] = [old], path: String = path) -> [Diagnostic] {
        TicketAudit.check(path: path, parents: parents, new: new.map { Array(TicketFile.text($0).utf8) })
    }

    @Test func aDeletedTicketIsAViolation() {
        let diagnostics = TicketAudit.check(path: Self.path, old: Self.old, new: nil)
        #expect(Found.all(diagnostics) == [Found("ticket-deleted", 1, 1)])
        #expect(diagnostics.first?.location.file == Self.path)
        #expect(diagnostics.first?.message.contains("T-8F3A2C91") == true)
    }

    /// Each file of a group names the others; a tree made by hand that
    /// lists one name twice is said so, not named against itself.
    @Test func duplicatesNameTheOtherFiles() {
        let twins = TicketAudit.duplicates([["tickets/2026/11/T-1.yaml", "tickets/2026/11/t-1.yaml"]])
        #expect(
            twins.map(\.message) == [
                "another ticket file has this id, or one that differs only in case: tickets/2026/11/t-1.yaml",
                "another ticket file has this id, or one that differs only in case: tickets/2026/11/T-1.yaml",
            ])
        let listedTwice = TicketAudit.duplicates([["tickets/2026/11/T-1.yaml", "tickets/2026/11/T-1.yaml"]])
        #expect(listedTwice.first?.message == "the commit's tree lists this ticket file 2 times", "\(listedTwice)")
    }

    @Test func anAddedValidTicketPasses() {
        #expect(TicketAudit.check(path: Self.path, old: nil, new: TicketSamples.bytes(TicketSamples.text)).isEmpty)
        #expect(TicketAudit.check(path: Self.path, old: nil, new: nil).isEmpty)
    }

    @Test func teamWorkPasses() {
        var new = Self.old
        new.priority = .high
        new.status = .inProgress
        new.assignee = "ops@example.com"
        #expect(Self.audit(new).isEmpty)
        new.status = .resolved
        new.resolution = "Refunded the second charge"
        #expect(Self.audit(new).isEmpty)
        #expect(Self.audit(Self.old).isEmpty)
    }

    struct Edit: CustomTestStringConvertible, Sendable {
        var name: String
        var change: @Sendable (inout TicketRecord) -> Void
        var expected: [Found]
        var testDescription: String { name }
    }

    /// Each platform-owned field, changed alone: reported at its key's line.
    static let platformEdits: [Edit] = [
        Edit(name: "agent", change: { $0.agent = "sales-line" }, expected: [Found("ticket-platform-field", 2, 1)]),
        Edit(name: "channel", change: { $0.channel = .messages }, expected: [Found("ticket-platform-field", 3, 1)]),
        Edit(
            name: "conversation", change: { $0.conversation = "conv_X" },
            expected: [Found("ticket-platform-field", 4, 1)]),
        Edit(
            name: "reason", change: { $0.reason = "Something else" }, expected: [Found("ticket-platform-field", 6, 1)]),
        Edit(
            name: "summary", change: { $0.summary = "Rewritten.\n" }, expected: [Found("ticket-platform-field", 7, 1)]),
        Edit(
            name: "customer.email", change: { $0.customer.email = "x@example.com" },
            expected: [Found("ticket-platform-field", 11, 3)]),
        Edit(
            name: "customer name and phone",
            change: {
                $0.customer.name = "Ana"
                $0.customer.phone = nil
            },
            expected: [Found("ticket-platform-field", 10, 3), Found("ticket-platform-field", 12, 3)]),
        Edit(
            name: "fields value", change: { $0.fields["order_id"] = "A-1030" },
            expected: [Found("ticket-platform-field", 14, 3)]),
        Edit(
            name: "fields key added", change: { $0.fields["refund"] = "yes" },
            expected: [Found("ticket-platform-field", 15, 3)]),
        Edit(
            name: "fields key removed", change: { $0.fields = [:] }, expected: [Found("ticket-platform-field", 13, 1)]),
        Edit(
            name: "tags", change: { $0.tags = ["billing", "vip"] }, expected: [Found("ticket-platform-field", 15, 1)]),
        // The id and created_at also decide the path, which then no longer fits.
        Edit(
            name: "id", change: { $0.id = "T-1" },
            expected: [Found("ticket-platform-field", 1, 1), Found("ticket-path", 1, 5)]),
        Edit(
            name: "created_at", change: { $0.createdAt = "2026-10-24T10:02:11Z" },
            expected: [Found("ticket-platform-field", 5, 1)]),
        Edit(name: "a team field only", change: { $0.assignee = "x" }, expected: []),
    ]

    @Test("a platform-owned field changed is reported at its line", arguments: platformEdits)
    func platformField(_ edit: Edit) {
        var new = Self.old
        edit.change(&new)
        let diagnostics = Self.audit(new)
        #expect(Found.all(diagnostics) == edit.expected.sorted(), "\(diagnostics.map(\.message))")
    }

    @Test func theMessageNamesTheFieldAndBothValuesButNeverCustomerData() throws {
        var new = Self.old
        new.customer.email = "x@example.com"
        let diagnostic = try #require(Self.audit(new).first)
        #expect(
            diagnostic.message == "customer.email is owned by the platform and cannot change in git"
                + " (was (a value in plain text), now (a value in plain text))")
        #expect(diagnostic.severity == .error)
        var agent = Self.old
        agent.agent = "other-line"
        let named = try #require(Self.audit(agent).first)
        #expect(named.message.hasSuffix("(was billing-line, now other-line)"), "\(named.message)")
        var sealed = Self.old
        sealed.customer.email = "sealed:v1:0123456789abcdef:" + String(repeating: "A", count: 64)
        #expect(try #require(Self.audit(sealed).first).message.hasSuffix("(was (a value in plain text), now (sealed))"))
    }

    static let moves: [(TicketStatus, TicketStatus)] = TicketStatus.allCases.flatMap { from in
        TicketStatus.allCases.map { (from, $0) }
    }

    @Test("status moves along the lifecycle only", arguments: moves)
    func lifecycle(_ from: TicketStatus, _ to: TicketStatus) {
        var old = Self.old
        old.status = from
        old.resolution = "Done"
        var new = old
        new.status = to
        let found = Found.all(Self.audit(new, parents: [old]))
        #expect(found == (from.canMove(to: to) ? [] : [Found("ticket-lifecycle", 17, 9)]))
    }

    @Test func closedIsFinal() throws {
        var old = Self.old
        old.status = .closed
        old.resolution = "Done"
        var new = old
        new.status = .pending
        let diagnostic = try #require(Self.audit(new, parents: [old]).first)
        #expect(diagnostic.message == "status cannot move from closed to pending")
        #expect(diagnostic.hint?.contains("final") == true)
    }

    @Test func resolvedWithoutAResolution() {
        var new = Self.old
        new.status = .resolved
        #expect(Found.all(Self.audit(new)) == [Found("ticket-resolution", 19, 13)])
        var blanked = Self.old
        blanked.status = .closed
        blanked.resolution = "Done"
        var emptied = blanked
        emptied.resolution = "  "
        #expect(Found.all(Self.audit(emptied, parents: [blanked])) == [Found("ticket-resolution", 19, 13)])
        // Added without one: the commit made it so.
        #expect(Self.audit(new, parents: []).contains { $0.rule == .ticketResolution })
    }

    /// A ticket the platform closed without a resolution is not the team's
    /// doing: an edit of another team field passes, and so does a merge
    /// that takes the platform's state.
    @Test func aTicketClosedWithoutAResolutionOnThePlatformIsNotTheCommitsDoing() {
        var closed = Self.old
        closed.status = .closed
        var assigned = closed
        assigned.assignee = "ana"
        #expect(Self.audit(assigned, parents: [closed]).isEmpty)
        var pending = Self.old
        pending.assignee = "ana"
        #expect(Self.audit(closed, parents: [pending, closed]).isEmpty)
    }

    /// The folder is checked where the file is added; a ticket already in
    /// git stays where it is, whatever its created_at says now.
    @Test(arguments: ["tickets/2026/10/T-8F3A2C91.yaml", "T-8F3A2C91.yaml", "tickets/2026/11/x/T-8F3A2C91.yaml"])
    func aTicketAddedAtTheWrongPath(_ path: String) {
        #expect(Found.all(Self.audit(Self.old, parents: [], path: path)) == [Found("ticket-path", 5, 13)])
        #expect(Self.audit(Self.old, parents: [], path: Self.path).isEmpty)
        #expect(Self.audit(Self.old, path: path).isEmpty)
    }

    @Test func anUnreadableNewFileIsReportedNotCompared() {
        let diagnostics = TicketAudit.check(path: Self.path, old: Self.old, new: Array("id: [\n".utf8))
        #expect(diagnostics.map(\.rule) == [.yamlSyntax])
    }

    // MARK: Merge commits

    @Test func aMergeMayTakeEitherParentsValue() {
        var left = Self.old
        left.reason = "Left reason"
        var right = Self.old
        right.tags = ["vip"]
        var merged = left
        merged.tags = right.tags
        // Each field equals one parent's value, though no parent has both.
        #expect(Self.audit(merged, parents: [left, right]).isEmpty)
        var invented = merged
        invented.reason = "Neither parent's"
        #expect(Found.all(Self.audit(invented, parents: [left, right])) == [Found("ticket-platform-field", 6, 1)])
    }

    @Test(
        "a merge's status equals a parent's or is a move from one",
        arguments: [
            ([TicketStatus.closed, .pending], TicketStatus.pending, true),
            ([.closed, .pending], .closed, true),
            ([.pending, .resolved], .inProgress, true),
            ([.closed, .closed], .pending, false),
            ([.closed, .resolved], .pending, false),
        ])
    func mergeStatus(_ parents: [TicketStatus], _ status: TicketStatus, _ allowed: Bool) {
        let records = parents.map { status -> TicketRecord in
            var record = Self.old
            record.status = status
            record.resolution = "Done"
            return record
        }
        var new = Self.old
        new.status = status
        new.resolution = "Done"
        #expect(Found.all(Self.audit(new, parents: records)) == (allowed ? [] : [Found("ticket-lifecycle", 17, 9)]))
    }

    @Test func aMergeThatDropsATicketOneParentHadDeletesIt() {
        let diagnostics = TicketAudit.check(path: Self.path, parents: [Self.old], new: nil)
        #expect(diagnostics.map(\.rule) == [.ticketDeleted])
    }
}
