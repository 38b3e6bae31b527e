import Foundation
import SupportSync
import Testing

@Suite struct AgentRouteTests {
    @Test func platformInfoNamesTheInstance() async throws {
        try await TestServer.with { server in
            let reply = try await server.send(.get, "/v1/platform")
            #expect(reply.status == 200)
            let info = try reply.decode(PlatformInfo.self)
            #expect(info.apiVersion == "1")
            #expect(!info.instance.isEmpty)
        }
    }

    @Test func putCreatesThenGetReturnsTheAgent() async throws {
        try await TestServer.with { server in
            let put = try await server.send(.put, "/v1/agents/desk", json: Samples.agentJSON())
            #expect(put.status == 200, "\(put.text)")
            let created = try put.decode(Agent.self)
            #expect(created.settings == Samples.agent)
            #expect(put.etag == "\"\(created.version)\"")
            #expect(put.headers["content-type"]?.hasPrefix("application/json") == true)

            let get = try await server.send(.get, "/v1/agents/desk")
            #expect(get.status == 200)
            #expect(try get.decode(Agent.self) == created)
            #expect(get.etag == "\"\(created.version)\"")

            let list = try await server.send(.get, "/v1/agents")
            #expect(list.status == 200)
            struct List: Codable { var agents: [Agent] }
            #expect(try list.decode(List.self).agents == [created])
        }
    }

