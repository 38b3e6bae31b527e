import Foundation
import GRDB
import Git
import LocalPlatform
import SupportSync
import TestSupport
import Testing

/// A repository for the ticket commands, made through the product's own
/// `Git` module, with a local platform file beside it, and an isolated
/// HOME so neither the commands nor the `git` witness read this machine's
/// git configuration.
///
/// The `git` command appears here only as an independent witness (fsck,
/// log, show, status, ls-tree): nothing it writes is relied upon.
final class TicketBench: @unchecked Sendable {  // immutable after init
    let folder: TemporaryFolder
    /// The working tree's root, or the bare repository.
    let root: URL
    /// The local platform's SQLite file (outside the repository).
    let database: String
    let platform: TicketPlatformFile
    let environment: [String: String]

    /// - Parameters:
    ///   - bare: a bare repository.
    ///   - seedCommit: a first commit holding a README (through the Git
    ///     module, then checked out), so the branch is born.
    ///   - sealed: whether customer data is sealed (the default of the
    ///     product). Tests of the ticket loop itself keep it plain, with a
    ///     `supportsync.yaml` of `tickets: {seal: []}`, so they can read
    ///     what they pulled; the sealing tests turn it on.
    init(bare: Bool = false, seedCommit: Bool = true, sealed: Bool = false) throws {
        folder = try TemporaryFolder()
        root = folder.url.appendingPathComponent(bare ? "repo.git" : "repo")
        database = folder.url.appendingPathComponent("platform.sqlite").path
        let home = folder.url.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        environment = [
            "HOME": home.path, "XDG_CONFIG_HOME": home.appendingPathComponent(".config").path,
            "GIT_CONFIG_NOSYSTEM": "1", "SUPPORTSYNC_PLATFORM": "", "SUPPORTSYNC_LOG": "",
            "GIT_AUTHOR_NAME": "", "GIT_AUTHOR_EMAIL": "", "GIT_COMMITTER_NAME": "", "GIT_COMMITTER_EMAIL": "",
        ]
        let repository = try Repository.create(at: root.path, bare: bare, initialBranch: "main")
        platform = try TicketPlatformFile(path: database)
        let project = sealed ? nil : Array("tickets:\n  seal: []\n".utf8)
        if seedCommit {
            let blob = try repository.writeBlob(Array("# support\n".utf8))
            var updates: [(String, ObjectID?)] = [("README.md", blob)]
            if let project { updates.append((ProjectFile.path, try repository.writeBlob(project))) }
            let commit = try repository.commit(
                updating: "refs/heads/main", expectedTip: nil, treeUpdates: updates,
                message: "Start", author: Signature(name: "Team", email: "team@example.com"))
            if !bare { try repository.checkoutPaths(updates.map(\.0), from: commit) }
        }
        // A bare repository reads the one its HEAD holds.
        if let project, !seedCommit {
            try Data(project).write(to: root.appendingPathComponent(ProjectFile.path))
        }
    }

    func repository() throws -> Repository { try Repository.open(at: root.path) }

    // MARK: Running the executable and the witness

    /// Runs `body` off Swift's cooperative thread pool: waiting for a process
    /// there would hold one of its few threads, which tests elsewhere in this
    /// process need to serve HTTP from.
    static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// `supportsync ARGS`, run in the repository.
    @discardableResult
    func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Executable.Result {
        let (root, variables) = (root, environment.merging(extra) { $1 })
        return try await Self.offload { try Executable.run(arguments, in: root, environment: variables) }
    }

    /// `supportsync tickets pull --db DB ARGS`.
    @discardableResult
    func pull(_ arguments: [String] = []) async throws -> Executable.Result {
        try await run(["tickets", "pull", "--db", database] + arguments)
    }

    /// `supportsync tickets push --db DB ARGS`.
    @discardableResult
    func push(_ arguments: [String] = []) async throws -> Executable.Result {
        try await run(["tickets", "push", "--db", database] + arguments)
    }

