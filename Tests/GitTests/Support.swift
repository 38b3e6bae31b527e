import Foundation
import Git
import Testing

/// Runs `body` with a new empty folder (symlinks resolved, so paths compare
/// equal to what libgit2 reports) and removes it afterwards.
func withTemporaryFolder<R>(_ body: (String) throws -> R) throws -> R {
    let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath()
    let folder = base.appendingPathComponent("GitTests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try body(folder)
}

/// The `git` command, used only as an independent witness of what the module
/// wrote: it reads, it never sets anything up.
struct Witness {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The repository's git directory (works for bare and non-bare alike).
    var gitDirectory: String
    /// The working tree, for commands that read it (`status`); nil when
    /// only the repository's objects and references are inspected.
    var workTree: String? = nil

    /// Runs git and returns its standard output without the final newline,
    /// recording a test failure when git fails.
    func output(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments)
        #expect(
            result.status == 0, "git \(arguments.joined(separator: " ")): \(result.stderr)",
            sourceLocation: sourceLocation)
        return result.stdout.hasSuffix("\n") ? String(result.stdout.dropLast()) : result.stdout
    }

    /// `git fsck --strict` must find nothing wrong.
    func expectSound(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try run(["fsck", "--strict", "--no-progress"])
        #expect(result.status == 0, "git fsck: \(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stdout.contains("error") && !result.stderr.contains("error"), sourceLocation: sourceLocation)
    }

    /// Runs `git --git-dir=<gitDirectory> arguments...`.
    func run(_ arguments: [String]) throws -> Output {
        try Self.git(["--git-dir=\(gitDirectory)"] + (workTree.map { ["--work-tree=\($0)"] } ?? []) + arguments)
    }

    /// Runs `git arguments...` outside any repository; only for setting up
    /// what this module cannot make itself (a shallow clone).
    static func git(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }
}

/// A test author at `seconds` after 1700000000, so walks that order by
/// time see a known order.
func author(at seconds: Int, offset: Int = 120) -> Signature {
    Signature(
        name: "Ada Lovelace", email: "ada@example.com",
        date: Date(timeIntervalSince1970: 1_700_000_000 + TimeInterval(seconds)), timeZoneOffsetMinutes: offset)
}

/// A fixed author so tests can check exactly what git reads back.
let testAuthor = Signature(
    name: "Ada Lovelace", email: "ada@example.com",
    date: Date(timeIntervalSince1970: 1_700_000_000), timeZoneOffsetMinutes: 120)

extension Repository {
    /// Writes `files` as blobs and commits them onto `ref` from `tip`.
    @discardableResult
    func commitFiles(
        _ files: [String: String?], onto ref: String = "refs/heads/main", from tip: ObjectID?, message: String
    ) throws -> ObjectID {
        var updates: [(path: String, blob: ObjectID?)] = []
        for (path, content) in files.sorted(by: { $0.key < $1.key }) {
            updates.append((path, try content.map { try writeBlob(Array($0.utf8)) }))
        }
        return try commit(updating: ref, expectedTip: tip, treeUpdates: updates, message: message, author: testAuthor)
    }

    /// Writes `files` as blobs and creates a commit on `parents` (the tree
    /// starts from the first one's) without moving any reference.
    func makeCommit(
        _ files: [String: String?], parents: [ObjectID] = [], at seconds: Int, message: String = "change"
    ) throws -> ObjectID {
        var updates: [(path: String, blob: ObjectID?)] = []
        for (path, content) in files.sorted(by: { $0.key < $1.key }) {
            updates.append((path, try content.map { try writeBlob(Array($0.utf8)) }))
        }
        return try createCommit(
            parent: parents.first, mergedParents: Array(parents.dropFirst()), treeUpdates: updates,
            message: message, author: author(at: seconds)
        ).commit
    }

    /// Points `ref` at `id` whatever it pointed at before.
    func setReference(_ ref: String, to id: ObjectID) throws {
        try updateReferences([ReferenceUpdate(name: ref, expected: resolve(reference: ref), new: id, message: "test")])
    }

    /// The text of the file at `path` in `commit`, nil when absent.
    func text(at path: String, in commit: ObjectID) throws -> String? {
        try blob(at: path, in: commit).map { String(decoding: $0, as: UTF8.self) }
    }
}
