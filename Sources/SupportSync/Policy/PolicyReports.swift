/// `explain AGENT`: the agent's effective settings with where each came
/// from, and its week per channel.
public struct AgentExplanation: Sendable {
    public var settings: AgentSettings
    public var file: String
    /// The environment whose overlay applies; nil without one.
    public var environment: String?
    public var sources: [SettingSource]
    public var week: Week
    /// What the environment's provider does instead of settings it cannot
    /// express (`strict_supports: false`): the settings above already say it.
    public var provider: [String]

    public init(
        settings: AgentSettings, file: String, environment: String?, sources: [SettingSource], provider: [String] = []
    ) {
        self.settings = settings
        self.file = file
        self.environment = environment
        self.sources = sources
        self.week = Week(settings)
        self.provider = provider
    }

    public var text: String {
        var output = "\(settings.id): \(PrintableText.escaping(settings.name)) (\(file))\n"
        if let environment { output += "Environment: \(environment)\n" }
        output += "\nSettings after defaults\(environment == nil ? "" : " and the overlay"):\n"
        let width = min(48, sources.map { $0.field.count + $0.value.count + 2 }.max() ?? 0)
        for source in sources {
            let setting = "\(source.field): \(source.value)"
            let padding = String(repeating: " ", count: max(1, width - setting.count + 2))
            output += "  \(setting)\(padding)\(source.location.map { "\($0.file):\($0.line)" } ?? "(default)")\n"
        }
        if !provider.isEmpty {
            output += "\nWhat this environment's provider cannot express, and does instead:\n"
            output += provider.map { "  \($0)\n" }.joined()
        }
        output +=
            "\nWhat happens to a case the agent cannot resolve"
            + (week.timezone.map { ", in \($0) time" } ?? " (no hours: every day alike, any zone)") + ":\n"
        for channel in week.days.map(\.channel) {
            output += "  \(channel.rawValue):\n"
            let rows = week.rows(channel)
            let daysWidth = rows.map(\.days.count).max() ?? 3
            for row in rows {
                let days = row.days + String(repeating: " ", count: daysWidth - row.days.count)
                output += "    \(days) \(row.start)-\(row.end)  \(row.description)\n"
            }
        }
        if !week.closed.isEmpty {
            output += "  closed dates, all day: \(week.closed.joined(separator: ", "))\n"
            for channel in week.days.map(\.channel) {
                if let outcome = week.closedOutcome[channel] {
                    output += "    \(channel.rawValue): \(outcome.describe())\n"
                }
            }
        }
        return output
    }

    public var json: String {
        struct Channel: Encodable {
            var channel: String
            var intervals: [Week.Row]
            var closed: Outcome?
        }
        struct Document: Encodable {
            var agent: String
            var name: String
            var file: String
            // Every key present: null says "none", as in the other documents.
            @JSONNull var environment: String?
            var mode: String
            var settings: [SettingSource]
            @JSONNull var timezone: String?
            var closed: [String]
            var week: [Channel]
            var provider: [String]
        }
        let channels = week.days.map {
            Channel(
                channel: $0.channel.rawValue, intervals: week.rows($0.channel), closed: week.closedOutcome[$0.channel])
        }
        return JSONDocument.render(
            Document(
                agent: settings.id, name: settings.name, file: file, environment: environment,
                mode: settings.support.mode.rawValue, settings: sources, timezone: week.timezone, closed: week.closed,
                week: channels, provider: provider))
    }
}

/// `explain AGENT --at TIME`: what happens at that moment on one channel.
public struct MomentExplanation: Sendable, Encodable {
    public var agent: String
    public var channel: Channel
    public var moment: ZonedMoment
    public var mode: SupportMode
    public var explanation: Explanation

    public init(settings: AgentSettings, channel: Channel, moment: ZonedMoment) {
        agent = settings.id
        self.channel = channel
        self.moment = moment
        mode = settings.support.mode
        explanation = SupportPolicy.explain(settings, channel: channel, at: moment.local)
    }

    enum CodingKeys: String, CodingKey {
        case agent, channel, at, mode
        case withinHours = "within_hours"
        case actions, transfer, flag, because
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agent, forKey: .agent)
        try container.encode(channel, forKey: .channel)
        try container.encode(moment.rfc3339, forKey: .at)
        try container.encode(mode, forKey: .mode)
        try container.encode(explanation.withinHours, forKey: .withinHours)
        try container.encode(explanation.outcome.actions, forKey: .actions)
        try container.encode(explanation.outcome.transfer, forKey: .transfer)
        try container.encode(explanation.outcome.flag, forKey: .flag)
        try container.encode(explanation.because, forKey: .because)
    }

    public var json: String { JSONDocument.render(self) }

    public var text: String {
        var output = "\(agent), \(channel.rawValue), \(moment.rfc3339) (mode \(mode.rawValue)):\n"
        output += "  \(explanation.outcome.describe())\n"
        output += "  because: \(explanation.because)\n"
        if let flag = explanation.outcome.flag {
            output +=
                "  ticket: priority \(flag.priority.rawValue)"
                + (flag.tags.isEmpty ? "" : ", tags \(flag.tags.joined(separator: ", "))")
                + (flag.collect.isEmpty ? "" : ", collects \(flag.collect.joined(separator: ", "))") + "\n"
        }
        return output
    }
}

