import Foundation
import LocalPlatform
import Logging
import PlatformClient
import SupportSync

/// Builds the loggers the engine's parts log through (the executable sets
/// the level and the destination once per process).
public typealias LoggerFactory = @Sendable (String) -> Logger

/// Which platform a command talks to: `local` (the SQLite file under
/// .supportsync/, in-process) or the URL of a server that speaks the
/// platform API, with the token from SUPPORTSYNC_TOKEN. In CI a missing
/// platform is an error, so a run without its secrets never "succeeds"
/// against a throwaway database.
public struct PlatformSelection: Sendable {
    /// `--platform`: `local` or a URL; nil for SUPPORTSYNC_PLATFORM, else local.
    public var platform: String?
    /// `--db`: the local platform's SQLite file.
    public var database: String?
    /// The process environment (SUPPORTSYNC_PLATFORM, SUPPORTSYNC_TOKEN,
    /// SUPPORTSYNC_RETRY_BUDGET, CI).
    public var environment: [String: String]

    public init(
        platform: String? = nil, database: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.platform = platform
        self.database = database
        self.environment = environment
    }

    /// A connected platform, what to call it in messages, and how to close it.
    public struct Connection: Sendable {
        public var platform: any AgentPlatform
        public var name: String
        public var close: @Sendable () async -> Void
    }

    public func connect(root: URL, logger: Logger) throws -> Connection {
        let choice = platform ?? environment["SUPPORTSYNC_PLATFORM"].flatMap { $0.isEmpty ? nil : $0 }
        guard let choice else {
            if environment["CI"] == "true" {
                throw PlatformSelectionError.missingInCI
            }
            return try local(root: root)
        }
        if choice == "local" { return try local(root: root) }
        guard let url = URL(string: choice), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
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
    public func with<T>(
        root: URL, logger: Logger, _ body: (any AgentPlatform) async throws -> T
    ) async throws -> T {
        let connection = try connect(root: root, logger: logger)
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
        let path =
            database.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? LocalPlatform.defaultPath(root: root)
        let platform = try LocalPlatform(path: path)
        return Connection(platform: platform, name: "local platform (\(path))", close: {})
    }
}

public enum PlatformSelectionError: UserError {
    case missingInCI
    case badURL(String)
    case missingToken
    case badRetryBudget(String)

    public var description: String {
        switch self {
        case .missingInCI:
            return
                "no platform configured: in CI (CI=true) set SUPPORTSYNC_PLATFORM and SUPPORTSYNC_TOKEN, or pass --platform local for a deliberate local run"
        case .badURL(let value):
            return "--platform \(value): expected 'local' or an http(s) URL"
        case .missingToken:
            return "SUPPORTSYNC_TOKEN is not set: the platform API needs a bearer token"
        case .badRetryBudget(let value):
            return "SUPPORTSYNC_RETRY_BUDGET=\(value): expected seconds from 0 to 3600"
        }
    }

    public var exitStatus: ExitStatus { .usage }
}

/// config/ as plan and apply need it: the desired agents, or `ConfigInvalid`
/// carrying the diagnostics.
public func loadDesiredAgents(root: URL) throws -> [AgentSettings] {
    let result = try ConfigValidator(root: root).validate()
    guard result.report.errorCount == 0 else { throw ConfigInvalid(report: result.report) }
    return result.agents
}

/// config/ has errors: nothing was planned or applied (exit 1). The
/// diagnostics go before the error.
public struct ConfigInvalid: UserError {
    public var report: DiagnosticReport
    public var description: String { "config/ has errors (above); nothing was planned or applied" }
    public var exitStatus: ExitStatus { .needsAttention }
}
