import Foundation
import LocalPlatform
import PlatformServer
import SupportSync
import TestSupport
import Testing

/// What the plan / apply / import end-to-end tests share: the built
/// executable run off the cooperative thread pool, `supportsync platform
/// serve` as a real process, and the real server in-process over a platform
/// that fails on purpose.
enum PlanApply {
    /// Runs the built executable without blocking a thread of Swift's
    /// cooperative pool, which an in-process server needs to answer it.
    static func run(
        _ arguments: [String], in folder: URL, token: String? = nil, environment: [String: String] = [:]
    ) async throws -> Executable.Result {
        var variables = environment
        if let token { variables["SUPPORTSYNC_TOKEN"] = token }
        let settings = variables
        return try await offload { try Executable.run(arguments, in: folder, environment: settings) }
    }

    static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// An agent file that validates; `mode` may be flag, escalate, decide or nothing.
    static func agentFile(_ id: String, mode: String = "flag", number: String = "+34910000000") -> String {
        """
        agent: \(id)
        name: Agent \(id)
        channels: [calls, messages]
        support:
          mode: \(mode)
          flag:
            collect: [name, email]
          escalate:
            destinations:
              - name: desk
                number: "\(number)"

        """
    }

    /// A fresh token per test, so a leak is found by searching for it.
    static func newToken() -> String { "e2e-token-\(UUID().uuidString)" }

    /// The agents on the platform in `database`, read straight from the file.
    static func liveAgents(_ database: String) async throws -> [String: Agent] {
        let agents = try await LocalPlatform(path: database).agents()
        return Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0) })
    }
}

/// `supportsync platform serve --port 0 --db PATH` as a real process.
final class ServeProcess: @unchecked Sendable {
    let process: Process
    /// `http://127.0.0.1:PORT`, from the line the command prints once bound.
    let url: String

    private init(process: Process, url: String) {
        self.process = process
        self.url = url
    }

    /// Starts a server on `database` requiring `token`, runs `body`, and
    /// always stops the server afterwards (SIGINT, a graceful stop).
    static func with<T>(
        database: String, token: String, _ body: (ServeProcess) async throws -> T
    ) async throws -> T {
        let server = try await PlanApply.offload { try ServeProcess.start(database: database, token: token) }
        let result: T
        do {
            result = try await body(server)
        } catch {
            _ = try? await PlanApply.offload { server.stop() }
            throw error
        }
        let status = try await PlanApply.offload { server.stop() }
        #expect(status == 0, "platform serve exits 0 when interrupted")
        return result
    }

    private static func start(database: String, token: String) throws -> ServeProcess {
        let (process, line) = try Executable.startServer(["--db", database, "--port", "0"], token: token)
        let prefix = "listening on http://127.0.0.1:"
        guard line.hasPrefix(prefix), let port = Int(line.dropFirst(prefix.count)), port > 0 else {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            throw ServeProcessError(message: "platform serve did not start: \(line.debugDescription)")
        }
        return ServeProcess(process: process, url: "http://127.0.0.1:\(port)")
    }

    /// Interrupts the server and waits for it; returns its exit status.
    func stop() -> Int32 {
        if process.isRunning { process.interrupt() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

struct ServeProcessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A local platform whose writes fail on purpose: every write of `broken`
/// fails (the server answers 500), and the first write of `flaky` finds the
/// platform busy (503 with Retry-After), later ones go through.
struct FaultyPlatform: WrappingPlatform {
    let base: LocalPlatform
    let broken: String
    let flaky: String
    let writes = WriteCounter()

    actor WriteCounter {
        private(set) var counts: [String: Int] = [:]

        func next(_ id: String) -> Int {
            counts[id, default: 0] += 1
            return counts[id]!
        }
    }

    func putAgent(id: String, _ write: AgentWrite, expecting ifMatch: AgentPrecondition) async throws(PlatformError)
        -> Agent
    {
        let attempt = await writes.next(id)
        if id == broken { throw .failed("the platform broke while saving agent \(id)") }
        if id == flaky, attempt == 1 { throw .unavailable("the platform is busy") }
        return try await base.putAgent(id: id, write, expecting: ifMatch)
    }

}
