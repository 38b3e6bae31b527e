import Foundation
import Testing

@testable import SupportSync

/// Plan's behaviour diff: edits that change hours, the mode, the fallback,
/// the destinations' order, and an edit that changes no outcome.
@Suite struct BehaviourChangeTests {
    func change(_ edit: (String) -> String) throws -> BehaviourChange {
        let before = try PolicyFixture.agent(PolicyFixture.billing)
        let after = try PolicyFixture.agent(edit(PolicyFixture.billing))
        return BehaviourChange.between(before, after)
    }

    @Test func longerSaturdayHoursNameTheNewInterval() throws {
        let change = try change { $0.replacingOccurrences(of: "sat: \"10:00-14:00\"", with: "sat: \"10:00-18:00\"") }
        #expect(change.lines == ["calls, sat 14:00-18:00: flag -> transfer billing-desk -> on-call -> flag"])
        #expect(change.intervals.first?.before?.actions == [.flag])
        #expect(change.intervals.first?.after?.actions == [.transfer])
    }

    /// A destination's name is the file's text: a control character in it
    /// is escaped in the behaviour lines, never written to a terminal.
    @Test func namesInTheLinesAreEscaped() throws {
        let before = try PolicyFixture.agent(
            PolicyFixture.billing.replacingOccurrences(of: "name: billing-desk", with: #"name: "desk\e[31m""#))
        let after = try PolicyFixture.agent(
            PolicyFixture.billing.replacingOccurrences(of: "name: billing-desk", with: #"name: "desk\e[31m""#)
                .replacingOccurrences(of: "+34910000000", with: "+34919999999"))
        let lines = BehaviourChange.between(before, after).lines
        #expect(lines == [#"transfer to desk\u{1B}[31m: +34910000000 -> +34919999999"#], "\(lines)")
    }

    /// In JSON every key is there, `null` when it does not change (README "JSON").
    @Test func theJSONHoldsEveryKeyWithNullForNoChange() throws {
        let change = try change { $0.replacingOccurrences(of: "sat: \"10:00-14:00\"", with: "sat: \"10:00-18:00\"") }
        let json = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(change)) as? [String: Any])
        #expect(
            Set(json.keys) == [
                "intervals", "closed_days", "closed_added", "closed_removed", "timezone", "hours", "tickets",
                "transfers",
            ], "\(json.keys)")
        #expect(json["timezone"] is NSNull && json["hours"] is NSNull)
        let flagging = try self.change { $0.replacingOccurrences(of: "mode: escalate", with: "mode: flag") }
        let hours = try JSONSerialization.jsonObject(with: JSONEncoder().encode(flagging.hours))
        #expect((hours as? [String: Any])?["after"] is NSNull, "\(hours)")
        #expect((hours as? [String: Any])?["before"] as? String == "Europe/Madrid", "\(hours)")
        // And it reads back as it was.
        #expect(try JSONDecoder().decode(BehaviourChange.self, from: JSONEncoder().encode(flagging)) == flagging)
    }

