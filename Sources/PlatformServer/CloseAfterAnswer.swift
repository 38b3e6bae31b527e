import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Ends the connection after an answer that leaves nothing more to read on
/// it, with `Connection: close` on the answer so the client knows it is whole:
///
/// - An answer to a request that did not ask to keep the connection (its
///   `Connection` field is `close`, as `CloseWhenAsked` writes it for
///   HTTP/1.0 and for `close` in any form). The field is taken off before
///   Hummingbird sees the request: Hummingbird would stop reading after
///   the answer and only half-close, leaving a body still arriving unread
///   (so a reset, not a close) and the connection open until the client
///   closed it.
/// - An answer to a `CONNECT`. The API has no tunnel: a `CONNECT` gets the
///   405 (or 401) every unknown method gets. But SwiftNIO's HTTP/1.1 codec
///   frames every answer to a `CONNECT` without a body (RFC 9112 6.3, which
///   only 2xx answers need) and parses nothing after that request, so the
///   connection could only wait for the idle timeout.
/// - An answer written before its request has wholly arrived: a body
///   refused as too large, or as too slow (`PlatformServer.bodyTimeout`),
///   or not read at all.
///
/// Once that answer is written, the rest of its request is read and
/// dropped (a client that sends it at once then reads the answer cleanly),
/// for `linger` at most: a client trickling a byte at a time would
/// otherwise hold the connection for as long as it likes, each byte
/// resetting the idle timeout. A request that arrives after it (pipelined
/// behind it) is never passed on: it is not carried out, as nothing will
/// answer it (RFC 9112 9.6), and the client, told `Connection: close`, may
/// send it again on a new connection.
final class CloseAfterAnswer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long the rest of a request is read after its early answer.
    let linger: TimeAmount

    /// Requests begun and ended, and final answers written, on this
    /// connection (requests may be pipelined).
    private var requests = 0
    private var endedRequests = 0
    private var answers = 0
    /// The first request whose answer is to end the connection, known when
    /// it is read: a `CONNECT`, or one that did not ask to keep it; and
    /// the `CONNECT`'s number.
    private var lastRequest: Int?
    private var connectRequest: Int?
    /// The request whose answer ends the connection, once that answer's
    /// head is written; the answer is whole once `answered`.
    private var closingRequest: Int?
    private var answered = false
    /// The close after `linger`, cancelled when the connection ends first.
    private var lingering: Scheduled<Void>?

    init(linger: TimeAmount = .seconds(2)) {
        self.linger = linger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        if case .head(var head) = part {
            requests += 1
            if head.headerFields[.connection] == "close" {
                head.headerFields[.connection] = nil
                part = .head(head)
                if lastRequest == nil { lastRequest = requests }
            }
            if head.method == .connect, connectRequest == nil {
                connectRequest = requests
                if lastRequest == nil { lastRequest = requests }
            }
        }
        if let last = closingRequest ?? lastRequest, requests > last { return }
        if case .end = part { endedRequests += 1 }
        guard !answered else {
            // The rest of the request answered last: read, never passed on.
            if endedRequests >= answers { context.close(promise: nil) }
            return
        }
        context.fireChannelRead(wrapInboundOut(part))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.kind != .informational:
            answers += 1
            guard closingRequest == nil, answers == lastRequest || endedRequests < answers else { break }
            closingRequest = answers
            head.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
            return
        case .end where closingRequest != nil && !answered:
            let written = promise ?? context.eventLoop.makePromise()
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            written.futureResult.whenComplete { _ in
                let (handler, context) = bound.value
                handler.answered = true
                // A CONNECT's request is never seen to end: nothing after it is parsed.
                if handler.endedRequests >= handler.answers || handler.answers == handler.connectRequest {
                    context.close(promise: nil)
                } else {
                    handler.lingering = context.eventLoop.scheduleTask(in: handler.linger) {
                        bound.value.1.close(promise: nil)
                    }
                }
            }
            context.write(data, promise: written)
            return
        default:
            break
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        lingering?.cancel()
        lingering = nil
        context.fireChannelInactive()
    }
}
