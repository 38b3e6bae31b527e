import Foundation

/// Decides, after each failed attempt of one logical request, whether to
/// try again and after how long (see `HTTPPlatform.RetryPolicy`). Pure: the
/// clock and the random source come in, so tests can drive it.
struct RetryPlanner {
    /// Why an attempt failed, as far as retrying is concerned.
    enum Failure: Equatable {
        /// An HTTP answer with a status the caller may want retried.
        case status(Int, retryAfter: String?)
        /// No answer. `mayHaveArrived` is false when the connection never came up,
        /// so the server cannot have acted on the request.
        case connection(mayHaveArrived: Bool)
    }

    enum Decision: Equatable {
        case retry(after: Duration)
        /// Stop here; `reason` says why when it is not plain (the failure
        /// itself is reported by the caller).
        case giveUp(reason: String?)
    }

    let policy: HTTPPlatform.RetryPolicy
    let start: ContinuousClock.Instant
    /// Attempts made so far, the failed one included.
    private(set) var attempts = 0
    private var serverErrorRetries = 0

    init(policy: HTTPPlatform.RetryPolicy, start: ContinuousClock.Instant) {
        self.policy = policy
        self.start = start
    }

    /// Counts an attempt about to be sent.
    mutating func attempting() {
        attempts += 1
    }

    /// Statuses worth another attempt for some request; all others are final at once.
    static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }

    mutating func next(
        after failure: Failure, idempotent: Bool, now: ContinuousClock.Instant, date: Date,
        random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }
    ) -> Decision {
        var requested: Duration?
        switch failure {
        case .status(429, let retryAfter), .status(503, let retryAfter):
            // The server says it did not act on the request: safe for any request.
            requested = retryAfter.flatMap { RetryAfter.delay($0, now: date) }
        case .status(502, _), .status(504, _), .connection(mayHaveArrived: true):
            // The server may have acted before the answer was lost.
            guard idempotent else {
                return .giveUp(
                    reason:
                        "not retried, as it may have been carried out before the answer was lost: run the command again, which finds what it did"
                )
            }
        case .connection(mayHaveArrived: false):
            break
        case .status(let status, _) where (500...599).contains(status):
            guard idempotent else {
                return .giveUp(
                    reason:
                        "not retried, as the platform may have carried it out before it failed: run the command again, which finds what it did"
                )
            }
            guard serverErrorRetries < policy.serverErrorRetries else { return .giveUp(reason: nil) }
            serverErrorRetries += 1
        case .status:
            return .giveUp(reason: nil)
        }
        guard attempts < policy.maxAttempts else { return .giveUp(reason: nil) }
        let remaining = policy.budget - (now - start)
        if let requested {
            // Waiting less than asked would disrespect the server; waiting
            // and then failing anyway only delays the report.
            guard requested <= remaining else {
                return .giveUp(
                    reason: "the server asked to retry after \(Self.seconds(requested)), past the retry budget")
            }
            return .retry(after: requested)
        }
        let wait = backoff(random: random)
        guard wait <= remaining else { return .giveUp(reason: nil) }
        return .retry(after: wait)
    }

    /// Full jitter: uniformly random in `0 ... min(maxBackoff, baseBackoff * 2^(attempts-1))`,
    /// so that many clients failing together do not retry together.
    func backoff(random: (ClosedRange<Double>) -> Double) -> Duration {
        let base = Self.secondsValue(policy.baseBackoff)
        let cap = min(Self.secondsValue(policy.maxBackoff), base * pow(2, Double(max(0, attempts - 1))))
        return .seconds(random(0...max(0, cap)))
    }

    static func secondsValue(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// "1.5 s", for messages.
    static func seconds(_ duration: Duration) -> String {
        let value = secondsValue(duration)
        if value >= 1e9 { return "a very long time" }
        return String(format: value < 10 ? "%.1f s" : "%.0f s", value)
    }
}

/// The `Retry-After` header (RFC 9110 section 10.2.3).
enum RetryAfter {
    /// The wait the header asks for, from `now`; nil when it is neither
    /// delta-seconds nor an HTTP-date. A date in the past means no wait.
    static func delay(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            // Too many digits for Int64 is still a (very long) wait.
            return .seconds(Int64(text) ?? Int64.max)
        }
        guard let date = httpDate(text) else { return nil }
        return .seconds(max(0, date.timeIntervalSince(now)))
    }

    /// IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must accept.
    static func httpDate(_ text: String) -> Date? {
        // asctime pads single-digit days with a space: "Nov  6".
        let text = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
