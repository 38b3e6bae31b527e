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
        // Output goes to files, not pipes, and the wait is for the process
        // to exit, not for end of file: tests start processes from several
        // threads at once, and a long-lived child (a served platform) that
        // inherited another child's pipe would hold it open for ever.
        let outFile = try OutputFile()
        let errFile = try OutputFile()
        process.standardOutput = outFile.handle
        process.standardError = errFile.handle
        if stdin != nil { process.standardInput = Pipe() } else { process.standardInput = FileHandle.nullDevice }
        try process.run()
        if let stdin, let pipe = process.standardInput as? Pipe {
            pipe.fileHandleForWriting.write(Data(stdin.utf8))
            try pipe.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: outFile.text(), stderr: errFile.text())
    }
}

/// A file a child process writes its output to, removed when released.
final class OutputFile {
    let url: URL
    let handle: FileHandle

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("supportsync-output-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown)
        }
        handle = try FileHandle(forWritingTo: url)
    }

    func text() -> String {
        String(decoding: FileManager.default.contents(atPath: url.path) ?? Data(), as: UTF8.self)
    }

    deinit {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
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
    public static func startServer(
        _ arguments: [String], token: String, environment extra: [String: String] = [:]
    ) throws -> (process: Process, line: String) {
        let process = Process()
        process.executableURL = url
        process.arguments = ["platform", "serve"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SUPPORTSYNC_TOKEN"] = token
        environment.removeValue(forKey: "CI")
        environment.merge(extra) { $1 }
        process.environment = environment
        // To a file, read until the first line (or the server's end, or 60 s),
        // for the reason `capture` says.
        let out = try OutputFile()
        process.standardOutput = out.handle
        // Logs would fill a pipe nobody reads and stall the server.
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var printed = Data()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            printed = FileManager.default.contents(atPath: out.url.path) ?? Data()
            if printed.contains(UInt8(ascii: "\n")) || !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        printed = FileManager.default.contents(atPath: out.url.path) ?? printed
        if let newline = printed.firstIndex(of: UInt8(ascii: "\n")) { printed = printed[..<newline] }
        return (process, String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
