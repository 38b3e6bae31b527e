import Foundation
import LocalPlatform
import PlatformClient
import PlatformServer
import SupportSync
import TestSupport
import Testing

/// Each token may do what its scope allows over the real server, and a call
/// beyond it is a 403 the client reports as `.forbidden`, naming the scope.
@Suite struct ScopeTests {
    static let tokens: [TokenScope: String] = [
        .read: "read-token", .sync: "sync-token", .reveal: "reveal-token", .erase: "erase-token",
    ]
    static let scoped = tokens.map { ScopedToken($0.value, scopes: $0.key.granted) }

    /// What `scope` may do, each tried once: true when allowed.
    static func tries(_ baseURL: String, _ scope: TokenScope, ticket: String) async throws -> [String: Bool] {
        try await Fixtures.withPlatform(baseURL, token: tokens[scope]!) { platform in
            func allowed(_ call: () async throws -> Void) async throws -> Bool {
                do {
                    try await call()
                    return true
                } catch let error as PlatformError {
                    guard case .forbidden(let message) = error else { throw error }
                    #expect(message.contains("scope"), "\(message)")
                    return false
                }
            }
            return [
                "read sealed": try await allowed { _ = try await platform.ticket(id: ticket, sealing: .all) },
                "read plain": try await allowed { _ = try await platform.ticket(id: ticket, sealing: .none) },
                "write agent": try await allowed {
                    _ = try await platform.putAgent(
                        id: "billing-line", RoundTripTests.write(), expecting: .unconditional)
                },
                "patch": try await allowed {
                    _ = try await platform.patchTicket(
                        id: ticket, TicketPatch(assignee: .set("ana")), expecting: nil, sealing: .all)
                },
                "key": try await allowed { _ = try await platform.ticketKey(id: ticket) },
                "find": try await allowed { _ = try await platform.tickets(ofCustomer: "ada@example.com") },
                "erase": try await allowed {
                    _ = try await platform.erase(.customer("nobody@example.com"), reason: "r", by: "b")
                },
            ]
        }
    }

    @Test func eachScopeAllowsItsCallsAndNoOthers() async throws {
        try await RoundTripTests.withRealServer(scopedTokens: Self.scoped) { baseURL, local in
            _ = try await local.putAgent(id: "billing-line", RoundTripTests.write(), expecting: .unconditional)
            var draft = Fixtures.draft
            draft.report.customer.email = "ada@example.com"
            let ticket = try await local.createTicket(draft, idempotencyKey: nil)
            let expected: [TokenScope: Set<String>] = [
                .read: ["read sealed"],
                .sync: ["read sealed", "write agent", "patch"],
                .reveal: ["read sealed", "read plain", "key", "find"],
                .erase: ["read sealed", "erase"],
            ]
            for (scope, allowed) in expected {
                let tried = try await Self.tries(baseURL, scope, ticket: ticket.id)
                #expect(Set(tried.filter(\.value).keys) == allowed, "\(scope)")
            }
            // Without the reveal scope, customer data is never plain.
            try await Fixtures.withPlatform(baseURL, token: Self.tokens[.sync]!) { platform in
                let sealed = try #require(try await platform.ticket(id: ticket.id, sealing: .all))
                #expect(SealedValue.plainPlaces(in: sealed.record, sealing: .all).isEmpty)
                #expect(sealed.customer.email != "ada@example.com")
            }
        }
    }
}
