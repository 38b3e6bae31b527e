import AsyncHTTPClient
import Foundation
import LocalPlatform
import PlatformServer
import PlatformWire
import SupportSync
import TestSupport
import Testing

/// The real server on a loopback port picked by the system, over a real
/// SQLite file in a temporary folder (or over a given platform), spoken to
/// with a real HTTP client.
struct TestServer {
    static let token = "test-token-\(UUID().uuidString)"

    let folder: URL
    let baseURL: String
    let port: Int
    private let server: InProcessServer

    /// Runs `body` against a fresh server and always stops it afterwards.
    static func with(
        platform: (@Sendable (URL) throws -> any AgentPlatform)? = nil,
        _ body: (TestServer) async throws -> Void
    ) async throws {
        let server = try await start(platform: platform)
        do {
            try await body(server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    static func start(
        platform makePlatform: (@Sendable (URL) throws -> any AgentPlatform)? = nil, idleTimeout: Duration? = nil,
        bodyTimeout: Duration? = nil
    ) async throws -> TestServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "platform-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let platform =
            try makePlatform?(folder) ?? LocalPlatform(path: folder.appendingPathComponent("platform.sqlite").path)
        // One line per request would bury a failure's own output.
        let server = try await InProcessServer.start(
            platform: platform, token: token, logLevel: .warning, idleTimeout: idleTimeout, bodyTimeout: bodyTimeout)
        return TestServer(folder: folder, baseURL: server.url, port: server.port, server: server)
    }

    /// Cancels the server's task (a graceful shutdown) and waits for it.
    func stop() async throws {
        await server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// One request. `token: nil` sends no Authorization header; a body goes
    /// with `contentType`, and with no Content-Type when that is nil.
    func send(
        _ method: Method, _ path: String, json: String? = nil, bytes: [UInt8]? = nil, chunked: Bool = false,
        token: String? = TestServer.token, headers: [String: String] = [:],
        contentType: String? = "application/json"
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        switch method {
        case .get: request.method = .GET
        case .put: request.method = .PUT
        case .post: request.method = .POST
        case .patch: request.method = .PATCH
        case .delete: request.method = .DELETE
        case .head: request.method = .HEAD
        }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body = bytes ?? json.map({ Array($0.utf8) }) {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            // Unknown length means chunked: the server cannot trust a
            // Content-Length and must count while reading.
            request.body = chunked ? .bytes(body, length: .unknown) : .bytes(body)
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        let buffer = try await response.body.collect(upTo: 8 << 20)
        return Reply(status: Int(response.status.code), headers: headers, body: Array(buffer.readableBytesView))
    }

    enum Method: String, Sendable {
        case get, put, post, patch, delete, head
    }
}

/// What came back: status, headers (names lowercased) and body.
struct Reply {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var etag: String? { headers["etag"] }

    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(body))
    }

    /// The error body; nil when the body is not one.
    var error: ErrorBody.Detail? { try? decode(ErrorBody.self).error }
}

/// Agents and tickets the tests send.
enum Samples {
    static let agent = AgentSettings(
        id: "desk", name: "Desk", channels: [.calls, .messages],
        support: SupportSettings(mode: .flag, flag: FlagSettings(priority: .high, tags: ["billing"])))

    /// An agent body exactly as `apply` sends it: the canonical form.
    static func agentJSON(_ settings: AgentSettings = agent) -> String {
        String(decoding: try! JSONCoding.encoder().encode(AgentWrite(settings)), as: UTF8.self)
    }

    static func ticketJSON(conversation: String = "conv_1", agent: String = "desk") -> String {
        """
        {"agent": "\(agent)", "channel": "calls", "conversation": "\(conversation)", "reason": "Double charge",
         "summary": "Charged twice.", "customer": {"name": "Ana García", "email": "ana@example.com"},
         "fields": {"order_id": "A-1029"}, "tags": ["billing"]}
        """
    }
}
