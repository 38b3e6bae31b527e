import AsyncHTTPClient
import Foundation
import LocalPlatform
import Logging
import SupportSync
import Synchronization
import TestSupport
import Testing

@testable import PlatformServer

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

@Suite struct HardeningTests {
    struct AuthCase: CustomTestStringConvertible, Sendable {
        var name: String
        var header: String?
        var testDescription: String { name }
    }

    static let refusedAuth = [
        AuthCase(name: "no header", header: nil),
        AuthCase(name: "wrong token", header: "Bearer not-the-token"),
        AuthCase(name: "token missing its last character", header: "Bearer \(TestServer.token.dropLast())"),
        AuthCase(name: "token with a character more", header: "Bearer \(TestServer.token)x"),
        AuthCase(name: "another scheme", header: "Basic \(TestServer.token)"),
        AuthCase(name: "scheme without token", header: "Bearer "),
    ]

    @Test(arguments: refusedAuth)
    func everyRouteRefusesWithout401(_ auth: AuthCase) async throws {
        try await TestServer.with { server in
            let paths =
                PlatformServer.routes.map { ($0.method, $0.path.replacingOccurrences(of: "{id}", with: "x")) }
                + [("GET", "/no/such/route")]
            for (method, path) in paths {
                let reply = try await server.send(
                    TestServer.Method(rawValue: method.lowercased())!, path, json: "{}", token: nil,
                    headers: auth.header.map { ["Authorization": $0] } ?? [:])
                #expect(reply.status == 401, "\(method) \(path)")
                #expect(reply.error?.code == "unauthorized")
                #expect(reply.headers["www-authenticate"] == "Bearer")
                #expect(!reply.text.contains(TestServer.token), "the token is never echoed")
            }
        }
    }

    @Test func theSchemeIsCaseInsensitive() async throws {
        try await TestServer.with { server in
            let reply = try await server.send(
                .get, "/v1/platform", token: nil, headers: ["Authorization": "bearer \(TestServer.token)"])
            #expect(reply.status == 200)
        }
    }

    @Test func constantTimeComparison() {
        let token = Array("secret".utf8)
        #expect(BearerAuthMiddleware.constantTimeEquals(token, token))
        for other in ["", "s", "secre", "secrets", "Secret", "secreT"] {
            #expect(!BearerAuthMiddleware.constantTimeEquals(Array(other.utf8), token), "\(other)")
        }
        #expect(BearerAuthMiddleware.bearerCredentials("BEARER  abc ") == Array("abc".utf8))
        #expect(BearerAuthMiddleware.bearerCredentials("Bearerabc") == nil)
    }

    @Test(arguments: [
        (TestServer.Method.put, "/v1/agents/desk"), (.post, "/v1/tickets"), (.patch, "/v1/tickets/T-1"),
    ])
    func malformedJSONIs400(_ method: TestServer.Method, _ path: String) async throws {
        try await TestServer.with { server in
            let reply = try await server.send(method, path, json: #"{"name": "Desk", "channels": ["#)
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.error?.code == "bad_request")
        }
    }

    @Test(arguments: [false, true])
    func aBodyOverOneMebibyteIs413(chunked: Bool) async throws {
        try await TestServer.with { server in
            let body = Self.agentBody(paddedTo: PlatformServer.maxBodySize + 1)
            let reply = try await server.send(.put, "/v1/agents/desk", bytes: body, chunked: chunked)
            #expect(reply.status == 413, "\(reply.text)")
            #expect(reply.error?.code == "too_large")
            #expect(try await server.send(.get, "/v1/agents/desk").status == 404)
        }
    }

    @Test func aBodyOfExactlyOneMebibyteIsRead() async throws {
        try await TestServer.with { server in
            let body = Self.agentBody(paddedTo: PlatformServer.maxBodySize)
            let reply = try await server.send(.put, "/v1/agents/desk", bytes: body, chunked: true)
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
        }
    }

    /// A valid agent body padded with trailing whitespace to `size` bytes.
    static func agentBody(paddedTo size: Int) -> [UInt8] {
        var body = Array(Samples.agentJSON().utf8)
        body += [UInt8](repeating: UInt8(ascii: " "), count: size - body.count)
        return body
    }

