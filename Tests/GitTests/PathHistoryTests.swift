import Foundation
import Git
import Testing

struct PathHistoryTests {
    /// `git log --format=%H tip -- path`, the reference behaviour.
    private func gitLog(_ witness: Witness, _ tip: ObjectID, _ path: String) throws -> [String] {
        try witness.output(["log", "--format=%H", tip.hex, "--", path]).split(separator: "\n").map(String.init)
    }

    @Test func listsTheCommitsThatChangedAFileOnAStraightLine() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true, initialBranch: "main")
            let path = "tickets/2024/01/T-1.yaml"
            let root = try repository.makeCommit([path: "v1", "other": "x"], at: 1)
            let untouched = try repository.makeCommit(
                ["other": "y", "tickets/2024/01/T-2.yaml": "z"], parents: [root], at: 2)
            let changed = try repository.makeCommit([path: "v2"], parents: [untouched], at: 3)
            let sameAgain = try repository.makeCommit(["tickets/2024/01/T-2.yaml": "w"], parents: [changed], at: 4)
            let deleted = try repository.makeCommit([path: nil], parents: [sameAgain], at: 5)
            let absent = try repository.makeCommit(["other": "q"], parents: [deleted], at: 6)
            let readded = try repository.makeCommit([path: "v2"], parents: [absent], at: 7)
            let tip = try repository.makeCommit(["other": "r"], parents: [readded], at: 8)

            let history = try repository.history(of: path, from: tip)
            #expect(history.map(\.id) == [readded, deleted, changed, root])
            #expect(history.map(\.id.hex) == (try gitLog(Witness(gitDirectory: folder), tip, path)))
            #expect(history.first?.message == "change\n")
            // Each step's content is one blob lookup away.
            #expect(try history.map { try repository.text(at: path, in: $0.id) } == ["v2", nil, "v2", "v1"])
        }
    }

    @Test func aRootCommitWithoutThePathIsNotListed() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let root = try repository.makeCommit(["a": "1"], at: 1)
            let added = try repository.makeCommit(["b/c": "1"], parents: [root], at: 2)
            #expect(try repository.history(of: "b/c", from: added).map(\.id) == [added])
            #expect(try repository.history(of: "nowhere", from: added).isEmpty)
            // A path that runs through a file finds nothing, without failing.
            #expect(try repository.history(of: "a/deeper", from: added).isEmpty)
            #expect(try repository.history(of: "a", from: added).map(\.id) == [root])
            let bad = #expect(throws: GitError.self) { try repository.history(of: "b//c", from: added) }
            #expect(bad?.kind == .invalid)
        }
    }

    /// Merge shapes where git's history simplification matters, each
    /// checked against `git log -- path` for several paths.
    @Test(arguments: [false, true])
    func followsGitsSimplificationThroughMerges(sameTimes: Bool) throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            // With equal times the order rests on git's tie rule alone.
            func at(_ seconds: Int) -> Int { sameTimes ? 0 : seconds }
            let base = try repository.makeCommit(["f": "0", "g": "0", "h": "0", "k": "0"], at: at(1))
            let main1 = try repository.makeCommit(["f": "main", "k": "main"], parents: [base], at: at(2))
            let side1 = try repository.makeCommit(["g": "side", "k": "side"], parents: [base], at: at(3))
            let side2 = try repository.makeCommit(["h": "side"], parents: [side1], at: at(4))
            // Takes main's f, side's g and h, and a new k (a conflict resolved by hand).
            let merge1 = try repository.makeCommit(
                ["g": "side", "h": "side", "k": "both"], parents: [main1, side2], at: at(5))
            // A side branch whose change to f the merge throws away.
            let discarded = try repository.makeCommit(["f": "discarded"], parents: [merge1], at: at(6))
            let main2 = try repository.makeCommit(["h": "main2"], parents: [merge1], at: at(7))
            let merge2 = try repository.makeCommit([:], parents: [main2, discarded], at: at(8))
            let tip = try repository.makeCommit(["g": "tip"], parents: [merge2], at: at(9))

            let witness = Witness(gitDirectory: folder)
            for path in ["f", "g", "h", "k", "missing"] {
                let ours = try repository.history(of: path, from: tip).map(\.id.hex)
                #expect(ours == (try gitLog(witness, tip, path)), "history of \(path)")
            }
            // Spelled out for two paths, so a shared misreading of git cannot hide.
            if !sameTimes {
                #expect(try repository.history(of: "k", from: tip).map(\.id) == [merge1, side1, main1, base])
                #expect(try repository.history(of: "f", from: tip).map(\.id) == [main1, base])
            }
        }
    }

    @Test func aFoldersHistoryIsEveryChangeBeneathIt() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let one = try repository.makeCommit(["tickets/2024/01/a": "1", "README": "r"], at: 1)
            let two = try repository.makeCommit(["tickets/2024/02/b": "1"], parents: [one], at: 2)
            let three = try repository.makeCommit(["README": "s"], parents: [two], at: 3)
            let four = try repository.makeCommit(["tickets/2024/01/a": "2"], parents: [three], at: 4)
            let witness = Witness(gitDirectory: folder)
            for path in ["tickets", "tickets/2024/01", "tickets/2024/02"] {
                #expect(try repository.history(of: path, from: four).map(\.id.hex) == (try gitLog(witness, four, path)))
            }
            #expect(try repository.history(of: "tickets/2024/01", from: four).map(\.id) == [four, one])
        }
    }

    /// Many commits in one big folder: the answer must still match git's,
    /// and the walk must stay quick (a loose bound: a regression to diffing
    /// whole trees would be far slower, a flaky machine not).
    @Test func largeHistoryMatchesGit() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let commitCount = 2_000
            let tip = try repository.withPackedWrites { packed in
                var tip: ObjectID?
                for index in 0..<commitCount {
                    // 200 tickets in one month folder; ticket 7 changes every 50th commit.
                    let ticket = index % 50 == 0 ? 7 : index % 200
                    let blob = try packed.writeBlob(Array("status: \(index)\n".utf8))
                    tip = try packed.createCommit(
                        parent: tip, treeUpdates: [("tickets/2024/01/T-\(ticket).yaml", blob)],
                        message: "commit \(index)", author: author(at: index)
                    ).commit
                }
                return tip!
            }
            let path = "tickets/2024/01/T-7.yaml"
            let clock = ContinuousClock()
            var history: [CommitInfo] = []
            let elapsed = try clock.measure { history = try repository.history(of: path, from: tip) }
            let expected = (0..<commitCount).filter { $0 % 50 == 0 || $0 % 200 == 7 }.count
            #expect(history.count == expected)
            #expect(history.map(\.id.hex) == (try gitLog(Witness(gitDirectory: folder), tip, path)))
            #expect(elapsed < .seconds(10), "history of \(commitCount) commits took \(elapsed)")
        }
    }
}
