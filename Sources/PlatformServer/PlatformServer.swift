import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import SupportSync

/// The HTTP API of SPEC section 5 served over any `AgentPlatform` (in
/// practice `LocalPlatform`): `supportsync platform serve`, and the real
/// server the HTTP client's tests talk to.
///
/// Every request needs `Authorization: Bearer <token>`; bodies over
/// `maxBodySize` are refused with 413; every failure is an `ErrorBody`.
public struct PlatformServer: Sendable {
    /// The largest request body accepted, 1 MiB. An agent or ticket is a few
    /// kilobytes; the limit only stops abuse.
    public static let maxBodySize = 1 << 20

    /// The platform whose state is served.
    public var platform: any AgentPlatform
    /// The address to bind; loopback unless told otherwise, so a local
    /// platform is not exposed to the network by accident.
    public var host: String
    /// The port to bind; 0 picks any free port (see `run(onListening:)`).
    public var port: Int
    public var logger: Logger
    /// How long a connection may stay silent: before the first request's
    /// headers are complete (a half-sent request), between body chunks, and
    /// between requests. A slow handler is never cut off by it.
    public var idleTimeout: Duration = .seconds(30)
    /// How long a request body may take to arrive, in all: a body trickled
    /// a byte at a time keeps the idle timeout at bay. One still arriving
    /// is refused with 400 and its connection closed (`CloseAfterAnswer`).
    public var bodyTimeout: Duration = .seconds(60)
    /// Kept private and out of every description and log line.
    let tokens: [ScopedToken]

    /// - Parameters:
    ///   - token: the bearer token with every scope; must not be empty (an
    ///     empty token would let anyone in).
    ///   - scopedTokens: more tokens, each allowed only its scopes.
    public init(
        platform: any AgentPlatform, token: String, scopedTokens: [ScopedToken] = [], host: String = "127.0.0.1",
        port: Int = 0, logger: Logger = Logger(label: "supportsync.platform-server")
    ) {
        precondition(!token.isEmpty, "the platform server needs a non-empty token")
        self.platform = platform
        self.tokens = [.full(token)] + scopedTokens
        self.host = host
        self.port = port
        self.logger = logger
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Binds, calls `onListening` with the port actually bound (useful with
    /// port 0), and serves until the calling task is cancelled or, with
    /// `shutdownOnSignals`, until SIGINT or SIGTERM. Either way the shutdown
    /// is graceful: the listener closes and requests in flight get up to
    /// `gracePeriod` to finish; then they are cancelled, and `run` returns
    /// once they have ended. Throws when the address cannot be bound.
    public func run(
        shutdownOnSignals: Bool = false, gracePeriod: Duration = .seconds(10),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let requestedPort = port
        let application = Application(
            router: makeRouter(),
            server: HTTPServerBuilder { responder in
                PlatformHTTP1Channel(
                    http1: HTTP1Channel(
                        responder: responder,
                        configuration: .init(
                            additionalChannelHandlers: [ParseErrorBody(), CloseAfterAnswer()],
                            idleTimeout: .nanoseconds(Self.nanoseconds(idleTimeout)))))
            },
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? requestedPort)
            },
            logger: logger
        )
        var configuration = ServiceGroupConfiguration(
            services: [application], gracefulShutdownSignals: shutdownOnSignals ? [.sigterm, .sigint] : [],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = gracePeriod
        // No deadline on the cancellation that follows the grace period:
        // ServiceGroup ends the whole process when one passes, and the
        // process may be a team's own program or a test run. A request stuck
        // past cancellation holds the shutdown until it ends.
        configuration.maximumCancellationDuration = nil
        let group = ServiceGroup(configuration: configuration)
        // Cancelling a ServiceGroup's own task cancels the services outright,
        // cutting requests off mid-answer. Running the group in a task of its
        // own and turning our cancellation into a graceful shutdown lets the
        // server drain instead.
        let serving = Task { try await group.run() }
        try await withTaskCancellationHandler {
            try await serving.value
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }
}

extension PlatformServer: CustomStringConvertible {
    /// Without the token, so the server can be logged safely.
    public var description: String { "PlatformServer(http://\(host):\(port))" }
}
