import Foundation
import Hummingbird
import Logging
import NIOCore
import PlatformWire
import SupportSync

/// A request as the fault server saw it.
struct SeenRequest: Sendable {
    var method: String
    /// Path and query exactly as sent, percent-encoding included.
    var target: String
    var headers: [String: String]
    var body: String

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Every request the fault server saw, in order.
actor RequestLog {
    private(set) var requests: [SeenRequest] = []

    /// Records `request` and returns how many requests came before it plus one.
    func record(_ request: SeenRequest) -> Int {
        requests.append(request)
        return requests.count
    }

    var count: Int { requests.count }
}

/// A real Hummingbird 2 server on 127.0.0.1 that answers every request with
/// a scripted `reply`, given the request and its 1-based number, so tests
/// can inject 503s, slow answers and garbage and count the attempts.
enum FaultServer {
    typealias Reply = @Sendable (SeenRequest, Int) async throws -> Response

    /// Runs the server on a free port while `body` runs, then stops it.
    static func with<T: Sendable>(
        _ reply: @escaping Reply, _ body: (_ baseURL: String, _ log: RequestLog) async throws -> T
    ) async throws -> T {
        let log = RequestLog()
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var bytes = ByteBuffer()
            for try await var chunk in request.body { bytes.writeBuffer(&chunk) }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let seen = SeenRequest(
                method: request.method.rawValue, target: request.uri.string, headers: headers,
                body: String(decoding: bytes.readableBytesView, as: UTF8.self))
            let number = await log.record(seen)
            return try await reply(seen, number)
        }
        var quiet = Logger(label: "fault-server")
        quiet.logLevel = .critical
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: quiet)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                throw FaultServerError("the fault server did not report a port")
            }
            return try await body("http://127.0.0.1:\(port)", log)
        }
    }

    /// A port nothing listens on: one a server just let go.
    static func closedPort() async throws -> Int {
        try await with({ _, _ in Response(status: .ok) }) { baseURL, _ in
            Int(baseURL.split(separator: ":").last!)!
        }
    }

    // MARK: - Replies

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response
    {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = try! JSONCoding.encoder().encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, _ error: PlatformError, headers: HTTPFields = [:]) -> Response {
        json(ErrorBody(error), status: status, headers: headers)
    }

    static func text(_ text: String, status: HTTPResponse.Status, type: String = "text/html") -> Response {
        Response(
            status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

struct FaultServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Collects log lines (message and metadata) so tests can read them.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var all: [String] { lock.withLock { lines } }

    func append(_ line: String) { lock.withLock { lines.append(line) } }

    /// A logger at trace level that writes here.
    func logger() -> Logger {
        var logger = Logger(label: "test") { _ in CapturingHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }
}

private struct CapturingHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        capture.append("\(event.level) \(event.message) \(merged) \(event.error.map { "\($0)" } ?? "")")
    }
}
