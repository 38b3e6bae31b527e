import YAML

/// Merges one ticket field by field against the platform base (SPEC 7):
/// what the platform last reported (kept on `refs/supportsync/platform`),
/// what git holds now, and what the platform holds now. Pure: `tickets
/// pull` and `tickets push` do the reading, writing and sending.
public enum TicketMerge {
    /// - Parameters:
    ///   - base: the platform's state when last synced; nil when there is
    ///     none (a new ticket, or a base that was lost).
    ///   - git: the ticket file on the branch; nil when git has none. A
    ///     ticket git lacks is taken as unchanged there and written back
    ///     whole (deleting a ticket file is not a change the platform can take).
    ///   - platform: the ticket the platform reports now.
    public static func merge(base: TicketRecord?, git: TicketRecord?, platform: Ticket) -> TicketMergeResult {
        let theirs = TicketRecord(platform)
        guard let git else {
            return TicketMergeResult(record: theirs, patch: nil, conflicts: [], base: theirs, advancesBase: true)
        }
        // Platform-owned fields, and every team field nobody changed in git,
        // are the platform's.
        var record = theirs
        var patch = TicketPatch()
        var conflicts: [TicketConflict] = []

        for team in TeamFields.Field.allCases {
            let field = TicketRecord.Field(rawValue: team.rawValue)!
            // Both sides agree: unchanged, or changed alike.
            if git.team.agrees(with: theirs.team, on: team) { continue }
            if let base, base.team.agrees(with: theirs.team, on: team) {
                // Only git changed it: keep it, and send it.
                record.team.take(team, from: git.team)
                patch.include(team, from: git.team)
            } else if base.map({ !$0.team.agrees(with: git.team, on: team) }) ?? true {
                // Both changed it differently, or there is no base to tell
                // which side did: a person decides; git keeps its value.
                record.team.take(team, from: git.team)
                conflicts.append(
                    TicketConflict(
                        field: field, base: base?.value(of: field), git: git.value(of: field),
                        platform: theirs.value(of: field)))
            }
            // Otherwise only the platform changed it: `record` has its value.
        }

        // A conflict stays visible only while the base keeps the value both
        // sides changed from, so the base does not move at all.
        let advances = conflicts.isEmpty
        return TicketMergeResult(
            record: record, patch: patch.isEmpty ? nil : patch, conflicts: conflicts,
            base: advances ? theirs : base, advancesBase: advances)
    }
}

/// What to do with one ticket after `TicketMerge.merge`.
public struct TicketMergeResult: Sendable, Hashable {
    /// The ticket file to have in git.
    public var record: TicketRecord
    /// Team-owned changes made in git to send to the platform; nil when none.
    public var patch: TicketPatch?
    /// Team-owned fields both sides changed differently, in file order.
    public var conflicts: [TicketConflict]
    /// The base to keep: the platform's state as read, or, when
    /// `advancesBase` is false, the base as it was (nil if there was none).
    /// After a successful push, the caller stores the platform's answer
    /// instead, as long as `advancesBase` is true.
    public var base: TicketRecord?
    /// False when there are conflicts: the caller must leave this ticket's
    /// base as it was, so the conflict is found again until someone resolves it.
    public var advancesBase: Bool

    public init(
        record: TicketRecord, patch: TicketPatch?, conflicts: [TicketConflict], base: TicketRecord?,
        advancesBase: Bool
    ) {
        self.record = record
        self.patch = patch
        self.conflicts = conflicts
        self.base = base
        self.advancesBase = advancesBase
    }
}

/// A team-owned field git and the platform both changed, differently.
public struct TicketConflict: Sendable, Hashable {
    public var field: TicketRecord.Field
    /// The base's value; nil when there is no base.
    public var base: YAMLValue?
    public var git: YAMLValue
    public var platform: YAMLValue

    public init(field: TicketRecord.Field, base: YAMLValue?, git: YAMLValue, platform: YAMLValue) {
        self.field = field
        self.base = base
        self.git = git
        self.platform = platform
    }
}
