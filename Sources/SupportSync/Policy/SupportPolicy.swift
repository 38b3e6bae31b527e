/// The outcome of an agent's support settings for a case it cannot resolve,
/// at a moment on a channel, with the reason in words.
public struct Explanation: Sendable, Hashable {
    public var outcome: Outcome
    /// Nil when the agent has no hours (or its mode never looks at them).
    public var withinHours: Bool?
    public var because: String
}

/// The rules of SPEC section 3 and the vendor's page, in one place:
/// `explain`, `test`, plan's behaviour changes and `platform simulate` all
/// ask here.
///
/// - `nothing`: respond. `flag`: flag.
/// - `escalate` on calls within hours (or with no hours): transfer, then the
///   fallback; outside hours, on a closed date, or on messages: the
///   fallback alone (`flag` flags, `nothing` responds).
/// - `decide`: its `allow` list, with `escalate` read as transfer and kept
///   only on calls, with destinations, within hours (or with no hours).
public enum SupportPolicy {
    public static func explain(_ settings: AgentSettings, channel: Channel, at moment: LocalMoment) -> Explanation {
        let support = settings.support
        let flag = FlagOutcome(support.flag)
        let escalate = support.escalate
        let usesHours = support.mode == .escalate || support.mode == .decide
        let hours = usesHours ? escalate?.hours : nil
        let state = hours.map { HoursState($0, at: moment) }
        let withinHours = state.map(\.isOpen)

        func outcome(_ actions: [SupportAction], transfer: TransferOutcome? = nil) -> Outcome {
            let flags = actions.contains(.flag) || transfer?.then == .flag
            return Outcome(actions: actions, transfer: transfer, flag: flags ? flag : nil)
        }
        func transfer() -> TransferOutcome? {
            guard let escalate, !escalate.destinations.isEmpty else { return nil }
            return TransferOutcome(
                destinations: escalate.destinations.map(\.name), ringTimeout: escalate.ringTimeout,
                then: escalate.fallback == .flag ? .flag : .respond)
        }
        let fallback: SupportAction = (escalate?.fallback ?? .flag) == .flag ? .flag : .respond
        let hoursText = state?.describe(zone: hours!.timezone) ?? "no hours: humans answer at any time"

        switch support.mode {
        case .nothing:
            return Explanation(
                outcome: outcome([.respond]), withinHours: withinHours,
                because: "mode nothing: the agent answers as best it can")
        case .flag:
            return Explanation(
                outcome: outcome([.flag]), withinHours: withinHours, because: "mode flag: the agent logs a ticket")
        case .escalate:
            guard channel == .calls else {
                return Explanation(
                    outcome: outcome([fallback]), withinHours: withinHours,
                    because: "escalate transfers calls only: on messages the fallback applies (\(fallback.rawValue))")
            }
            if state?.isOpen ?? true, let transfer = transfer() {
                return Explanation(
                    outcome: outcome([.transfer], transfer: transfer), withinHours: withinHours, because: hoursText)
            }
            return Explanation(outcome: outcome([fallback]), withinHours: withinHours, because: hoursText)
        case .decide:
            let allow = support.decide?.allow ?? []
            var actions: [SupportAction] = []
            var transferOutcome: TransferOutcome?
            var reasons = ["decide allows " + allow.map(\.rawValue).joined(separator: ", ")]
            for action in allow {
                switch action {
                case .respond: actions.append(.respond)
                case .flag: actions.append(.flag)
                case .escalate:
                    if channel != .calls {
                        reasons.append("escalate transfers calls only")
                    } else if let transfer = transfer() {
                        reasons.append(hoursText)
                        if state?.isOpen ?? true {
                            actions.append(.transfer)
                            transferOutcome = transfer
                        }
                    }
                }
            }
            if actions.isEmpty {
                // Only escalate was allowed, and it cannot apply now: as in mode escalate, the fallback.
                reasons.append("nothing else is allowed: the fallback applies (\(fallback.rawValue))")
                actions = [fallback]
            }
            return Explanation(
                outcome: outcome(actions, transfer: transferOutcome), withinHours: withinHours,
                because: reasons.joined(separator: "; "))
        }
    }
}

/// Where a moment falls in the hours: open, outside the day's ranges, or a closed date.
enum HoursState: Sendable, Hashable {
    case within(Weekday, [String])
    case outside(Weekday, [String])
    case closed(String)

    init(_ hours: Hours, at moment: LocalMoment) {
        if let date = moment.date, hours.closed.contains(date) {
            self = .closed(date)
            return
        }
        let ranges = hours.weekly[moment.weekday]
        let open = ranges.contains { text in
            guard let range = OpeningRange(text) else { return false }
            return range.start <= moment.minute && moment.minute < range.end
        }
        self = open ? .within(moment.weekday, ranges) : .outside(moment.weekday, ranges)
    }

    var isOpen: Bool {
        if case .within = self { return true }
        return false
    }

    func describe(zone: String) -> String {
        switch self {
        case .within(let day, let ranges):
            return "within hours: \(day.rawValue) \(ranges.joined(separator: ", ")) (\(zone))"
        case .outside(let day, let ranges):
            return "outside hours: "
                + (ranges.isEmpty ? "none on \(day.rawValue)" : "\(day.rawValue) \(ranges.joined(separator: ", "))")
                + " (\(zone))"
        case .closed(let date):
            return "closed date: \(date) (\(zone))"
        }
    }
}

/// `HH:MM-HH:MM` in minutes since midnight, as canonical settings hold it.
struct OpeningRange: Sendable, Hashable {
    var start: Int
    var end: Int

    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 11, bytes[5] == UInt8(ascii: "-") else { return nil }
        func minutes(_ offset: Int) -> Int? {
            let digits = [bytes[offset], bytes[offset + 1], bytes[offset + 3], bytes[offset + 4]]
            guard bytes[offset + 2] == UInt8(ascii: ":"), digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
                return nil
            }
            let d = digits.map { Int($0 - 0x30) }
            return (d[0] * 10 + d[1]) * 60 + d[2] * 10 + d[3]
        }
        guard let start = minutes(0), let end = minutes(6) else { return nil }
        self.start = start
        self.end = end
    }
}
