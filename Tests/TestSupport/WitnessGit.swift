import Foundation

/// The `git` command: a team's own tool (clone, commit, merge, push) and
/// the tests' witness, never a stand-in for what supportsync does.
public enum WitnessGit {
    /// Runs git with a fixed identity; returns its trimmed stdout.
    @discardableResult
    public static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws
        -> String
    {
        var env = ProcessInfo.processInfo.environment
        env["GIT_TERMINAL_PROMPT"] = "0"
        for (key, value) in environment { env[key] = value }
        let identity = ["-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "init.defaultBranch=main"]
        let result = try Executable.capture(
            URL(fileURLWithPath: "/usr/bin/env"), ["git"] + identity + arguments, in: directory, environment: env)
        guard result.status == 0 else {
            throw GitCommandFailed(arguments: arguments, status: result.status, stderr: result.stderr)
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

public struct GitCommandFailed: Error, CustomStringConvertible {
    public var arguments: [String]
    public var status: Int32
    public var stderr: String
    public var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(stderr)" }
}
