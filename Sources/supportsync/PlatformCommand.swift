import ArgumentParser
import Foundation
import LocalPlatform
import PlatformServer
import SupportSync
import SupportSyncEngine

struct PlatformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform",
        abstract: "Work with the local agent platform.",
        subcommands: [ServeCommand.self, SimulateCommand.self]
    )
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the local platform over the HTTP API.",
        discussion: """
            Every request must carry 'Authorization: Bearer $SUPPORTSYNC_TOKEN'; the \
            command refuses to start without that variable, which may do everything. \
            SUPPORTSYNC_READ_TOKEN (read agents and sealed tickets), SUPPORTSYNC_SYNC_TOKEN \
            (read, apply agents, patch ticket team fields), SUPPORTSYNC_REVEAL_TOKEN (read, \
            keys and plain customer data) and SUPPORTSYNC_ERASE_TOKEN (read, erase) add tokens \
            of one scope each. Once bound it prints \
            'listening on http://HOST:PORT' (with --port 0, the port it picked). \
            Stops gracefully on SIGINT or SIGTERM.
            """
    )

    static let tokenVariable = "SUPPORTSYNC_TOKEN"
    /// Optional tokens of one scope each, beside SUPPORTSYNC_TOKEN's every scope.
    static let scopedVariables: [(String, TokenScope)] = [
        ("SUPPORTSYNC_READ_TOKEN", .read), ("SUPPORTSYNC_SYNC_TOKEN", .sync),
        ("SUPPORTSYNC_REVEAL_TOKEN", .reveal), ("SUPPORTSYNC_ERASE_TOKEN", .erase),
    ]

    @OptionGroup var repository: RepositoryOptions

    @Option(
        help:
            "The SQLite file of the platform (default: the environment's db, else .supportsync/platform.sqlite in the repository).",
        completion: .file())
    var db: String?

    @Option(
        help: ArgumentHelp(
            "An environment of supportsync.yaml: serve its local platform's database (default: SUPPORTSYNC_ENV, else the file's default).",
            valueName: "name"))
    var env: String?

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port = 8080

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
    }

    func run() async throws {
        // Checked before anything is opened: a server without a token would
        // be open to anyone who can reach the port.
        guard let token = ProcessInfo.processInfo.environment[Self.tokenVariable], !token.isEmpty else {
            printError("error: \(Self.tokenVariable) is not set; the server needs a token to require of every request")
            throw ExitCode(ExitStatus.usage)
        }
        let environment = ProcessInfo.processInfo.environment
        for variable in [Self.tokenVariable] + Self.scopedVariables.map(\.0) {
            guard let value = environment[variable], !value.isEmpty,
                let problem = Redaction.tokenProblem(value)
            else { continue }
            printError("error: the token in \(variable) \(problem); it could not be sent or kept out of logs")
            throw ExitCode(ExitStatus.usage)
        }
        try await reportingErrors {
            let (_, path) = try PlatformSelection(database: db, environmentName: env).localTarget(
                root: try repository.root(), for: "platform serve")
            let platform = try LocalPlatform(path: path)
            let scoped = Self.scopedVariables.compactMap { variable, scope -> ScopedToken? in
                guard let value = environment[variable], !value.isEmpty else { return nil }
                return ScopedToken(value, scopes: scope.granted)
            }
            let server = PlatformServer(
                platform: platform, token: token, scopedTokens: scoped, host: host, port: port,
                logger: CommandLogging.logger("supportsync.platform"))
            let shownHost = host.contains(":") ? "[\(host)]" : host
            do {
                try await server.run(shutdownOnSignals: true) { port in
                    // Written straight to the file descriptor (unbuffered): a
                    // test or script reads this line to learn the port.
                    FileHandle.standardOutput.write(Data("listening on http://\(shownHost):\(port)\n".utf8))
                }
            } catch {
                // NIO's own message names neither the port nor what to do.
                let text = "\(error)"
                if text.contains("Address already in use") || text.contains("EADDRINUSE") {
                    throw ServeError(description: "port \(port) is in use: use --port N or --port 0")
                }
                throw ServeError(description: "cannot serve on \(shownHost):\(port): \(text)")
            }
            return .success
        }
    }
}

/// The server could not listen or stopped on a failure (exit 3).
struct ServeError: UserError {
    var description: String
    var exitStatus: ExitStatus { .failure }
}

