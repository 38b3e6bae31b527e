extension Scaffold {
    /// Scenarios for the example agents (`supportsync test`), written with
    /// them; this repository's own config/tests/ is these files.
    public static let exampleScenarios: [File] = [
        File(path: "config/tests/billing-line.yaml", text: billingLineScenariosTemplate),
        File(path: "config/tests/concierge.yaml", text: conciergeScenariosTemplate),
        File(path: "config/tests/chat-agents.yaml", text: chatAgentsScenariosTemplate),
    ]

    static let billingLineScenariosTemplate = #"""
        # What the billing line does with a call it cannot resolve. Times without an
        # offset are read in the agent's time zone (Europe/Madrid).
        - name: weekday calls ring the desk, then on-call, then become tickets
          agent: billing-line
          at: 2026-12-07T10:00
          expect: {transfer: [billing-desk, on-call], then: flag}
        - name: the lunch break is not covered
          agent: billing-line
          at: 2026-12-07T13:30
          expect: flag
        - name: the desk closes at 18:00 sharp
          agent: billing-line
          at: 2026-12-07T18:00
          expect: flag
        - name: Saturday morning is covered
          agent: billing-line
          at: 2026-12-05T11:00
          expect: {transfer: [billing-desk, on-call], then: flag}
        - name: Saturday evening calls become tickets
          agent: billing-line
          channel: calls
          at: 2026-12-05T20:00
          expect: flag
        - name: nobody answers on Christmas Day
          agent: billing-line
          at: 2026-12-25T10:00
          expect: flag
        - name: a call from New York at 9:30 their time is 15:30 in Madrid, within hours
          agent: billing-line
          at: 2026-12-07T09:30-05:00
          expect: {transfer: [billing-desk, on-call], then: flag}

        """#

    static let conciergeScenariosTemplate = #"""
        # The concierge chooses per conversation; it may transfer only on calls,
        # while the front desk is open (weekdays 09:00-19:00, Europe/Madrid).
        - name: weekday calls may go to the front desk
          agent: concierge
          channel: calls
          at: 2026-12-07T10:00
          expect: {may: [respond, flag, transfer]}
        - name: after 19:00 the concierge cannot transfer
          agent: concierge
          channel: calls
          at: 2026-12-07T19:30
          expect: {may: [respond, flag]}
        - name: chat never escalates
          agent: concierge
          channel: messages
          at: 2026-12-07T10:00
          expect: {may: [respond, flag]}

        """#

    static let chatAgentsScenariosTemplate = #"""
        # The chat-only agents: returns become tickets, store information answers.
        - name: a return it cannot solve becomes a ticket
          agent: returns-chat
          at: 2026-12-06T23:00
          expect: flag
        - name: store information answers as best it can
          agent: store-info
          at: 2026-12-07T10:00
          expect: respond

        """#
}
