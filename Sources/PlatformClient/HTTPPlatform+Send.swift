import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import SupportSync

/// The last HTTP answer to a request, once retrying is over.
package struct Exchange: Sendable {
    package var status: Int
    package var headers: HTTPHeaders
    package var body: ByteBuffer
    /// Why retrying stopped, when it was tried: "gave up after 3 attempts in 1.2 s".
    package var note: String?
    /// An earlier attempt may have been carried out by the server before its
    /// answer was lost, so a 412 now may be about our own write.
    var earlierAttemptMayHaveLanded: Bool
}

/// What one attempt came to.
enum AttemptOutcome {
    case answer(status: Int, headers: HTTPHeaders, body: ByteBuffer)
    /// No (complete) answer; `mayHaveArrived` is false when no connection was made.
    case noAnswer(mayHaveArrived: Bool, reason: String)
    case tooLarge
    case cancelled
    /// `shutdown()` was called: retrying cannot help.
    case shutDown
}

extension HTTPPlatform {
    /// Sends `request` until it gets an answer that is not worth retrying or
    /// the retry policy says stop, and returns that answer. Throws when there
    /// was no answer at all.
    package func send(_ request: PlatformRequest) async throws(PlatformError) -> Exchange {
        let clock = ContinuousClock()
        var planner = RetryPlanner(policy: configuration.retry, start: clock.now)
        var mayHaveLanded = false
        /// Why the first attempt failed: kept in the final error when the last one failed otherwise.
        var firstFailure: String?
        let label = "\(request.resource): \(shown(request))"
        while true {
            planner.attempting()
            let outcome = await attempt(request, number: planner.attempts)
            let failure: RetryPlanner.Failure
            switch outcome {
            case .answer(let status, let headers, let body):
                guard RetryPlanner.isRetryable(status: status) else {
                    return Exchange(
                        status: status, headers: headers, body: body, note: nil,
                        earlierAttemptMayHaveLanded: mayHaveLanded)
                }
                failure = .status(status, retryAfter: headers.first(name: "Retry-After"))
            case .noAnswer(let mayHaveArrived, _):
                failure = .connection(mayHaveArrived: mayHaveArrived)
            case .tooLarge:
                throw .tooLarge("\(label): the answer is larger than \(configuration.maxResponseBytes) bytes")
            case .cancelled:
                throw .unavailable("\(label): cancelled")
            case .shutDown:
                throw .failed("\(label): the client was already shut down (this is a bug)")
            }

            let described = Self.describe(failure, outcome)
            if firstFailure == nil { firstFailure = described }
            switch planner.next(after: failure, idempotent: request.isIdempotent, now: clock.now, date: Date()) {
            case .retry(let wait):
                let state: String
                switch failure {
                case .status(429, _), .status(503, _): state = "platform busy"
                case .status: state = "platform error"
                case .connection: state = "platform unreachable"
                }
                onRetry?(
                    token.redacting(
                        "\(state) (\(described) on \(shown(request))); retrying in \(RetryPlanner.seconds(wait)), "
                            + "attempt \(planner.attempts + 1)"))
                logger.info(
                    "retrying a platform request",
                    metadata: [
                        "request": "\(label)", "failure": "\(Self.describe(failure, outcome))",
                        "attempt": "\(planner.attempts)", "wait": "\(RetryPlanner.seconds(wait))",
                    ])
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    throw .unavailable("\(label): cancelled")
                }
                switch failure {
                case .status(429, _), .status(503, _), .connection(mayHaveArrived: false): break
                case .status, .connection: mayHaveLanded = true
                }
            case .giveUp(let reason):
                var notes: [String] = []
                if let reason { notes.append(reason) }
                if planner.attempts > 1, let firstFailure, firstFailure != described {
                    notes.append("the first attempt failed with \(firstFailure)")
                }
                if planner.attempts > 1 {
                    notes.append(
                        "gave up after \(planner.attempts) attempts in \(RetryPlanner.seconds(clock.now - planner.start))"
                    )
                }
                let note = notes.isEmpty ? nil : notes.joined(separator: "; ")
                switch outcome {
                case .answer(let status, let headers, let body):
                    return Exchange(
                        status: status, headers: headers, body: body, note: note,
                        earlierAttemptMayHaveLanded: mayHaveLanded)
                case .noAnswer(_, let reason):
                    throw .unavailable(token.redacting("\(label): \(reason)" + (note.map { "; " + $0 } ?? "")))
                case .tooLarge, .cancelled, .shutDown:
                    preconditionFailure("handled before the planner is asked")
                }
            }
        }
    }

    private static func describe(_ failure: RetryPlanner.Failure, _ outcome: AttemptOutcome) -> String {
        switch (failure, outcome) {
        case (.status(let status, _), _): return "HTTP \(status)"
        case (_, .noAnswer(_, let reason)): return reason
        default: return "\(failure)"
        }
    }

    /// One attempt: never throws, so that the loop above decides everything.
    private func attempt(_ request: PlatformRequest, number: Int) async -> AttemptOutcome {
        var http = HTTPClientRequest(url: baseURL + request.target)
        switch request.method {
        case .get: http.method = .GET
        case .put: http.method = .PUT
        case .post: http.method = .POST
        case .patch: http.method = .PATCH
        case .delete: http.method = .DELETE
        }
        http.headers.add(name: "Authorization", value: token.authorization)
        http.headers.add(name: "Accept", value: "application/json")
        http.headers.add(name: "User-Agent", value: "supportsync")
        if let body = request.body {
            http.headers.add(name: "Content-Type", value: "application/json")
            http.body = .bytes(ByteBuffer(bytes: body))
        }
        if let ifMatch = request.ifMatch {
            http.headers.add(name: "If-Match", value: PlatformRequest.entityTag(ifMatch))
        }
        if request.ifNoneMatchAny { http.headers.add(name: "If-None-Match", value: "*") }
        if let key = request.idempotencyKey {
            http.headers.add(name: "Idempotency-Key", value: key)
        }
        // Only the method, the path and the attempt: headers hold the token.
        logger.debug(
            "platform request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(token.redacting(basePath + request.target))",
                "attempt": "\(number)",
            ])
        do {
            // The timeout AsyncHTTPClient takes ends with the answer's head;
            // the body, sent slowly or stalled halfway, has the rest of it.
            let deadline = ContinuousClock.now + configuration.requestTimeout
            let response = try await client.execute(
                http, timeout: Self.timeAmount(configuration.requestTimeout), logger: transportLogger)
            let body = try await Self.collect(response, upTo: configuration.maxResponseBytes, by: deadline)
            logger.debug(
                "platform answer",
                metadata: [
                    "path": "\(token.redacting(basePath + request.target))", "status": "\(response.status.code)",
                    "bytes": "\(body.readableBytes)",
                ])
            return .answer(status: Int(response.status.code), headers: response.headers, body: body)
        } catch is NIOTooManyBytesError {
            return .tooLarge
        } catch {
            if Task.isCancelled || error is CancellationError || (error as? HTTPClientError) == .cancelled {
                return .cancelled
            }
            if (error as? HTTPClientError) == .alreadyShutdown {
                return .shutDown
            }
            let (mayHaveArrived, reason) = classify(error)
            logger.debug(
                "platform request failed",
                metadata: ["path": "\(token.redacting(basePath + request.target))", "reason": "\(reason)"])
            return .noAnswer(mayHaveArrived: mayHaveArrived, reason: reason)
        }
    }

    /// The answer's head came, its body not in full by the deadline.
    private struct BodyDeadline: Error {}

    /// The whole body of `response`, or `BodyDeadline` at `deadline`: the
    /// body's task is then cancelled, and the request with it.
    private static func collect(
        _ response: HTTPClientResponse, upTo limit: Int, by deadline: ContinuousClock.Instant
    ) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await response.body.collect(upTo: limit) }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard case let body?? = try await group.next() else { throw BodyDeadline() }
            return body
        }
    }

    /// Whether the request may have reached the server, and what went wrong
    /// in words. Errors raised while connecting mean nothing was sent.
    private func classify(_ error: any Error) -> (mayHaveArrived: Bool, reason: String) {
        let connect = RetryPlanner.seconds(configuration.connectTimeout)
        switch error {
        case is BodyDeadline:
            return (
                true,
                "the answer began but was not complete within \(RetryPlanner.seconds(configuration.requestTimeout))"
            )
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout, .httpProxyHandshakeTimeout,
                .socksHandshakeTimeout:
                return (false, "could not connect to \(authority) within \(connect)")
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return (true, "no answer within \(RetryPlanner.seconds(configuration.requestTimeout))")
            case .remoteConnectionClosed:
                return (true, "the connection closed before the answer was complete")
            default:
                return (true, "the request failed: \(error)")
            }
        case let error as NIOConnectionError:
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return (false, "could not resolve the host of \(authority)")
            }
            let reasons = error.connectionErrors.map { failure in
                (failure.error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(failure.error)"
            }
            return (false, "could not connect to \(authority): \(reasons.last ?? "no address to connect to")")
        case ChannelError.connectTimeout(_):
            return (false, "could not connect to \(authority) within \(connect)")
        case let error as IOError:
            let reason = String(cString: strerror(error.errnoCode))
            // These come only from connect(2): the request was never sent.
            if [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL].contains(error.errnoCode) {
                return (false, "could not connect to \(authority): \(reason)")
            }
            return (true, "the connection to \(authority) failed: \(reason)")
        default:
            return (true, "the request failed: \(error)")
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .nanoseconds(.max) : .nanoseconds(nanoseconds &+ attoseconds / 1_000_000_000)
    }
}