    /// JSON the server must read as any JSON reader does: a character past
    /// U+FFFF as a surrogate pair's two escapes (as Python's json.dumps
    /// writes it), and a line separator written as it is, inside a string.
    @Test func escapedSurrogatePairsAndRawLineSeparatorsAreText() async throws {
        try await TestServer.with { server in
            let json = Samples.agentJSON().replacingOccurrences(
                of: "\"name\":\"\(Samples.agent.name)\"", with: #""name":"Smile \ud83d\ude00 and\#u{2028}a\\ud83d""#)
            #expect(json.contains("ude00"), "\(json)")
            let put = try await server.send(.put, "/v1/agents/desk", json: json)
            #expect(put.status == 200, "\(put.text)")
            #expect(try put.decode(Agent.self).name == "Smile 😀 and\u{2028}a\\ud83d")
        }
    }

    /// The list is put together from each agent's JSON, encoded once while
    /// the agent is unchanged: the same bytes as the whole list encoded, before
    /// and after an agent changes.
    @Test func theListIsTheWholeListEncoded() async throws {
        try await TestServer.with { server in
            struct List: Codable { var agents: [Agent] }
            for id in ["desk", "alpha", "zulu"] {
                #expect(try await server.send(.put, "/v1/agents/\(id)", json: Samples.agentJSON()).status == 200)
            }
            for round in 0..<3 {
                if round == 2 {
                    var renamed = Samples.agent
                    renamed.name = "Renamed desk"
                    _ = try await server.send(.put, "/v1/agents/desk", json: Samples.agentJSON(renamed))
                }
                let list = try await server.send(.get, "/v1/agents")
                let agents = try list.decode(List.self).agents
                #expect(agents.map(\.id) == ["alpha", "desk", "zulu"])
                #expect(agents.first { $0.id == "desk" }?.name == (round == 2 ? "Renamed desk" : Samples.agent.name))
                let whole = try JSONCoding.encoder().encode(List(agents: agents))
                #expect(list.text == String(decoding: whole, as: UTF8.self))
            }
        }
    }

    @Test(arguments: [true, false])
    func ifMatchFromTheETagMakesTheWrite(quoted: Bool) async throws {
        try await TestServer.with { server in
            let first = try await server.send(.put, "/v1/agents/desk", json: Samples.agentJSON())
            let etag = try #require(first.etag)
            var renamed = Samples.agent
            renamed.name = "Front desk"
            let ifMatch = quoted ? etag : String(etag.dropFirst().dropLast())
            let second = try await server.send(
                .put, "/v1/agents/desk", json: Samples.agentJSON(renamed), headers: ["If-Match": ifMatch])
            #expect(second.status == 200, "\(second.text)")
            #expect(try second.decode(Agent.self).name == "Front desk")
            #expect(second.etag != nil && second.etag != etag)
        }
    }

    @Test func staleIfMatchIs412AndLeavesTheAgentAlone() async throws {
        try await TestServer.with { server in
            let first = try await server.send(.put, "/v1/agents/desk", json: Samples.agentJSON())
            let stale = try #require(first.etag)
            _ = try await server.send(.put, "/v1/agents/desk", json: Samples.agentJSON(), headers: ["If-Match": stale])
            let current = try await server.send(.get, "/v1/agents/desk")

            var renamed = Samples.agent
            renamed.name = "Lost update"
            let conflict = try await server.send(
                .put, "/v1/agents/desk", json: Samples.agentJSON(renamed), headers: ["If-Match": stale])
            #expect(conflict.status == 412)
            #expect(conflict.error?.code == "version_conflict")

            let after = try await server.send(.get, "/v1/agents/desk")
            #expect(try after.decode(Agent.self) == current.decode(Agent.self))
            #expect(after.etag == current.etag)
        }
    }

    @Test func ifMatchForAMissingAgentIs412() async throws {
        try await TestServer.with { server in
            let reply = try await server.send(
                .put, "/v1/agents/desk", json: Samples.agentJSON(), headers: ["If-Match": "\"1\""])
            #expect(reply.status == 412)
            #expect(try await server.send(.get, "/v1/agents/desk").status == 404)
        }
    }

    /// `If-None-Match: *` creates only: the agent someone else created
    /// first is left alone (412); any other value, or both conditions, 400,
    /// as are `If-Match: *` and a list of versions.
    @Test func ifNoneMatchCreatesOnly() async throws {
        try await TestServer.with { server in
            let created = try await server.send(
                .put, "/v1/agents/desk", json: Samples.agentJSON(), headers: ["If-None-Match": "*"])
            #expect((200...201).contains(created.status), "\(created.text)")
            var renamed = Samples.agent
            renamed.name = "Second creator"
            let again = try await server.send(
                .put, "/v1/agents/desk", json: Samples.agentJSON(renamed), headers: ["If-None-Match": "*"])
            #expect(again.status == 412 && again.error?.code == "version_conflict", "\(again.text)")
            let kept = try await server.send(.get, "/v1/agents/desk")
            #expect(try kept.decode(Agent.self).name == Samples.agent.name && kept.etag == created.etag)
            for headers in [
                ["If-None-Match": "\"1\""], ["If-None-Match": "*", "If-Match": try #require(created.etag)],
                ["If-None-Match": "*", "If-Match": ""], ["If-Match": "*"], ["If-Match": ""], ["If-Match": "  "],
                ["If-Match": "\(try #require(created.etag)), \"99\""],
            ] {
                let refused = try await server.send(
                    .put, "/v1/agents/desk", json: Samples.agentJSON(renamed), headers: headers)
                #expect(refused.status == 400 && refused.error?.code != nil, "\(headers): \(refused.text)")
            }
            #expect(try await server.send(.get, "/v1/agents/desk").etag == created.etag)
        }
    }

    struct InvalidCase: CustomTestStringConvertible, Sendable {
        var name: String
        var id = "desk"
        var body: String
        var field: String
        var testDescription: String { name }
    }

    static let invalidCases = [
        InvalidCase(
            name: "escalate on a messages-only agent",
            body: """
                {"name": "Chat", "channels": ["messages"], "support": {"mode": "escalate", "escalate": {
                  "destinations": [{"name": "Desk", "number": "+34910000000"}], "transfer": "warm", "summary": true,
                  "ring_timeout": 30, "fallback": "nothing"}}}
                """,
            field: "support.mode"),
        InvalidCase(
            name: "a phone number sent as a JSON number",
            body: """
                {"name": "Line", "channels": ["calls"], "support": {"mode": "escalate", "escalate": {
                  "destinations": [{"name": "Desk", "number": 34910000000}], "transfer": "warm", "summary": true,
                  "ring_timeout": 30, "fallback": "nothing"}}}
                """,
            field: "support.escalate.destinations[0].number"),
        InvalidCase(
            name: "an unknown mode",
            body: #"{"name": "Desk", "channels": ["calls"], "support": {"mode": "panic"}}"#,
            field: "support.mode"),
        InvalidCase(
            name: "an id that is not an agent id",
            id: "Not_An_Id",
            body: #"{"name": "Desk", "channels": ["calls"], "support": {"mode": "nothing"}}"#,
            field: "id"),
    ]

    @Test(arguments: invalidCases)
    func invalidAgentIs422NamingTheField(_ invalid: InvalidCase) async throws {
        try await TestServer.with { server in
            let reply = try await server.send(.put, "/v1/agents/\(invalid.id)", json: invalid.body)
            #expect(reply.status == 422, "\(reply.text)")
            #expect(reply.error?.code == "invalid")
            #expect(reply.error?.field == invalid.field, "\(reply.text)")
            #expect(reply.error?.message.isEmpty == false)
            #expect(try await server.send(.get, "/v1/agents/\(invalid.id)").status == 404)
        }
    }

    @Test func unknownAgentIs404() async throws {
        try await TestServer.with { server in
            let reply = try await server.send(.get, "/v1/agents/nobody")
            #expect(reply.status == 404)
            #expect(reply.error?.code == "not_found")
            #expect(reply.error?.message.contains("nobody") == true)
        }
    }
}
