import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Ends the connection after an answer that leaves nothing more to read on
/// it, with `Connection: close` on the answer so the client knows it is whole:
///
/// - An answer to a `CONNECT`. The API has no tunnel: a `CONNECT` gets the
///   405 (or 401) every unknown method gets. But SwiftNIO's HTTP/1.1 codec
///   frames every answer to a `CONNECT` without a body (RFC 9112 6.3, which
///   only 2xx answers need) and parses nothing after that request, so the
///   connection could only wait for the idle timeout.
/// - An answer written before its request has wholly arrived: a body
///   refused as too large, or as too slow (`PlatformServer.bodyTimeout`),
///   or not read at all. The rest of the body is still read (a client that
///   sends it at once then reads the answer cleanly), but for `linger` at
///   most: a client trickling a byte at a time would otherwise hold the
///   connection for as long as it likes, each byte resetting the idle timeout.
///
/// A request that arrives after the one whose answer ends the connection
/// (pipelined behind it) is never passed on: it is not carried out, as
/// nothing will answer it (RFC 9112 9.6), and the client, told
/// `Connection: close`, may send it again on a new connection.
final class CloseAfterAnswer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long the rest of a request is read after its early answer.
    let linger: TimeAmount

    /// Requests begun and ended, and final answers written, on this
    /// connection (requests may be pipelined), and the number of the
    /// `CONNECT` request.
    private var requests = 0
    private var endedRequests = 0
    private var answers = 0
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
        let part = unwrapInboundIn(data)
        if case .head(let head) = part {
            requests += 1
            if head.method == .connect, connectRequest == nil { connectRequest = requests }
        }
        if let closingRequest, requests > closingRequest { return }
        if case .end = part { endedRequests += 1 }
        context.fireChannelRead(data)
        // The last of a request answered early: nothing is left to wait for.
        if answered, endedRequests >= answers { context.close(promise: nil) }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.kind != .informational:
            answers += 1
            guard closingRequest == nil, answers == connectRequest || endedRequests < answers else { break }
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
                if handler.answers == handler.connectRequest || handler.endedRequests >= handler.answers {
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