/// What `platform simulate` cannot play on: no local platform (exit 64).
struct SimulateError: UserError {
    var description: String
    var exitStatus: ExitStatus = .usage
}

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Play conversations on the local platform's agents, through their live settings.",
        discussion: """
            Each conversation picks an agent, one of its channels and a time on one of the days \
            (busy hours more often, in the agent's time zone). Most are resolved by the agent; \
            a case it cannot resolve goes through the agent's settings on the platform: a flag \
            makes a pending ticket dated when the conversation happened, with the fields the \
            agent collects filled in; a transfer rings the destinations in order, and when \
            nobody answers the fallback follows. Conversations, who was rung and who answered \
            are kept in the database; a server serving it sees the tickets at once. The same \
            --seed on the same agents plays the same conversations and makes the same tickets.
            """
    )

    @OptionGroup var repository: RepositoryOptions

    @Option(
        help: "The SQLite file of the platform (default: .supportsync/platform.sqlite in the repository).",
        completion: .file())
    var db: String?

    @Option(
        help: ArgumentHelp(
            "An environment of supportsync.yaml: play on its local platform's database (default: SUPPORTSYNC_ENV, else the file's default).",
            valueName: "name"))
    var env: String?

    @Option(help: "How many conversations to play.")
    var conversations = 100

    @Option(help: "The seed: the same seed plays the same conversations (default: a new one, printed).")
    var seed: UInt64?

    @Option(help: "The first day, YYYY-MM-DD (default: --days before today).")
    var from: String?

    @Option(help: "How many days, from --from.")
    var days = 7

    @Option(help: "Output format: text or json.")
    var format: DataFormat = .text

    func validate() throws {
        guard (0...100_000).contains(conversations) else {
            throw ValidationError("--conversations must be from 0 to 100000")
        }
        guard (1...3660).contains(days) else { throw ValidationError("--days must be from 1 to 3660") }
        if let from, ZonedMoment.date(from, plus: 0) == nil {
            throw ValidationError("--from must be a date written YYYY-MM-DD, not '\(from)'")
        }
        // Every day played is a date of four digits (tickets land in tickets/YYYY/MM/).
        if let from, let last = ZonedMoment.date(from, plus: days - 1), ZonedMoment.date(last, plus: 0) == nil {
            throw ValidationError("--from \(from) with --days \(days) ends after 9999-12-31: play an earlier window")
        }
    }

    func run() async throws {
        try await reportingErrors(json: format == .json) {
            // The local platform the environment (or --db) names: never a remote one.
            var selection = PlatformSelection(database: db, environmentName: env)
            // Named as every command that reaches a platform names it (and in JSON, `platform`).
            selection.announce = PlatformLine.announce
            let (target, path) = try selection.localTarget(root: try repository.root(), for: "platform simulate")
            // A missing file is no platform to play on: not made into an empty one.
            guard FileManager.default.fileExists(atPath: path) else {
                throw SimulateError(
                    description:
                        "there is no local platform at \(PrintableText.escaping(path)) yet, so it has no agents to play: run 'supportsync sync' or 'apply' first (with the same --db)",
                    exitStatus: .failure)
            }
            let simulation = Simulation(
                conversations: conversations, seed: seed ?? UInt64.random(in: 1...999_999),
                from: from ?? ZonedMoment.date(ZonedMoment.today(), plus: -days)!, days: days)
            let report = try await selection.with(target, logger: CommandLogging.logger("supportsync.platform")) {
                platform in
                guard let local = platform as? LocalPlatform else {
                    throw SimulateError(description: "platform simulate plays on the local platform only")
                }
                return try await local.simulate(simulation)
            }
            if format == .json {
                printOutput(JSONDocument.render(report), json: true)
            } else {
                print(report.text, terminator: "")
                printError(
                    "played \(conversations) conversation\(conversations == 1 ? "" : "s") from \(simulation.from) "
                        + "over \(days) day\(days == 1 ? "" : "s") (seed \(simulation.seed)); "
                        + "\(report.tickets.count) ticket\(report.tickets.count == 1 ? "" : "s") flagged\(pullHint(target))"
                )
            }
            return .success
        }
    }

    /// How to bring the tickets into git, with the options this run used;
    /// an environment that keeps no tickets in git says so instead.
    func pullHint(_ target: PlatformSelection.Target) -> String {
        guard target.pullTickets else {
            return
                " (environment \(target.environment ?? "") keeps no tickets in git: its pull_tickets is not true)"
        }
        var command = "supportsync tickets pull"
        if let env { command += " --env \(PrintableText.escaping(env))" }
        // --db alone names this local database, whatever the environment's provider.
        if let db { command += " --platform local --db \(PrintableText.escaping(db))" }
        return ": \(command) brings them into tickets/"
    }
}
