import Foundation
import SupportSync
import Testing

@Suite struct TicketRouteTests {
    /// A server with the sample agent on it.
    static func withAgent(_ body: (TestServer) async throws -> Void) async throws {
        try await TestServer.with { server in
            let put = try await server.send(.put, "/v1/agents/desk", json: Samples.agentJSON())
            try #require(put.status == 200, "\(put.text)")
            try await body(server)
        }
    }

    @Test func createAnswers201WithThePendingTicket() async throws {
        try await Self.withAgent { server in
            let reply = try await server.send(.post, "/v1/tickets", json: Samples.ticketJSON())
            #expect(reply.status == 201, "\(reply.text)")
            let ticket = try reply.decode(Ticket.self)
            #expect(ticket.status == .pending)
            #expect(ticket.agent == "desk")
            #expect(ticket.customer.name == "Ana García")
            #expect(ticket.priority == .high, "the agent's flag priority is the default")
            #expect(reply.etag == "\"\(ticket.version)\"")

            let get = try await server.send(.get, "/v1/tickets/\(ticket.id)?reveal=true")
            #expect(get.status == 200)
            #expect(try get.decode(Ticket.self) == ticket)
            let sealed = try await server.send(.get, "/v1/tickets/\(ticket.id)")
            #expect(try sealed.decode(Ticket.self).customer.name?.hasPrefix(SealedValue.prefix) == true)
            #expect(get.etag == reply.etag)
        }
    }

    @Test func theSameIdempotencyKeyReturnsTheSameTicket() async throws {
        try await Self.withAgent { server in
            let key = ["Idempotency-Key": "flag-conv-1"]
            let first = try await server.send(.post, "/v1/tickets", json: Samples.ticketJSON(), headers: key)
            let again = try await server.send(.post, "/v1/tickets", json: Samples.ticketJSON(), headers: key)
            #expect(first.status == 201)
            #expect(again.status == 201)
            #expect(try first.decode(Ticket.self) == again.decode(Ticket.self))
            let other = try await server.send(
                .post, "/v1/tickets", json: Samples.ticketJSON(), headers: ["Idempotency-Key": "other"])
            #expect(try other.decode(Ticket.self).id != first.decode(Ticket.self).id)
            let page = try await server.send(.get, "/v1/tickets").decode(TicketPage.self)
            #expect(page.tickets.count == 2)
        }
    }

    @Test func aTicketForAnUnknownAgentIs422() async throws {
        try await Self.withAgent { server in
            let reply = try await server.send(.post, "/v1/tickets", json: Samples.ticketJSON(agent: "nobody"))
            #expect(reply.status == 422)
            #expect(reply.error?.field == "agent")
        }
    }