    @Test(arguments: [(TestServer.Method.get, "/v2/agents"), (.get, "/"), (.get, "/v1/agents/desk/x")])
    func unknownRoutesAre404JSON(_ method: TestServer.Method, _ path: String) async throws {
        try await TestServer.with { server in
            let reply = try await server.send(method, path)
            #expect(reply.status == 404)
            #expect(reply.error?.code == "not_found")
            #expect(reply.error?.message.hasPrefix("there is no route") == true)
        }
    }

    @Test func everyListedRouteIsServed() async throws {
        try await TestServer.with { server in
            for route in PlatformServer.routes {
                let path = route.path.replacingOccurrences(of: "{id}", with: "x")
                let reply = try await server.send(
                    TestServer.Method(rawValue: route.method.lowercased())!, path, json: "{}")
                #expect(reply.error?.message.hasPrefix("there is no route") != true, "\(route)")
            }
        }
    }

    @Test func anUnavailablePlatformIs503WithRetryAfter() async throws {
        try await TestServer.with(platform: { _ in FailingPlatform(error: .unavailable("database is busy")) }) {
            server in
            let reply = try await server.send(.get, "/v1/agents")
            #expect(reply.status == 503)
            #expect(reply.error?.code == "unavailable")
            #expect(reply.headers["retry-after"].flatMap(Int.init) != nil)
        }
    }

    @Test func aFailingPlatformIs500JSON() async throws {
        try await TestServer.with(platform: { _ in FailingPlatform(error: .failed("disk on fire")) }) { server in
            let reply = try await server.send(.get, "/v1/tickets/T-1")
            #expect(reply.status == 500)
            #expect(reply.error?.code == "internal")
        }
    }

    @Test func cancellingTheTaskStopsTheServer() async throws {
        let server = try await TestServer.start()
        #expect(try await server.send(.get, "/v1/platform").status == 200)
        #expect(Self.acceptsConnections(port: server.port))
        try await server.stop()
        // A plain connect: the HTTP client would retry a refused connection
        // until its deadline.
        #expect(!Self.acceptsConnections(port: server.port))
    }

    static func acceptsConnections(port: Int) -> Bool {
        guard let fd = connectedSocket(port: port) else { return false }
        close(fd)
        return true
    }

    /// A plain TCP connection to 127.0.0.1:`port`, nil when refused; the caller closes it.
    static func connectedSocket(port: Int) -> Int32? {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        return fd
    }
}

/// A platform whose every call fails the same way.
struct FailingPlatform: AgentPlatform {
    var error: PlatformError

    func info() async throws(PlatformError) -> PlatformInfo { throw error }
    func agents() async throws(PlatformError) -> [Agent] { throw error }
    func agent(id: String) async throws(PlatformError) -> Agent? { throw error }
    func putAgent(id: String, _ write: AgentWrite, expecting ifMatch: AgentPrecondition) async throws(PlatformError)
        -> Agent
    {
        throw error
    }
    func createTicket(_ draft: TicketDraft, idempotencyKey: String?) async throws(PlatformError) -> Ticket {
        throw error
    }
    func ticket(id: String, sealing: Sealing) async throws(PlatformError) -> Ticket? { throw error }
    func tickets(after cursor: String?, limit: Int, sealing: Sealing) async throws(PlatformError) -> TicketPage {
        throw error
    }
    func patchTicket(id: String, _ patch: TicketPatch, expecting ifMatch: String?, sealing: Sealing)
        async throws(PlatformError) -> Ticket
    {
        throw error
    }
    func ticketKey(id: String) async throws(PlatformError) -> TicketKeyMaterial? { throw error }
    func tickets(ofCustomer contact: String) async throws(PlatformError) -> [Ticket] { throw error }
    func erase(_ selection: ErasureSelection, reason: String, by: String) async throws(PlatformError)
        -> [Ticket]
    {
        throw error
    }
}

