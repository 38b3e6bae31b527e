import Foundation
import Git
import Testing

struct CommitTests {
    @Test func commitsFilesInMemoryAndReadsThemBack() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let commit = try repository.commitFiles(
                [
                    "README.md": "hello\n",
                    "tickets/2024/01/T-1.yaml": "id: T-1\n",
                    "tickets/2024/02/T-2.yaml": "id: T-2\n",
                    "tickets/T-0.yaml": "id: T-0\n",
                    "tickets-index": "x\n",
                ], from: nil, message: "tickets: 4 new\n\nSupportsync-Cursor: abc")

            #expect(try repository.resolve(reference: "refs/heads/main") == commit)
            #expect(try repository.text(at: "tickets/2024/01/T-1.yaml", in: commit) == "id: T-1\n")
            #expect(try repository.text(at: "README.md", in: commit) == "hello\n")
            #expect(try repository.blob(at: "tickets/missing.yaml", in: commit) == nil)
            #expect(try repository.blob(at: "nowhere/at/all", in: commit) == nil)

            let witness = Witness(gitDirectory: repository.gitDirectory)
            #expect(try witness.output("show", "main:tickets/2024/02/T-2.yaml") == "id: T-2")
            #expect(
                try witness.output("ls-tree", "-r", "--name-only", "main").split(separator: "\n") == [
                    "README.md", "tickets-index", "tickets/2024/01/T-1.yaml", "tickets/2024/02/T-2.yaml",
                    "tickets/T-0.yaml",
                ])
            // No parent, the author's exact time and zone, committer = author.
            let log = try witness.output("log", "--format=%H|%P|%an|%ae|%at|%ai|%cn|%s", "main")
            #expect(
                log.split(separator: "|", omittingEmptySubsequences: false) == [
                    Substring(commit.hex), "", "Ada Lovelace", "ada@example.com", "1700000000",
                    "2023-11-15 00:13:20 +0200", "Ada Lovelace", "tickets: 4 new",
                ])
            // The raw object: one final newline added to the message, no parent.
            let raw = try witness.output("cat-file", "commit", "main")
            #expect(raw.hasSuffix("+0200\n\ntickets: 4 new\n\nSupportsync-Cursor: abc"), "\(raw)")
            #expect(!raw.contains("parent "))
            // The working tree is untouched: nothing was checked out.
            #expect(!FileManager.default.fileExists(atPath: folder + "/README.md"))
            try witness.expectSound()
        }
    }

    @Test func secondCommitUpdatesOneFileAndRemovesOthers() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let first = try repository.commitFiles(
                ["keep.txt": "same\n", "change.txt": "old\n", "gone.txt": "bye\n", "solo/only.txt": "alone\n"],
                from: nil, message: "first")
            let second = try repository.commitFiles(
                ["change.txt": "new\n", "gone.txt": nil, "solo/only.txt": nil, "added/new.txt": "hi\n"],
                from: first, message: "second")

            #expect(try repository.head() == second)
            #expect(try repository.text(at: "change.txt", in: second) == "new\n")
            #expect(try repository.text(at: "change.txt", in: first) == "old\n")
            #expect(try repository.text(at: "keep.txt", in: second) == "same\n")
            #expect(try repository.blob(at: "gone.txt", in: second) == nil)
            #expect(try repository.blob(at: "solo/only.txt", in: second) == nil)

            let witness = Witness(gitDirectory: repository.gitDirectory)
            #expect(try witness.output("rev-parse", "main^") == first.hex)
            // The emptied folder disappears, as it would with git itself.
            #expect(
                try witness.output("ls-tree", "-r", "-t", "--name-only", "main").split(separator: "\n") == [
                    "added", "added/new.txt", "change.txt", "keep.txt",
                ])
            #expect(
                try witness.output("diff", "--name-status", "main^", "main").split(separator: "\n") == [
                    "A\tadded/new.txt", "M\tchange.txt", "D\tgone.txt", "D\tsolo/only.txt",
                ])
            try witness.expectSound()
        }
    }

    @Test func staleTipLosesTheCompareAndSwap() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let first = try repository.commitFiles(["a": "1"], from: nil, message: "first")
            let second = try repository.commitFiles(["a": "2"], from: first, message: "second")

            let error = #expect(throws: GitError.self) {
                try repository.commitFiles(["a": "3"], from: first, message: "stale")
            }
            #expect(error?.kind == .referenceMoved)
            #expect(error?.description.contains(second.hex) == true)
            #expect(try repository.resolve(reference: "refs/heads/main") == second)
            let witness = Witness(gitDirectory: repository.gitDirectory)
            #expect(try witness.output("rev-parse", "main") == second.hex)
            #expect(try witness.output("show", "main:a") == "2")
        }
    }

    @Test func creatingARefThatAppearedLosesTheCompareAndSwap() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let first = try repository.commitFiles(["a": "1"], from: nil, message: "first")
            let error = #expect(throws: GitError.self) {
                try repository.commitFiles(["b": "1"], from: nil, message: "as if new")
            }
            #expect(error?.kind == .referenceMoved)
            #expect(try repository.head() == first)
        }
    }

    @Test func movingARefThatVanishedLosesTheCompareAndSwap() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let first = try repository.commitFiles(["a": "1"], from: nil, message: "first")
            let error = #expect(throws: GitError.self) {
                try repository.commitFiles(["a": "2"], onto: "refs/heads/other", from: first, message: "x")
            }
            #expect(error?.kind == .referenceMoved)
            #expect(try repository.resolve(reference: "refs/heads/other") == nil)
        }
    }

    @Test func aHeldReferenceLockIsReportedAsLocked() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let first = try repository.commitFiles(["a": "1"], from: nil, message: "first")
            // The lock file another writer (or a crashed one) would hold.
            let lock = repository.gitDirectory + "/refs/heads/main.lock"
            #expect(FileManager.default.createFile(atPath: lock, contents: Data()))
            let error = #expect(throws: GitError.self) {
                try repository.commitFiles(["a": "2"], from: first, message: "second")
            }
            #expect(error?.kind == .locked)
            #expect(try repository.head() == first)
        }
    }

    @Test func concurrentWritersFromOneTipLetExactlyOneWin() async throws {
        let folder = NSTemporaryDirectory() + "GitTests-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tip = try Repository.create(at: folder, bare: true, initialBranch: "main")
            .commitFiles(["n": "0"], from: nil, message: "start")

        // Each writer opens its own handle, as separate processes would.
        let results = await withTaskGroup(of: Result<ObjectID, GitError>.self) { group in
            for writer in 1...8 {
                group.addTask {
                    Result { () throws(GitError) -> ObjectID in
                        let repository = try Repository.open(at: folder)
                        let blob = try repository.writeBlob(Array("\(writer)".utf8))
                        return try repository.commit(
                            updating: "refs/heads/main", expectedTip: tip, treeUpdates: [("n", blob)],
                            message: "writer \(writer)", author: testAuthor)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let winners = results.compactMap { try? $0.get() }
        #expect(winners.count == 1)
        for case .failure(let error) in results {
            #expect(error.kind == .referenceMoved || error.kind == .locked, "\(error)")
        }
        let witness = Witness(gitDirectory: folder)
        #expect(try witness.output("rev-parse", "main") == winners.first?.hex)
        #expect(try witness.output("rev-parse", "main^") == tip.hex)
    }

    @Test func writesAndReadsEmptyAndBinaryBlobs() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let empty = try repository.writeBlob([])
            #expect(empty.hex == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")  // git's well-known empty blob
            #expect(try repository.blob(empty) == [])
            let binary: [UInt8] = [0, 255, 10, 13, 0, 128]
            let id = try repository.writeBlob(binary)
            #expect(try repository.blob(id) == binary)
            #expect(try Witness(gitDirectory: folder).output("cat-file", "-s", id.hex) == "6")
            let missing = #expect(throws: GitError.self) {
                try repository.blob(ObjectID(hex: String(repeating: "1", count: 40))!)
            }
            #expect(missing?.kind == .notFound)
        }
    }

    @Test(
        "refuses malformed paths",
        arguments: ["", "/abs", "trailing/", "a//b", "../up", "a/./b", "a/../b", "nul\0byte"])
    func refusesMalformedPaths(_ path: String) throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let blob = try repository.writeBlob(Array("x".utf8))
            let error = #expect(throws: GitError.self) {
                try repository.commit(
                    updating: "refs/heads/main", expectedTip: nil, treeUpdates: [(path, blob)], message: "m",
                    author: testAuthor)
            }
            #expect(error?.kind == .invalid)
            #expect(try repository.resolve(reference: "refs/heads/main") == nil)
        }
    }

    @Test(
        "accepts parts that only look like '.' or '..'",
        arguments: ["...", ".a", "a.", "..a", "a/.b/c", "a/b..", "x/.../y", ".gitkeep", "é/.é"])
    func acceptsDottedParts(_ path: String) throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let blob = try repository.writeBlob(Array("x".utf8))
            let tip = try repository.commit(
                updating: "refs/heads/main", expectedTip: nil, treeUpdates: [(path, blob)], message: "m",
                author: testAuthor)
            #expect(try repository.blob(at: path, in: tip) == Array("x".utf8))
        }
    }

    @Test func refusesBadRequestsBeforeMovingAnything() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let tip = try repository.commitFiles(["dir/file": "x"], from: nil, message: "first")
            let blob = try repository.writeBlob(Array("y".utf8))
            func attempt(
                _ updates: [(path: String, blob: ObjectID?)], ref: String = "refs/heads/main",
                author: Signature = testAuthor
            ) -> GitError? {
                #expect(throws: GitError.self) {
                    try repository.commit(
                        updating: ref, expectedTip: tip, treeUpdates: updates, message: "m", author: author)
                }
            }
            #expect(attempt([("a", blob), ("a", nil)])?.kind == .invalid)
            #expect(attempt([("missing", nil)])?.kind == .notFound)
            #expect(attempt([("dir", nil)])?.kind == .invalid)
            #expect(attempt([("a", blob)], ref: "HEAD")?.kind == .invalid)
            #expect(attempt([("a", blob)], ref: "refs/heads/bad..name")?.kind == .invalid)
            let evil = Signature(name: "Eve\nparent 0000", email: "eve@example.com")
            #expect(attempt([("a", blob)], author: evil)?.kind == .invalid)
            #expect(attempt([("a", ObjectID(hex: String(repeating: "2", count: 40))!)]) != nil)
            #expect(try repository.head() == tip)
            #expect(
                #expect(throws: GitError.self) { try repository.blob(at: "dir", in: tip) }?.kind == .invalid)
        }
    }
}
