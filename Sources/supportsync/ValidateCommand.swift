import ArgumentParser
import SupportSync
import SupportSyncEngine

extension OutputFormat: ExpressibleByArgument {}

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate the support settings in config/ (or the given files), offline.",
        discussion: """
            Every problem is reported at once, as file:line:column: severity: message [rule].

            Exit status: 0 valid, 1 errors (or warnings with --strict), 64 usage.
            """
    )

    @OptionGroup var repository: RepositoryOptions

    @Option(name: .long, help: "Output format: text, json or github (annotations for GitHub Actions).")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Fail on warnings too.")
    var strict = false

    @Option(
        name: .long,
        help:
            "An environment of supportsync.yaml that must exist (default: SUPPORTSYNC_ENV; every environment is checked either way)."
    )
    var env: String?

    @Argument(help: "Agent files or folders to validate (default: config/).", completion: .file(extensions: ["yaml"]))
    var paths: [String] = []

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            let root = try repository.root()
            let env = PlatformSelection.environmentName(env)
            if let env { try PlatformSelection.requireEnvironment(env, root: root) }
            let result = try ConfigValidator(root: root, environment: env).validate(paths: paths)
            print(DiagnosticFormatter.format(result.report, as: format), terminator: "")
            let passes = result.report.passes(strict: strict)
            if format == .text {
                printError(DiagnosticFormatter.summary(result.report))
                // Only warnings, failing: what makes them fail is said.
                if !passes, result.report.passes(strict: false) { printError("--strict: warnings fail validation") }
            }
            return passes ? .success : .needsAttention
        }
    }
}
