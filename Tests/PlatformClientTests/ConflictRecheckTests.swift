import Foundation
import Hummingbird
import PlatformClient
import SupportSync
import TestSupport
import Testing

/// A conditional write whose answer is lost (a timeout) is retried; the
/// retry then meets a 412 caused by the first attempt. The client checks
/// whether the platform already holds what it wrote before calling that a conflict.
@Suite(.exclusive) struct ConflictRecheckTests {
    /// PUT: first slow (the client times out), then 412; GET answers `current`.
    static func server(current: Agent) -> FaultServer.Reply {
        { request, number in
            switch (request.method, number) {
            case ("PUT", 1):
                try await Task.sleep(for: .seconds(600))  // stopped when the server stops
                return FaultServer.json(current)
            case ("PUT", _):
                return FaultServer.error(.preconditionFailed, .versionConflict("at version 4, not 3"))
            default:
                return FaultServer.json(current)
            }
        }
    }

    // Generous, so only the deliberately slow first answer times out on a loaded machine.
    static let configuration = Fixtures.fast(requestTimeout: .seconds(5))

    @Test func ourOwnWriteIsNotAConflict() async throws {
        var landed = Fixtures.agent
        landed.version = "4"
        let (result, seen) = try await FaultServer.with(Self.server(current: landed)) { baseURL, log in
            let result = try await Fixtures.withPlatform(baseURL, Self.configuration) {
                try await $0.putAgent(
                    id: "billing-line", AgentWrite(Fixtures.agent.settings), expecting: .revision("3"))
            }
            return (result, await log.requests.map { $0.method })
        }
        #expect(result == landed)
        #expect(seen == ["PUT", "PUT", "GET"])
    }

    @Test func someoneElsesWriteIsAConflict() async throws {
        var changed = Fixtures.agent
        changed.version = "4"
        changed.name = "Changed by someone else"
        let (error, seen) = try await FaultServer.with(Self.server(current: changed)) { baseURL, log in
            let error = await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL, Self.configuration) {
                    try await $0.putAgent(
                        id: "billing-line", AgentWrite(Fixtures.agent.settings), expecting: .revision("3"))
                }
            }
            return (error, await log.requests.map { $0.method })
        }
        #expect(seen == ["PUT", "PUT", "GET"])
        #expect(error?.code == "version_conflict")
        #expect(
            error?.message.hasPrefix("agent billing-line: HTTP 412 on PUT /v1/agents/billing-line: at version 4, not 3")
                == true)
    }

    @Test func aPlainConflictIsNotRechecked() async throws {
        let seen = try await FaultServer.with({ _, _ in
            FaultServer.error(.preconditionFailed, .versionConflict("moved"))
        }) {
            baseURL, log in
            await #expect(
                throws: PlatformError.versionConflict(
                    "agent billing-line: HTTP 412 on PUT /v1/agents/billing-line: moved")
            ) {
                try await Fixtures.withPlatform(baseURL) {
                    try await $0.putAgent(
                        id: "billing-line", AgentWrite(Fixtures.agent.settings), expecting: .revision("3"))
                }
            }
            return await log.requests.map { $0.method }
        }
        #expect(seen == ["PUT"])
    }

    @Test func aPatchThatLandedIsNotAConflict() async throws {
        let landed = TicketPatch(status: .closed).applied(to: Fixtures.ticket)
        let seen = try await FaultServer.with({ request, number in
            switch (request.method, number) {
            case ("PATCH", 1):
                try await Task.sleep(for: .seconds(600))  // stopped when the server stops
                return FaultServer.json(landed)
            case ("PATCH", _): return FaultServer.error(.preconditionFailed, .versionConflict("moved"))
            default: return FaultServer.json(landed)
            }
        }) { baseURL, log in
            let result = try await Fixtures.withPlatform(baseURL, Self.configuration) {
                try await $0.patchTicket(id: "T-1", TicketPatch(status: .closed), expecting: "1")
            }
            #expect(result == landed)
            return await log.requests.map { $0.method }
        }
        #expect(seen == ["PATCH", "PATCH", "GET"])
    }

    /// An erasure of a customer's tickets whose answer is lost is retried;
    /// the retry finds nothing left (the first erased them, and erased
    /// tickets no longer name the customer). That answer is not taken for
    /// "nothing erased": said as unknown, pointing at the next pull.
    @Test func anErasureWhoseAnswerWasLostIsNotNothingErased() async throws {
        let (error, seen) = try await FaultServer.with({ request, number in
            if number == 1 { try await Task.sleep(for: .seconds(600)) }
            return FaultServer.json(["tickets": [Ticket]()])
        }) { baseURL, log in
            let error = await #expect(throws: PlatformError.self) {
                try await Fixtures.withPlatform(baseURL, Self.configuration) {
                    try await $0.erase(.customer("ana@example.com"), reason: "request 7", by: "dpo")
                }
            }
            return (error, await log.requests.map { $0.method })
        }
        #expect(seen == ["POST", "POST"])
        #expect(
            error?.message.contains("that attempt may have erased tickets this answer (0 erased) cannot list") == true,
            "\(error?.message ?? "")")
        // Answered the first time, the same empty answer is nothing erased.
        let erased = try await FaultServer.with({ _, _ in FaultServer.json(["tickets": [Ticket]()]) }) { baseURL, _ in
            try await Fixtures.withPlatform(baseURL, Self.configuration) {
                try await $0.erase(.customer("ana@example.com"), reason: "request 7", by: "dpo")
            }
        }
        #expect(erased.isEmpty)
    }
}
