import Foundation
import Testing

@testable import SupportSync

/// The explain rules as a table: each mode on each channel, inside and
/// outside hours, closed dates, the edges of a range, `24:00` ends,
/// `mon-fri` ranges, decide with and without destinations.
@Suite("Support policy: what happens when")
struct SupportPolicyTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var agent: String
        var channel: Channel
        var at: String
        var actions: [SupportAction]
        var transfer: TransferOutcome? = nil
        var withinHours: Bool?
        var flags: Bool
        var because: String? = nil
        var testDescription: String { name }
    }

    static let desk = TransferOutcome(destinations: ["billing-desk", "on-call"], ringTimeout: 25, then: .flag)

    static let escalateNothing = PolicyFixture.billing.replacingOccurrences(
        of: "fallback: flag", with: "fallback: nothing")
    static let decide = """
        channels: [calls, messages]
        support:
          mode: decide
          decide: {allow: [respond, flag, escalate]}
          escalate:
            destinations: [{name: front-desk, number: "+34910000001"}]
            hours: {timezone: America/New_York, weekly: {mon-fri: "09:00-17:00"}}

        """
    static let decideNoDestinations = """
        channels: [calls, messages]
        support:
          mode: decide

        """
    static let escalateNoHours = """
        channels: [calls]
        support:
          mode: escalate
          escalate:
            destinations: [{name: desk, number: "+34910000001"}]
            ring_timeout: 40

        """

    static let decideOnlyEscalate = """
        channels: [calls, messages]
        support:
          mode: decide
          decide: {allow: [escalate]}
          escalate:
            destinations: [{name: desk, number: "+34910000001"}]
            hours: {timezone: Europe/Madrid, weekly: {mon-fri: "09:00-17:00"}, closed: ["2026-12-25"]}
            fallback: nothing

        """
    static let flagWithUnusedHours = """
        channels: [calls]
        support:
          mode: flag
          escalate:
            destinations: [{name: desk, number: "+34910000001"}]
            hours: {timezone: America/New_York, weekly: {mon-fri: "09:00-17:00"}}

        """

    static let cases: [Case] = [
        Case(
            name: "nothing responds, on calls", agent: "channels: [calls, messages]\nsupport: {mode: nothing}\n",
            channel: .calls, at: "2026-12-07T10:00", actions: [.respond], withinHours: nil, flags: false),
        Case(
            name: "nothing responds, on messages", agent: "channels: [calls, messages]\nsupport: {mode: nothing}\n",
            channel: .messages, at: "2026-12-07T10:00", actions: [.respond], withinHours: nil, flags: false),
        Case(
            name: "flag flags, on calls", agent: "channels: [calls, messages]\nsupport: {mode: flag}\n",
            channel: .calls, at: "2026-12-07T03:00", actions: [.flag], withinHours: nil, flags: true),
        Case(
            name: "flag flags, on messages", agent: "channels: [calls, messages]\nsupport: {mode: flag}\n",
            channel: .messages, at: "2026-12-07T10:00Z", actions: [.flag], withinHours: nil, flags: true),
        Case(
            name: "escalate within hours transfers, then flags", agent: PolicyFixture.billing, channel: .calls,
            at: "2026-12-07T10:00", actions: [.transfer], transfer: desk, withinHours: true, flags: true,
            because: "within hours: mon 09:00-13:00, 14:00-18:00 (Europe/Madrid)"),
        Case(
            name: "escalate at the exact start of a range transfers", agent: PolicyFixture.billing, channel: .calls,
            at: "2026-12-07T09:00", actions: [.transfer], transfer: desk, withinHours: true, flags: true),
        Case(
            name: "escalate a minute before the start flags", agent: PolicyFixture.billing, channel: .calls,
            at: "2026-12-07T08:59", actions: [.flag], withinHours: false, flags: true),
        Case(
            name: "escalate at the exact end of a range falls back", agent: PolicyFixture.billing, channel: .calls,
            at: "2026-12-07T13:00", actions: [.flag], withinHours: false, flags: true),
        Case(
            name: "mon-fri covers friday", agent: PolicyFixture.billing, channel: .calls, at: "2026-12-11T17:59",
            actions: [.transfer], transfer: desk, withinHours: true, flags: true),
        Case(
            name: "outside hours on saturday evening", agent: PolicyFixture.billing, channel: .calls,
            at: "2026-12-05T20:00", actions: [.flag], withinHours: false, flags: true,
            because: "outside hours: sat 10:00-14:00 (Europe/Madrid)"),
        Case(
            name: "a range ending 24:00 covers 23:59", agent: PolicyFixture.billing, channel: .calls,
            at: "2026-12-06T23:59", actions: [.transfer], transfer: desk, withinHours: true, flags: true),
        Case(
            name: "a range ending 24:00 ends at midnight", agent: PolicyFixture.billing, channel: .calls,
            at: "2026-12-07T00:00", actions: [.flag], withinHours: false, flags: true),
        Case(
            name: "a closed date falls back all day", agent: PolicyFixture.billing, channel: .calls,
            at: "2026-12-25T10:00", actions: [.flag], withinHours: false, flags: true,
            because: "closed date: 2026-12-25 (Europe/Madrid)"),
        Case(
            name: "escalate on messages uses the fallback", agent: PolicyFixture.billing, channel: .messages,
            at: "2026-12-07T10:00", actions: [.flag], withinHours: true, flags: true),
        Case(
            name: "fallback nothing responds outside hours", agent: escalateNothing, channel: .calls,
            at: "2026-12-05T20:00", actions: [.respond], withinHours: false, flags: false),
        Case(
            name: "fallback nothing: a transfer then responds",
            agent: escalateNothing, channel: .calls, at: "2026-12-07T10:00", actions: [.transfer],
            transfer: TransferOutcome(destinations: ["billing-desk", "on-call"], ringTimeout: 25, then: .respond),
            withinHours: true, flags: false),
        Case(
            name: "fallback nothing on messages responds", agent: escalateNothing, channel: .messages,
            at: "2026-12-07T10:00", actions: [.respond], withinHours: true, flags: false),
        Case(
            name: "escalate without hours transfers at any time", agent: escalateNoHours, channel: .calls,
            at: "2026-12-06T03:00", actions: [.transfer],
            transfer: TransferOutcome(destinations: ["desk"], ringTimeout: 40, then: .flag), withinHours: nil,
            flags: true),
        Case(
            name: "decide on calls within hours may transfer", agent: decide, channel: .calls,
            at: "2026-12-07T10:00", actions: [.respond, .flag, .transfer],
            transfer: TransferOutcome(destinations: ["front-desk"], ringTimeout: 30, then: .flag), withinHours: true,
            flags: true),
        Case(
            name: "decide on calls outside hours may not transfer", agent: decide, channel: .calls,
            at: "2026-12-07T17:00", actions: [.respond, .flag], withinHours: false, flags: true),
        Case(
            name: "decide on messages never transfers", agent: decide, channel: .messages, at: "2026-12-07T10:00",
            actions: [.respond, .flag], withinHours: true, flags: true),
        Case(
            name: "decide without destinations responds or flags", agent: decideNoDestinations, channel: .calls,
            at: "2026-12-07T10:00", actions: [.respond, .flag], withinHours: nil, flags: true),
        Case(
            name: "decide allowing only escalate, on messages, uses the fallback", agent: decideOnlyEscalate,
            channel: .messages, at: "2026-12-07T10:00", actions: [.respond], withinHours: true, flags: false),
        Case(
            name: "decide allowing only escalate, outside hours, uses the fallback", agent: decideOnlyEscalate,
            channel: .calls, at: "2026-12-07T18:00", actions: [.respond], withinHours: false, flags: false),
        Case(
            name: "decide on a closed date may not transfer", agent: decideOnlyEscalate, channel: .calls,
            at: "2026-12-25T10:00", actions: [.respond], withinHours: false, flags: false,
            because:
                "decide allows escalate; closed date: 2026-12-25 (Europe/Madrid); nothing else is allowed: the fallback applies (respond)"
        ),
        Case(
            name: "decide allowing only escalate, within hours, transfers", agent: decideOnlyEscalate,
            channel: .calls, at: "2026-12-07T10:00", actions: [.transfer],
            transfer: TransferOutcome(destinations: ["desk"], ringTimeout: 30, then: .respond), withinHours: true,
            flags: false),
        Case(
            // Hours its mode does not use do not set its clock: 2026-11-01T01:30 is not ambiguous in UTC.
            name: "a mode without hours reads local times in UTC", agent: flagWithUnusedHours, channel: .calls,
            at: "2026-11-01T01:30", actions: [.flag], withinHours: nil, flags: true),
        Case(
            name: "a foreign offset is read as the same instant in the agent's zone", agent: PolicyFixture.billing,
            channel: .calls, at: "2026-12-07T09:30-05:00", actions: [.transfer], transfer: desk, withinHours: true,
            flags: true),
        Case(
            name: "a UTC time in summer is two hours later in Madrid", agent: PolicyFixture.billing, channel: .calls,
            at: "2026-07-06T07:30Z", actions: [.transfer], transfer: desk, withinHours: true, flags: true),
        Case(
            name: "the same UTC time in winter is one hour later in Madrid", agent: PolicyFixture.billing,
            channel: .calls, at: "2026-12-07T07:30Z", actions: [.flag], withinHours: false, flags: true),
        Case(
            name: "New York, after the spring change: 09:00 local is open", agent: decide, channel: .calls,
            at: "2026-03-09T09:00", actions: [.respond, .flag, .transfer],
            transfer: TransferOutcome(destinations: ["front-desk"], ringTimeout: 30, then: .flag), withinHours: true,
            flags: true),
        Case(
            name: "New York, before the spring change: 13:30Z is 08:30 local, closed", agent: decide,
            channel: .calls, at: "2026-03-06T13:30Z", actions: [.respond, .flag], withinHours: false, flags: true),
        Case(
            name: "New York, after the spring change: 13:30Z is 09:30 local, open", agent: decide, channel: .calls,
            at: "2026-03-09T13:30Z", actions: [.respond, .flag, .transfer],
            transfer: TransferOutcome(destinations: ["front-desk"], ringTimeout: 30, then: .flag), withinHours: true,
            flags: true),
    ]

    @Test(arguments: cases)
    func outcome(_ testCase: Case) throws {
        let settings = try PolicyFixture.agent(testCase.agent)
        let explanation = try PolicyFixture.explain(settings, testCase.channel, testCase.at)
        #expect(explanation.outcome.actions == testCase.actions)
        #expect(explanation.outcome.transfer == testCase.transfer)
        #expect(explanation.withinHours == testCase.withinHours)
        // flag is set exactly when flag is an action or the transfer's fallback.
        #expect((explanation.outcome.flag != nil) == testCase.flags)
        if let because = testCase.because { #expect(explanation.because == because) }
    }

    @Test func flagCarriesTheTicketsPriorityTagsAndFields() throws {
        let settings = try PolicyFixture.agent(PolicyFixture.billing)
        let flag = try #require(try PolicyFixture.explain(settings, .calls, "2026-12-05T20:00").outcome.flag)
        #expect(flag == FlagOutcome(priority: .normal, tags: ["billing"], collect: []))
    }

    @Test func momentJSONHasExactlyTheDocumentedKeys() throws {
        let settings = try PolicyFixture.agent(PolicyFixture.billing)
        let moment = try ZonedMoment.parse("2026-12-05T20:00", zone: settings.timeZone).get()
        let json = MomentExplanation(settings: settings, channel: .calls, moment: moment).json
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(
            Set(object.keys)
                == [
                    "agent", "channel", "at", "mode", "within_hours", "actions", "transfer", "flag", "because",
                    "format_version",
                ])
        #expect(object["at"] as? String == "2026-12-05T20:00:00+01:00")
        #expect(object["actions"] as? [String] == ["flag"])
        #expect(object["transfer"] is NSNull)
        #expect(object["within_hours"] as? Bool == false)
        #expect(object["because"] as? String == "outside hours: sat 10:00-14:00 (Europe/Madrid)")
    }
}