    /// The `git` command, as a witness: its exit status and output.
    @discardableResult
    func git(_ arguments: [String]) async throws -> Executable.Result {
        try await Self.offload { [self] in try gitWaiting(arguments) }
    }

    private func gitWaiting(_ arguments: [String]) throws -> Executable.Result {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        for key in ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"] {
            env.removeValue(forKey: key)
        }
        return try Executable.capture(
            URL(fileURLWithPath: "/usr/bin/env"), ["git", "-C", root.path] + arguments, environment: env)
    }

    /// `git ARGS` that must succeed; its standard output.
    func gitOutput(_ arguments: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws
        -> String
    {
        let result = try await git(arguments)
        #expect(
            result.status == 0, "git \(arguments.joined(separator: " ")): \(result.stderr)",
            sourceLocation: sourceLocation)
        return result.stdout
    }

    /// `git fsck --strict` finds nothing wrong (the witness that the tool's objects are ordinary git).
    func expectFsckClean(sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let result = try await git(["fsck", "--strict", "--no-dangling"])
        #expect(
            result.status == 0, "git fsck --strict: \(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("error"), "git fsck --strict: \(result.stderr)", sourceLocation: sourceLocation)
    }

    /// `git status --porcelain`: empty when the working tree and index match HEAD.
    func status() async throws -> String {
        try await gitOutput(["status", "--porcelain", "--untracked-files=all"])
    }

    /// The branch's commit id, as git sees it; nil when it does not exist.
    func tip(_ ref: String = "refs/heads/main") async throws -> String? {
        let result = try await git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"])
        return result.status == 0 ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    /// The ticket files (`*.yaml` under tickets/) in a revision, as git lists them.
    func ticketPaths(at revision: String = "main") async throws -> [String] {
        try await gitOutput(["ls-tree", "-r", "--name-only", revision, "--", "tickets/"])
            .split(separator: "\n").map(String.init).filter { $0.hasSuffix(".yaml") }
    }

    /// A file's text in a revision, as `git show` prints it.
    func show(_ path: String, at revision: String = "main") async throws -> String {
        try await gitOutput(["show", "\(revision):\(path)"])
    }

    /// Commit ids from `revision` back to the root, first parents only.
    func commits(_ revision: String = "main") async throws -> [String] {
        try await gitOutput(["rev-list", "--first-parent", revision]).split(separator: "\n").map(String.init)
    }

    func readFile(_ path: String) -> String? {
        FileManager.default.contents(atPath: root.appendingPathComponent(path).path).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    func writeFile(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Commits the working-tree files at `paths` as a person would (through
    /// the Git module), and brings the index up to date: a team's edit.
    @discardableResult
    func commitWorkingFiles(
        _ paths: [String], message: String, author: Signature = Signature(name: "Ana", email: "ana@example.com"),
        branch: String = "refs/heads/main"
    ) throws -> ObjectID {
        let repository = try repository()
        let tip = try repository.resolve(reference: branch)
        var updates: [(path: String, blob: ObjectID?)] = []
        for path in paths {
            if let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path) {
                updates.append((path, try repository.writeBlob([UInt8](data))))
            } else {
                updates.append((path, nil))
            }
        }
        let commit = try repository.commit(
            updating: branch, expectedTip: tip, treeUpdates: updates, message: message, author: author)
        if try repository.headReference() == branch { try repository.checkoutPaths(paths, from: commit) }
        return commit
    }

    /// Edits a ticket file in the working tree, replacing the line
    /// `key: old` with `key: new`, and commits it as the team.
    @discardableResult
    func editTicket(
        _ path: String, _ replacements: [(String, String)], message: String = "Work the ticket",
        author: Signature = Signature(name: "Ana", email: "ana@example.com")
    ) throws -> ObjectID {
        var text = try #require(readFile(path), "\(path) is in the working tree")
        for (old, new) in replacements {
            #expect(text.contains(old + "\n"), "\(path) has the line \(old)")
            text = text.replacingOccurrences(of: old + "\n", with: new + "\n")
        }
        try writeFile(path, text)
        return try commitWorkingFiles([path], message: message, author: author)
    }
}

/// The local platform's SQLite file, written the way a platform would fill
/// it: rows in `ticket(id, seq, body, idempotency_key)` with a global
/// sequence in `meta`. Direct inserts let a test be a hostile platform.
struct TicketPlatformFile: Sendable {
    let path: String

    init(path: String) throws {
        self.path = path
        _ = try LocalPlatform(path: path)  // creates the schema
    }

    func local() throws -> LocalPlatform { try LocalPlatform(path: path) }

    /// Stores each ticket (replacing one with the same id) with the next
    /// sequence number, as a create or a platform-side change would.
    func put(_ tickets: [Ticket]) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            var seq = try Int.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq'") ?? 0
            let encoder = JSONEncoder()
            for var ticket in tickets {
                seq += 1
                ticket.version = String(seq)
                let body = String(decoding: try encoder.encode(ticket), as: UTF8.self)
                try db.execute(
                    sql: """
                        INSERT INTO ticket (id, seq, body) VALUES (?, ?, ?)
                        ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, body = excluded.body
                        """,
                    arguments: [ticket.id, seq, body])
            }
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'seq'", arguments: [String(seq)])
        }
    }

    /// The ticket as stored now.
    func ticket(_ id: String) throws -> Ticket? {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            try String.fetchOne(db, sql: "SELECT body FROM ticket WHERE id = ?", arguments: [id]).map {
                try JSONDecoder().decode(Ticket.self, from: Data($0.utf8))
            }
        }
    }

    /// Changes a stored ticket in place as the platform would (a new sequence number).
    func change(_ id: String, _ body: (inout Ticket) -> Void) throws {
        var ticket = try #require(try self.ticket(id))
        body(&ticket)
        try put([ticket])
    }

    var instance: String {
        get throws {
            try DatabaseQueue(path: path).read { db in
                try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'instance'") ?? ""
            }
        }
    }

    func setInstance(_ instance: String) throws {
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'instance'", arguments: [instance])
        }
    }
}

