import Foundation
import Git
import Testing

struct RepositoryTests {
    @Test func createsARepositoryWithAnUnbornBranch() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/new/repo"
            let repository = try Repository.create(at: path, initialBranch: "main")
            #expect(!repository.isBare)
            #expect(try !repository.isShallow)
            #expect(repository.workdir == path)
            #expect(repository.gitDirectory == path + "/.git")
            #expect(try repository.head() == nil)
            #expect(try repository.resolve(reference: "refs/heads/main") == nil)

            let witness = Witness(gitDirectory: repository.gitDirectory)
            #expect(try witness.output("symbolic-ref", "HEAD") == "refs/heads/main")
            #expect(try witness.output("rev-parse", "--is-bare-repository") == "false")
        }
    }

    /// A blob a partial clone left out is said to be one, with what to do:
    /// libgit2 cannot fetch it the way git does.
    @Test func aBlobAPartialCloneLeftOutIsSaidSo() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let missing = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
            let plain = #expect(throws: GitError.self) { try repository.blob(missing) }
            #expect(plain?.kind == .notFound && !(plain?.description.contains("partial clone") ?? true))
            let config = repository.gitDirectory + "/config"
            let text = try String(contentsOfFile: config, encoding: .utf8)
            try (text + "[extensions]\n\tpartialClone = origin\n").write(
                toFile: config, atomically: true, encoding: .utf8)
            let reopened = try Repository.open(at: folder)
            #expect(reopened.isPartialClone)
            let said = #expect(throws: GitError.self) { try reopened.blob(missing) }
            #expect(said?.kind == .notFound)
            #expect(said?.description.contains("this is a partial clone") == true, "\(String(describing: said))")
        }
    }

    @Test func headFollowsTheCheckedOutBranch() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let first = try repository.commitFiles(["a.txt": "a\n"], from: nil, message: "first")
            #expect(try repository.head() == first)
            #expect(try repository.resolve(reference: "refs/heads/main") == first)
            #expect(try repository.resolve(reference: "refs/heads/other") == nil)
            #expect(try Witness(gitDirectory: repository.gitDirectory).output("rev-parse", "HEAD") == first.hex)
        }
    }

    @Test func opensAndDiscoversFromASubfolder() throws {
        try withTemporaryFolder { folder in
            let root = folder + "/project"
            let created = try Repository.create(at: root, initialBranch: "main")
            let commit = try created.commitFiles(["x": "1"], from: nil, message: "x")
            let subfolder = root + "/deep/er"
            try FileManager.default.createDirectory(atPath: subfolder, withIntermediateDirectories: true)

            let found = try #require(try Repository.discover(from: subfolder))
            #expect(found.workdir == root)
            #expect(found.gitDirectory == root + "/.git")
            #expect(try found.head() == commit)

            // Opening without search accepts the root and its .git, not a subfolder.
            #expect(try Repository.open(at: root).head() == commit)
            #expect(try Repository.open(at: root + "/.git").workdir == root)
            let error = #expect(throws: GitError.self) { try Repository.open(at: subfolder) }
            #expect(error?.kind == .notFound)
            #expect(error?.description.contains(subfolder) == true)
        }
    }

    @Test func discoveryStopsAtCeilings() throws {
        try withTemporaryFolder { folder in
            let outside = folder + "/plain/inner"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            // The ceiling keeps the search from finding whatever repository
            // may enclose the temporary folder on this machine.
            #expect(try Repository.discover(from: outside, stoppingAt: [folder]) == nil)

            _ = try Repository.create(at: folder + "/plain")
            let found = try Repository.discover(from: outside, stoppingAt: [folder])
            #expect(found?.workdir == folder + "/plain")
        }
    }

    @Test func createsABareRepositoryAndCommitsIntoIt() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/bare.git"
            let repository = try Repository.create(at: path, bare: true, initialBranch: "main")
            #expect(repository.isBare)
            #expect(repository.workdir == nil)
            #expect(repository.gitDirectory == path)
            let commit = try repository.commitFiles(["tickets/1.yaml": "id: 1\n"], from: nil, message: "one")
            #expect(try repository.head() == commit)

            let reopened = try Repository.open(at: path)
            #expect(reopened.isBare)
            #expect(try reopened.text(at: "tickets/1.yaml", in: commit) == "id: 1\n")

            let witness = Witness(gitDirectory: path)
            #expect(try witness.output("rev-parse", "--is-bare-repository") == "true")
            #expect(try witness.output("show", "main:tickets/1.yaml") == "id: 1")
            try witness.expectSound()
        }
    }

    @Test func tellsAShallowRepository() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let commit = try repository.commitFiles(["a": "a"], from: nil, message: "a")
            #expect(try !repository.isShallow)
            // A shallow clone is marked by this file listing its boundary
            // commits; writing it by hand stands in for `git clone --depth`.
            try Data((commit.hex + "\n").utf8).write(to: URL(fileURLWithPath: repository.gitDirectory + "/shallow"))
            #expect(try repository.isShallow)
            let witness = Witness(gitDirectory: repository.gitDirectory)
            #expect(try witness.output("rev-parse", "--is-shallow-repository") == "true")
        }
    }

    @Test(arguments: [1, 2])
    func tellsARealShallowCloneAndWalksItLikeGit(depth: Int) throws {
        try withTemporaryFolder { folder in
            let source = try Repository.create(at: folder + "/source", initialBranch: "main")
            let first = try source.commitFiles(["f": "1", "g": "1"], from: nil, message: "first")
            let second = try source.commitFiles(["f": "2"], from: first, message: "second")
            let third = try source.commitFiles(["g": "3"], from: second, message: "third")
            let tip = try source.commitFiles(["f": "4"], from: third, message: "fourth")
            // The module cannot make a shallow clone; git sets this one up.
            let clone = folder + "/clone"
            let made = try Witness.git(["clone", "--quiet", "--depth", "\(depth)", "file://\(folder)/source", clone])
            #expect(made.status == 0, "\(made.stderr)")

            let repository = try Repository.open(at: clone)
            #expect(try repository.isShallow)
            #expect(try !source.isShallow)
            #expect(try repository.head() == tip)
            let witness = Witness(gitDirectory: clone + "/.git")
            #expect(try witness.output("rev-parse", "--is-shallow-repository") == "true")
            // Boundary commits count as roots, for walks and path history alike.
            func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }
            #expect(
                try repository.commits(from: tip).map(\.id.hex)
                    == lines(try witness.output("rev-list", "--topo-order", "HEAD")))
            #expect(try repository.commits(from: tip).count == depth)
            #expect(try repository.commits(from: tip, excluding: [tip]).isEmpty)
            for path in ["f", "g"] {
                let log = lines(try witness.output("log", "--format=%H", "--", path))
                #expect(try repository.history(of: path, from: tip).map(\.id.hex) == log, "\(path)")
            }
            if depth == 2 {
                #expect(try repository.commits(from: tip, excluding: [third]).map(\.id) == [tip])
            }
            // Reading a commit still shows the parent it names, present or not.
            #expect(try repository.commit(tip).parents == [third])
        }
    }

    @Test func readsTheDefaultSignatureFromConfiguration() throws {
        try withTemporaryFolder { folder in
            let created = try Repository.create(at: folder, initialBranch: "main")
            // Repository-local values win over whatever this machine's global
            // configuration says, so the result is known.
            let config = created.gitDirectory + "/config"
            let existing = try String(contentsOfFile: config, encoding: .utf8)
            try (existing + "[user]\n\tname = Grace Hopper\n\temail = grace@example.com\n")
                .write(toFile: config, atomically: true, encoding: .utf8)

            let repository = try Repository.open(at: folder)
            let date = Date(timeIntervalSince1970: 1_234_567_890)
            let signature = try #require(try repository.defaultSignature(date: date))
            #expect(signature.name == "Grace Hopper")
            #expect(signature.email == "grace@example.com")
            #expect(signature.date == date)
            #expect(try repository.configValue("user.name") == "Grace Hopper")
            #expect(try repository.configValue("supportsync.surely-unset") == nil)

            let witness = Witness(gitDirectory: repository.gitDirectory)
            #expect(try witness.output("config", "user.name") == signature.name)
        }
    }
}
