import Foundation
import PlatformClient
import SupportSync
import Testing

/// Owning an HTTPClient: shutting it down, and forgetting to.
@Suite struct LifecycleTests {
    @Test func shutdownTwiceIsHarmlessAndLaterCallsFailAtOnce() async throws {
        let attempts = try await FaultServer.with(RequestShapeTests.happy) { baseURL, log in
            let platform = try HTTPPlatform(
                baseURL: baseURL, token: Fixtures.token, configuration: Fixtures.fast(), logger: Fixtures.quietLogger)
            _ = try await platform.info()
            try await platform.shutdown()
            try await platform.shutdown()
            await #expect(
                throws: PlatformError.failed(
                    "platform: GET /v1/platform: the client was already shut down (this is a bug)")
            ) {
                try await platform.info()
            }
            return await log.count
        }
        #expect(attempts == 1)
    }

    /// In a debug build an HTTPClient released while running traps; the
    /// client's deinit starts the shutdown so a forgotten `shutdown()` is a
    /// leak avoided rather than a crash. If this regresses, the test process dies.
    @Test func aClientDroppedWithoutShutdownDoesNotTrap() async throws {
        try await FaultServer.with(RequestShapeTests.happy) { baseURL, _ in
            var platform: HTTPPlatform? = try HTTPPlatform(
                baseURL: baseURL, token: Fixtures.token, configuration: Fixtures.fast(), logger: Fixtures.quietLogger)
            _ = try await platform?.info()
            platform = nil
            _ = try HTTPPlatform(baseURL: baseURL, token: Fixtures.token, logger: Fixtures.quietLogger)
            // Give the shutdowns time to finish, and the HTTPClients time to be released.
            try await Task.sleep(for: .milliseconds(300))
        }
    }
}