extension String {
    var withoutSurroundingSpace: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// `supportsync platform serve` on a free loopback port, stopped on `stop()`
/// or when released.
final class TicketServer: @unchecked Sendable {  // immutable after init; stop() is idempotent
    let process: Process
    let url: String
    let token = "e2e-token-\(UUID().uuidString)"

    /// One token of each scope beside `token` (every scope).
    let scoped: [String: String] = Dictionary(
        uniqueKeysWithValues: ["read", "sync", "reveal", "erase"].map { ($0, "\($0)-token-\(UUID().uuidString)") })

    init(database: String) throws {
        let variables = Dictionary(
            uniqueKeysWithValues: scoped.map { ("SUPPORTSYNC_\($0.key.uppercased())_TOKEN", $0.value) })
        let (process, line) = try Executable.startServer(
            ["--db", database, "--port", "0"], token: token, environment: variables)
        self.process = process
        guard let start = line.range(of: "http://") else {
            process.terminate()
            throw ServeFailed(line: line)
        }
        url = String(line[start.lowerBound...])
    }

    /// The flags and environment that point a command at this server.
    var environment: [String: String] { ["SUPPORTSYNC_TOKEN": token] }

    /// The environment of a command using the token of one scope.
    func environment(_ scope: String) -> [String: String] { ["SUPPORTSYNC_TOKEN": scoped[scope]!] }

    func stop() {
        if process.isRunning {
            process.interrupt()
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    struct ServeFailed: Error {
        var line: String
    }
}

/// The list under `key` of a JSON document printed by a command, which
/// carries `"format_version": 1` like every document.
func jsonList(
    _ text: String, _ key: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws -> [[String: Any]] {
    let document = try ticketJSON(text, sourceLocation: sourceLocation)
    #expect(document["format_version"] as? Int == 1, sourceLocation: sourceLocation)
    return try #require(
        document[key] as? [[String: Any]], "a list under \(key): \(text)", sourceLocation: sourceLocation)
}

/// A JSON document printed by a command.
func ticketJSON(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(object as? [String: Any], "a JSON object: \(text)", sourceLocation: sourceLocation)
}
