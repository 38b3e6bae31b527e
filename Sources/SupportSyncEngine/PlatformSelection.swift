import Foundation
import LocalPlatform
import Logging
import PlatformClient
import SupportSync
import SupportSyncGit
import VapiProvider

/// Builds the loggers the engine's parts log through (the executable sets
/// the level and the destination once per process).
public typealias LoggerFactory = @Sendable (String) -> Logger

/// Which platform a command talks to. With a `supportsync.yaml` that names
/// platforms: the environment `--env` (or SUPPORTSYNC_ENV, else the file's
/// default) names, with its overlay and whether its tickets are pulled.
/// Without one: `local` (the SQLite file under .supportsync/, in-process)
/// or the URL of a server that speaks the platform API, from `--platform`
/// or SUPPORTSYNC_PLATFORM, with the token from SUPPORTSYNC_TOKEN.
/// `--platform` replaces an environment's provider and URL and keeps its
/// overlay and ticket state. In CI a missing platform is an error, so a run
/// without its secrets never "succeeds" against a throwaway database.
public struct PlatformSelection: Sendable {
    /// `--platform`: `local` or a URL.
    public var platform: String?
    /// `--db`: the local platform's SQLite file.
    public var database: String?
    /// `--env`: a platform of `supportsync.yaml`; nil for SUPPORTSYNC_ENV, else its default.
    public var environmentName: String?
    /// The process environment (SUPPORTSYNC_PLATFORM, SUPPORTSYNC_TOKEN,
    /// SUPPORTSYNC_ENV, SUPPORTSYNC_RETRY_BUDGET, CI, and the variables
    /// `env/NAME` settings name).
    public var environment: [String: String]
    /// Told, once connected, which platform this run talks to
    /// (`platform: local (.supportsync/platform.sqlite)`); a command prints it on stderr.
    public var announce: (@Sendable (String) -> Void)?
    /// Told of each retry of a platform request as it is about to wait.
    public var onRetry: (@Sendable (String) -> Void)?

    public init(
        platform: String? = nil, database: String? = nil, environmentName: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.platform = platform
        self.database = database
        self.environmentName = environmentName
        self.environment = environment
    }

    /// Whether this is a CI run: `CI` set to anything but empty, `false` or `0`.
    var inCI: Bool {
        guard let value = environment["CI"]?.lowercased() else { return false }
        return !["", "false", "0"].contains(value)
    }

    /// The platform a command will talk to, resolved but not connected.
    public struct Target: Sendable {
        public enum Kind: Sendable, Hashable {
            case local(path: String)
            case http(url: String, token: String)
            /// Vapi's API; `flagWebhook` is where Vapi posts in-call flags.
            case vapi(url: String, token: String, flagWebhook: String?)
        }

        /// The environment's name; nil without `supportsync.yaml` platforms.
        public var environment: String?
        public var kind: Kind
        /// Whether tickets are pulled from (and pushed to) this platform.
        public var pullTickets: Bool

        /// How messages name it: never with the token.
        public var name: String {
            let place: String
            switch kind {
            case .local(let path): place = "local platform (\(path))"
            case .http: place = shownURL
            case .vapi: place = "Vapi (\(shownURL))"
            }
            return environment.map { "\($0): \(place)" } ?? place
        }

        /// The URL as output names it: a path segment that is the token
        /// (as written or percent-encoded), or the token as a word anywhere
        /// else, is `<redacted>`, and control
        /// characters are escaped. Empty for the local platform.
        public var shownURL: String {
            let (url, token): (String, String)
            switch kind {
            case .local: return ""
            case .http(let u, let t): (url, token) = (u, t)
            case .vapi(let u, let t, _): (url, token) = (u, t)
            }
            var shown = PrintableText.hidingUserInfo(url)
            if !token.isEmpty, let scheme = shown.range(of: "://"),
                let pathStart = shown[scheme.upperBound...].firstIndex(of: "/")
            {
                shown =
                    String(shown[..<pathStart]) + Redaction.redactingSegments([token], in: String(shown[pathStart...]))
            }
            // Anywhere else it stands as a word: a query or fragment (refused
            // when connecting, in a message that names the platform).
            if !token.isEmpty { shown = Redaction.redacting(token, in: shown) }
            return PrintableText.escaping(shown)
        }
    }

