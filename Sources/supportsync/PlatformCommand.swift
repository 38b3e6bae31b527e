import ArgumentParser
import Foundation
import LocalPlatform
import PlatformServer
import SupportSync

struct PlatformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform",
        abstract: "Work with the local agent platform.",
        subcommands: [ServeCommand.self]
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
        help: "The SQLite file of the platform (default: .supportsync/platform.sqlite in the repository).",
        completion: .file())
    var db: String?

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
        try await reportingErrors {
            let path = try db ?? LocalPlatform.defaultPath(root: repository.root())
            let platform = try LocalPlatform(path: path)
            let environment = ProcessInfo.processInfo.environment
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
                // Mostly a port in use; NIO's own message does not say which.
                throw ServeError(description: "cannot serve on \(shownHost):\(port): \(error)")
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
