import Foundation
import Logging
import PlatformServer
import SupportSync

/// The real `PlatformServer`, in this process, on a loopback port the
/// system picks, over any platform (one that fails on purpose, say).
public struct InProcessServer: Sendable {
    /// `http://127.0.0.1:PORT`.
    public let url: String
    public let port: Int
    private let serving: Task<Void, any Error>

    /// Starts serving `platform`, once it listens.
    public static func start(
        platform: any AgentPlatform, token: String, logLevel: Logger.Level = .critical,
        idleTimeout: Duration? = nil, bodyTimeout: Duration? = nil
    ) async throws -> InProcessServer {
        var server = PlatformServer(platform: platform, token: token, port: 0)
        server.logger.logLevel = logLevel
        if let idleTimeout { server.idleTimeout = idleTimeout }
        if let bodyTimeout { server.bodyTimeout = bodyTimeout }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let serving = Task {
            // Ends the stream also when the server fails to start, so the
            // test fails instead of waiting forever.
            defer { continuation.finish() }
            try await server.run { port in continuation.yield(port) }
        }
        guard let port = await ports.first(where: { _ in true }) else {
            try await serving.value
            throw InProcessServerError()
        }
        return InProcessServer(url: "http://127.0.0.1:\(port)", port: port, serving: serving)
    }

    /// Cancels the server's task (a graceful shutdown) and waits for it.
    public func stop() async {
        serving.cancel()
        _ = await serving.result
    }

    /// Runs `body` against a server over `platform`, and always stops it.
    public static func with<T>(
        platform: any AgentPlatform, token: String, _ body: (InProcessServer) async throws -> T
    ) async throws -> T {
        let server = try await start(platform: platform, token: token)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(server))
        } catch {
            result = .failure(error)
        }
        await server.stop()
        return try result.get()
    }
}

struct InProcessServerError: Error, CustomStringConvertible {
    var description: String { "the in-process server did not listen" }
}
