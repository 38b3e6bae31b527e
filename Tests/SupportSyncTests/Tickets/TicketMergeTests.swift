import TestSupport
import Testing
import YAML

@testable import SupportSync

/// `TicketMerge`: field by field against the platform base (SPEC 7).
@Suite struct TicketMergeTests {
    typealias Field = TicketRecord.Field
    static let base = TicketSamples.record

    /// Sets one team-owned field to a value different from the sample's,
    /// chosen by `variant` so two sides can make different changes.
    static func change(_ field: Field, in record: inout TicketRecord, variant: Int) {
        switch field {
        case .priority: record.priority = [.high, .urgent][variant]
        case .status: record.status = [.inProgress, .closed][variant]
        case .assignee: record.assignee = ["ana@example.com", "luis@example.com"][variant]
        case .resolution: record.resolution = ["Refunded", "Declined"][variant]
        default: preconditionFailure("\(field) is not team-owned")
        }
    }

    static func changed(_ field: Field, variant: Int, from record: TicketRecord = base) -> TicketRecord {
        var record = record
        change(field, in: &record, variant: variant)
        return record
    }

    /// The patch that sends `record`'s value of `field`.
    static func patch(_ field: Field, of record: TicketRecord) -> TicketPatch {
        switch field {
        case .priority: return TicketPatch(priority: record.priority)
        case .status: return TicketPatch(status: record.status)
        case .assignee: return TicketPatch(assignee: record.assignee.map(TicketPatch.Update.set) ?? .clear)
        case .resolution: return TicketPatch(resolution: record.resolution.map(TicketPatch.Update.set) ?? .clear)
        default: preconditionFailure()
        }
    }

