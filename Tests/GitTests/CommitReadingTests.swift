import Foundation
import Git
import Testing

struct CommitReadingTests {
    @Test func readsACommitBackAsGitSeesIt() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true, initialBranch: "main")
            let first = try repository.commitFiles(["a": "1"], from: nil, message: "first")
            let blob = try repository.writeBlob(Array("2".utf8))
            let message = """
                tickets: 3 new,
                1 updated

                T-1, T-2, T-3 new; T-0 updated.

                Supportsync-Cursor: c_01HF2M+/=
                Signed-off-by: Ada Lovelace <ada@example.com>
                supportsync-cursor: second
                """
            let committer = Signature(
                name: "Bot", email: "bot@example.com", date: Date(timeIntervalSince1970: 1_700_000_500),
                timeZoneOffsetMinutes: -330)
            let id = try repository.createCommit(
                parent: first, treeUpdates: [("a", blob)], message: message, author: testAuthor, committer: committer
            ).commit

            let info = try repository.commit(id)
            let witness = Witness(gitDirectory: folder)
            let fields = try witness.output(
                "log", "-1", "--format=%H%n%T%n%P%n%an%n%ae%n%at%n%ai%n%cn%n%ce%n%ct%n%ci%n%s", id.hex
            )
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(fields[0] == info.id.hex)
            #expect(fields[1] == info.tree.hex)
            #expect(fields[2] == info.parents.map(\.hex).joined(separator: " "))
            #expect(fields[3...6] == [info.author.name, info.author.email, seconds(info.author), local(info.author)])
            #expect(
                fields[7...10] == [
                    info.committer.name, info.committer.email, seconds(info.committer), local(info.committer),
                ])
            #expect(fields[11] == info.summary)
            #expect(info.summary == "tickets: 3 new, 1 updated")
            #expect(info.author == testAuthor)
            #expect(info.committer == committer)

            // The message exactly as stored after the header.
            let raw = try witness.output("cat-file", "commit", id.hex)
            let stored = raw[raw.range(of: "\n\n")!.upperBound...]
            #expect(info.message == stored + "\n")

            // git's own trailer parser agrees, order and case kept.
            let trailers = try witness.output("log", "-1", "--format=%(trailers:only,unfold)", id.hex)
                .split(separator: "\n").map(String.init)
            #expect(info.trailers.map { "\($0.key): \($0.value)" } == trailers)
            #expect(info.trailerValues("SUPPORTSYNC-CURSOR") == ["c_01HF2M+/=", "second"])
            #expect(info.trailer("Supportsync-Cursor") == "second")
            #expect(info.trailer("Missing") == nil)

            let root = try repository.commit(first)
            #expect(root.parents.isEmpty)
            #expect(root.trailers.isEmpty)
        }
    }

    @Test func aMissingCommitIsNotFound() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let blob = try repository.writeBlob(Array("not a commit".utf8))
            for id in [blob, ObjectID(hex: String(repeating: "3", count: 40))!] {
                #expect(#expect(throws: GitError.self) { try repository.commit(id) }?.kind == .notFound)
            }
        }
    }

    @Test func resolvesRevisionsLikeGit() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true, initialBranch: "main")
            #expect(try repository.revparse("HEAD") == nil)  // unborn
            let a = try repository.makeCommit(["f": "a"], at: 1)
            let b = try repository.makeCommit(["f": "b"], parents: [a], at: 2)
            let side = try repository.makeCommit(["g": "s"], parents: [a], at: 3)
            let merge = try repository.makeCommit([:], parents: [b, side], at: 4)
            try repository.setReference("refs/heads/main", to: merge)
            try repository.setReference("refs/remotes/origin/main", to: b)
            try repository.setReference("refs/tags/v1", to: a)

            let witness = Witness(gitDirectory: folder)
            let specs = [
                "HEAD", "main", "refs/heads/main", "origin/main", "v1", "HEAD~1", "HEAD~2", "HEAD^2", "main^2~1",
                merge.hex, String(b.hex.prefix(12)),
            ]
            for spec in specs {
                let expected = try witness.output("rev-parse", "--verify", "\(spec)^{commit}")
                #expect(try repository.revparse(spec)?.hex == expected, "\(spec)")
            }
            for missing in ["nope", "origin/nope", "HEAD~3", "HEAD^3", String(repeating: "4", count: 40)] {
                #expect(try repository.revparse(missing) == nil, "\(missing)")
            }
            for invalid in ["HEAD^{tree}", "main:f", "", "main@{", "a\0b"] {
                let error = #expect(throws: GitError.self, "\(invalid.debugDescription)") {
                    try repository.revparse(invalid)
                }
                #expect(error?.kind == .invalid, "\(invalid.debugDescription): \(String(describing: error))")
            }
        }
    }

    @Test func walksCommitsLikeRevList() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true, initialBranch: "main")
            let a = try repository.makeCommit(["f": "a"], at: 10)
            let b = try repository.makeCommit(["f": "b"], parents: [a], at: 20)
            // The side branch's commits are dated between main's, so time
            // order alone would interleave them.
            let d = try repository.makeCommit(["g": "d"], parents: [b], at: 25)
            let c = try repository.makeCommit(["f": "c"], parents: [b], at: 30)
            let e = try repository.makeCommit(["g": "e"], parents: [d], at: 35)
            let merge = try repository.makeCommit([:], parents: [c, e], at: 40)
            let after = try repository.makeCommit(["f": "z"], parents: [merge], at: 50)

            let witness = Witness(gitDirectory: folder)
            func revList(_ arguments: String...) throws -> [String] {
                try witness.output(["rev-list", "--topo-order"] + arguments).split(separator: "\n").map(String.init)
            }
            // Exactly git's order, including which side of a merge comes first.
            let all = try repository.commits(from: after).map(\.id)
            #expect(all.map(\.hex) == (try revList(after.hex)))
            #expect(all == [after, merge, e, d, c, b, a])
            let position = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1, $0) })
            for info in try repository.commits(from: after) {
                for parent in info.parents { #expect(position[info.id]! < position[parent]!) }
            }

            // base..head, as audit uses it.
            let range = try repository.commits(from: after, excluding: [c]).map(\.id)
            #expect(range.map(\.hex) == (try revList(after.hex, "^" + c.hex)))
            #expect(range == [after, merge, e, d])
            #expect(
                try repository.commits(from: after, excluding: [e, a]).map(\.id.hex)
                    == (try revList(after.hex, "^" + e.hex, "^" + a.hex)))
            #expect(try repository.commits(from: b, excluding: [after]).isEmpty)
            #expect(try repository.commits(from: c, excluding: [a, e]).map(\.id) == [c])
            #expect(try repository.commits(from: c).map(\.id.hex) == (try revList(c.hex)))

            let missing = ObjectID(hex: String(repeating: "5", count: 40))!
            #expect(#expect(throws: GitError.self) { try repository.commits(from: missing) }?.kind == .notFound)
        }
    }
}

extension Witness {
    func output(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments)
        #expect(
            result.status == 0, "git \(arguments.joined(separator: " ")): \(result.stderr)",
            sourceLocation: sourceLocation)
        return result.stdout.hasSuffix("\n") ? String(result.stdout.dropLast()) : result.stdout
    }
}

private func seconds(_ signature: Signature) -> String {
    String(Int(signature.date.timeIntervalSince1970))
}

/// The local time and zone as `%ai` prints them, e.g. "2023-11-15 00:13:20 +0200".
private func local(_ signature: Signature) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(secondsFromGMT: signature.timeZoneOffsetMinutes * 60)
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss xx"
    return formatter.string(from: signature.date)
}
