import Foundation
import Hummingbird
import PlatformClient
import SupportSync
import TestSupport
import Testing

/// Retries against a server that fails on purpose; every test counts the
/// attempts the server saw.
@Suite(.exclusive) struct RetryTests {
    static func busy(_ status: HTTPResponse.Status, retryAfter: String?) -> Response {
        FaultServer.error(status, .unavailable("busy"), headers: retryAfter.map { [.retryAfter: $0] } ?? [:])
    }

    @Test func a503WaitsForRetryAfterSecondsThenSucceeds() async throws {
        let start = ContinuousClock.now
        let (agent, attempts) = try await FaultServer.with({ _, number in
            number == 1 ? Self.busy(.serviceUnavailable, retryAfter: "1") : FaultServer.json(Fixtures.agent)
        }) { baseURL, log in
            let agent = try await Fixtures.withPlatform(baseURL) { try await $0.agent(id: "billing-line") }
            return (agent, await log.count)
        }
        #expect(agent == Fixtures.agent)
        #expect(attempts == 2)
        // The backoff alone would be at most 40 ms: only Retry-After explains a second.
        #expect(Fixtures.seconds(since: start) >= 0.95)
    }

    @Test func retriesAreToldAsTheyHappenAndTheFirstFailureIsKept() async throws {
        let told = LockedStrings()
        let error = try await FaultServer.with({ _, number in
            number == 1
                ? Self.busy(.serviceUnavailable, retryAfter: nil)
                : FaultServer.error(.internalServerError, .failed("broken"))
        }) { baseURL, _ in
            let platform = try HTTPPlatform(
                baseURL: baseURL, token: Fixtures.token, configuration: Fixtures.fast(), logger: Fixtures.quietLogger,
                onRetry: { told.append($0) })
            defer { Task { try? await platform.shutdown() } }
            return await #expect(throws: PlatformError.self) { try await platform.agent(id: "billing-line") }
        }
        let messages = told.all
        #expect(
            messages.first?.hasPrefix("platform busy (HTTP 503 on GET /v1/agents/billing-line); retrying in ") == true,
            "\(messages)")
        #expect(messages.first?.hasSuffix(", attempt 2") == true)
        #expect(messages.dropFirst().allSatisfy { $0.hasPrefix("platform error (HTTP 500") }, "\(messages)")
        // The last failure was a 500; the 503 that started it is kept.
        #expect(error?.message.contains("the first attempt failed with HTTP 503") == true, "\(error?.message ?? "")")
    }

    @Test func a429WithAnHTTPDateWaitsUntilThatDate() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let start = ContinuousClock.now
        let attempts = try await FaultServer.with({ _, number in
            // Two seconds ahead, truncated to the second: a wait of 1 to 2 s.
            number == 1
                ? Self.busy(.tooManyRequests, retryAfter: formatter.string(from: Date().addingTimeInterval(2)))
                : FaultServer.json(PlatformInfo(instance: "i"))
        }) { baseURL, log in
            _ = try await Fixtures.withPlatform(baseURL) { try await $0.info() }
            return await log.count
        }
        #expect(attempts == 2)
        #expect(Fixtures.seconds(since: start) >= 0.9)
    }

    @Test(arguments: [429, 502, 503, 504])
    func transientStatusesWithoutRetryAfterBackOffAndSucceed(status: Int) async throws {
        let attempts = try await FaultServer.with({ _, number in
            number <= 2 ? Self.busy(.init(code: status), retryAfter: nil) : FaultServer.json(Fixtures.agent)
        }) { baseURL, log in
            _ = try await Fixtures.withPlatform(baseURL) {
                try await $0.putAgent(
                    id: "billing-line", AgentWrite(Fixtures.agent.settings), expecting: .revision("3"))
            }
            return await log.count
        }
        #expect(attempts == 3)
    }

    @Test func aRetryAfterPastTheBudgetEndsRetryingAtOnce() async throws {
        let (error, attempts, elapsed) = try await FaultServer.with({ _, _ in
            Self.busy(.serviceUnavailable, retryAfter: "120")
        }) { baseURL, log in
            // Only the client's call is timed, not the server's start and stop.
            let start = ContinuousClock.now
            let error = await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL, Fixtures.fast(budget: .seconds(3))) {
                    try await $0.putAgent(
                        id: "billing-line", AgentWrite(Fixtures.agent.settings), expecting: .unconditional)
                }
            }
            return (error, await log.count, Fixtures.seconds(since: start))
        }
        #expect(attempts == 1)
        // Waiting for the server's 120 s would take far longer than this.
        #expect(elapsed < 60)
        #expect(error?.code == "unavailable")
        #expect(error?.message.hasPrefix("agent billing-line: HTTP 503 on PUT /v1/agents/billing-line: busy") == true)
        #expect(error?.message.contains("retry after 120 s, past the retry budget") == true, "\(error?.message ?? "")")
    }

    @Test func always503EndsWhenTheBudgetIsSpent() async throws {
        let (error, attempts, elapsed) = try await FaultServer.with({ _, _ in
            Self.busy(.serviceUnavailable, retryAfter: nil)
        }) {
            baseURL, log in
            let start = ContinuousClock.now
            let configuration = HTTPPlatform.Configuration(
                retry: .init(
                    maxAttempts: 1000, baseBackoff: .milliseconds(100), maxBackoff: .milliseconds(200),
                    budget: .seconds(3)))
            let error = await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL, configuration) { try await $0.ticket(id: "T-9") }
            }
            return (error, await log.count, Fixtures.seconds(since: start))
        }
        // At least one retry normally; on a machine starved by other tests
        // the first attempt alone may spend the budget. Retries themselves
        // are shown by attemptsAreBounded and the Retry-After tests.
        #expect(attempts >= 1 && attempts < 100, "\(attempts) attempts")
        // The 1000 attempts allowed would take minutes; the budget ends it.
        #expect(elapsed < 30, "\(elapsed) s")
        #expect(error?.code == "unavailable")
        // How retrying ended is said only when there was a retry.
        let base = "ticket T-9: HTTP 503 on GET /v1/tickets/T-9?reveal=true: busy"
        if attempts > 1 {
            #expect(
                error?.message.hasPrefix(base + "; gave up after \(attempts) attempts") == true,
                "\(error?.message ?? "")")
        } else {
            #expect(error?.message == base, "\(error?.message ?? "")")
        }
    }

    @Test func attemptsAreBounded() async throws {
        let (error, attempts) = try await FaultServer.with({ _, _ in Self.busy(.serviceUnavailable, retryAfter: "0") })
        {
            baseURL, log in
            let error = await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL, Fixtures.fast(maxAttempts: 3)) { try await $0.agents() }
            }
            return (error, await log.count)
        }
        #expect(attempts == 3)
        #expect(error?.code == "unavailable")
        #expect(
            error?.message.hasPrefix("agents: HTTP 503 on GET /v1/agents: busy; gave up after 3 attempts in ") == true)
    }

    /// A 500 is retried a couple of times, and only when repeating the request is safe.
    @Test(arguments: [("GET", 3), ("PUT", 3), ("POST", 3), ("PATCH with If-Match", 3), ("PATCH", 1)])
    func always500(request: String, expectedAttempts: Int) async throws {
        let (error, attempts) = try await FaultServer.with({ _, _ in
            FaultServer.error(.internalServerError, .failed("boom"))
        }) { baseURL, log in
            let error = await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL) { platform in
                    switch request {
                    case "GET": _ = try await platform.agent(id: "a")
                    case "PUT":
                        _ = try await platform.putAgent(
                            id: "a", AgentWrite(Fixtures.agent.settings), expecting: .unconditional)
                    case "POST": _ = try await platform.createTicket(Fixtures.draft, idempotencyKey: nil)
                    case "PATCH with If-Match":
                        _ = try await platform.patchTicket(id: "T-1", TicketPatch(status: .closed), expecting: "1")
                    default: _ = try await platform.patchTicket(id: "T-1", TicketPatch(status: .closed), expecting: nil)
                    }
                }
            }
            return (error, await log.count)
        }
        #expect(attempts == expectedAttempts)
        #expect(error?.code == "internal")
        #expect(
            error?.message.contains("HTTP 500 on ") == true && error?.message.contains(": boom") == true,
            "\(error?.message ?? "")")
    }

    /// A search and an erasure are safe to repeat as they are: retried
    /// after a 500, and sent with no Idempotency-Key, which the API does not
    /// take there (the platform keeps no trace of either request).
    @Test(arguments: ["search", "erase"])
    func aSearchOrAnErasureIsRetriedWithoutAKey(operation: String) async throws {
        let (error, requests) = try await FaultServer.with({ _, _ in
            FaultServer.error(.internalServerError, .failed("boom"))
        }) { baseURL, log in
            let error = await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL) { platform in
                    if operation == "search" {
                        _ = try await platform.tickets(ofCustomer: "ada@example.com")
                    } else {
                        _ = try await platform.erase(.ticket("T-1"), reason: "asked", by: "desk")
                    }
                }
            }
            return (error, await log.requests)
        }
        #expect(error?.code == "internal")
        #expect(requests.count == 3, "\(requests.map(\.target))")
        #expect(requests.allSatisfy { $0.method == "POST" && $0.header("Idempotency-Key") == nil })
    }

    @Test func aSlowAnswerTimesOutAndIsRetried() async throws {
        let (error, attempts, elapsed) = try await FaultServer.with({ _, _ in
            // Stopped when the server stops.
            try await Task.sleep(for: .seconds(600))
            return FaultServer.json(Fixtures.agent)
        }) { baseURL, log in
            let start = ContinuousClock.now
            let error = await #expect(throws: PlatformError.self) {
                // Long enough for each request to reach the server's log on a busy machine.
                try await Fixtures.withPlatform(baseURL, Fixtures.fast(maxAttempts: 2, requestTimeout: .seconds(2))) {
                    try await $0.agent(id: "billing-line")
                }
            }
            return (error, await log.count, Fixtures.seconds(since: start))
        }
        #expect(attempts == 2)
        #expect(error?.code == "unavailable")
        #expect(
            error?.message.hasPrefix(
                "agent billing-line: GET /v1/agents/billing-line: no answer within 2.0 s; gave up after 2 attempts in ")
                == true, "\(error?.message ?? "")")
        // One answer at the server's pace takes 10 minutes; the two timeouts
        // take 4 s (more on a busy machine).
        #expect(elapsed < 60, "each attempt stops at its timeout, not at the server's pace")
    }

    /// The request timeout runs to the answer's last byte: a body stalled
    /// halfway, or dripping a byte at a time, is cut off like a late head.
    @Test(arguments: [false, true])
    func aBodyThatStallsOrDripsTimesOutAndIsRetried(drips: Bool) async throws {
        let (error, attempts, elapsed) = try await FaultServer.with({ _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: #"{"id": "billing-line", "#))
                    // Stopped when the server stops.
                    for _ in 0..<1_200 {
                        try await Task.sleep(for: .milliseconds(500))
                        if drips { try await writer.write(ByteBuffer(string: " ")) }
                    }
                })
        }) { baseURL, log in
            let start = ContinuousClock.now
            let error = await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL, Fixtures.fast(maxAttempts: 2, requestTimeout: .seconds(2))) {
                    try await $0.agent(id: "billing-line")
                }
            }
            return (error, await log.count, Fixtures.seconds(since: start))
        }
        #expect(attempts == 2)
        #expect(error?.code == "unavailable")
        #expect(
            error?.message.contains("the answer began but was not complete within 2.0 s") == true,
            "\(error?.message ?? "")")
        #expect(elapsed < 60, "each attempt stops at its timeout, not at the server's pace")
    }

    @Test func aSlowAnswerIsNotRetriedForANonIdempotentPatch() async throws {
        let attempts = try await FaultServer.with({ _, _ in
            try await Task.sleep(for: .seconds(600))  // stopped when the server stops
            return FaultServer.json(Fixtures.ticket)
        }) { baseURL, log in
            await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL, Fixtures.fast(requestTimeout: .seconds(2))) {
                    try await $0.patchTicket(id: "T-1", TicketPatch(status: .closed), expecting: nil)
                }
            }
            return await log.count
        }
        #expect(attempts == 1)
    }

    @Test func aRefusedConnectionIsRetriedThenReported() async throws {
        let port = try await FaultServer.closedPort()
        let error = await #expect(throws: PlatformError.self) {
            try await Fixtures.withPlatform("http://127.0.0.1:\(port)", Fixtures.fast(maxAttempts: 3)) {
                try await $0.agent(id: "billing-line")
            }
        }
        #expect(error?.code == "unavailable")
        let message = error?.message ?? ""
        #expect(
            message.hasPrefix(
                "agent billing-line: GET /v1/agents/billing-line: could not connect to 127.0.0.1:\(port)"), "\(message)"
        )
        #expect(message.contains("gave up after 3 attempts"), "\(message)")
    }
}

/// Messages collected from another task.
final class LockedStrings: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var strings: [String] = []

    func append(_ text: String) { lock.withLock { strings.append(text) } }
    var all: [String] { lock.withLock { strings } }
}