    @Test func aNewTicketIsThePlatforms() {
        let result = TicketMerge.merge(base: nil, git: nil, platform: TicketSamples.ticket())
        #expect(
            result
                == TicketMergeResult(
                    record: Self.base, patch: nil, conflicts: [], base: Self.base, advancesBase: true))
    }

    @Test func aTicketMissingFromGitIsWrittenBackFromThePlatform() {
        let platform = Self.changed(.assignee, variant: 0)
        let result = TicketMerge.merge(base: Self.base, git: nil, platform: TicketSamples.ticket(platform))
        #expect(result.record == platform && result.patch == nil && result.conflicts.isEmpty)
        #expect(result.base == platform && result.advancesBase)
    }

    @Test func nothingChangedIsNothingToDo() {
        let result = TicketMerge.merge(base: Self.base, git: Self.base, platform: TicketSamples.ticket())
        #expect(
            result
                == TicketMergeResult(
                    record: Self.base, patch: nil, conflicts: [], base: Self.base, advancesBase: true))
    }

    @Test("git changed it, the platform did not: push sends git's", arguments: TicketRecord.ownedByTeam)
    func gitChanged(_ field: Field) {
        let git = Self.changed(field, variant: 0)
        let result = TicketMerge.merge(base: Self.base, git: git, platform: TicketSamples.ticket())
        #expect(result.record == git)
        #expect(result.patch == Self.patch(field, of: git))
        #expect(result.conflicts.isEmpty && result.advancesBase)
        #expect(result.base == Self.base)
    }

    @Test("the platform changed it, git did not: pull takes the platform's", arguments: TicketRecord.ownedByTeam)
    func platformChanged(_ field: Field) {
        let platform = Self.changed(field, variant: 0)
        let result = TicketMerge.merge(base: Self.base, git: Self.base, platform: TicketSamples.ticket(platform))
        #expect(result.record == platform)
        #expect(result.patch == nil && result.conflicts.isEmpty)
        #expect(result.base == platform && result.advancesBase)
    }

    @Test("both changed it alike: nothing to do", arguments: TicketRecord.ownedByTeam)
    func bothChangedAlike(_ field: Field) {
        let both = Self.changed(field, variant: 0)
        let result = TicketMerge.merge(base: Self.base, git: both, platform: TicketSamples.ticket(both))
        #expect(result == TicketMergeResult(record: both, patch: nil, conflicts: [], base: both, advancesBase: true))
    }

    @Test("both changed it differently: a conflict, git's value kept, base kept", arguments: TicketRecord.ownedByTeam)
    func bothChangedDifferently(_ field: Field) {
        let git = Self.changed(field, variant: 0)
        let platform = Self.changed(field, variant: 1)
        let result = TicketMerge.merge(base: Self.base, git: git, platform: TicketSamples.ticket(platform))
        #expect(result.record == git)
        #expect(result.patch == nil)
        #expect(
            result.conflicts == [
                TicketConflict(
                    field: field, base: Self.base.value(of: field), git: git.value(of: field),
                    platform: platform.value(of: field))
            ])
        #expect(!result.advancesBase)
        #expect(result.base == Self.base)
    }

    @Test func platformOwnedFieldsAreAlwaysThePlatforms() {
        var git = Self.base
        git.reason = "Edited in git"
        git.tags = ["edited"]
        var platform = Self.base
        platform.summary = "Updated by the platform"
        platform.customer.phone = nil
        let result = TicketMerge.merge(base: Self.base, git: git, platform: TicketSamples.ticket(platform))
        #expect(result.record == platform)
        #expect(result.patch == nil && result.conflicts.isEmpty && result.base == platform)
    }

    @Test func clearingAnAssigneeInGitSendsNull() {
        let assigned = Self.changed(.assignee, variant: 0)
        var git = assigned
        git.assignee = nil
        let result = TicketMerge.merge(base: assigned, git: git, platform: TicketSamples.ticket(assigned))
        #expect(result.patch == TicketPatch(assignee: .clear))
        #expect(result.record.assignee == nil)
    }

    @Test func sidesChangingDifferentFieldsBothLand() {
        var git = Self.changed(.status, variant: 1)
        git.resolution = "Refunded"
        let platform = Self.changed(.priority, variant: 1)
        let result = TicketMerge.merge(base: Self.base, git: git, platform: TicketSamples.ticket(platform))
        var expected = platform
        expected.status = .closed
        expected.resolution = "Refunded"
        #expect(result.record == expected)
        #expect(result.patch == TicketPatch(status: .closed, resolution: .set("Refunded")))
        #expect(result.conflicts.isEmpty && result.base == platform && result.advancesBase)
    }

    @Test func aConflictDoesNotHoldBackTheOtherFields() {
        var git = Self.changed(.assignee, variant: 0)
        git.priority = .low
        var platform = Self.changed(.assignee, variant: 1)
        platform.tags = ["vip"]
        let result = TicketMerge.merge(base: Self.base, git: git, platform: TicketSamples.ticket(platform))
        #expect(
            result.record.assignee == git.assignee && result.record.priority == .low && result.record.tags == ["vip"])
        #expect(result.patch == TicketPatch(priority: .low))
        #expect(result.conflicts.map(\.field) == [.assignee])
        #expect(!result.advancesBase && result.base == Self.base)
    }

    @Test func withoutABaseADifferenceIsAConflict() {
        let git = Self.changed(.status, variant: 0)
        let result = TicketMerge.merge(base: nil, git: git, platform: TicketSamples.ticket())
        #expect(result.record == git)
        #expect(result.patch == nil)
        #expect(
            result.conflicts == [
                TicketConflict(field: .status, base: nil, git: .string("in_progress"), platform: .string("pending"))
            ])
        #expect(!result.advancesBase && result.base == nil)
    }

    @Test func withoutABaseAgreementIsNotAConflict() {
        var git = Self.base
        git.reason = "stale copy"
        let result = TicketMerge.merge(base: nil, git: git, platform: TicketSamples.ticket())
        #expect(
            result
                == TicketMergeResult(
                    record: Self.base, patch: nil, conflicts: [], base: Self.base, advancesBase: true))
    }

    @Test func mergingAgainWithTheNewBaseIsStable() {
        // After a pull that keeps git's change, the next merge still pushes
        // it; after the push lands, nothing is left to do.
        let git = Self.changed(.priority, variant: 0)
        let first = TicketMerge.merge(base: Self.base, git: git, platform: TicketSamples.ticket())
        let pushed = Self.base.applying(first.patch ?? TicketPatch())
        let second = TicketMerge.merge(base: first.base, git: first.record, platform: TicketSamples.ticket(pushed))
        #expect(second == TicketMergeResult(record: git, patch: nil, conflicts: [], base: git, advancesBase: true))
    }
}
