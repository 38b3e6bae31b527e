import Foundation
import Git
import Testing

struct PackedWritesTests {
    /// `git count-objects -v` as a dictionary: count (loose), in-pack, packs...
    private func objectCounts(_ witness: Witness) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in try witness.output("count-objects", "-v").split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            counts[String(parts[0])] = Int(parts[1].trimmingCharacters(in: .whitespaces))
        }
        return counts
    }

    @Test func twoThousandFilesLandInOnePackAndNoLooseObjects() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let witness = Witness(gitDirectory: repository.gitDirectory)
            let fileCount = 2_000
            let created = try repository.withPackedWrites { packed in
                var updates: [(path: String, blob: ObjectID?)] = []
                for index in 0..<fileCount {
                    let path = "tickets/2024/\(String(format: "%02d", index % 12 + 1))/T-\(index).yaml"
                    updates.append((path, try packed.writeBlob(Array("id: T-\(index)\nstatus: pending\n".utf8))))
                }
                let created = try packed.createCommit(
                    parent: nil, treeUpdates: updates, message: "tickets: \(fileCount) new", author: testAuthor)
                // Readable through the scratch handle before anything is on disk.
                #expect(try packed.blob(at: "tickets/2024/01/T-0.yaml", in: created.commit) != nil)
                return created
            }
            // The pack is complete before any reference names the commit.
            let counts = try objectCounts(witness)
            #expect(counts["count"] == 0)
            #expect(counts["packs"] == 1)
            #expect(counts["in-pack"] == fileCount + 1 + 12 + 1 + 1 + 1)  // blobs, 2024, months, tickets, root, commit
            try repository.updateReferences([
                ReferenceUpdate(name: "refs/heads/main", expected: nil, new: created.commit, message: "pull")
            ])
            // The original handle sees the new pack.
            #expect(
                try repository.text(at: "tickets/2024/05/T-1000.yaml", in: created.commit)
                    == "id: T-1000\nstatus: pending\n")
            #expect(try witness.output("rev-parse", "main^{tree}") == created.tree.hex)
            #expect(try witness.output("show", "main:tickets/2024/12/T-1991.yaml") == "id: T-1991\nstatus: pending")
            #expect(
                try witness.output("ls-tree", "-r", "--name-only", "main").split(separator: "\n").count == fileCount)
            try witness.expectSound()

            // A second packed commit on top reads its parent from the first pack.
            let second = try repository.withPackedWrites { packed in
                try packed.createCommit(
                    parent: created.commit,
                    treeUpdates: [("tickets/2024/01/T-0.yaml", try packed.writeBlob(Array("x\n".utf8)))],
                    message: "update", author: testAuthor
                ).commit
            }
            try repository.updateReferences([
                ReferenceUpdate(name: "refs/heads/main", expected: created.commit, new: second, message: "pull")
            ])
            let after = try objectCounts(witness)
            #expect(after["count"] == 0 && after["packs"] == 2)
            // Only what the second commit wrote: a blob, the four folders
            // above it and the commit, never the 2,000 files again.
            #expect(after["in-pack"] == counts["in-pack"]! + 1 + 4 + 1)
            #expect(try witness.output("show", "main:tickets/2024/01/T-0.yaml") == "x")
            try witness.expectSound()
        }
    }

    /// Packs larger than the pack memory libgit2 is allowed to keep mapped
    /// (`supportsync_git_configure`), one on top of another as a long
    /// pull writes them: each is indexed, and every object stays readable.
    @Test func packsLargerThanTheMappedLimitAreStoredAndRead() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            var generator = SystemRandomNumberGenerator()
            var tip: ObjectID?
            var written: [(path: String, bytes: [UInt8])] = []
            for batch in 0..<3 {
                // Like sealed tickets: 12,000 files of about 1 KiB that
                // hardly compress make a pack of over 12 MiB.
                let files = (0..<12_000).map { index in
                    (
                        "tickets/\(batch)/\(index % 12)/T-\(index).yaml",
                        Array(
                            Data(
                                (0..<96).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } }
                            )
                            .base64EncodedString().utf8)
                    )
                }
                let created = try repository.withPackedWrites { packed in
                    let updates = try files.map { ($0.0, Optional(try packed.writeBlob($0.1))) }
                    return try packed.createCommit(
                        parent: tip, treeUpdates: updates, message: "big", author: testAuthor)
                }
                try repository.updateReferences([
                    ReferenceUpdate(name: "refs/heads/main", expected: tip, new: created.commit, message: "big")
                ])
                tip = created.commit
                written += [files[0], files[5_999], files[11_999]].map { (path: $0.0, bytes: $0.1) }
            }
            for file in written {
                #expect(try repository.blob(at: file.path, in: tip!) == file.bytes)
            }
            try Witness(gitDirectory: repository.gitDirectory).expectSound()
        }
    }

    /// The pack goes to its file in pieces of a megabyte: an object larger
    /// than a piece, between small ones, is stored whole and reads back.
    @Test func anObjectLargerThanAPieceOfThePackIsStored() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            var generator = SystemRandomNumberGenerator()
            let large = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let files: [(String, [UInt8])] = [
                ("a.txt", Array("before\n".utf8)), ("large.bin", large), ("z.txt", Array("after\n".utf8)),
            ]
            let created = try repository.withPackedWrites { packed in
                let updates = try files.map { ($0.0, Optional(try packed.writeBlob($0.1))) }
                return try packed.createCommit(parent: nil, treeUpdates: updates, message: "m", author: testAuthor)
            }
            try repository.updateReferences([
                ReferenceUpdate(name: "refs/heads/main", expected: nil, new: created.commit, message: "m")
            ])
            for (path, bytes) in files { #expect(try repository.blob(at: path, in: created.commit) == bytes) }
            let witness = Witness(gitDirectory: repository.gitDirectory)
            #expect(try objectCounts(witness)["count"] == 0)
            try witness.expectSound()
        }
    }

    @Test func objectsArePackedWholeAndTheRepositorysConfigIsUntouched() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let witness = Witness(gitDirectory: repository.gitDirectory)
            let config = try Data(contentsOf: URL(fileURLWithPath: repository.gitDirectory + "/config"))
            // Files that would delta against one another.
            let body = String(repeating: "the same long line of a ticket file\n", count: 40)
            let created = try repository.withPackedWrites { packed in
                let updates = try (0..<100).map { index in
                    ("tickets/T-\(index).yaml", Optional(try packed.writeBlob(Array("id: \(index)\n\(body)".utf8))))
                }
                return try packed.createCommit(parent: nil, treeUpdates: updates, message: "m", author: testAuthor)
            }
            try repository.updateReferences([
                ReferenceUpdate(name: "refs/heads/main", expected: nil, new: created.commit, message: "pull")
            ])
            #expect(try Data(contentsOf: URL(fileURLWithPath: repository.gitDirectory + "/config")) == config)
            let pack = try #require(
                try FileManager.default.contentsOfDirectory(atPath: repository.gitDirectory + "/objects/pack")
                    .first { $0.hasSuffix(".idx") })
            // `git verify-pack -v` ends with "non delta: N objects" and, with deltas, "chain length = ...".
            let verified = try witness.output("verify-pack", "-v", repository.gitDirectory + "/objects/pack/" + pack)
            #expect(verified.contains("non delta: 103 objects"), "\(verified.suffix(200))")
            #expect(!verified.contains("chain length"))
            try witness.expectSound()
        }
    }

    @Test func aFailingBodyWritesNothing() throws {
        struct Stop: Error {}
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            var written: ObjectID?
            #expect(throws: Stop.self) {
                try repository.withPackedWrites { packed in
                    written = try packed.writeBlob(Array("never stored".utf8))
                    throw Stop()
                }
            }
            let missing = #expect(throws: GitError.self) { try repository.blob(written!) }
            #expect(missing?.kind == .notFound)
            let counts = try objectCounts(Witness(gitDirectory: folder))
            #expect(counts["count"] == 0 && counts["packs"] == 0)
        }
    }

    @Test func writingNothingMakesNoPack() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            #expect(try repository.withPackedWrites { _ in 42 } == 42)
            let packs = try FileManager.default.contentsOfDirectory(atPath: folder + "/objects/pack")
            #expect(packs == [])
        }
    }
}
