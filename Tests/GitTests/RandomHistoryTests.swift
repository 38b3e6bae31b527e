import Foundation
import Git
import Testing

/// Random branching histories, each compared with git itself: walks with
/// `git rev-list --topo-order`, path history with `git log -- path`. Dates
/// are drawn from a narrow range so that ties and clock skew (a child older
/// than its parent) both occur.
struct RandomHistoryTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func walksAndPathHistoriesMatchGit(seed: UInt64) throws {
        try withTemporaryFolder { folder in
            var random = SplitMix64(seed: seed)
            let repository = try Repository.create(at: folder, bare: true)
            let paths = ["a", "b", "d/c", "d/e/f"]
            var contents: [ObjectID: [String: String]] = [:]
            let root = try repository.makeCommit(["a": "0", "d/c": "0"], at: 0)
            contents[root] = ["a": "0", "d/c": "0"]
            var heads = [root]
            var all = [root]

            for step in 1...80 {
                let time = Int(random.next() % 30)
                var files = contents[heads[0]]!
                var parents: [ObjectID]
                let branch = Int(random.next() % UInt64(heads.count))
                if heads.count > 1 && random.next() % 4 == 0 {
                    // Merge another branch into this one, taking each file from either side.
                    let other = (branch + 1 + Int(random.next() % UInt64(heads.count - 1))) % heads.count
                    parents = [heads[branch], heads[other]]
                    files = contents[heads[branch]]!
                    let theirs = contents[heads[other]]!
                    for path in paths where random.next() % 2 == 0 { files[path] = theirs[path] }
                    heads.remove(at: other)
                } else {
                    parents = [heads[branch]]
                    files = contents[heads[branch]]!
                    if random.next() % 5 == 0 && heads.count < 4 { heads.append(heads[branch]) }
                }
                // Some commits change nothing the paths care about.
                let path = paths[Int(random.next() % UInt64(paths.count))]
                switch random.next() % 4 {
                case 0: files[path] = nil
                case 1: files["unrelated"] = "\(step)"
                default: files[path] = "\(step)"
                }
                let old = contents[parents[0]]!
                var changes: [String: String?] = [:]
                for key in Set(old.keys).union(files.keys) where old[key] != files[key] { changes[key] = files[key] }
                let commit = try repository.makeCommit(changes, parents: parents, at: time, message: "step \(step)")
                contents[commit] = files
                let index = heads.firstIndex(of: parents[0])!
                heads[index] = commit
                all.append(commit)
            }

            // The shapes that matter must actually occur.
            #expect(try all.filter { try repository.commit($0).parents.count > 1 }.count >= 5)
            let witness = Witness(gitDirectory: folder)
            func lines(_ arguments: [String]) throws -> [String] {
                try witness.output(arguments).split(separator: "\n").map(String.init)
            }
            for tip in heads {
                #expect(
                    try repository.commits(from: tip).map(\.id.hex) == lines(["rev-list", "--topo-order", tip.hex]))
                let excluded = [
                    all[Int(random.next() % UInt64(all.count))], all[Int(random.next() % UInt64(all.count))],
                ]
                #expect(
                    try repository.commits(from: tip, excluding: excluded).map(\.id.hex)
                        == lines(["rev-list", "--topo-order", tip.hex] + excluded.map { "^" + $0.hex }))
                // Without the history index, then with one being written,
                // then with it read back (every commit recorded).
                let index = folder + "/history-index"
                for path in paths + ["d", "d/e"] {
                    let log = try lines(["log", "--format=%H", tip.hex, "--", path])
                    #expect(try repository.history(of: path, from: tip).map(\.id.hex) == log, "seed \(seed), \(path)")
                    for round in 1...2 {
                        #expect(
                            try repository.history(of: path, from: tip, index: index).map(\.id.hex) == log,
                            "seed \(seed), \(path), indexed, round \(round)")
                    }
                    // Full history, as git log --full-history lists it.
                    let full = try lines(["log", "--full-history", "--format=%H", tip.hex, "--", path])
                    #expect(
                        try repository.history(of: path, from: tip, fullHistory: true).map(\.id.hex) == full,
                        "seed \(seed), \(path), full history")
                    #expect(
                        try repository.history(of: path, from: tip, index: index, fullHistory: true).map(\.id.hex)
                            == full, "seed \(seed), \(path), full history, indexed")
                }
            }
        }
    }
}

/// A small deterministic generator, so a failing seed can be replayed.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
