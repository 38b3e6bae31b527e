import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// Ends the connection after the answer to a request that did not ask to
/// keep it (RFC 9112 9.3): an HTTP/1.0 request without
/// `Connection: keep-alive`, or one with the `close` option in any case or
/// list (`Connection: Close`, `Connection: te, close`).
///
/// Hummingbird closes after a request whose `Connection` field is exactly
/// `close`, and the HTTP version is gone by the time its handlers see a
/// request, so an HTTP/1.0 client waiting for the end of the connection
/// waited for the idle timeout. This handler sits where the version is
/// still known, before the conversion to HTTP types: it writes such a
/// request's `Connection` field as `close`, and says `Connection: close` on
/// its answer.
final class CloseWhenAsked: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// For each request read and not yet answered, oldest first (requests
    /// may be pipelined): whether it asked to keep the connection.
    private var keepAlive: [Bool] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        keepAlive.append(head.isKeepAlive)
        if !head.isKeepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), head.status.code >= 200, !keepAlive.isEmpty else {
            context.write(data, promise: promise)
            return
        }
        if !keepAlive.removeFirst() { head.headers.replaceOrAdd(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }
}

/// Hummingbird's HTTP/1.1 channel with `CloseWhenAsked` in its pipeline,
/// before the conversion to HTTP types.
struct PlatformHTTP1Channel: ServerChildChannel {
    let http1: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let codec = try pipeline.handler(type: HTTP1ToHTTPServerCodec.self)
            try pipeline.addHandler(CloseWhenAsked(), position: .before(codec))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}
