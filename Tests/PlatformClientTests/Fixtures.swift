import Foundation
import Logging
import PlatformClient
import SupportSync

/// Shared values and set-up for the client tests.
enum Fixtures {
    /// Distinctive, so a search for it in messages and logs cannot hit anything else.
    static let token = "tok-7f3a9c-Zq81-secret"

    static let agent = Agent(
        id: "billing-line", name: "Billing line", channels: [.calls, .messages],
        support: SupportSettings(mode: .flag, flag: FlagSettings(priority: .high, tags: ["billing"])),
        version: "3", updatedAt: "2025-01-02T03:04:05Z")

    static let draft = TicketDraft(
        agent: "billing-line", channel: .calls, conversation: "conv-1", reason: "refund",
        summary: "wants a refund", customer: Customer(name: "Ada"), tags: ["billing"])

    static let ticket = Ticket(
        id: "T-1", agent: "billing-line", channel: .calls, conversation: "conv-1",
        createdAt: "2025-01-02T03:04:05Z", reason: "refund", summary: "wants a refund",
        customer: Customer(name: "Ada"), tags: ["billing"], updatedAt: "2025-01-02T03:04:05Z", version: "1")

    /// Small delays so retry tests take milliseconds, not the real policy's
    /// seconds. The timeouts are the product's: a test that means a timeout
    /// asks for a short one, and the others must not fail when a loaded
    /// machine stalls the test process for several seconds.
    static func fast(
        maxAttempts: Int = 5, budget: Duration = .seconds(30), requestTimeout: Duration = .seconds(30),
        serverErrorRetries: Int = 2
    ) -> HTTPPlatform.Configuration {
        HTTPPlatform.Configuration(
            connectTimeout: .seconds(10), requestTimeout: requestTimeout,
            retry: HTTPPlatform.RetryPolicy(
                maxAttempts: maxAttempts, baseBackoff: .milliseconds(10), maxBackoff: .milliseconds(40),
                budget: budget, serverErrorRetries: serverErrorRetries))
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    /// Runs `body` with a client of `baseURL`, shutting the client down after.
    static func withPlatform<T: Sendable>(
        _ baseURL: String, _ configuration: HTTPPlatform.Configuration = fast(), logger: Logger = quietLogger,
        token: String = token, _ body: (HTTPPlatform) async throws -> T
    ) async throws -> T {
        let platform = try HTTPPlatform(baseURL: baseURL, token: token, configuration: configuration, logger: logger)
        do {
            let result = try await body(platform)
            try await platform.shutdown()
            return result
        } catch {
            try? await platform.shutdown()
            throw error
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
