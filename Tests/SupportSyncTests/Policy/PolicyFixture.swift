import Foundation
import SupportSync

/// Agents for policy tests, read from YAML through the validator, so the
/// settings are exactly what `explain` and `test` see.
enum PolicyFixture {
    /// The canonical settings of one agent file (`agent: a` is added).
    static func agent(_ body: String) throws -> AgentSettings {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "supportsync-policy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("config/agents")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(("agent: a\nname: A\n" + body).utf8).write(to: folder.appendingPathComponent("a.yaml"))
        let result = try ConfigValidator(root: root).validate()
        guard let settings = result.agents.first else {
            throw PolicyFixtureError(report: DiagnosticFormatter.text(result.report))
        }
        return settings
    }

    struct PolicyFixtureError: Error, CustomStringConvertible {
        var report: String
        var description: String { "the fixture agent is invalid:\n\(report)" }
    }

    /// The billing line of SPEC section 3: escalate on calls, Madrid hours.
    static let billing = """
        channels: [calls, messages]
        support:
          mode: escalate
          escalate:
            destinations:
              - {name: billing-desk, number: "+34910000000"}
              - {name: on-call, sip: "sip:oncall@pbx.example.com"}
            ring_timeout: 25
            hours:
              timezone: Europe/Madrid
              weekly:
                mon-fri: ["09:00-13:00", "14:00-18:00"]
                sat: "10:00-14:00"
                sun: "20:00-24:00"
              closed: ["2026-12-25"]
            fallback: flag
          flag:
            tags: [billing]

        """

    /// The explanation at a time read like `--at`.
    static func explain(_ settings: AgentSettings, _ channel: Channel, _ at: String) throws -> Explanation {
        let moment = try ZonedMoment.parse(at, zone: settings.timeZone).get()
        return SupportPolicy.explain(settings, channel: channel, at: moment.local)
    }
}
