import Foundation
import Git
import Testing

/// The history index (`Repository.history(of:from:index:)`) gives exactly
/// git's answer whatever the file holds: written, read back, damaged,
/// recorded for a commit too large to record, or made in a full clone and
/// used in a shallow one.
struct HistoryIndexTests {
    /// A commit that changes more paths than the index records on one side
    /// is walked on its trees, as without the index.
    @Test func aCommitWithMoreChangesThanTheIndexKeepsIsWalkedOnItsTrees() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let root = try repository.makeCommit(["keep": "0"], at: 0)
            var many: [String: String?] = [:]
            for number in 0..<1_500 { many["tickets/\(number % 3)/\(number).yaml"] = "\(number)" }
            let wide = try repository.makeCommit(many, parents: [root], at: 1, message: "many")
            let narrow = try repository.makeCommit(["tickets/1/7.yaml": "changed"], parents: [wide], at: 2)
            let tip = try repository.makeCommit(["keep": "1"], parents: [narrow], at: 3)
            let index = folder + "/history-index"
            let witness = Witness(gitDirectory: folder)
            for path in ["tickets/1/7.yaml", "tickets/2/8.yaml", "tickets/1", "tickets", "keep", "absent"] {
                let log = try witness.run(["log", "--format=%H", tip.hex, "--", path]).stdout.split(separator: "\n")
                    .map(String.init)
                for round in 1...2 {
                    #expect(
                        try repository.history(of: path, from: tip, index: index).map(\.id.hex) == log,
                        "\(path), round \(round)")
                }
            }
            #expect(
                try repository.history(of: "tickets/1/7.yaml", from: tip, index: index).map(\.id) == [narrow, wide])
        }
    }

    /// A damaged index (cut short, a byte changed, another format) is not
    /// believed: the walk reads the commits and writes the index again.
    @Test(arguments: ["cut", "flipped", "foreign", "empty"])
    func aDamagedIndexIsIgnoredAndRewritten(damage: String) throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            var tip = try repository.makeCommit(["a": "0", "b": "0"], at: 0)
            for step in 1...40 {
                tip = try repository.makeCommit([step % 3 == 0 ? "a" : "b": "\(step)"], parents: [tip], at: step)
            }
            let index = folder + "/history-index"
            let expected = try repository.history(of: "a", from: tip).map(\.id)
            #expect(try repository.history(of: "a", from: tip, index: index).map(\.id) == expected)
            let written = try Data(contentsOf: URL(fileURLWithPath: index))
            #expect(written.count > 40 * 48)
            var damaged = [UInt8](written)
            switch damage {
            case "cut": damaged.removeLast(30)
            case "flipped":
                // The stored difference of a commit that changed "a": without
                // the checksum, "a" would read as unchanged there.
                damaged[damaged.count / 2] ^= 0x01
            case "foreign": damaged[3] = UInt8(ascii: "X")
            default: damaged = []
            }
            try Data(damaged).write(to: URL(fileURLWithPath: index))
            #expect(try repository.history(of: "a", from: tip, index: index).map(\.id) == expected)
            #expect(
                try repository.history(of: "b", from: tip, index: index).map(\.id)
                    == repository.history(of: "b", from: tip).map(\.id))
            #expect(try Data(contentsOf: URL(fileURLWithPath: index)) == written, "rewritten whole")
        }
    }

    /// An index made in a full clone, used in a shallow one: the boundary
    /// commit is a root there, whatever the index recorded of its parents.
    @Test func anIndexFromAFullCloneServesAShallowOne() throws {
        try withTemporaryFolder { folder in
            let source = try Repository.create(at: folder + "/source", initialBranch: "main")
            var tip = try source.commitFiles(["f": "0", "g": "0"], from: nil, message: "first")
            for step in 1...6 {
                tip = try source.commitFiles([step % 2 == 0 ? "f" : "g": "\(step)"], from: tip, message: "step \(step)")
            }
            #expect(try source.history(of: "f", from: tip, index: folder + "/index").count == 4)
            let clone = folder + "/clone"
            let made = try Witness.git(["clone", "--quiet", "--depth", "3", "file://\(folder)/source", clone])
            #expect(made.status == 0, "\(made.stderr)")
            let repository = try Repository.open(at: clone)
            let witness = Witness(gitDirectory: clone + "/.git")
            for path in ["f", "g"] {
                let log = try witness.run(["log", "--format=%H", "--", path]).stdout.split(separator: "\n")
                    .map(String.init)
                #expect(try repository.history(of: path, from: tip, index: folder + "/index").map(\.id.hex) == log)
            }
        }
    }
}
