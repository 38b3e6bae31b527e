import Foundation
import Git
import Testing

struct ChangesTests {
    /// `git diff --raw` lines, as `:oldmode newmode oldid newid status\tpath`.
    private func rawDiff(_ witness: Witness, _ old: String, _ new: ObjectID, _ prefix: String) throws -> [String] {
        try witness.output(["diff", "--raw", "--no-abbrev", "--no-renames", old, new.hex, "--", prefix])
            .split(separator: "\n").map(String.init)
    }

    private func raw(_ change: FileChange) -> String {
        let zero = String(repeating: "0", count: 40)
        let modes =
            switch change.kind {
            case .added: "000000 100644"
            case .deleted: "100644 000000"
            case .modified: "100644 100644"
            }
        let status =
            switch change.kind {
            case .added: "A"
            case .deleted: "D"
            case .modified: "M"
            }
        return ":\(modes) \(change.oldBlob?.hex ?? zero) \(change.newBlob?.hex ?? zero) \(status)\t\(change.path)"
    }

    @Test func reportsAddedModifiedAndDeletedFilesUnderAPrefix() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let old = try repository.makeCommit(
                [
                    "tickets/2024/01/keep.yaml": "k", "tickets/2024/01/edit.yaml": "1", "tickets/gone.yaml": "g",
                    "tickets-index": "i", "README": "r", "tickets/folder": "a file for now",
                ], at: 1)
            // libgit2 builds a tree from removals and additions at once, but
            // not a file and a folder of the same name: two steps for that.
            let middle = try repository.makeCommit(
                [
                    "tickets/2024/01/edit.yaml": "2", "tickets/gone.yaml": nil, "tickets/2024/02/new.yaml": "n",
                    "tickets-index": "j", "README": "s", "tickets/folder": nil,
                ], parents: [old], at: 2)
            let new = try repository.makeCommit(["tickets/folder/inside": "now a folder"], parents: [middle], at: 3)

            let witness = Witness(gitDirectory: folder)
            let changes = try repository.changes(from: old, to: new, under: "tickets")
            #expect(changes.map(raw) == (try rawDiff(witness, old.hex, new, "tickets")))
            #expect(
                changes.map { "\($0.kind) \($0.path)" } == [
                    "modified tickets/2024/01/edit.yaml", "added tickets/2024/02/new.yaml", "deleted tickets/folder",
                    "added tickets/folder/inside", "deleted tickets/gone.yaml",
                ])
            let edit = changes[0]
            #expect(try edit.oldBlob.map(repository.blob) == Array("1".utf8))
            #expect(try edit.newBlob.map(repository.blob) == Array("2".utf8))

            // A trailing slash means the same folder; a deeper prefix narrows.
            #expect(try repository.changes(from: old, to: new, under: "tickets/") == changes)
            #expect(
                try repository.changes(from: old, to: new, under: "tickets/2024").map(\.path) == [
                    "tickets/2024/01/edit.yaml", "tickets/2024/02/new.yaml",
                ])
            // A single file, the whole tree, and nothing at all.
            #expect(try repository.changes(from: old, to: new, under: "README").map(\.kind) == [.modified])
            #expect(
                try repository.changes(from: old, to: new, under: "").map(raw)
                    == (try rawDiff(witness, old.hex, new, ".")))
            #expect(try repository.changes(from: old, to: new, under: "tickets/2023").isEmpty)
            #expect(try repository.changes(from: new, to: new, under: "tickets").isEmpty)
            // Glob characters are literal: "ticket*" is not a pattern.
            #expect(try repository.changes(from: old, to: new, under: "ticket*").isEmpty)
            #expect(
                #expect(throws: GitError.self) { try repository.changes(from: old, to: new, under: "../x") }?.kind
                    == .invalid)
        }
    }

    /// A submodule (a commit named in a tree) is no file: marked so when it
    /// comes and when it goes, as its id names no blob either time.
    @Test func aSubmoduleIsMarkedWhenAddedAndWhenDeleted() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let old = try repository.makeCommit(["tickets/a.yaml": "a"], at: 1)
            // This module writes no submodule: git makes the hostile commit.
            let setup = Witness(gitDirectory: folder)
            func git(_ arguments: [String]) throws -> String {
                let result = try setup.run(arguments)
                #expect(result.status == 0, "git \(arguments): \(result.stderr)")
                return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            _ = try git(["read-tree", old.hex])
            _ = try git(["update-index", "--add", "--cacheinfo", "160000,\(old.hex),tickets/sub"])
            let tree = try git(["write-tree"])
            let with = try #require(
                ObjectID(
                    hex: try git([
                        "-c", "user.name=a", "-c", "user.email=a@b", "commit-tree", tree, "-p", old.hex, "-m", "sub",
                    ])))

            let added = try repository.changes(from: old, to: with, under: "tickets")
            #expect(added.map { "\($0.kind) \($0.path) \($0.isSubmodule)" } == ["added tickets/sub true"])
            let deleted = try repository.changes(from: with, to: old, under: "tickets")
            #expect(deleted.map { "\($0.kind) \($0.path) \($0.isSubmodule)" } == ["deleted tickets/sub true"])
            #expect(try repository.changes(from: nil, to: old, under: "tickets").map(\.isSubmodule) == [false])
        }
    }

    @Test func fromNothingEveryFileIsAdded() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let root = try repository.makeCommit(["tickets/a.yaml": "a", "tickets/b/c.yaml": "c", "other": "o"], at: 1)
            let changes = try repository.changes(from: nil, to: root, under: "tickets")
            let emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  // git's well-known empty tree
            #expect(changes.map(raw) == (try rawDiff(Witness(gitDirectory: folder), emptyTree, root, "tickets")))
            #expect(changes.allSatisfy { $0.kind == .added && $0.oldBlob == nil })
            #expect(changes.map(\.path) == ["tickets/a.yaml", "tickets/b/c.yaml"])
        }
    }
}
