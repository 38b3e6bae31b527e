import ArgumentParser
import SupportSync
import SupportSyncEngine

struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the scenarios in config/tests/ against the agents' settings, offline.",
        discussion: """
            Each scenario names an agent, a channel, a time and what must happen to a case the \
            agent cannot resolve then: 'expect: flag', '{transfer: [desk, on-call], then: flag}' \
            or '{may: [respond, flag]}'. A failing scenario is reported at its file and line with \
            what would happen instead.

            Exit status: 0 all pass, 1 a scenario fails or config/ has errors, 64 usage.
            """
    )

    @OptionGroup var repository: RepositoryOptions

    @Option(name: .long, help: "Output format: text, json or github (annotations for GitHub Actions).")
    var format: OutputFormat = .text

    @Option(
        help:
            "An environment of supportsync.yaml: run against its merged settings (default: SUPPORTSYNC_ENV, else the file's default)."
    )
    var env: String?

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let report = try PolicyRun.test(
                root: try repository.root(), environment: PlatformSelection.environmentName(env))
            print(report.format(format), terminator: "")
            if format == .text { printError(report.summary) }
            return report.passes ? .success : .needsAttention
        }
    }
}
