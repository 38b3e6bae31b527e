import Foundation
import Hummingbird
import PlatformClient
import SupportSync
import Testing

/// The token never shows: not in errors, not in logs (at trace level, AsyncHTTPClient's
/// included), not when the client is printed or dumped, even when the server
/// echoes it back in every way it can.
@Suite struct TokenSecrecyTests {
    /// Answers with the request's Authorization header folded into every kind of failure.
    static let echo: FaultServer.Reply = { request, _ in
        let auth = request.header("Authorization") ?? ""
        let path = request.target
        if path.contains("unauthorized") {
            return FaultServer.error(.unauthorized, .unauthorized("bad token: \(auth)"))
        }
        if path.contains("invalid") { return FaultServer.error(.init(code: 422), .invalid(field: auth, message: auth)) }
        if path.contains("page") { return FaultServer.text("<p>\(auth)</p>", status: .internalServerError) }
        if path.contains("busy") { return FaultServer.error(.serviceUnavailable, .unavailable("busy for \(auth)")) }
        if path.contains("enum") {
            return FaultServer.text(
                #"{"agents":[{"id":"a","name":"n","channels":["\#(auth)"],"#, status: .ok, type: "application/json")
        }
        if path.contains("channel") {
            let body =
                #"{"id":"a","name":"n","channels":["\#(auth)"],"support":{"mode":"nothing"},"version":"1","updated_at":"t"}"#
            return FaultServer.text(body, status: .ok, type: "application/json")
        }
        if path.contains("slow") { try await Task.sleep(for: .seconds(600)) }  // stopped when the server stops
        return FaultServer.error(.init(code: 418), .failed("teapot \(auth)"))
    }

    /// Answers carry customer data revealed on purpose and ticket keys: at
    /// trace level too, no log line holds an answer's bytes, as text or in
    /// hex (AsyncHTTPClient logs body parts at trace).
    @Test func noLogLineHoldsAnAnswersBytes() async throws {
        let capture = LogCapture()
        let marker = "ana.marker.7Zq@example.com"
        let body =
            #"{"id":"a","name":"\#(marker)","channels":["calls"],"support":{"mode":"nothing"},"version":"1","updated_at":"t"}"#
        try await FaultServer.with({ _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody { writer in
                    // In parts, as a large answer arrives.
                    for part in stride(from: 0, to: body.utf8.count, by: 16) {
                        let bytes = Array(body.utf8)[part..<min(part + 16, body.utf8.count)]
                        try await writer.write(ByteBuffer(bytes: bytes))
                    }
                    try await writer.finish(nil)
                })
        }) { baseURL, _ in
            try await Fixtures.withPlatform(baseURL, Fixtures.fast(), logger: capture.logger()) { platform in
                let agent = try await platform.agent(id: "a")
                #expect(agent?.name == marker)
            }
        }
        let bytes = Array(marker.utf8.prefix(8))
        let forms = [
            String(marker.prefix(8)), bytes.map { String(format: "%02x", $0) }.joined(),
            bytes.map { String(format: "%02x", $0) }.joined(separator: " "),
        ]
        #expect(!capture.all.isEmpty, "the client logged at trace")
        for line in capture.all {
            for form in forms { #expect(!line.lowercased().contains(form), "\(line)") }
        }
    }

    @Test func noErrorLogLineOrDescriptionContainsTheToken() async throws {
        let capture = LogCapture()
        var texts: [String] = []
        func record(_ error: (any Error)?) {
            guard let error else { return }
            texts.append(String(describing: error))
            texts.append(String(reflecting: error))
            if let error = error as? PlatformError { texts.append(error.message) }
        }
        try await FaultServer.with(Self.echo) { baseURL, _ in
            // Every answer but the slow one in time, however busy the machine.
            let configuration = Fixtures.fast(maxAttempts: 2, requestTimeout: .seconds(30))
            let platform = try HTTPPlatform(
                baseURL: baseURL, token: Fixtures.token, configuration: configuration, logger: capture.logger())
            // The last: a token used as an agent id, so it is in the request's path.
            for id in ["unauthorized", "invalid", "page", "busy", "enum", "channel", "teapot", Fixtures.token] {
                record(await #expect(throws: PlatformError.self, "\(id)") { try await platform.agent(id: id) })
            }
            try await Fixtures.withPlatform(
                baseURL, Fixtures.fast(maxAttempts: 2, requestTimeout: .milliseconds(200)), logger: capture.logger()
            ) { impatient in
                record(await #expect(throws: PlatformError.self, "slow") { try await impatient.agent(id: "slow") })
            }
            record(
                await #expect(throws: PlatformError.self) {
                    try await platform.putAgent(
                        id: "invalid", AgentWrite(Fixtures.agent.settings), expecting: .revision("1"))
                })
            record(
                await #expect(throws: PlatformError.self) {
                    try await platform.createTicket(Fixtures.draft, idempotencyKey: nil)
                })
            texts.append(String(describing: platform))
            texts.append(String(reflecting: platform))
            var dumped = ""
            dump(platform, to: &dumped)
            texts.append(dumped)
            try await platform.shutdown()
        }

        let port = try await FaultServer.closedPort()
        try await Fixtures.withPlatform(
            "http://127.0.0.1:\(port)", Fixtures.fast(maxAttempts: 2), logger: capture.logger()
        ) {
            platform in
            record(await #expect(throws: PlatformError.self) { try await platform.info() })
        }
        record(
            #expect(throws: HTTPPlatformSetupError.self) {
                _ = try HTTPPlatform(
                    baseURL: "gopher://h/\(Fixtures.token)", token: Fixtures.token, logger: capture.logger())
            })

        let logs = capture.all
        // The test proves something only if the errors and logs were there to search.
        #expect(texts.count >= 25)
        #expect(logs.contains { $0.contains("retrying a platform request") })
        #expect(logs.contains { $0.contains("platform request failed") })
        #expect(texts.contains { $0.contains("<redacted>") }, "the server's echo reached the messages, redacted")
        for text in texts + logs {
            #expect(
                !text.contains(Fixtures.token),
                "the token leaked: \(text.replacingOccurrences(of: Fixtures.token, with: "«TOKEN»"))")
        }
    }
}
