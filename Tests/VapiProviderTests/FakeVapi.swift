import Foundation
import Testing
import VapiProvider

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `Tests/VapiFake/fake_vapi.py` on 127.0.0.1: Vapi's API as its own
/// document describes it, checking every request and every answer against
/// that document (a pruned copy, `Tests/VapiFake/openapi.json`). Started with
/// the Python of `.build/tools/venv`, where `script/bootstrap --test` installs
/// its validator. Stopped when released.
final class FakeVapi: @unchecked Sendable {  // immutable after init
    static let token = "vapi-test-token-0123456789"
    let url: String
    private let process: Process

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// - Parameters:
    ///   - rate: requests per second the fake allows before it answers 429 (0: any).
    ///   - maxPage: the most items a list answers, whatever its `limit` (nil: as asked).
    init(rate: Int = 0, maxPage: Int? = nil) throws {
        let root = Self.repository
        let python = root.appendingPathComponent(".build/tools/venv/bin/python")
        try #require(
            FileManager.default.isExecutableFile(atPath: python.path),
            "the fake needs \(python.path): run script/bootstrap --test")
        process = Process()
        process.executableURL = python
        process.arguments =
            [
                root.appendingPathComponent("Tests/VapiFake/fake_vapi.py").path, "--spec",
                root.appendingPathComponent("Tests/VapiFake/openapi.json").path, "--token", Self.token, "--port", "0",
                "--rate", String(rate),
            ] + (maxPage.map { ["--max-page", String($0)] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "listening on ") else {
            process.terminate()
            throw FakeVapiError(message: "the fake did not start: \(text)")
        }
        url = String(text[range.upperBound...].prefix { $0 != "\n" })
    }

    deinit {
        // The fake keeps nothing: stop it at once.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A control or API request; the answer's JSON.
    @discardableResult
    func call(_ method: String, _ path: String, _ body: JSONValue? = nil, token: Bool = false) async throws
        -> JSONValue
    {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        if token { request.setValue("Bearer \(Self.token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = body.canonical
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200...299).contains(status) else {
            throw FakeVapiError(message: "\(method) \(path): HTTP \(status) \(String(decoding: data, as: UTF8.self))")
        }
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    func state() async throws -> (assistants: [JSONValue], tools: [JSONValue]) {
        let state = try await call("GET", "/__fake/state")
        return (state["assistants"]?.array ?? [], state["tools"]?.array ?? [])
    }

    /// Every API request so far: method, path, query, body, status.
    func requests() async throws -> [JSONValue] { try await call("GET", "/__fake/requests").array ?? [] }

    func clearRequests() async throws { try await call("DELETE", "/__fake/requests") }

    func fault(_ fault: JSONValue) async throws { try await call("POST", "/__fake/faults", fault) }

    /// Answers of the fake that did not match the document: none, or the fake drifted.
    func failures() async throws -> [JSONValue] { try await call("GET", "/__fake/failures").array ?? [] }
}

struct FakeVapiError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
