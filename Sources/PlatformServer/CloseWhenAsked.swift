import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// Marks a request that did not ask to keep the connection (RFC 9112 9.3)
/// for `CloseAfterAnswer`, which ends the connection after its answer: an
/// HTTP/1.0 request without `Connection: keep-alive`, or one with the
/// `close` option in any case or list (`Connection: Close`,
/// `Connection: te, close`) has its `Connection` field written as `close`.
///
/// The HTTP version is gone once a request is converted to HTTP types, as
/// `CloseAfterAnswer` and Hummingbird see it, so this handler sits before
/// that conversion. Without it, an HTTP/1.0 client waiting for the end of
/// the connection waited for the idle timeout.
final class CloseWhenAsked: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data), !head.isKeepAlive else {
            context.fireChannelRead(data)
            return
        }
        head.headers.replaceOrAdd(name: "connection", value: "close")
        context.fireChannelRead(wrapInboundOut(.head(head)))
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