    /// The environment a command works in: `--env`, else SUPPORTSYNC_ENV
    /// (when not empty), else nil (the file's default). One rule for every
    /// command, the offline ones (validate, test, explain) included.
    public static func environmentName(
        _ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        flag ?? environment["SUPPORTSYNC_ENV"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The environment a command works in (`environmentName`, else the
    /// file's default) and its provider; nil without `supportsync.yaml` or
    /// such an environment.
    public static func provider(ofEnvironment flag: String?, root: URL) -> (
        name: String, provider: ProjectFile.Provider
    )? {
        guard let project = Workspace.projectFile(root: root).project,
            let name = environmentName(flag) ?? project.defaultPlatform ?? project.platforms.first?.name,
            let platform = project.platform(named: name)
        else { return nil }
        return (platform.name, platform.provider)
    }

    /// The local platform that `--db`, else the environment (`--env`,
    /// `SUPPORTSYNC_ENV`, the file's default, with its `db:`), names: the
    /// file `platform serve` serves and `platform simulate` plays on, the
    /// one the environment's other commands use. An environment on another
    /// provider has no database here: refused (64), rather than the default
    /// file taken instead.
    public func localTarget(root: URL, for command: String) throws -> (target: Target, path: String) {
        if database == nil, let (name, provider) = Self.provider(ofEnvironment: environmentName, root: root),
            provider != .local
        {
            throw PlatformSelectionError.notLocal(name, provider: provider.rawValue, command: command)
        }
        var selection = self
        selection.platform = "local"
        let target = try selection.resolve(root: root)
        guard case .local(let path) = target.kind else { preconditionFailure("--platform local is a local platform") }
        return (target, path)
    }

    /// Refuses (64) a name that is no environment of `supportsync.yaml`.
    public static func requireEnvironment(_ name: String, root: URL) throws {
        guard let project = Workspace.projectFile(root: root).project, !project.platforms.isEmpty else {
            throw PlatformSelectionError.noEnvironments(name)
        }
        if project.platform(named: name) == nil {
            throw PlatformSelectionError.unknownEnvironment(name, known: project.platforms.map(\.name))
        }
    }

    /// Reads `supportsync.yaml` (refusing one with errors) and picks the
    /// platform, without connecting. `ticketsOnly`: for a command that
    /// reaches tickets only, which a Vapi `flag_webhook` (an agent setting)
    /// does not concern: one whose variable is unset is left out, not an error.
    public func resolve(root: URL, ticketsOnly: Bool = false) throws -> Target {
        let (project, diagnostics) = Workspace.projectFile(root: root)
        if diagnostics.contains(where: { $0.severity == .error }) {
            throw ConfigInvalid(
                report: DiagnosticReport(files: 1, diagnostics: diagnostics), subject: ProjectFile.path)
        }
        let requested = Self.environmentName(environmentName, environment: environment)
        guard let project, !project.platforms.isEmpty else {
            if let requested { throw PlatformSelectionError.noEnvironments(requested) }
            return Target(environment: nil, kind: try legacy(root: root), pullTickets: true)
        }
        let name = requested ?? project.defaultPlatform ?? project.platforms[0].name
        guard let chosen = project.platform(named: name) else {
            throw PlatformSelectionError.unknownEnvironment(name, known: project.platforms.map(\.name))
        }
        var target = Target(environment: chosen.name, kind: .local(path: ""), pullTickets: chosen.pullTickets)
        if let platform {
            // --platform replaces the provider and URL; the overlay and ticket state stay.
            target.kind = try explicit(platform, root: root, localDatabase: chosen.database)
            return target
        }
        switch chosen.provider {
        case .local:
            if inCI && !chosen.ci { throw PlatformSelectionError.localInCI(chosen.name) }
            target.kind = .local(path: localPath(root: root, configured: chosen.database))
        case .http:
            guard let url = chosen.url?.resolve(environment) else {
                throw PlatformSelectionError.unsetSetting(chosen.name, "url", chosen.url?.description ?? "")
            }
            guard ProjectFile.isHTTPURL(url) else {
                throw PlatformSelectionError.notHTTPURL(chosen.name, chosen.url?.description ?? url, url)
            }
            guard let token = chosen.token.resolve(environment) else {
                throw PlatformSelectionError.unsetSetting(chosen.name, "token", chosen.token.description)
            }
            target.kind = .http(url: url, token: token)
        case .vapi:
            let url = chosen.url?.resolve(environment) ?? ProjectFile.vapiURL
            guard ProjectFile.isHTTPURL(url) else {
                throw PlatformSelectionError.notHTTPURL(chosen.name, chosen.url?.description ?? url, url)
            }
            guard let token = chosen.token.resolve(environment) else {
                throw PlatformSelectionError.unsetSetting(chosen.name, "token", chosen.token.description)
            }
            var webhook: String?
            if let setting = chosen.flagWebhook, !ticketsOnly || setting.resolve(environment) != nil {
                guard let value = setting.resolve(environment) else {
                    throw PlatformSelectionError.unsetSetting(chosen.name, "flag_webhook", setting.description)
                }
                // Vapi posts callers' details there: https only, whoever set it.
                guard ProjectFile.isHTTPURL(value), value.lowercased().hasPrefix("https://") else {
                    throw PlatformSelectionError.insecureWebhook(chosen.name)
                }
                webhook = value
            }
            target.kind = .vapi(url: url, token: token, flagWebhook: webhook)
        }
        return target
    }

    /// Today's lookup, without environments: --platform, else SUPPORTSYNC_PLATFORM, else local.
    private func legacy(root: URL) throws -> Target.Kind {
        let choice = platform ?? environment["SUPPORTSYNC_PLATFORM"].flatMap { $0.isEmpty ? nil : $0 }
        guard let choice else {
            if inCI { throw PlatformSelectionError.missingInCI }
            return .local(path: localPath(root: root, configured: nil))
        }
        return try explicit(choice, root: root, localDatabase: nil)
    }

    private func explicit(_ choice: String, root: URL, localDatabase: String?) throws -> Target.Kind {
        if choice == "local" { return .local(path: localPath(root: root, configured: localDatabase)) }
        guard ProjectFile.isHTTPURL(choice) else { throw PlatformSelectionError.badURL(choice) }
        guard let token = environment["SUPPORTSYNC_TOKEN"], !token.isEmpty else {
            throw PlatformSelectionError.missingToken
        }
        return .http(url: choice, token: token)
    }

    /// --db, else the environment's db (relative to the root), else .supportsync/platform.sqlite.
    private func localPath(root: URL, configured: String?) -> String {
        if let database { return URL(fileURLWithPath: database).standardizedFileURL.path }
        if let configured {
            return
                (configured.hasPrefix("/") ? URL(fileURLWithPath: configured) : root.appendingPathComponent(configured))
                .standardizedFileURL.path
        }
        return LocalPlatform.defaultPath(root: root)
    }

    /// A connected platform, what to call it in messages, and how to close it.
    public struct Connection: Sendable {
        public var platform: any ManagedPlatform
        public var target: Target
        public var name: String { target.name }
        public var close: @Sendable () async -> Void
        /// A local platform read as empty, in memory: its file does not exist.
        public var unsaved = false
    }

    /// `local (.supportsync/platform.sqlite)` or `https://... (instance ...)`,
    /// with the environment when there is one. For a remote platform this
    /// asks it who it is: the first request of the run.
    static func describe(_ connection: Connection) async throws -> String {
        var details = connection.target.environment.map { ["environment \($0)"] } ?? []
        switch connection.target.kind {
        case .local(let path):
            let current = FileManager.default.currentDirectoryPath + "/"
            let shown = path.hasPrefix(current) ? String(path.dropFirst(current.count)) : path
            details.insert(connection.unsaved ? shown + ": none yet, read as empty" : shown, at: 0)
            return "local (" + details.joined(separator: ", ") + ")"
        case .http:
            let instance = try await connection.platform.info().instance
            details.insert("instance " + PrintableText.escaping(instance), at: 0)
            return connection.target.shownURL + " (" + details.joined(separator: ", ") + ")"
        case .vapi:
            return "Vapi " + connection.target.shownURL
                + (details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")")
        }
    }

    /// `describe(connection)` if it answers within `patience`; nil otherwise
    /// (the question goes on in the background, and its answer is kept).
    static func describeSoon(_ connection: Connection, patience: Duration = .seconds(2)) async -> String? {
        let answer = Answer()
        Task { await answer.set(try? await describe(connection)) }
        let deadline = ContinuousClock.now + patience
        while ContinuousClock.now < deadline {
            if let done = await answer.value { return done }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await answer.value ?? nil
    }

    private actor Answer {
        /// Nil until answered; then the description, or nil inside when it failed.
        var value: String??
        func set(_ text: String?) { value = .some(text) }
    }

    /// The target without asking it: its URL or file and environment.
    static func describe(_ target: Target) -> String {
        switch target.kind {
        case .local(let path): return "local (\(path))"
        case .http: return target.shownURL + (target.environment.map { " (environment \($0))" } ?? "")
        case .vapi: return "Vapi " + target.shownURL + (target.environment.map { " (environment \($0))" } ?? "")
        }
    }

    /// Connects to `target`. A run that `readsOnly` (a plan, a dry run)
    /// creates no local platform file: where none exists it reads an empty
    /// platform, held in memory.
    public func connect(_ target: Target, readsOnly: Bool = false, logger: Logger) throws -> Connection {
        switch target.kind {
        case .local(let path):
            if readsOnly, !FileManager.default.fileExists(atPath: path) {
                return Connection(
                    platform: try LocalPlatform.empty(standingFor: path), target: target, close: {}, unsaved: true)
            }
            return Connection(platform: try LocalPlatform(path: path), target: target, close: {})
        case .http(let url, let token):
            var configuration = try retryConfiguration()
            // The only reader of the feed is a pull, which reads it to its end.
            configuration.readsFeedAhead = true
            let client: HTTPPlatform
            do {
                client = try HTTPPlatform(
                    baseURL: url, token: token, configuration: configuration, logger: logger, onRetry: onRetry)
            } catch {
                throw PlatformSelectionError.unusable(target.name, "\(error)")
            }
            return Connection(platform: client, target: target, close: { try? await client.shutdown() })
        case .vapi(let url, let token, let webhook):
            let client: VapiPlatform
            do {
                client = try VapiPlatform(
                    baseURL: url, token: token, environment: target.environment ?? "default", flagWebhook: webhook,
                    configuration: try retryConfiguration(), logger: logger, onRetry: onRetry)
            } catch let error as HTTPPlatformSetupError {
                throw PlatformSelectionError.unusable(target.name, "\(error)")
            }
            return Connection(platform: client, target: target, close: { try? await client.shutdown() })
        }
    }

    /// The retry budget SUPPORTSYNC_RETRY_BUDGET sets, in seconds (default 60; 0: no retries).
    private func retryConfiguration() throws -> HTTPPlatform.Configuration {
        var configuration = HTTPPlatform.Configuration()
        if let text = environment["SUPPORTSYNC_RETRY_BUDGET"], !text.isEmpty {
            guard let seconds = Double(text), seconds.isFinite, (0...3600).contains(seconds) else {
                throw PlatformSelectionError.badRetryBudget(text)
            }
            configuration.retry.budget = .milliseconds(Int64(seconds * 1000))
        }
        return configuration
    }

    /// Runs `body` with the platform `target` names, closing it afterwards.
    public func with<T>(
        _ target: Target, readsOnly: Bool = false, logger: Logger, _ body: (any ManagedPlatform) async throws -> T
    ) async throws -> T {
        let connection = try connect(target, readsOnly: readsOnly, logger: logger)
        do {
            if let announce {
                // Named first, before anything waits on it: a remote platform
                // gets two seconds to say who it is (its answer is kept for the
                // run); one that does not is named by its URL, and the body
                // meets its failure and reports it its own way.
                announce("platform: " + (await Self.describeSoon(connection) ?? Self.describe(connection.target)))
            }
            let result = try await body(connection.platform)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }
}

public enum PlatformSelectionError: UserError {
    case missingInCI
    case badURL(String)
    /// The platform's URL or token cannot work (an http:// URL to another
    /// machine, a short token): which platform, and why.
    case unusable(String, String)
    case missingToken
    case badRetryBudget(String)
    case noEnvironments(String)
    case unknownEnvironment(String, known: [String])
    case localInCI(String)
    case unsetSetting(String, String, String)
    case noTicketState(String)
    case insecureWebhook(String)
    /// An environment's `url` (as written, as read) that is no http(s) URL.
    case notHTTPURL(String, String, String)
    /// `platform serve` or `simulate` with an environment on another provider.
    case notLocal(String, provider: String, command: String)

    public var description: String {
        switch self {
        case .missingInCI:
            return
                "no platform configured: in CI (CI=true) set SUPPORTSYNC_PLATFORM and SUPPORTSYNC_TOKEN, or pass --platform local for a deliberate local run"
        case .badURL(let value):
            return "--platform \(PrintableText.hidingUserInfo(value)): expected 'local' or an http(s) URL"
        case .unusable(let platform, let reason):
            return "the platform \(platform) cannot be used: \(reason)"
        case .missingToken:
            return "SUPPORTSYNC_TOKEN is not set: the platform API needs a bearer token"
        case .badRetryBudget(let value):
            return "SUPPORTSYNC_RETRY_BUDGET=\(value): expected seconds from 0 to 3600"
        case .noEnvironments(let name):
            return "environment '\(name)': there is no supportsync.yaml naming platforms"
        case .unknownEnvironment(let name, let known):
            let suggestion = Suggestion.closest(to: name, in: known).map { " (did you mean '\($0)'?)" } ?? ""
            return
                "no environment '\(name)' in supportsync.yaml\(suggestion); it names: \(known.joined(separator: ", "))"
        case .localInCI(let name):
            return
                "environment '\(name)' is a local platform, and this is CI: add ci: true to it in supportsync.yaml if CI should use a throwaway database"
        case .unsetSetting(let name, let key, let setting):
            return "environment '\(name)': \(key) is \(setting), which is not set"
        case .insecureWebhook(let name):
            return
                "environment '\(name)': flag_webhook must be an https URL: Vapi posts callers' details to it"
        case .notHTTPURL(let name, let setting, let value):
            let written = setting == value ? "" : "\(PrintableText.escaping(setting)), which is "
            return
                "environment '\(PrintableText.escaping(name))': url is \(written)'\(PrintableText.escaping(PrintableText.hidingUserInfo(value)))', not an http(s) URL"
        case .notLocal(let name, let provider, let command):
            return
                "environment '\(PrintableText.escaping(name))' is on the \(provider) provider, not a local platform: \(command) works on a local platform only (name its database with --db)"
        case .noTicketState(let name):
            return
                "environment '\(name)' has no ticket state: its tickets are not pulled (pull_tickets is not true in supportsync.yaml)"
        }
    }

    public var exitStatus: ExitStatus { .usage }
}

/// config/ as plan and apply need it: the desired agents, with what the
/// environment's provider does instead of the settings it cannot express,
/// by agent; or `ConfigInvalid` carrying the diagnostics.
public func loadDesired(
    root: URL, environment: String? = nil,
    providerSupport: @escaping @Sendable (ProjectFile.Provider) -> ProviderSupport = ProviderSupport.of
) throws -> ValidationResult {
    let result = try ConfigValidator(root: root, environment: environment, providerSupport: providerSupport).validate()
    guard result.blockingErrorCount == 0 else { throw ConfigInvalid(report: result.report) }
    return result
}

/// config/ (or supportsync.yaml) has errors: nothing was planned or applied
/// (exit 1). The diagnostics go before the error.
public struct ConfigInvalid: UserError {
    public var report: DiagnosticReport
    public var subject = "config/"
    /// What was not done because of it.
    public var consequence = "nothing was planned or applied"

    public init(
        report: DiagnosticReport, subject: String = "config/", consequence: String = "nothing was planned or applied"
    ) {
        self.report = report
        self.subject = subject
        self.consequence = consequence
    }

    public var description: String { "\(subject) has errors (above); \(consequence)" }
    public var exitStatus: ExitStatus { .needsAttention }
}
