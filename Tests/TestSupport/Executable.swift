import Foundation

/// Runs the built `supportsync` executable as a user would.
public struct Executable {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The executable SwiftPM built beside this test bundle.
    public static var url: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // Swift Testing's runner may live inside the .xctest bundle's folder.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("supportsync")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/supportsync")
    }

    @discardableResult
    public static func run(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], stdin: String? = nil
    ) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "CI")
        for (key, value) in environment { env[key] = value }
        return try capture(url, arguments, in: directory, environment: env, stdin: stdin)
    }

    /// Runs any program to its end with exactly `environment`, and returns
    /// its status and both outputs.
    public static func capture(
        _ program: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String],
        stdin: String? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if stdin != nil { process.standardInput = Pipe() } else { process.standardInput = FileHandle.nullDevice }
        try process.run()
        if let stdin, let pipe = process.standardInput as? Pipe {
            pipe.fileHandleForWriting.write(Data(stdin.utf8))
            try pipe.fileHandleForWriting.close()
        }
        // Read both pipes before waiting so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// A temporary folder removed when the test is done with it, with files
/// written into it by path.
public final class TemporaryFolder: @unchecked Sendable {  // immutable after init
    public let url: URL

    public init(_ files: [String: String] = [:]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("supportsync-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (path, text) in files { try write(path, text) }
    }

    public func write(_ path: String, _ text: String) throws {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

extension Executable {
    /// Starts `supportsync platform serve` with `arguments` and the token,
    /// and returns the process with the first line it printed (`listening
    /// on http://HOST:PORT`, or whatever it said instead).
    public static func startServer(_ arguments: [String], token: String) throws -> (process: Process, line: String) {
        let process = Process()
        process.executableURL = url
        process.arguments = ["platform", "serve"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SUPPORTSYNC_TOKEN"] = token
        environment.removeValue(forKey: "CI")
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        // Logs would fill a pipe nobody reads and stall the server.
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var printed = Data()
        while !printed.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed.append(chunk)
        }
        return (process, String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
