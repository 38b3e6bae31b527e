import ArgumentParser
import SupportSync
import SupportSyncEngine

extension Channel: ExpressibleByArgument {}

struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show what an agent does with a case it cannot resolve, offline.",
        discussion: """
            Without --at: the agent's effective settings after defaults and the environment's \
            overlay, each with the file and line it came from, and its week per channel in its \
            time zone with the outcome of each interval, plus the closed dates.

            With --at TIME: what happens at that moment. TIME is RFC 3339 with an offset or Z \
            (2026-12-05T20:00:00+01:00), or the agent's local time (2026-12-05T20:00); a local \
            time that a daylight-saving change skips or repeats is refused, naming both readings. \
            An agent without hours reads local times as UTC.

            Exit status: 0, 1 when the agent's settings have errors, 64 for an unknown agent, \
            channel or time.
            """
    )

    @OptionGroup var repository: RepositoryOptions

    @Argument(help: "The agent's id (its file in config/agents/).")
    var agent: String

    @Option(help: "The channel, calls or messages (with --at; needed when the agent serves both).")
    var channel: Channel?

    @Option(help: "A moment: RFC 3339, or the agent's local time YYYY-MM-DDTHH:MM.")
    var at: String?

    @Option(
        help:
            "An environment of supportsync.yaml whose overlay applies (default: SUPPORTSYNC_ENV, else the file's default)."
    )
    var env: String?

    @Option(help: "Output format: text or json.")
    var format: DataFormat = .text

    func validate() throws {
        if channel != nil && at == nil { throw ValidationError("--channel goes with --at") }
    }

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let root = try repository.root()
            if let at {
                let answer = try PolicyRun.explain(
                    root: root, environment: PlatformSelection.environmentName(env), agent: agent, channel: channel,
                    at: at)
                print(format == .json ? answer.json : answer.text, terminator: "")
            } else {
                let answer = try PolicyRun.explain(
                    root: root, environment: PlatformSelection.environmentName(env), agent: agent)
                print(format == .json ? answer.json : answer.text, terminator: "")
            }
            return .success
        }
    }
}
