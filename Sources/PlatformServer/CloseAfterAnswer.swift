import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Ends the connection once a `CONNECT` request is answered. The API has
/// no tunnel: a `CONNECT` gets the 405 (or 401) every unknown method gets.
/// But SwiftNIO's HTTP/1.1 codec frames every answer to a `CONNECT` without
/// a body (RFC 9112 6.3, which only 2xx answers need) and parses nothing
/// after that request, so the connection could only wait for the idle
/// timeout. `Connection: close`, and the close itself, tell the client the
/// answer is whole at once.
final class ConnectClose: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests read and final answers written on this connection, and the
    /// number of the `CONNECT` request (requests may be pipelined).
    private var requests = 0
    private var answers = 0
    private var connectRequest: Int?
    private var closing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            requests += 1
            if head.method == .connect, connectRequest == nil { connectRequest = requests }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.kind != .informational:
            answers += 1
            guard answers == connectRequest else { break }
            closing = true
            head.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
            return
        case .end where closing:
            let written = promise ?? context.eventLoop.makePromise()
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
            context.write(data, promise: written)
            return
        default:
            break
        }
        context.write(data, promise: promise)
    }
}
