/// How an edit changes what happens to customers: the intervals of the
/// week, per channel, whose outcome changes, the closed dates, and the
/// tickets a flag logs. `plan` shows it before the field diff.
public struct BehaviourChange: Sendable, Hashable, Codable {
    public struct Interval: Sendable, Hashable, Codable {
        public var channel: Channel
        /// `sat`, or a run such as `mon-fri`.
        public var days: String
        public var start: String
        public var end: String
        /// Nil where the agent does not serve the channel on that side.
        public var before: Outcome?
        public var after: Outcome?
        /// `calls, sat 14:00-18:00: flag -> transfer billing-desk -> on-call -> flag`
        public var summary: String
    }

    /// Both keys, `null` on the side without a value.
    public struct Values: Sendable, Hashable, Codable {
        @JSONNull public var before: String?
        @JSONNull public var after: String?
    }

    /// What happens all day on the closed dates, when it changes on a channel.
    public struct ClosedDays: Sendable, Hashable, Codable {
        public var channel: Channel
        public var before: Outcome
        public var after: Outcome
        /// `calls, closed dates: flag -> respond`
        public var summary: String
    }

    public var intervals: [Interval]
    public var closedAdded: [String]
    public var closedRemoved: [String]
    public var closedDays: [ClosedDays]
    /// Set when the zone the hours are read in changes (`null` in JSON when it does not).
    @JSONNull public var timezone: Values?
    /// Set when the hours start or stop applying (the mode or the hours
    /// changed): the zone on the side where they apply, nil on the other.
    @JSONNull public var hours: Values?
    /// What a flag's ticket carries, when it changes: `priority: normal -> high`.
    public var tickets: [String]
    /// Where a destination of the same name now rings, when the agent
    /// transfers calls: `billing-desk: +34910000000 -> +34919999999`.
    public var transfers: [String] = []

    enum CodingKeys: String, CodingKey {
        case intervals
        case closedAdded = "closed_added"
        case closedRemoved = "closed_removed"
        case closedDays = "closed_days"
        case timezone, hours, tickets, transfers
    }

    /// True when no outcome changes.
    public var isEmpty: Bool {
        intervals.isEmpty && closedAdded.isEmpty && closedRemoved.isEmpty && closedDays.isEmpty && timezone == nil
            && hours == nil && tickets.isEmpty && transfers.isEmpty
    }

    /// One line per change, for text and Markdown.
    public var lines: [String] {
        if isEmpty { return ["no change in behaviour"] }
        var lines: [String] = []
        if let timezone {
            lines.append(
                "time zone: \(timezone.before ?? "none") -> \(timezone.after ?? "none") (intervals compare local clock times)"
            )
        }
        if let hours {
            lines.append(
                hours.after == nil
                    ? "hours (\(hours.before ?? "")) no longer apply" : "hours now apply (\(hours.after ?? ""))")
        }
        lines += intervals.map(\.summary)
        lines += closedDays.map(\.summary)
        if !closedAdded.isEmpty { lines.append("closed dates added: \(closedAdded.joined(separator: ", "))") }
        if !closedRemoved.isEmpty { lines.append("closed dates removed: \(closedRemoved.joined(separator: ", "))") }
        lines += transfers.map { "transfer to \($0)" }
        lines += tickets.map { "tickets: \($0)" }
        // Names, tags and numbers are the files' text: no control character reaches a terminal.
        return lines.map { PrintableText.escaping($0) }
    }

    /// The change from `old` (nil: the agent does not exist yet) to `new`.
    public static func between(_ old: AgentSettings?, _ new: AgentSettings) -> BehaviourChange {
        let before = old.map(Week.init)
        let after = Week(new)
        var intervals: [Interval] = []
        for channel in Channel.allCases {
            let oldDays = before?.days.first { $0.channel == channel }?.segments
            let newDays = after.days.first { $0.channel == channel }?.segments
            if oldDays == nil && newDays == nil { continue }
            // Per day, the changed pieces; then runs of days changing alike.
            let perDay = Weekday.allCases.map { day in
                changes(oldDays?[day], newDays?[day])
            }
            for run in Week.runs(perDay) {
                for piece in run.value {
                    let ringTimes =
                        piece.before?.transfer != nil && piece.after?.transfer != nil
                        && piece.before?.transfer?.ringTimeout != piece.after?.transfer?.ringTimeout
                    let summary =
                        "\(channel.rawValue), \(run.days) \(Week.clock(piece.start))-\(Week.clock(piece.end)): "
                        + "\(bracketed(describe(piece.before, ringTimes))) -> \(describe(piece.after, ringTimes))"
                    intervals.append(
                        Interval(
                            channel: channel, days: run.days, start: Week.clock(piece.start),
                            end: Week.clock(piece.end), before: piece.before, after: piece.after, summary: summary))
                }
            }
        }
        var timezone: Values?
        var hours: Values?
        var oldClosed: Set<String> = []
        var newClosed = Set(after.closed)
        var closedDays: [ClosedDays] = []
        if let before {
            if before.timezone != nil, after.timezone != nil {
                if before.timezone != after.timezone {
                    timezone = Values(before: before.timezone, after: after.timezone)
                }
                oldClosed = Set(before.closed)
                // The same closed dates can mean something else on them now.
                for channel in Channel.allCases {
                    guard !before.closed.isEmpty, !after.closed.isEmpty,
                        let was = before.closedOutcome[channel], let now = after.closedOutcome[channel],
                        was.actions != now.actions || was.transfer != now.transfer
                    else { continue }
                    closedDays.append(
                        ClosedDays(
                            channel: channel, before: was, after: now,
                            summary:
                                "\(channel.rawValue), closed dates: \(bracketed(was.describe(ringTimes: false))) -> "
                                + now.describe(ringTimes: false)))
                }
            } else if before.timezone != nil || after.timezone != nil {
                // The hours start or stop applying: their dates with them, whatever the file holds.
                hours = Values(before: before.timezone, after: after.timezone)
                newClosed = []
            }
        }
        var change = BehaviourChange(
            intervals: intervals, closedAdded: newClosed.subtracting(oldClosed).sorted(),
            closedRemoved: oldClosed.subtracting(newClosed).sorted(), closedDays: closedDays, timezone: timezone,
            hours: hours, tickets: old.map { ticketChanges($0, new) } ?? [])
        change.transfers = old.map { transferChanges($0, new) } ?? []
        return change
    }