    @Test func aDraftWithAPlatformOwnedOrMissingFieldIs422() async throws {
        try await Self.withAgent { server in
            let extra = try await server.send(
                .post, "/v1/tickets",
                json: #"{"agent": "desk", "channel": "calls", "conversation": "c", "reason": "r", "status": "closed"}"#)
            #expect(extra.status == 422)
            #expect(extra.error?.field == "status")
            let missing = try await server.send(
                .post, "/v1/tickets", json: #"{"agent": "desk", "channel": "calls", "reason": "r"}"#)
            #expect(missing.status == 422)
            #expect(missing.error?.field == "conversation")
            // A customer part misspelt is refused, not dropped with its data.
            let misspelt = try await server.send(
                .post, "/v1/tickets",
                json:
                    #"{"agent": "desk", "channel": "calls", "conversation": "c", "reason": "r", "customer": {"name": "Ana", "mail": "ana@example.com"}}"#
            )
            #expect(misspelt.status == 422 && misspelt.error?.field == "customer.mail", "\(misspelt.text)")
            #expect(try await server.send(.get, "/v1/tickets").decode(TicketPage.self).tickets.isEmpty)
        }
    }

    @Test func listingPagesAfterTheCursorInAStableOrder() async throws {
        try await Self.withAgent { server in
            var created: [String] = []
            for index in 1...5 {
                let reply = try await server.send(
                    .post, "/v1/tickets", json: Samples.ticketJSON(conversation: "conv_\(index)"))
                created.append(try reply.decode(Ticket.self).id)
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = "?limit=2" + (cursor.map { "&after=\($0)" } ?? "")
                let reply = try await server.send(.get, "/v1/tickets" + query)
                #expect(reply.status == 200, "\(reply.text)")
                let page = try reply.decode(TicketPage.self)
                #expect(page.tickets.count <= 2)
                seen += page.tickets.map(\.id)
                cursor = page.nextCursor
                pages += 1
                #expect(reply.text.contains("\"next_cursor\""), "next_cursor is always written, null on the last page")
            } while cursor != nil && pages < 10
            #expect(seen == created)
            #expect(pages == 3)

            // The same walk again gives the same order.
            let all = try await server.send(.get, "/v1/tickets?limit=1000").decode(TicketPage.self)
            #expect(all.tickets.map(\.id) == created)
            #expect(all.nextCursor == nil)

            // A change moves the ticket after the cursor of a finished walk.
            let end = try #require(all.cursor)
            let patch = try await server.send(.patch, "/v1/tickets/\(created[1])", json: #"{"assignee": "ana"}"#)
            #expect(patch.status == 200)
            let later = try await server.send(.get, "/v1/tickets?after=\(end)").decode(TicketPage.self)
            #expect(later.tickets.map(\.id) == [created[1]])
            #expect(later.nextCursor == nil)
        }
    }

    @Test func aLimitOverTheMaximumIsServedAsTheLargestPage() async throws {
        try await Self.withAgent { server in
            for index in 1...3 {
                _ = try await server.send(.post, "/v1/tickets", json: Samples.ticketJSON(conversation: "conv_\(index)"))
            }
            for limit in ["5000", "99999999999999999999999999"] {
                let reply = try await server.send(.get, "/v1/tickets?limit=\(limit)")
                #expect(reply.status == 200, "\(limit): \(reply.text)")
                #expect(try reply.decode(TicketPage.self).tickets.count == 3)
            }
        }
    }

    @Test(arguments: [
        "limit=0", "limit=00", "limit=ten", "limit=-1", "limit=%2B3", "limit=%203", "limit=", "limit=2.5",
        "after=not-a-cursor",
    ])
    func badListParametersAre400(_ query: String) async throws {
        try await Self.withAgent { server in
            let reply = try await server.send(.get, "/v1/tickets?\(query)")
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.error?.code == "bad_request")
        }
    }

    @Test func patchIsConditionalOnIfMatch() async throws {
        try await Self.withAgent { server in
            let created = try await server.send(.post, "/v1/tickets", json: Samples.ticketJSON())
            let id = try created.decode(Ticket.self).id
            let stale = try #require(created.etag)

            let moved = try await server.send(
                .patch, "/v1/tickets/\(id)", json: #"{"status": "in_progress", "assignee": "ana"}"#,
                headers: ["If-Match": stale])
            #expect(moved.status == 200, "\(moved.text)")
            let ticket = try moved.decode(Ticket.self)
            #expect(ticket.status == .inProgress)
            #expect(ticket.assignee == "ana")
            #expect(moved.etag == "\"\(ticket.version)\"")
            #expect(moved.etag != stale)

            let conflict = try await server.send(
                .patch, "/v1/tickets/\(id)", json: #"{"status": "pending"}"#, headers: ["If-Match": stale])
            #expect(conflict.status == 412)
            #expect(conflict.error?.code == "version_conflict")
            #expect(try await server.send(.get, "/v1/tickets/\(id)").decode(Ticket.self) == ticket)

            let cleared = try await server.send(
                .patch, "/v1/tickets/\(id)", json: #"{"assignee": null}"#,
                headers: ["If-Match": try #require(moved.etag)])
            #expect(cleared.status == 200)
            #expect(try cleared.decode(Ticket.self).assignee == nil)

            // Any version, or a list of them, is no version read: 400, nothing written.
            let current = try #require(cleared.etag)
            for ifMatch in ["*", "\(stale), \(current)", ""] {
                let refused = try await server.send(
                    .patch, "/v1/tickets/\(id)", json: #"{"assignee": "bo"}"#, headers: ["If-Match": ifMatch])
                #expect(refused.status == 400 && refused.error?.code == "bad_request", "\(ifMatch): \(refused.text)")
            }
            #expect(try await server.send(.get, "/v1/tickets/\(id)").etag == current)
        }
    }

    @Test func patchRefusesPlatformOwnedFieldsAndBadMoves() async throws {
        try await Self.withAgent { server in
            let id = try await server.send(.post, "/v1/tickets", json: Samples.ticketJSON()).decode(Ticket.self).id
            let owned = try await server.send(.patch, "/v1/tickets/\(id)", json: #"{"summary": "rewritten"}"#)
            #expect(owned.status == 422)
            #expect(owned.error?.field == "summary")
            let unresolved = try await server.send(.patch, "/v1/tickets/\(id)", json: #"{"status": "closed"}"#)
            #expect(unresolved.status == 422)
            #expect(unresolved.error?.field == "resolution")
        }
    }

    @Test func unknownTicketIs404() async throws {
        try await Self.withAgent { server in
            let get = try await server.send(.get, "/v1/tickets/T-NOPE")
            #expect(get.status == 404)
            #expect(get.error?.code == "not_found")
            let patch = try await server.send(.patch, "/v1/tickets/T-NOPE", json: #"{"assignee": "ana"}"#)
            #expect(patch.status == 404)
        }
    }
}