    @Test func modeChangeShowsEveryIntervalPerChannel() throws {
        let change = try change { $0.replacingOccurrences(of: "mode: escalate", with: "mode: flag") }
        // The transfer intervals on calls become flag; messages already flagged.
        #expect(
            change.lines == [
                "hours (Europe/Madrid) no longer apply",
                "calls, mon-fri 09:00-13:00: [transfer billing-desk -> on-call -> flag] -> flag",
                "calls, mon-fri 14:00-18:00: [transfer billing-desk -> on-call -> flag] -> flag",
                "calls, sat 10:00-14:00: [transfer billing-desk -> on-call -> flag] -> flag",
                "calls, sun 20:00-24:00: [transfer billing-desk -> on-call -> flag] -> flag",
            ])
        // The file still holds the closed date: it is not "removed", the hours just stop applying.
        #expect(change.closedRemoved.isEmpty)
    }

    @Test func fallbackChangeShowsOutsideHoursAndMessages() throws {
        let change = try change { $0.replacingOccurrences(of: "fallback: flag", with: "fallback: nothing") }
        let lines = change.lines
        #expect(lines.contains("calls, mon-fri 00:00-09:00: flag -> respond"))
        #expect(
            lines.contains(
                "calls, mon-fri 09:00-13:00: [transfer billing-desk -> on-call -> flag] -> transfer billing-desk -> on-call -> respond"
            ))
        #expect(lines.contains("messages, mon-sun 00:00-24:00: flag -> respond"))
    }

    @Test func destinationOrderIsBehaviour() throws {
        let change = try change {
            $0.replacingOccurrences(
                of:
                    "      - {name: billing-desk, number: \"+34910000000\"}\n      - {name: on-call, sip: \"sip:oncall@pbx.example.com\"}",
                with:
                    "      - {name: on-call, sip: \"sip:oncall@pbx.example.com\"}\n      - {name: billing-desk, number: \"+34910000000\"}"
            )
        }
        #expect(change.intervals.count == 4)
        #expect(change.intervals.allSatisfy { $0.after?.transfer?.destinations == ["on-call", "billing-desk"] })
    }

    @Test func ringTimesShowOnlyWhenTheyChange() throws {
        let change = try change { $0.replacingOccurrences(of: "ring_timeout: 25", with: "ring_timeout: 40") }
        #expect(
            change.lines.first
                == "calls, mon-fri 09:00-13:00: [transfer billing-desk (25 s) -> on-call (25 s) -> flag] -> transfer billing-desk (40 s) -> on-call (40 s) -> flag"
        )
    }

    @Test func editThatChangesNoOutcomeSaysSo() throws {
        // Same hours written another way, and a new announcement: no outcome changes.
        let change = try change {
            $0.replacingOccurrences(
                of: "mon-fri: [\"09:00-13:00\", \"14:00-18:00\"]",
                with: "mon-thu: [\"09:00-13:00\", \"14:00-18:00\"]\n        fri: [\"14:00-18:00\", \"09:00-13:00\"]"
            )
            .replacingOccurrences(of: "ring_timeout: 25", with: "ring_timeout: 25\n    announce: \"One moment.\"")
        }
        #expect(change.isEmpty)
        #expect(change.lines == ["no change in behaviour"])
    }

    @Test func closedDatesAndTicketDetailsAreNamed() throws {
        let change = try change {
            $0.replacingOccurrences(of: "closed: [\"2026-12-25\"]", with: "closed: [\"2027-01-06\"]")
                .replacingOccurrences(of: "tags: [billing]", with: "tags: [billing, vip]\n    priority: high")
        }
        #expect(
            change.lines == [
                "closed dates added: 2027-01-06", "closed dates removed: 2026-12-25",
                "tickets: priority normal -> high", "tickets: tags [billing] -> [billing, vip]",
            ])
    }

    /// Calls that go to another number are behaviour: the intervals name
    /// destinations, so where a destination rings is said on its own.
    @Test func aDestinationThatRingsElsewhereIsBehaviour() throws {
        let moved = try change {
            $0.replacingOccurrences(of: "number: \"+34910000000\"", with: "number: \"+34919999999\"")
        }
        #expect(moved.lines == ["transfer to billing-desk: +34910000000 -> +34919999999"], "\(moved.lines)")
        // An agent that does not transfer: its destinations are not behaviour.
        let flagging = try change {
            $0.replacingOccurrences(of: "mode: escalate", with: "mode: flag")
                .replacingOccurrences(of: "number: \"+34910000000\"", with: "number: \"+34919999999\"")
        }
        #expect(!flagging.lines.contains { $0.hasPrefix("transfer to") }, "\(flagging.lines)")
    }

    /// Which details an agent must get before logging a case is what a ticket carries.
    @Test func aFieldMadeRequiredIsBehaviour() throws {
        let before = try PolicyFixture.agent(
            "channels: [messages]\nsupport: {mode: flag, flag: {collect: [email, name]}}\n")
        let after = try PolicyFixture.agent(
            "channels: [messages]\nsupport: {mode: flag, flag: {collect: [{field: email, required: true}, name]}}\n")
        #expect(BehaviourChange.between(before, after).lines == ["tickets: required (none) -> email"])
    }

    @Test func collectFromNothingSaysNone() throws {
        let before = try PolicyFixture.agent("channels: [messages]\nsupport: {mode: flag, flag: {collect: []}}\n")
        let after = try PolicyFixture.agent(
            "channels: [messages]\nsupport: {mode: flag, flag: {collect: [email, name]}}\n")
        #expect(BehaviourChange.between(before, after).lines == ["tickets: collect (none) -> email, name"])
        #expect(BehaviourChange.between(after, before).lines == ["tickets: collect email, name -> (none)"])
    }

    @Test func aNewAgentShowsItsWholeWeek() throws {
        let after = try PolicyFixture.agent("channels: [messages]\nsupport: {mode: flag}\n")
        #expect(BehaviourChange.between(nil, after).lines == ["messages, mon-sun 00:00-24:00: not served -> flag"])
    }

    @Test func weekTableGroupsDaysAndShowsClosedDates() throws {
        let week = Week(try PolicyFixture.agent(PolicyFixture.billing))
        #expect(week.timezone == "Europe/Madrid")
        #expect(
            week.rows(.calls).map { "\($0.days) \($0.start)-\($0.end) \($0.description)" } == [
                "mon-fri 00:00-09:00 flag",
                "mon-fri 09:00-13:00 transfer billing-desk (25 s) -> on-call (25 s) -> flag",
                "mon-fri 13:00-14:00 flag",
                "mon-fri 14:00-18:00 transfer billing-desk (25 s) -> on-call (25 s) -> flag",
                "mon-fri 18:00-24:00 flag",
                "sat 00:00-10:00 flag",
                "sat 10:00-14:00 transfer billing-desk (25 s) -> on-call (25 s) -> flag",
                "sat 14:00-24:00 flag",
                "sun 00:00-20:00 flag",
                "sun 20:00-24:00 transfer billing-desk (25 s) -> on-call (25 s) -> flag",
            ])
        #expect(week.rows(.messages).map(\.description) == ["flag"])
        #expect(week.closed == ["2026-12-25"])
        #expect(week.closedOutcome[.calls]?.actions == [.flag])
    }

    @Test func whatHappensOnClosedDatesIsBehaviour() throws {
        let allDay = PolicyFixture.billing
            .replacingOccurrences(of: "mon-fri: [\"09:00-13:00\", \"14:00-18:00\"]", with: "mon-sun: \"00:00-24:00\"")
            .replacingOccurrences(of: "        sat: \"10:00-14:00\"\n        sun: \"20:00-24:00\"\n", with: "")
        let before = try PolicyFixture.agent(allDay)
        let after = try PolicyFixture.agent(
            allDay.replacingOccurrences(of: "fallback: flag", with: "fallback: nothing"))
        let lines = BehaviourChange.between(before, after).lines
        #expect(lines.contains("calls, closed dates: flag -> respond"), "\(lines)")
        #expect(lines.contains("messages, mon-sun 00:00-24:00: flag -> respond"))
    }

    @Test func aTimeZoneChangeIsNamed() throws {
        let change = try change { $0.replacingOccurrences(of: "Europe/Madrid", with: "Europe/Lisbon") }
        #expect(change.lines == ["time zone: Europe/Madrid -> Europe/Lisbon (intervals compare local clock times)"])
    }
}