/// `supportsync test`: every scenario's result, the problems of the
/// scenario files, and how many errors config/ has besides (`validate`
/// reports those; a workflow running both annotates each once).
public struct ScenarioReport: Sendable {
    public var results: [ScenarioResult]
    /// Problems in the scenario files, and one per failed scenario.
    public var report: DiagnosticReport
    /// Errors in config/ outside the scenario files: the agents they concern do not run.
    public var configErrors: Int
    /// Scenarios of agents whose settings have errors in this environment: not run.
    public var notRun: Int
    public var environment: String?

    public var failed: [ScenarioResult] { results.filter { !$0.passed } }
    public var passes: Bool { report.errorCount == 0 && configErrors == 0 }

    /// `sharedErrors`: a file every agent reads (defaults, supportsync.yaml,
    /// the environment's overlay) has errors, so no agent's settings are
    /// what they would be, and no scenario runs.
    public init(validation: ValidationResult, environment: String?, sharedErrors: Bool = false) {
        self.environment = environment
        let known = sharedErrors ? [] : Set(validation.agents.map(\.id))
        results = ScenarioRunner.run(
            validation.scenarios, agents: validation.agents.filter { known.contains($0.id) })
        notRun = validation.scenarios.count { !known.contains($0.agent) }
        let inTests = { (diagnostic: Diagnostic) in
            diagnostic.location.file.hasPrefix(ScenarioDecoder.directory + "/")
        }
        configErrors = validation.report.diagnostics.count { $0.severity == .error && !inTests($0) }
        let failures = results.filter { !$0.passed }.map { result in
            Diagnostic(
                .scenarioFailed, at: result.scenario.location,
                "scenario '\(result.scenario.name)' (\(result.scenario.agent), \(result.channel.rawValue), "
                    + "\(result.moment.rfc3339)): expected \(result.scenario.expect.description), "
                    + "got \(result.explanation.outcome.describe())",
                hint: "because \(result.explanation.because)")
        }
        report = DiagnosticReport(
            files: validation.report.files, diagnostics: validation.report.diagnostics.filter(inTests) + failures)
    }

    public var summary: String {
        let scenarioErrors = report.errorCount - failed.count
        return "\(plural(results.count, "scenario")): \(results.count - failed.count) passed, \(failed.count) failed"
            + (environment.map { " (environment \($0))" } ?? "")
            + (scenarioErrors > 0 ? "; \(plural(scenarioErrors, "error")) in config/tests/" : "")
            + (configErrors > 0
                ? "; config/ has \(plural(configErrors, "error")) (supportsync validate shows them)"
                    + (notRun > 0
                        ? ", so \(plural(notRun, "scenario")) of the agents they concern did not run"
                        : ", none in the settings these scenarios test")
                : "")
    }

    public func format(_ format: OutputFormat) -> String {
        switch format {
        case .text: return DiagnosticFormatter.text(report)
        case .github: return DiagnosticFormatter.github(report)
        case .json:
            struct Result: Encodable {
                var name: String
                var file: String
                var line: Int
                var agent: String
                var channel: String
                var at: String
                var expected: String
                var actual: Outcome
                var because: String
                var passed: Bool
            }
            struct Document: Encodable {
                @JSONNull var environment: String?
                var scenarios: Int
                var passed: Int
                var failed: Int
                var errors: Int
                var configErrors: Int
                var results: [Result]
                var diagnostics: [DiagnosticFormatter.JSONReport.Entry]

                enum CodingKeys: String, CodingKey {
                    case environment, scenarios, passed, failed, errors
                    case configErrors = "config_errors"
                    case results, diagnostics
                }
            }
            return JSONDocument.render(
                Document(
                    environment: environment, scenarios: results.count, passed: results.count - failed.count,
                    failed: failed.count, errors: report.errorCount, configErrors: configErrors,
                    results: results.map {
                        Result(
                            name: $0.scenario.name, file: $0.scenario.location.file,
                            line: $0.scenario.location.line, agent: $0.scenario.agent, channel: $0.channel.rawValue,
                            at: $0.moment.rfc3339, expected: $0.scenario.expect.description,
                            actual: $0.explanation.outcome, because: $0.explanation.because, passed: $0.passed)
                    },
                    diagnostics: report.diagnostics.map(DiagnosticFormatter.JSONReport.Entry.init)))
        }
    }
}
