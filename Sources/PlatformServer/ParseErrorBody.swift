import Foundation
import Hummingbird
import NIOCore
import NIOHTTPTypes
import PlatformWire
import SupportSync

/// Gives the one answer Hummingbird writes before any middleware runs, the
/// 400 for a request that is not valid HTTP (a malformed request line or
/// header), the API's JSON error body like every other failure.
final class ParseErrorBody: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let body: ByteBuffer = {
        let error = PlatformError.badRequest("the request is not valid HTTP/1.1")
        guard let data = try? JSONCoding.encoder().encode(ErrorBody(error)) else {
            preconditionFailure("encoding an error body cannot fail")
        }
        return ByteBuffer(bytes: data)
    }()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Hummingbird's parse-error answer: 400, `Connection: close`, an empty body.
        guard case .head(var head) = unwrapOutboundIn(data), head.status == .badRequest,
            head.headerFields[.contentLength] == "0", head.headerFields[.connection] == "close"
        else {
            context.write(data, promise: promise)
            return
        }
        head.headerFields[.contentType] = HTTPMessages.jsonContentType
        head.headerFields[.contentLength] = String(Self.body.readableBytes)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(Self.body)), promise: promise)
    }
}
