import Foundation
import LocalPlatform
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `supportsync platform serve` as a user runs it: the real executable, a
/// real port, a real SQLite file.
@Suite struct PlatformServeCommandTests {
    /// No token, or one that could not be sent or kept out of logs (short,
    /// outside printable ASCII): nothing is served or opened.
    @Test(arguments: [nil, "", "seven77", "tøken-with-ø-inside", "token with spaces"])
    func refusesToStartWithoutAToken(_ token: String?) throws {
        let folder = try TemporaryFolder()
        let database = folder.url.appendingPathComponent("p.sqlite").path
        let process = Process()
        process.executableURL = Executable.url
        process.arguments = ["platform", "serve", "--db", database, "--port", "0"]
        var environment = ProcessInfo.processInfo.environment
        environment["SUPPORTSYNC_TOKEN"] = token
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // A command that wrongly starts serving would never exit: stop it.
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        #expect(process.terminationStatus == 64)
        let error = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(error.contains("SUPPORTSYNC_TOKEN"), "\(error)")
        if let token, !token.isEmpty { #expect(!error.contains(token), "\(error)") }
        #expect(out.fileHandleForReading.readDataToEndOfFile().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: database), "nothing is opened without a token")
    }

    @Test func servesOnThePortItPrintsAndStopsOnSIGINT() async throws {
        let folder = try TemporaryFolder()
        let token = "cli-token-\(UUID().uuidString)"
        let process = Process()
        process.executableURL = Executable.url
        process.arguments = ["platform", "serve", "--repo", folder.url.path, "--port", "0"]
        var environment = ProcessInfo.processInfo.environment
        environment["SUPPORTSYNC_TOKEN"] = token
        environment["SUPPORTSYNC_LOG"] = "info"
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The first line says where it listens; read up to it (the command
        // writes it unbuffered, once bound).
        var printed = Data()
        while !printed.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed.append(chunk)
        }
        let line = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let prefix = "listening on http://127.0.0.1:"
        try #require(line.hasPrefix(prefix), "stdout: \(line)")
        let port = try #require(Int(line.dropFirst(prefix.count)))
        #expect(port > 0)

        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/platform")!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (body, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("\"api_version\":\"1\""))
        #expect(
            FileManager.default.fileExists(
                atPath: folder.url.appendingPathComponent(".supportsync/platform.sqlite").path),
            "the default database lives in the repository")

        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let logs = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(!logs.contains(token), "the token is never logged")
        #expect(!line.contains(token))
    }

    /// The database served is the one the environment's other commands use:
    /// its `db:` in supportsync.yaml (the default environment, or --env). An
    /// environment on another provider has none here: refused (64), and no
    /// file is made in its place.
    @Test func servesTheEnvironmentsDatabase() throws {
        let folder = try TemporaryFolder()
        try folder.write(
            "supportsync.yaml",
            """
            platforms:
              staging:
                provider: local
                db: .supportsync/staging.sqlite
              production:
                provider: http
                url: https://support.example.com
            default: staging

            """)
        let token = "cli-token-\(UUID().uuidString)"
        let staging = folder.url.appendingPathComponent(".supportsync/staging.sqlite").path
        let (process, line) = try Executable.startServer(["--repo", folder.url.path, "--port", "0"], token: token)
        defer { if process.isRunning { process.terminate() } }
        #expect(line.hasPrefix("listening on http://127.0.0.1:"), "\(line)")
        process.interrupt()
        process.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: staging), "the environment's db: is served")
        #expect(!FileManager.default.fileExists(atPath: LocalPlatform.defaultPath(root: folder.url)))

        let refused = try Executable.run(
            ["platform", "serve", "--env", "production", "--port", "0"], in: folder.url,
            environment: ["SUPPORTSYNC_TOKEN": token])
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(
            refused.stderr.contains(
                "environment 'production' is on the http provider, not a local platform: platform serve works on a local platform only"
            ), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: LocalPlatform.defaultPath(root: folder.url)))
    }
}