    /// A destination kept by name whose number, extension or SIP address
    /// changes, when the agent transfers calls before and after (a change of
    /// whether it transfers is in the intervals): they name destinations,
    /// not where they ring.
    private static func transferChanges(_ old: AgentSettings, _ new: AgentSettings) -> [String] {
        guard old.mayTransfer, new.mayTransfer, let before = old.support.escalate?.destinations,
            let after = new.support.escalate?.destinations
        else { return [] }
        func target(_ destination: Destination) -> String {
            destination.sip ?? ((destination.number ?? "") + (destination.extension.map { " ext. \($0)" } ?? ""))
        }
        return after.compactMap { destination in
            guard let was = before.first(where: { $0.name == destination.name }), target(was) != target(destination)
            else { return nil }
            return "\(destination.name): \(target(was)) -> \(target(destination))"
        }
    }

    private struct Piece: Equatable {
        var start: Int
        var end: Int
        var before: Outcome?
        var after: Outcome?
    }

    /// The pieces of one day whose outcome (what is done, not the ticket's details) differs.
    private static func changes(_ old: [Week.Segment]?, _ new: [Week.Segment]?) -> [Piece] {
        var bounds: Set<Int> = [0, 1440]
        for segment in (old ?? []) + (new ?? []) {
            bounds.insert(segment.start)
            bounds.insert(segment.end)
        }
        let sorted = bounds.sorted()
        var pieces: [Piece] = []
        for (start, end) in zip(sorted, sorted.dropFirst()) {
            let before = old?.first { $0.start <= start && start < $0.end }?.outcome
            let after = new?.first { $0.start <= start && start < $0.end }?.outcome
            guard before?.actions != after?.actions || before?.transfer != after?.transfer else { continue }
            if let last = pieces.last, last.end == start, last.before == before, last.after == after {
                pieces[pieces.count - 1].end = end
            } else {
                pieces.append(Piece(start: start, end: end, before: before, after: after))
            }
        }
        return pieces
    }

    /// The "before" side in brackets when it has steps or choices of its
    /// own, so the arrow between before and after stays unambiguous.
    private static func bracketed(_ text: String) -> String {
        text.contains(" -> ") || text.contains(", ") ? "[\(text)]" : text
    }

    private static func describe(_ outcome: Outcome?, _ ringTimes: Bool) -> String {
        outcome?.describe(ringTimes: ringTimes) ?? "not served"
    }

    /// The ticket's details, when the agent flags on either side.
    private static func ticketChanges(_ old: AgentSettings, _ new: AgentSettings) -> [String] {
        let before = FlagOutcome(old.support.flag)
        let after = FlagOutcome(new.support.flag)
        // Which details the agent must get before it logs the case.
        let required = { (settings: AgentSettings) in
            (settings.support.flag?.collect ?? []).filter(\.required).map(\.field)
        }
        guard before != after || required(old) != required(new), flags(old) || flags(new) else { return [] }
        var lines: [String] = []
        if before.priority != after.priority {
            lines.append("priority \(before.priority.rawValue) -> \(after.priority.rawValue)")
        }
        if before.tags != after.tags {
            lines.append("tags [\(before.tags.joined(separator: ", "))] -> [\(after.tags.joined(separator: ", "))]")
        }
        if before.collect != after.collect {
            lines.append(
                "collect \(before.collect.isEmpty ? "(none)" : before.collect.joined(separator: ", ")) -> "
                    + (after.collect.isEmpty ? "(none)" : after.collect.joined(separator: ", ")))
        }
        if required(old) != required(new) {
            let (was, now) = (required(old), required(new))
            lines.append(
                "required \(was.isEmpty ? "(none)" : was.joined(separator: ", ")) -> "
                    + (now.isEmpty ? "(none)" : now.joined(separator: ", ")))
        }
        return lines
    }

    /// Whether any interval or closed date of the agent's week flags.
    private static func flags(_ settings: AgentSettings) -> Bool {
        let week = Week(settings)
        return week.days.contains { $0.segments.values.contains { $0.contains { $0.outcome.flag != nil } } }
            || week.closedOutcome.values.contains { $0.flag != nil }
    }
}
