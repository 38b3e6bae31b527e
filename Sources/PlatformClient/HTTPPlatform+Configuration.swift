extension HTTPPlatform {
    /// Timeouts, retries and limits of an `HTTPPlatform`. The defaults suit
    /// `apply` (SPEC section 6: retries within 60 s in all); tests shrink them.
    public struct Configuration: Sendable, Hashable {
        /// How long to wait for a TCP (and TLS) connection before the attempt
        /// counts as a connection failure.
        public var connectTimeout: Duration
        /// How long one attempt may take, from sending the request to the
        /// last byte of the answer.
        public var requestTimeout: Duration
        /// When and how often a failed attempt is tried again.
        public var retry: RetryPolicy
        /// Answers larger than this are refused rather than buffered: a page
        /// of tickets is large, but a server streaming without end must not
        /// exhaust memory.
        public var maxResponseBytes: Int
        /// Whether `tickets(after:limit:sealing:)` asks for the next page of
        /// the feed as soon as a page's answer arrives, before decoding it,
        /// so that the platform prepares it and the round trip passes in the
        /// meantime. The request is sent, and retried, in the background (its
        /// retries are reported through `onRetry` like any other); its answer
        /// is kept until the next call, which uses it when it asks for that
        /// very page, or `shutdown()`. For a caller that reads the feed to its
        /// end, as a pull does; one that reads a single page would send a
        /// request it never uses (a GET, so harmless).
        public var readsFeedAhead: Bool

        public init(
            connectTimeout: Duration = .seconds(5),
            requestTimeout: Duration = .seconds(30),
            retry: RetryPolicy = RetryPolicy(),
            maxResponseBytes: Int = 64 << 20,
            readsFeedAhead: Bool = false
        ) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.retry = retry
            self.maxResponseBytes = maxResponseBytes
            self.readsFeedAhead = readsFeedAhead
        }
    }

    /// Which failures are tried again, and for how long.
    ///
    /// - 429 and 503 wait for `Retry-After` (delta-seconds or an HTTP-date)
    ///   when the server sends it, otherwise back off like a connection failure.
    /// - Connection failures, timeouts, 502 and 504 back off exponentially
    ///   with full jitter: a random wait in `0 ... min(maxBackoff, baseBackoff * 2^n)`.
    /// - 500 and other 5xx are tried again at most `serverErrorRetries` times,
    ///   and only for idempotent requests.
    /// - Any other 4xx is final.
    ///
    /// Every retry must start within `budget` of the first attempt; a server
    /// asking to wait past the budget ends the retries at once.
    public struct RetryPolicy: Sendable, Hashable {
        /// Attempts in all, the first included. 1 turns retries off.
        public var maxAttempts: Int
        /// The backoff cap of the first retry; it doubles with each retry.
        public var baseBackoff: Duration
        /// No backoff cap grows beyond this (Retry-After is not capped by it).
        public var maxBackoff: Duration
        /// Wall time from the first attempt within which retries may start.
        public var budget: Duration
        /// How many times a 500 (or another 5xx that is not 502/503/504) is
        /// tried again for an idempotent request.
        public var serverErrorRetries: Int

        public init(
            maxAttempts: Int = 30,
            baseBackoff: Duration = .milliseconds(500),
            maxBackoff: Duration = .seconds(10),
            budget: Duration = .seconds(60),
            serverErrorRetries: Int = 2
        ) {
            self.maxAttempts = max(1, maxAttempts)
            self.baseBackoff = baseBackoff
            self.maxBackoff = maxBackoff
            self.budget = budget
            self.serverErrorRetries = max(0, serverErrorRetries)
        }

        /// No retries at all: every failure is reported as it happens.
        public static let none = RetryPolicy(maxAttempts: 1, budget: .zero, serverErrorRetries: 0)
    }
}
