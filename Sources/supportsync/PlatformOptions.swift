import ArgumentParser
import Foundation
import LocalPlatform
import Logging
import PlatformClient
import SupportSync

/// How a command reaches the agent platform: `--platform local` (the
/// SQLite file under .supportsync/, in-process) or `--platform URL` with the
/// token from SUPPORTSYNC_TOKEN. In CI a missing platform is an error.
struct PlatformOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "'local' or the URL of a server that speaks the platform API (default: SUPPORTSYNC_PLATFORM, else local; required when CI=true).",
            valueName: "local|URL"))
    var platform: String?

    @Option(name: .long, help: "The local platform's SQLite file (default: .supportsync/platform.sqlite).", completion: .file())
    var db: String?

    /// A connected platform and how to close it.
    struct Connection {
        var platform: any AgentPlatform
        var name: String
        var close: @Sendable () async -> Void
    }

    func connect(root: URL, logger: Logger) throws -> Connection {
        let environment = ProcessInfo.processInfo.environment
        let choice = platform ?? environment["SUPPORTSYNC_PLATFORM"].flatMap { $0.isEmpty ? nil : $0 }
        guard let choice else {
            if environment["CI"] == "true" {
                throw PlatformSelectionError.missingInCI
            }
            return try local(root: root)
        }
        if choice == "local" { return try local(root: root) }
        guard let url = URL(string: choice), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw PlatformSelectionError.badURL(choice)
        }
        guard let token = environment["SUPPORTSYNC_TOKEN"], !token.isEmpty else {
            throw PlatformSelectionError.missingToken
        }
        var configuration = HTTPPlatform.Configuration()
        if let text = environment["SUPPORTSYNC_RETRY_BUDGET"], !text.isEmpty {
            // Seconds within which failed requests are retried (default 60; 0: no retries).
            guard let seconds = Double(text), seconds.isFinite, (0...3600).contains(seconds) else {
                throw PlatformSelectionError.badRetryBudget(text)
            }
            configuration.retry.budget = .milliseconds(Int64(seconds * 1000))
        }
        let client: HTTPPlatform
        do {
            client = try HTTPPlatform(
                baseURL: url.absoluteString, token: token, configuration: configuration, logger: logger)
        } catch {
            throw PlatformSelectionError.badURL("\(choice) (\(error))")
        }
        return Connection(platform: client, name: url.absoluteString, close: { try? await client.shutdown() })
    }

    /// Runs `body` with a connected platform, closing it afterwards.
    func with<T>(root: URL, _ body: (any AgentPlatform) async throws -> T) async throws -> T {
        let connection = try connect(root: root, logger: CommandLogging.logger("supportsync.platform"))
        do {
            let result = try await body(connection.platform)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    private func local(root: URL) throws -> Connection {
        let path = db.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? LocalPlatform.defaultPath(root: root)
        let platform = try LocalPlatform(path: path)
        return Connection(platform: platform, name: "local platform (\(path))", close: {})
    }
}

enum PlatformSelectionError: UserError {
    case missingInCI
    case badURL(String)
    case missingToken
    case badRetryBudget(String)

    var description: String {
        switch self {
        case .missingInCI:
            return "no platform configured: in CI (CI=true) set SUPPORTSYNC_PLATFORM and SUPPORTSYNC_TOKEN, or pass --platform local for a deliberate local run"
        case .badURL(let value):
            return "--platform \(value): expected 'local' or an http(s) URL"
        case .missingToken:
            return "SUPPORTSYNC_TOKEN is not set: the platform API needs a bearer token"
        case .badRetryBudget(let value):
            return "SUPPORTSYNC_RETRY_BUDGET=\(value): expected seconds from 0 to 3600"
        }
    }

    var exitStatus: ExitStatus { .usage }
}

extension PlatformError: UserError {
    public var exitStatus: ExitStatus {
        switch self {
        case .notFound, .versionConflict, .invalid: return .needsAttention
        default: return .failure
        }
    }
}

/// Loads config/ for plan and apply: the desired agents, or exit 1 with the
/// diagnostics when config/ has errors.
func loadDesiredAgents(root: URL) throws -> [AgentSettings] {
    let result = try ConfigValidator(root: root).validate()
    guard result.report.errorCount == 0 else {
        printError(DiagnosticFormatter.text(result.report) + DiagnosticFormatter.summary(result.report))
        throw ConfigInvalid()
    }
    return result.agents
}

struct ConfigInvalid: UserError {
    var description: String { "config/ has errors (above); nothing was planned or applied" }
    var exitStatus: ExitStatus { .needsAttention }
}
