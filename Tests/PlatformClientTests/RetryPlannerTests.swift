import Foundation
import Testing

@testable import PlatformClient

/// The retry decisions on their own, with the clock and the dice in the test's hands.
@Suite struct RetryPlannerTests {
    let start = ContinuousClock.now
    let policy = HTTPPlatform.RetryPolicy(
        maxAttempts: 4, baseBackoff: .milliseconds(100), maxBackoff: .milliseconds(300), budget: .seconds(10),
        serverErrorRetries: 2)

    func planner(attempts: Int = 1) -> RetryPlanner {
        var planner = RetryPlanner(policy: policy, start: start)
        for _ in 0..<attempts { planner.attempting() }
        return planner
    }

    func decide(
        _ failure: RetryPlanner.Failure, idempotent: Bool = true, attempts: Int = 1, after elapsed: Duration = .zero
    ) -> RetryPlanner.Decision {
        var planner = planner(attempts: attempts)
        return planner.next(
            after: failure, idempotent: idempotent, now: start + elapsed, date: Date(), random: { $0.upperBound })
    }

    @Test func whatIsRetried() {
        #expect(decide(.status(503, retryAfter: "2")) == .retry(after: .seconds(2)))
        #expect(decide(.status(429, retryAfter: "0")) == .retry(after: .zero))
        #expect(decide(.status(429, retryAfter: nil), idempotent: false) == .retry(after: .milliseconds(100)))
        #expect(
            decide(.status(503, retryAfter: "soon")) == .retry(after: .milliseconds(100)),
            "an unreadable Retry-After falls back to backoff")
        #expect(decide(.connection(mayHaveArrived: false), idempotent: false) == .retry(after: .milliseconds(100)))
        #expect(decide(.connection(mayHaveArrived: true)) == .retry(after: .milliseconds(100)))
        #expect(decide(.status(502, retryAfter: nil)) == .retry(after: .milliseconds(100)))
        #expect(decide(.status(500, retryAfter: nil)) == .retry(after: .milliseconds(100)))
    }

    @Test func whatIsNot() {
        let notIdempotent = RetryPlanner.Decision.giveUp(
            reason:
                "not retried, as it may have been carried out before the answer was lost: run the command again, which finds what it did"
        )
        #expect(decide(.connection(mayHaveArrived: true), idempotent: false) == notIdempotent)
        #expect(decide(.status(504, retryAfter: nil), idempotent: false) == notIdempotent)
        #expect(
            decide(.status(500, retryAfter: nil), idempotent: false)
                == .giveUp(
                    reason:
                        "not retried, as the platform may have carried it out before it failed: run the command again, which finds what it did"
                ))
        for status in [400, 401, 403, 404, 409, 412, 413, 422] {
            #expect(decide(.status(status, retryAfter: "1")) == .giveUp(reason: nil), "\(status)")
            #expect(!RetryPlanner.isRetryable(status: status))
        }
        #expect(decide(.status(503, retryAfter: nil), attempts: 4) == .giveUp(reason: nil), "max attempts")
    }

    /// By default the budget, not a count, ends the retries of a busy
    /// server: a rate limit of a few requests a second answers many 429s
    /// within a few seconds (eight attempts were spent in seven).
    @Test func byDefaultABusyServerIsRetriedForAsLongAsTheBudget() {
        var planner = RetryPlanner(policy: HTTPPlatform.RetryPolicy(), start: start)
        var waited = Duration.zero
        var attempts = 0
        while true {
            planner.attempting()
            attempts += 1
            let decision = planner.next(
                after: .status(429, retryAfter: "1"), idempotent: true, now: start + waited, date: Date())
            guard case .retry(let wait) = decision else { break }
            waited += wait
        }
        #expect(attempts >= 25 && waited >= .seconds(24), "\(attempts) attempts over \(waited)")
    }

    @Test func backoffDoublesUpToItsCapWithFullJitter() {
        let caps = (1...5).map { attempts in
            var planner = planner(attempts: attempts)
            return planner.next(
                after: .status(502, retryAfter: nil), idempotent: true, now: start, date: Date(),
                random: { $0.upperBound })
        }
        #expect(
            caps.prefix(3) == [
                .retry(after: .milliseconds(100)), .retry(after: .milliseconds(200)), .retry(after: .milliseconds(300)),
            ])
        var ranges: [ClosedRange<Double>] = []
        _ = planner(attempts: 2).backoff(random: {
            ranges.append($0)
            return $0.lowerBound
        })
        #expect(ranges == [0...0.2], "full jitter draws from zero up to the cap")
    }

    @Test func serverErrorsAreRetriedOnlyACoupleOfTimes() {
        var planner = planner(attempts: 0)
        var decisions: [RetryPlanner.Decision] = []
        for _ in 0..<4 {
            planner.attempting()
            decisions.append(
                planner.next(
                    after: .status(500, retryAfter: nil), idempotent: true, now: start, date: Date(), random: { _ in 0 }
                ))
        }
        #expect(decisions == [.retry(after: .zero), .retry(after: .zero), .giveUp(reason: nil), .giveUp(reason: nil)])
    }

    @Test func theBudgetBoundsEveryWait() {
        #expect(decide(.status(503, retryAfter: nil), after: .seconds(10)) == .giveUp(reason: nil))
        #expect(decide(.status(503, retryAfter: "3"), after: .seconds(6)) == .retry(after: .seconds(3)))
        #expect(
            decide(.status(503, retryAfter: "5"), after: .seconds(6))
                == .giveUp(reason: "the server asked to retry after 5.0 s, past the retry budget"))
        #expect(decide(.connection(mayHaveArrived: false), after: .milliseconds(9950)) == .giveUp(reason: nil))
    }

    @Test(arguments: [
        ("0", 0.0), ("1", 1.0), (" 120 ", 120.0),
        ("Sun, 06 Nov 1994 08:49:39 GMT", 2.0), ("Sunday, 06-Nov-94 08:49:39 GMT", 2.0),
        ("Sun Nov  6 08:49:39 1994", 2.0), ("Sun, 06 Nov 1994 08:49:30 GMT", 0.0),
    ])
    func retryAfterForms(header: String, seconds: Double) throws {
        let now = try #require(RetryAfter.httpDate("Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(RetryAfter.delay(header, now: now).map(RetryPlanner.secondsValue) == seconds)
    }

    @Test(arguments: ["", "-1", "1.5", "+3", "soon", "Sun, 06 Nov 1994"])
    func unreadableRetryAfter(header: String) {
        #expect(RetryAfter.delay(header, now: Date()) == nil)
    }

    @Test func anEnormousRetryAfterIsAVeryLongWaitNotAnError() {
        #expect(RetryAfter.delay("99999999999999999999999", now: Date()) == .seconds(Int64.max))
    }
}
