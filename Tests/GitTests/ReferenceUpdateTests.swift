import Foundation
import Git
import Testing

struct ReferenceUpdateTests {
    private let platform = "refs/supportsync/platform"

    @Test func createCommitMovesNoReference() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true, initialBranch: "main")
            let first = try repository.commitFiles(["a": "1"], from: nil, message: "first")
            let blob = try repository.writeBlob(Array("2".utf8))
            let created = try repository.createCommit(
                parent: first, treeUpdates: [("a", blob)], message: "second", author: testAuthor)
            #expect(try repository.head() == first)
            let witness = Witness(gitDirectory: folder)
            #expect(try witness.output("rev-parse", "\(created.commit.hex)^{tree}") == created.tree.hex)
            #expect(try witness.output("rev-parse", "\(created.commit.hex)^") == first.hex)
            #expect(try witness.output("for-each-ref", "--format=%(refname)") == "refs/heads/main")

            // A merge keeps the first parent's tree as its starting point.
            let side = try repository.makeCommit(["b": "side"], parents: [first], at: 5)
            let merge = try repository.createCommit(
                parent: created.commit, mergedParents: [side],
                treeUpdates: [("b", try repository.writeBlob(Array("side".utf8)))],
                message: "merge", author: testAuthor)
            #expect(
                try witness.output("log", "-1", "--format=%P", merge.commit.hex) == "\(created.commit.hex) \(side.hex)")
            #expect(try witness.output("ls-tree", "--name-only", merge.commit.hex) == "a\nb")
            let orphanMerge = #expect(throws: GitError.self) {
                try repository.createCommit(
                    parent: nil, mergedParents: [side], treeUpdates: [], message: "m", author: testAuthor)
            }
            #expect(orphanMerge?.kind == .invalid)
            try witness.expectSound()
        }
    }

    @Test func movesABranchAndThePlatformRefTogether() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let first = try repository.commitFiles(["tickets/a": "1"], from: nil, message: "first")
            let next = try repository.makeCommit(["tickets/a": "2"], parents: [first], at: 10)
            let base = try repository.makeCommit(["tickets/a": "2"], at: 11)
            try repository.updateReferences([
                ReferenceUpdate(name: "refs/heads/main", expected: first, new: next, message: "supportsync: pull"),
                ReferenceUpdate(name: platform, expected: nil, new: base, message: "supportsync: pull"),
            ])
            let witness = Witness(gitDirectory: repository.gitDirectory)
            #expect(try witness.output("rev-parse", "main", platform) == "\(next.hex)\n\(base.hex)")
            #expect(
                try witness.output("reflog", "-1", "--format=%H %gs", "refs/heads/main")
                    == "\(next.hex) supportsync: pull")
            #expect(try repository.head() == next)

            // And again from there, the platform ref now expected where it is.
            let third = try repository.makeCommit(["tickets/a": "3"], parents: [next], at: 12)
            let base2 = try repository.makeCommit(["tickets/a": "3"], parents: [base], at: 13)
            try repository.updateReferences([
                ReferenceUpdate(name: platform, expected: base, new: base2, message: "m"),
                ReferenceUpdate(name: "refs/heads/main", expected: next, new: third, message: "m"),
            ])
            #expect(try witness.output("rev-parse", "main", platform) == "\(third.hex)\n\(base2.hex)")
            try repository.updateReferences([])  // nothing to do, nothing fails
            try witness.expectSound()
        }
    }

    @Test(arguments: ["branch moved", "ref appeared", "ref vanished"])
    func oneStaleExpectationMovesNothing(_ case: String) throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true, initialBranch: "main")
            let first = try repository.commitFiles(["a": "1"], from: nil, message: "first")
            let second = try repository.commitFiles(["a": "2"], from: first, message: "second")
            let target = try repository.makeCommit(["a": "3"], parents: [second], at: 20)
            var updates = [
                ReferenceUpdate(name: "refs/heads/main", expected: second, new: target, message: "m"),
                ReferenceUpdate(name: platform, expected: nil, new: target, message: "m"),
            ]
            switch `case` {
            case "branch moved": updates[0].expected = first
            case "ref appeared": try repository.setReference(platform, to: first)
            default:
                updates[1] = ReferenceUpdate(name: "refs/supportsync/other", expected: first, new: target, message: "m")
            }
            let before = try Witness(gitDirectory: folder).output("for-each-ref", "--format=%(refname) %(objectname)")
            let error = #expect(throws: GitError.self) { try repository.updateReferences(updates) }
            #expect(error?.kind == .referenceMoved, "\(String(describing: error))")
            let witness = Witness(gitDirectory: folder)
            #expect(try witness.output("for-each-ref", "--format=%(refname) %(objectname)") == before)
            // No lock file is left behind.
            let leftovers = FileManager.default.enumerator(atPath: folder + "/refs")?.compactMap { $0 as? String }
            #expect(leftovers?.filter { $0.hasSuffix(".lock") } == [])
        }
    }

    @Test func aHeldLockMovesNothing() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true, initialBranch: "main")
            let first = try repository.commitFiles(["a": "1"], from: nil, message: "first")
            let target = try repository.makeCommit(["a": "3"], parents: [first], at: 20)
            try FileManager.default.createDirectory(
                atPath: folder + "/refs/supportsync", withIntermediateDirectories: true)
            #expect(
                FileManager.default.createFile(atPath: folder + "/refs/supportsync/platform.lock", contents: Data()))
            let error = #expect(throws: GitError.self) {
                try repository.updateReferences([
                    ReferenceUpdate(name: "refs/heads/main", expected: first, new: target, message: "m"),
                    ReferenceUpdate(name: platform, expected: nil, new: target, message: "m"),
                ])
            }
            #expect(error?.kind == .locked)
            // Which file, and what to do when nothing holds it.
            #expect(
                error?.description.contains(
                    "\(folder)/refs/supportsync/platform.lock exists: a git command is moving it now, or one was killed while it did. If no git command is running in this repository, delete that file and run again"
                ) == true, "\(String(describing: error))")
            #expect(try repository.head() == first)
            #expect(!FileManager.default.fileExists(atPath: folder + "/refs/heads/main.lock"))
        }
    }

    @Test func refusesBadUpdates() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true, initialBranch: "main")
            let first = try repository.commitFiles(["a": "1"], from: nil, message: "first")
            let blob = try repository.writeBlob(Array("x".utf8))
            func attempt(_ updates: [ReferenceUpdate]) -> GitError.Kind? {
                #expect(throws: GitError.self) { try repository.updateReferences(updates) }?.kind
            }
            let good = ReferenceUpdate(name: platform, expected: nil, new: first, message: "m")
            #expect(attempt([good, good]) == .invalid)
            #expect(attempt([ReferenceUpdate(name: "HEAD", expected: first, new: first, message: "m")]) == .invalid)
            #expect(
                attempt([ReferenceUpdate(name: "refs/heads/a..b", expected: nil, new: first, message: "m")]) == .invalid
            )
            #expect(attempt([ReferenceUpdate(name: platform, expected: nil, new: blob, message: "m")]) == .notFound)
            #expect(try repository.resolve(reference: platform) == nil)
        }
    }

    @Test func concurrentTransactionsFromOneStateLetExactlyOneWin() async throws {
        let folder = NSTemporaryDirectory() + "GitTests-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = try Repository.create(at: folder, bare: true, initialBranch: "main")
        let tip = try repository.commitFiles(["n": "0"], from: nil, message: "start")
        var targets: [ObjectID] = []
        for writer in 0..<8 {
            targets.append(try repository.makeCommit(["n": "\(writer)"], parents: [tip], at: writer))
        }
        let platform = self.platform
        let results = await withTaskGroup(of: Result<ObjectID, GitError>.self) { group in
            for target in targets {
                group.addTask {
                    Result { () throws(GitError) -> ObjectID in
                        try Repository.open(at: folder).updateReferences([
                            ReferenceUpdate(name: "refs/heads/main", expected: tip, new: target, message: "m"),
                            ReferenceUpdate(name: platform, expected: nil, new: target, message: "m"),
                        ])
                        return target
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
        #expect(try witness.output("rev-parse", "main", platform) == "\(winners[0].hex)\n\(winners[0].hex)")
    }
}