extension HardeningTests {
    /// A token pasted into a URL never reaches the server's log or a 404 body.
    @Test func aPathSegmentEqualToATokenIsNeverShown() {
        let logging = ErrorMiddleware(logger: Logger(label: "test"), secrets: [Array("server-token-1".utf8)])
        #expect(logging.shown("/v1/agents/server-token-1") == "/v1/agents/<redacted>")
        #expect(logging.shown("/v1/server%2Dtoken%2D1/x") == "/v1/<redacted>/x")
        // A token holding `/` spans segments: the path is hidden whole.
        let slashed = ErrorMiddleware(logger: Logger(label: "test"), secrets: [Array("Zm9vYmFy/YmF6cXV4".utf8)])
        #expect(slashed.shown("/v1/agents/Zm9vYmFy/YmF6cXV4") == "/<redacted>")
        #expect(slashed.shown("/v1/agents/Zm9vYmFy%2fYmF6cXV4") == "/v1/agents/<redacted>", "one segment, encoded")
        #expect(slashed.shown("/v1/agents/Zm9vYmFy") == "/v1/agents/Zm9vYmFy")
        #expect(logging.shown("/v1/agents/server-token-12") == "/v1/agents/server-token-12")
    }

    /// HEAD on a path with no route answers as GET does, without the body:
    /// the same status and the same Content-Length.
    @Test func headOnAnUnknownRouteMatchesGet() async throws {
        try await TestServer.with { server in
            let get = try await server.send(.get, "/v1/nothing-here")
            let head = try await server.send(.head, "/v1/nothing-here")
            #expect(get.status == 404 && head.status == 404)
            #expect(head.body.isEmpty)
            #expect(head.headers["content-length"] == String(get.body.count), "\(head.headers) \(get.text)")
        }
    }

    /// An id taken from the request and named in an error body may be the
    /// token, pasted where an id goes: the body names it `<redacted>`.
    @Test(arguments: ["/v1/agents/", "/v1/tickets/", "/v1/tickets?after="])
    func anErrorBodyNeverEchoesTheToken(_ prefix: String) async throws {
        try await TestServer.with { server in
            let reply = try await server.send(.get, prefix + TestServer.token)
            #expect((400...499).contains(reply.status), "\(reply.text)")
            #expect(!reply.text.contains(TestServer.token), "\(reply.text)")
            #expect(reply.error != nil, "\(reply.text)")
        }
    }
}

extension HardeningTests {
    /// A known path with a method it does not serve: 405, the JSON error body, and `Allow`.
    @Test(arguments: [
        (TestServer.Method.delete, "/v1/agents/desk", "GET, HEAD, PUT"), (.post, "/v1/platform", "GET, HEAD"),
        (.put, "/v1/tickets", "GET, HEAD, POST"), (.delete, "/v1/platform/", "GET, HEAD"),
        (.post, "/v1//agents//desk", "GET, HEAD, PUT"),
    ])
    func aWrongMethodIs405JSON(_ method: TestServer.Method, _ path: String, _ allowed: String) async throws {
        try await TestServer.with { server in
            let reply = try await server.send(method, path)
            #expect(reply.status == 405)
            #expect(reply.error?.code == "method_not_allowed")
            #expect(reply.headers["allow"] == allowed)
        }
    }

    /// HEAD is GET without the body: same status and headers.
    @Test func headIsGetWithoutTheBody() async throws {
        try await TestServer.with { server in
            for path in ["/v1/platform", "/v1/agents", "/v1/agents/missing"] {
                let get = try await server.send(.get, path)
                let head = try await server.send(.head, path)
                #expect(head.status == get.status, "\(path)")
                #expect(head.body.isEmpty)
                #expect(head.headers["content-type"] == get.headers["content-type"])
            }
        }
    }

    /// A body not declared JSON is refused with 415 and the JSON error body,
    /// before it is read: nothing is written.
    @Test(arguments: [nil, "text/plain", "application/x-www-form-urlencoded", "application/jsonx", "json"])
    func aBodyNotDeclaredJSONIs415(contentType: String?) async throws {
        try await TestServer.with { server in
            let put = try await server.send(
                .put, "/v1/agents/desk", json: Samples.agentJSON(), contentType: contentType)
            #expect(put.status == 415, "\(put.text)")
            #expect(put.error?.code == "unsupported_media_type")
            #expect(put.error?.message.contains("Content-Type: application/json") == true)
            #expect(try await server.send(.get, "/v1/agents/desk").status == 404)
            let post = try await server.send(
                .post, "/v1/erasures", json: #"{"ticket": "T-1"}"#, contentType: contentType)
            #expect(post.status == 415, "\(post.text)")
        }
    }

    /// The media type is matched without case, parameters aside, and a
    /// `+json` type is JSON too. Authentication and the route come first.
    @Test func aBodyDeclaredJSONIsReadAndOtherRefusalsComeFirst() async throws {
        try await TestServer.with { server in
            for type in ["Application/JSON ; charset=UTF-8", "application/merge-patch+json"] {
                let reply = try await server.send(.put, "/v1/agents/desk", json: Samples.agentJSON(), contentType: type)
                #expect(reply.status == 200, "\(type): \(reply.text)")
            }
            let unauthenticated = try await server.send(
                .put, "/v1/agents/desk", json: Samples.agentJSON(), token: nil, contentType: "text/plain")
            #expect(unauthenticated.status == 401)
            let wrongMethod = try await server.send(.post, "/v1/agents", json: "{}", contentType: "text/plain")
            #expect(wrongMethod.status == 405)
        }
    }

    /// A body in a coding the server does not undo (gzip) is refused with
    /// 415 before it is read, as a body not declared JSON is.
    @Test func anEncodedBodyIs415() async throws {
        try await TestServer.with { server in
            for coding in ["gzip", "identity, br"] {
                let put = try await server.send(
                    .put, "/v1/agents/desk", json: Samples.agentJSON(), headers: ["Content-Encoding": coding])
                #expect(put.status == 415 && put.error?.code == "unsupported_media_type", "\(coding): \(put.text)")
            }
            #expect(try await server.send(.get, "/v1/agents/desk").status == 404)
            let plain = try await server.send(
                .put, "/v1/agents/desk", json: Samples.agentJSON(), headers: ["Content-Encoding": "identity"])
            #expect(plain.status == 200, "\(plain.text)")
        }
    }

    /// An Idempotency-Key that is empty, sent twice or too long is refused
    /// (400), not taken for no key or for one key made of both: nothing is made.
    @Test func aMalformedIdempotencyKeyIs400() async throws {
        try await TestServer.with { server in
            #expect(try await server.send(.put, "/v1/agents/desk", json: Samples.agentJSON()).status == 200)
            for headers in [
                ["Idempotency-Key": ""], ["Idempotency-Key": "k-a", "idempotency-key": "k-b"],
                ["Idempotency-Key": String(repeating: "k", count: 256)],
            ] {
                let refused = try await server.send(
                    .post, "/v1/tickets", json: Samples.ticketJSON(conversation: "conv_1"), headers: headers)
                #expect(refused.status == 400 && refused.error?.code == "bad_request", "\(refused.text)")
            }
            #expect(!(try await server.send(.get, "/v1/tickets")).text.contains("conv_1"))
            let longest = try await server.send(
                .post, "/v1/tickets", json: Samples.ticketJSON(conversation: "conv_1"),
                headers: ["Idempotency-Key": String(repeating: "k", count: 255)])
            #expect(longest.status == 201, "\(longest.text)")
        }
    }

    /// A key written twice in a request body is refused (422), wherever the
    /// body goes: the decoder would keep one of the two in silence, and a
    /// reader in front of the server may have acted on the other.
    @Test func aKeyWrittenTwiceIs422() async throws {
        try await TestServer.with { server in
            #expect(try await server.send(.put, "/v1/agents/desk", json: Samples.agentJSON()).status == 200)
            let created = try await server.send(.post, "/v1/tickets", json: Samples.ticketJSON(conversation: "c1"))
            let id = try created.decode(Ticket.self).id
            let twice = try await server.send(
                .post, "/v1/tickets",
                json: #"{"reason": "x", "# + Samples.ticketJSON(conversation: "conv_written_twice").dropFirst())
            #expect(twice.status == 422 && twice.error?.message == "duplicate key 'reason'", "\(twice.text)")
            let patch = try await server.send(
                .patch, "/v1/tickets/\(id)", json: #"{"status": "in_progress", "status": "closed"}"#)
            #expect(patch.status == 422 && patch.error?.message == "duplicate key 'status'", "\(patch.text)")
            let erasure = try await server.send(
                .post, "/v1/erasures", json: #"{"ticket": "\#(id)", "ticket": "T-NOPE", "reason": "r1", "by": "dpo"}"#)
            #expect(erasure.status == 422, "\(erasure.text)")
            let kept = try await server.send(.get, "/v1/tickets/\(id)")
            #expect(kept.status == 200)
            #expect(try kept.decode(Ticket.self).status == .pending)
            #expect(!(try await server.send(.get, "/v1/tickets")).text.contains("conv_written_twice"))
        }
    }

    /// A reused Idempotency-Key with another body is refused with 422, and
    /// the first ticket is untouched; the same body gets the same ticket.
    @Test func aReusedIdempotencyKeyWithAnotherBodyIs422() async throws {
        try await TestServer.with { server in
            #expect(try await server.send(.put, "/v1/agents/desk", json: Samples.agentJSON()).status == 200)
            let key = ["Idempotency-Key": "key-\(UUID().uuidString)"]
            let first = try await server.send(
                .post, "/v1/tickets", json: Samples.ticketJSON(conversation: "conv_1"), headers: key)
            #expect(first.status == 201)
            let again = try await server.send(
                .post, "/v1/tickets", json: Samples.ticketJSON(conversation: "conv_1"), headers: key)
            #expect(again.status == 201 || again.status == 200)
            #expect(again.text == first.text)
            let other = try await server.send(
                .post, "/v1/tickets", json: Samples.ticketJSON(conversation: "conv_2"), headers: key)
            #expect(other.status == 422)
            #expect(other.error?.message.contains("Idempotency-Key was already used with a different request") == true)
            let list = try await server.send(.get, "/v1/tickets")
            #expect(list.text.contains("conv_1") && !list.text.contains("conv_2"))

            // Once the ticket is erased, its request is no longer kept: the key refuses any other.
            let id = try #require(try first.decode(Ticket.self).id)
            let erased = try await server.send(
                .post, "/v1/erasures", json: #"{"ticket": "\#(id)", "reason": "request 7", "by": "dpo"}"#)
            #expect(erased.status == 200, "\(erased.text)")
            let afterErasure = try await server.send(
                .post, "/v1/tickets", json: Samples.ticketJSON(conversation: "conv_3"), headers: key)
            #expect(afterErasure.status == 422, "\(afterErasure.text)")
            #expect(afterErasure.error?.message.contains("no longer kept") == true, "\(afterErasure.text)")
            #expect(!(try await server.send(.get, "/v1/tickets")).text.contains("conv_3"))
        }
    }

    /// An id with a control character names nothing: a NUL would be
    /// compared only up to it, and reach the agent or ticket before it.
    @Test func anIdWithAControlCharacterNamesNothing() async throws {
        try await TestServer.with { server in
            #expect(try await server.send(.put, "/v1/agents/desk", json: Samples.agentJSON()).status == 200)
            let created = try await server.send(.post, "/v1/tickets", json: Samples.ticketJSON(conversation: "c1"))
            let id = try #require(try created.decode(Ticket.self).id)
            for path in [
                "/v1/agents/desk%00x", "/v1/tickets/\(id)%00x", "/v1/tickets/\(id)%00x/key", "/v1/agents/desk%01",
            ] {
                let reply = try await server.send(.get, path)
                #expect(reply.status == 404 && reply.error != nil, "\(path): \(reply.status) \(reply.text)")
            }
            let erase = try await server.send(
                .post, "/v1/erasures", json: #"{"ticket": "\#(id)\u0000x", "reason": "request 7", "by": "dpo"}"#)
            #expect(erase.status == 404, "\(erase.text)")
            #expect(try await server.send(.get, "/v1/tickets/\(id)").text.contains("c1"))
        }
    }

    /// A client that sends half a request and stalls is disconnected after
    /// the idle timeout; the server goes on serving others.
    @Test func aHalfSentRequestIsCutOffAfterTheIdleTimeout() async throws {
        let server = try await TestServer.start(idleTimeout: .seconds(2))
        defer { Task { try? await server.stop() } }
        let partial = Array("GET /v1/platform HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthor".utf8)
        let exchange = try await TicketBenchOffload.run { Self.exchange(port: server.port, sending: partial) }
        #expect(exchange.closed, "the server kept a half-sent request open")
        #expect(exchange.received.isEmpty)
        #expect(try await server.send(.get, "/v1/platform").status == 200)
    }

    /// A body trickled a byte at a time, each byte within the idle timeout,
    /// is refused once the body timeout passes (400, with the JSON error
    /// body); a request refused before its body is read (401) likewise.
    /// Either answer says `Connection: close`, and the server ends the
    /// connection although the bytes keep coming.
    @Test(arguments: [true, false])
    func aTrickledBodyIsAnsweredAndTheConnectionClosed(authorized: Bool) async throws {
        let server = try await TestServer.start(bodyTimeout: .seconds(1))
        defer { Task { try? await server.stop() } }
        let head = Array(
            "PUT /v1/agents/desk HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(authorized ? TestServer.token : "wrong-token-0")\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
                .utf8)
        let exchange = try await TicketBenchOffload.run { Self.trickle(port: server.port, head: head, seconds: 15) }
        let text = String(decoding: exchange.received, as: UTF8.self)
        #expect(text.hasPrefix(authorized ? "HTTP/1.1 400" : "HTTP/1.1 401"), "\(text)")
        #expect(text.lowercased().contains("connection: close"), "\(text)")
        if authorized { #expect(text.contains("the request body took longer than"), "\(text)") }
        #expect(exchange.closed, "the connection stayed open while the body trickled in: \(text)")
        #expect(try await server.send(.get, "/v1/platform").status == 200)
    }

    /// A request pipelined behind one answered early (a 401 before its body
    /// came) is never carried out: its answer could never be sent, and the
    /// client, told `Connection: close`, may send it again.
    @Test func aRequestPipelinedBehindAnEarlyAnswerIsNotCarriedOut() async throws {
        try await TicketRouteTests.withAgent { server in
            let refused = Array(
                "POST /v1/tickets/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n"
                    .utf8)
            let body = Samples.ticketJSON(conversation: "conv_behind")
            let behind = Array(
                (String(repeating: " ", count: 20)
                    + "POST /v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.token)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                    .utf8)
            let exchange = try await TicketBenchOffload.run {
                Self.exchange(port: server.port, sending: refused, then: behind, waiting: 20)
            }
            let text = String(decoding: exchange.received, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 401"), "\(text)")
            #expect(text.components(separatedBy: "HTTP/1.1 ").count == 2, "one answer: \(text)")
            #expect(exchange.closed, "\(text)")
            // Time for a request passed on to be carried out.
            try await Task.sleep(for: .milliseconds(500))
            let list = try await server.send(.get, "/v1/tickets")
            #expect(list.status == 200)
            #expect(!list.text.contains("conv_behind"), "the request behind the 401 was carried out: \(list.text)")
            // The same request on a connection of its own is carried out.
            let alone = try await server.send(.post, "/v1/tickets", json: body)
            #expect(alone.status == 201, "\(alone.text)")
        }
    }

    /// A request that does not ask to keep the connection, answered before
    /// its body has come (a 401): the rest of the body is read, and the
    /// connection then ends cleanly, not with a reset that could cost the
    /// client its answer.
    @Test(arguments: ["HTTP/1.0", "HTTP/1.1\r\nConnection: Close"])
    func aRequestThatDoesNotKeepTheConnectionIsReadToItsEnd(version: String) async throws {
        try await TestServer.with { server in
            // The rest of the body, more than the sockets' buffers hold,
            // once the answer has begun: the send completes only if the
            // server reads it all.
            let size = 32 << 20
            let head = Array(
                "POST /v1/tickets/search \(version)\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(size)\r\n\r\n"
                    .utf8)
            let exchange = try await TicketBenchOffload.run {
                Self.exchange(
                    port: server.port, sending: head + Array(repeating: 0x20, count: 1_000),
                    then: Array(repeating: 0x20, count: size - 1_000), waiting: 20)
            }
            let text = String(decoding: exchange.received, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 401"), "\(text)")
            #expect(text.lowercased().contains("connection: close"), "\(text)")
            #expect(exchange.sentAll, "the server stopped reading the body: \(text)")
            #expect(exchange.closed, "\(text)")
        }
    }

    /// A request that does not ask to keep the connection (HTTP/1.0 without
    /// `keep-alive`, or `close` in any case or list) is answered with
    /// `Connection: close` and the connection ends: a client reading to the
    /// end is not kept waiting for the idle timeout, and a request behind
    /// it is not answered. An HTTP/1.0 request with `keep-alive`, and a
    /// plain HTTP/1.1 one, keep it: the request behind is answered too
    /// (it asks to close, so the exchange ends without waiting on a clock).
    @Test(arguments: [
        ("HTTP/1.0", nil, true), ("HTTP/1.1", "Close", true), ("HTTP/1.1", "te, close", true),
        ("HTTP/1.0", "keep-alive", false), ("HTTP/1.1", nil, false),
    ])
    func aRequestThatDoesNotKeepTheConnectionEndsIt(version: String, connection: String?, ends: Bool) async throws {
        let server = try await TestServer.start(idleTimeout: .seconds(60))
        defer { Task { try? await server.stop() } }
        let request = Array(
            ("GET /v1/platform \(version)\r\nHost: x\r\nAuthorization: Bearer \(TestServer.token)\r\n\(connection.map { "Connection: \($0)\r\n" } ?? "")\r\n"
                + "GET /v1/platform HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.token)\r\nConnection: close\r\n\r\n")
                .utf8)
        let exchange = try await TicketBenchOffload.run {
            Self.exchange(port: server.port, sending: request, waiting: 20)
        }
        let text = String(decoding: exchange.received, as: UTF8.self)
        let answers = text.components(separatedBy: "HTTP/1.1 ").dropFirst()
        #expect(exchange.closed, "\(text)")
        #expect(answers.count == (ends ? 1 : 2), "\(text)")
        #expect(answers.allSatisfy { $0.hasPrefix("200") && $0.contains(#""instance""#) }, "\(text)")
        #expect(answers.first?.lowercased().contains("connection: close") == ends, "\(text)")
    }

    /// Pipelined: the answer to the request that did not ask to keep the
    /// connection is the last one, and only it says `Connection: close`.
    @Test func aPipelinedRequestThatDoesNotKeepTheConnectionIsAnsweredLast() async throws {
        try await TestServer.with { server in
            let get = "GET /v1/platform HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.token)\r\n\r\n"
            let request = Array((get + get.replacingOccurrences(of: "HTTP/1.1", with: "HTTP/1.0") + get).utf8)
            let exchange = try await TicketBenchOffload.run {
                Self.exchange(port: server.port, sending: request, waiting: 20)
            }
            let text = String(decoding: exchange.received, as: UTF8.self)
            let answers = text.components(separatedBy: "HTTP/1.1 ").dropFirst()
            #expect(exchange.closed, "\(text)")
            #expect(answers.count == 2, "\(text)")
            #expect(answers.allSatisfy { $0.hasPrefix("200") }, "\(text)")
            #expect(answers.map { $0.lowercased().contains("connection: close") } == [false, true], "\(text)")
        }
    }

    /// A request that is not HTTP gets the JSON error body like any other failure.
    @Test func aMalformedRequestGetsTheJSONErrorBody() async throws {
        try await TestServer.with { server in
            let garbage = Array("NOT HTTP AT ALL\r\n\r\n".utf8)
            let exchange = try await TicketBenchOffload.run { Self.exchange(port: server.port, sending: garbage) }
            let text = String(decoding: exchange.received, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 400"), "\(text)")
            #expect(text.lowercased().contains("content-type: application/json"))
            #expect(text.contains(#""code":"bad_request""#), "\(text)")
        }
    }

    /// A `CONNECT` (the API has no tunnel) is answered like any other method
    /// it does not serve, and the connection ends with the answer: nothing
    /// after a `CONNECT` is read, so it must not wait for the idle timeout.
    @Test(arguments: ["/v1/agents", "127.0.0.1:80"])
    func aConnectIsAnsweredAndTheConnectionClosed(target: String) async throws {
        try await TestServer.with { server in
            let request = Array(
                "GET /v1/platform HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.token)\r\n\r\nCONNECT \(target) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.token)\r\n\r\n"
                    .utf8)
            let exchange = try await TicketBenchOffload.run { Self.exchange(port: server.port, sending: request) }
            let text = String(decoding: exchange.received, as: UTF8.self)
            #expect(exchange.closed, "the connection stayed open after the CONNECT's answer: \(text)")
            let answers = text.components(separatedBy: "HTTP/1.1 ").dropFirst()
            #expect(answers.count == 2, "\(text)")
            #expect(
                answers.first?.hasPrefix("200") == true
                    && answers.first?.lowercased().contains("connection: close") == false)
            // 405 for a path of the API; 404 for an authority (`host:port`), which names no route.
            #expect(answers.last?.hasPrefix(target.hasPrefix("/") ? "405" : "404") == true, "\(text)")
            #expect(answers.last?.lowercased().contains("connection: close") == true, "\(text)")
        }
    }

    /// Sends `head`, then a space every 100 ms for up to `seconds`,
    /// reading what comes back meanwhile: what came back, and whether the
    /// server closed the connection while the bytes were still coming.
    static func trickle(port: Int, head: [UInt8], seconds: Int) -> (closed: Bool, received: [UInt8]) {
        guard let fd = connectedSocket(port: port) else { return (false, []) }
        defer { close(fd) }
        let noSignal = Int32(MSG_NOSIGNAL)
        _ = head.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, noSignal) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<(seconds * 10) {
            usleep(100_000)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if count == 0 { return (true, received) }
                if count > 0 {
                    received += buffer[..<count]
                    continue
                }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                return (errno == ECONNRESET, received)
            }
            var space = UInt8(ascii: " ")
            if send(fd, &space, 1, noSignal) < 0 { return (errno == EPIPE || errno == ECONNRESET, received) }
        }
        return (false, received)
    }

    /// Sends `bytes` on a fresh connection and reads until the server
    /// closes it (or `seconds` pass, 30 by default, for a machine that stalls): what came back,
    /// and whether it closed.
    /// With `then`: those bytes go once the first of the answer to the
    /// first ones has come.
    static func exchange(port: Int, sending bytes: [UInt8], then later: [UInt8] = [], waiting seconds: Int = 30)
        -> (closed: Bool, received: [UInt8], sentAll: Bool)
    {
        guard let fd = connectedSocket(port: port) else { return (false, [], false) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        /// Whether the server took all of `bytes` (a blocking send fails
        /// when it closes or resets the connection before reading them).
        func sendAll(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let sent = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    guard sent > 0 else { return false }
                    offset += sent
                }
                return true
            }
        }
        var sentAll = sendAll(bytes)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var pending = later
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0, !pending.isEmpty {
                sentAll = sendAll(pending) && sentAll
                pending = []
            }
            if count == 0 { return (true, received, sentAll) }
            if count < 0 { return (errno == ECONNRESET, received, sentAll) }
            received += buffer[..<count]
        }
    }
}

/// Runs blocking socket work off the test's executor.
enum TicketBenchOffload {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }
}

extension HardeningTests {
    /// A request that outlasts the grace period and does not stop when
    /// cancelled (a platform call stuck in a system call, say) holds the
    /// shutdown until it ends; it never brings down the process that hosts
    /// the server, which may be a team's own program or a test run.
    @Test func aHandlerThatIgnoresCancellationDelaysTheShutdownAndNothingElse() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "platform-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let platform = StubbornPlatform(
            base: try LocalPlatform(path: folder.appendingPathComponent("platform.sqlite").path))
        var server = PlatformServer(platform: platform, token: TestServer.token)
        server.logger.logLevel = .critical
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let serving = Task {
            defer { continuation.finish() }
            try await server.run(gracePeriod: .milliseconds(50)) { continuation.yield($0) }
        }
        let port = try #require(await ports.first { _ in true })
        let request = Task {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/platform")
            request.headers.add(name: "Authorization", value: "Bearer \(TestServer.token)")
            return try? await HTTPClient.shared.execute(request, timeout: .seconds(30))
        }
        var waited = 0
        while !platform.progress.started, waited < 3_000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        try #require(platform.progress.started, "the request reached the platform")

        // The grace period ends long before the call does; the server's
        // task is then cancelled, and the call goes on regardless.
        serving.cancel()
        _ = await serving.result
        #expect(platform.progress.finished, "the shutdown waited for the stubborn call to end")
        _ = await request.value
    }
}

/// A local platform whose `info()` takes 2.5 seconds and ignores
/// cancellation while it does.
struct StubbornPlatform: WrappingPlatform {
    final class Progress: Sendable {
        struct State {
            var started = false
            var finished = false
        }
        private let state = Mutex(State())
        var started: Bool { state.withLock { $0.started } }
        var finished: Bool { state.withLock { $0.finished } }
        func start() { state.withLock { $0.started = true } }
        func finish() { state.withLock { $0.finished = true } }
    }

    var base: LocalPlatform
    let progress = Progress()

    func info() async throws(PlatformError) -> PlatformInfo {
        progress.start()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + 2.5) { done.resume() }
        }
        progress.finish()
        return try await base.info()
    }
}
