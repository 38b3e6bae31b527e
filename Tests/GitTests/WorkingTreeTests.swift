import Foundation
import Git
import Testing

struct WorkingTreeTests {
    /// A repository with a working tree whose HEAD commit is checked out,
    /// as a user's clone would be.
    private func checkedOut(_ folder: String, _ files: [String: String]) throws -> (Repository, ObjectID, Witness) {
        let repository = try Repository.create(at: folder, initialBranch: "main")
        let first = try repository.commitFiles(files, from: nil, message: "first")
        try repository.checkoutPaths(Array(files.keys), from: first)
        let witness = Witness(gitDirectory: repository.gitDirectory, workTree: folder)
        #expect(try status(witness) == [])
        return (repository, first, witness)
    }

    private func status(_ witness: Witness, _ paths: [String] = []) throws -> [String] {
        try witness.output(
            ["--no-optional-locks", "status", "--porcelain", "--untracked-files=all", "--ignored", "--"] + paths
        )
        .split(separator: "\n").map(String.init)
    }

    private func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    @Test func updatesExactlyThePathsGiven() throws {
        try withTemporaryFolder { folder in
            let (repository, first, witness) = try checkedOut(
                folder,
                [
                    "tickets/2024/01/T-1.yaml": "status: pending\n", "tickets/old/T-0.yaml": "gone soon\n",
                    "notes.txt": "mine\n", "tickets/2024/01/T-9.yaml": "untouched\n",
                ])
            // The user's own work, which must survive.
            try write("edited by hand\n", to: folder + "/notes.txt")
            try write("scratch\n", to: folder + "/scratch.txt")

            let paths = ["tickets/2024/01/T-1.yaml", "tickets/2025/12/Ana García.yaml", "tickets/old/T-0.yaml"]
            let second = try repository.commitFiles(
                [paths[0]: "status: resolved\n", paths[1]: "id: new\n", paths[2]: nil], from: first, message: "pull")
            // HEAD moved and the index did not, so against the new HEAD all
            // three differ: callers check before committing, not after.
            #expect(try repository.uncommittedPaths(among: paths) == paths.sorted())
            try repository.checkoutPaths(paths, from: second)

            #expect(try String(contentsOfFile: folder + "/" + paths[0], encoding: .utf8) == "status: resolved\n")
            #expect(try String(contentsOfFile: folder + "/" + paths[1], encoding: .utf8) == "id: new\n")
            #expect(!FileManager.default.fileExists(atPath: folder + "/tickets/old"))  // emptied folder removed
            #expect(try status(witness) == [" M notes.txt", "?? scratch.txt"])
            #expect(try repository.uncommittedPaths(among: paths).isEmpty)
            // The index holds the commit's blobs for those paths, at stage 0.
            let staged = try witness.output(["ls-files", "-s", "--", "tickets"])
            let committed = try witness.output(["ls-tree", "-r", "HEAD", "--", "tickets"])
                .split(separator: "\n").map { line -> String in
                    let parts = line.split(separator: "\t")
                    let fields = parts[0].split(separator: " ")
                    return "\(fields[0]) \(fields[2]) 0\t\(parts[1])"
                }
            #expect(staged.split(separator: "\n").map(String.init) == committed)
            // No temporary files left beside the written ones.
            let names = try FileManager.default.subpathsOfDirectory(atPath: folder + "/tickets")
            #expect(!names.contains { $0.hasSuffix(".tmp") })
        }
    }

    /// An index lock a killed git command left: the error names the file
    /// and what to do (libgit2 says only that the index is locked).
    @Test func aLeftIndexLockIsNamed() throws {
        try withTemporaryFolder { folder in
            let (repository, _, _) = try checkedOut(folder, ["tickets/2024/01/T-1.yaml": "status: pending\n"])
            let second = try repository.commitFiles(
                ["tickets/2024/01/T-1.yaml": "status: closed\n"], from: try repository.resolve(reference: "HEAD"),
                message: "second")
            let lock = repository.gitDirectory + "/index.lock"
            #expect(FileManager.default.createFile(atPath: lock, contents: Data()))
            let error = #expect(throws: GitError.self) {
                try repository.checkoutPaths(["tickets/2024/01/T-1.yaml"], from: second)
            }
            #expect(error?.kind == .locked)
            let said = error.map { "\($0)" } ?? ""
            #expect(said.contains("index.lock exists") && said.contains("delete that file and run again"), "\(said)")
            try FileManager.default.removeItem(atPath: lock)
            try repository.checkoutPaths(["tickets/2024/01/T-1.yaml"], from: second)
            #expect(
                try String(contentsOfFile: folder + "/tickets/2024/01/T-1.yaml", encoding: .utf8) == "status: closed\n")
        }
    }

    @Test func writesFilesJustCommittedFromTheirBytes() throws {
        try withTemporaryFolder { folder in
            let (repository, first, witness) = try checkedOut(folder, ["tickets/2024/01/T-1.yaml": "status: pending\n"])
            let bytes = Array("status: resolved\n".utf8)
            let blob = try repository.writeBlob(bytes)
            let second = try repository.createCommit(
                parent: first, treeUpdates: [("tickets/2024/01/T-1.yaml", blob), ("tickets/2024/02/T-2.yaml", blob)],
                message: "pull", author: testAuthor
            ).commit
            try repository.updateReferences([
                ReferenceUpdate(name: "refs/heads/main", expected: first, new: second, message: "pull")
            ])
            // One path from memory, one read from the commit.
            try repository.checkoutPaths(
                ["tickets/2024/01/T-1.yaml", "tickets/2024/02/T-2.yaml"], from: second,
                written: ["tickets/2024/01/T-1.yaml": (blob, bytes)])
            for path in ["tickets/2024/01/T-1.yaml", "tickets/2024/02/T-2.yaml"] {
                #expect(try String(contentsOfFile: folder + "/" + path, encoding: .utf8) == "status: resolved\n")
            }
            #expect(try status(witness) == [])
            #expect(try witness.output(["ls-files", "-s", "--", "tickets/2024/01"]).contains(blob.hex))
        }
    }

    /// A commit of `count` files over `folders` folders, written from
    /// memory: (commit, files by path).
    private func commitMany(
        _ repository: Repository, from parent: ObjectID, count: Int, folders: Int, text: (Int) -> String
    ) throws -> (ObjectID, [String: (blob: ObjectID, bytes: [UInt8])]) {
        var written: [String: (blob: ObjectID, bytes: [UInt8])] = [:]
        for number in 0..<count {
            let bytes = Array(text(number).utf8)
            written["tickets/2026/\(String(format: "%02d", number % folders + 1))/T-\(number).yaml"] =
                (try repository.writeBlob(bytes), bytes)
        }
        let commit = try repository.createCommit(
            parent: parent, treeUpdates: written.map { ($0.key, $0.value.blob) }, message: "pull", author: testAuthor
        ).commit
        try repository.updateReferences([
            ReferenceUpdate(name: "refs/heads/main", expected: parent, new: commit, message: "pull")
        ])
        return (commit, written)
    }

    /// Hundreds of files, written on every core, each with its bytes and
    /// an index entry git agrees with.
    @Test func writesHundredsOfFilesOnEveryCore() throws {
        try withTemporaryFolder { folder in
            let (repository, first, witness) = try checkedOut(folder, ["README.md": "# support\n"])
            let (second, written) = try commitMany(repository, from: first, count: 700, folders: 7) { "id: T-\($0)\n" }
            try repository.checkoutPaths(Array(written.keys), from: second, written: written)
            for (path, file) in written {
                #expect(try Array(Data(contentsOf: URL(fileURLWithPath: folder + "/" + path))) == file.bytes)
            }
            #expect(try status(witness) == [])
            #expect(try witness.output(["ls-files", "--", "tickets"]).split(separator: "\n").count == 700)
            let names = try FileManager.default.subpathsOfDirectory(atPath: folder + "/tickets")
            #expect(!names.contains { $0.hasSuffix(".tmp") })
            try witness.expectSound()
        }
    }

    /// Staged files wait beside their paths, out of the way of git and of
    /// readers, until the checkout renames those very files into place.
    @Test func stagedFilesAreRenamedIntoPlaceByTheCheckout() throws {
        try withTemporaryFolder { folder in
            let (repository, first, witness) = try checkedOut(folder, ["tickets/2026/01/T-0.yaml": "old\n"])
            let files = (0..<200).map { number in
                (
                    path: "tickets/2026/\(String(format: "%02d", number % 3 + 1))/T-\(number).yaml",
                    bytes: Array("id: T-\(number)\n".utf8)
                )
            }
            let staged = try #require(repository.stageFiles(files))
            // Nothing is in place yet: the old file is as it was, the new are not there.
            #expect(try String(contentsOfFile: folder + "/tickets/2026/01/T-0.yaml", encoding: .utf8) == "old\n")
            #expect(!FileManager.default.fileExists(atPath: folder + "/tickets/2026/02/T-1.yaml"))
            let waiting = try FileManager.default.subpathsOfDirectory(atPath: folder + "/tickets")
                .filter { $0.hasSuffix(".tmp") }
            #expect(waiting.count == 200)
            // Each path's temporary file, by inode: the checkout must rename these, not write anew.
            var inodes: [String: UInt64] = [:]
            for name in waiting {
                let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/tickets/" + name)
                inodes[name] = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value
            }

            var written: [String: (blob: ObjectID, bytes: [UInt8])] = [:]
            for file in files { written[file.path] = (try repository.writeBlob(file.bytes), file.bytes) }
            let second = try repository.createCommit(
                parent: first, treeUpdates: written.map { ($0.key, $0.value.blob) }, message: "pull",
                author: testAuthor
            ).commit
            try repository.updateReferences([
                ReferenceUpdate(name: "refs/heads/main", expected: first, new: second, message: "pull")
            ])
            try repository.checkoutPaths(Array(written.keys), from: second, written: written, staged: staged)
            // Every one taken: nothing is left for discard() to delete.
            #expect(staged.waiting == 0)
            staged.discard()

            #expect(try status(witness) == [])
            let after = try FileManager.default.subpathsOfDirectory(atPath: folder + "/tickets")
            #expect(!after.contains { $0.hasSuffix(".tmp") })
            for file in files {
                let path = folder + "/" + file.path
                #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == file.bytes)
            }
            let renamed = Set(
                try files.map { file in
                    try FileManager.default.attributesOfItem(atPath: folder + "/" + file.path)[.systemFileNumber]
                        as? NSNumber
                }.compactMap { $0?.uint64Value })
            #expect(renamed == Set(inodes.values))
        }
    }

    /// No staging where a filter could change the bytes, or through a
    /// folder that is a symbolic link; discarding leaves no file behind.
    @Test func stagingStepsAsideAndLeavesNothingBehind() throws {
        try withTemporaryFolder { folder in
            let files = (0..<100).map { (path: "tickets/2026/01/T-\($0).yaml", bytes: Array("id: \($0)\n".utf8)) }
            let (repository, _, witness) = try checkedOut(folder + "/plain", ["README.md": "# support\n"])
            let staged = try #require(repository.stageFiles(files))
            staged.discard()
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/plain/tickets/2026/01") == [])
            #expect(try status(witness) == [])

            // A checkout that fails on one path (a folder in the way) leaves
            // no staged file behind, renamed or not.
            let again = try #require(repository.stageFiles(files))
            try FileManager.default.createDirectory(
                atPath: folder + "/plain/tickets/2026/01/T-50.yaml/inside", withIntermediateDirectories: true)
            var written: [String: (blob: ObjectID, bytes: [UInt8])] = [:]
            for file in files { written[file.path] = (try repository.writeBlob(file.bytes), file.bytes) }
            let commit = try repository.createCommit(
                parent: try repository.head(), treeUpdates: written.map { ($0.key, $0.value.blob) }, message: "pull",
                author: testAuthor
            ).commit
            #expect(throws: GitError.self) {
                try repository.checkoutPaths(Array(written.keys), from: commit, written: written, staged: again)
            }
            again.discard()
            let left = try FileManager.default.subpathsOfDirectory(atPath: folder + "/plain/tickets")
            #expect(!left.contains { $0.hasSuffix(".tmp") })

            let (filtered, _, _) = try checkedOut(folder + "/filtered", [".gitattributes": "*.yaml text eol=crlf\n"])
            #expect(filtered.stageFiles(files) == nil)
            #expect(!FileManager.default.fileExists(atPath: folder + "/filtered/tickets"))

            let outside = folder + "/outside"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            let (linked, _, _) = try checkedOut(folder + "/linked", ["README.md": "# support\n"])
            try FileManager.default.createSymbolicLink(atPath: folder + "/linked/tickets", withDestinationPath: outside)
            #expect(linked.stageFiles(files) == nil)
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == [])
        }
    }

    /// One file written outside a checkout: whole, through a temporary file
    /// of the checkout's kind (a killed writer's is removed first), the
    /// index left alone, never through a folder that is a symbolic link.
    @Test func writesOneWorkingFileWholeAndLeavesTheIndexAlone() throws {
        try withTemporaryFolder { folder in
            let path = "tickets/2026/01/T-1.yaml"
            let (repository, _, witness) = try checkedOut(folder + "/work", [path: "status: pending\n"])
            let leftover = folder + "/work/tickets/2026/01/.T-1.yaml.00000000deadbeef.tmp"
            try write("half a fi", to: leftover)
            let other = folder + "/work/tickets/2026/01/.T-2.yaml.00000000deadbeef.tmp"
            try write("another file's\n", to: other)

            try repository.writeWorkingFile(path, Array("status: resolved\n".utf8))
            #expect(try String(contentsOfFile: folder + "/work/" + path, encoding: .utf8) == "status: resolved\n")
            #expect(!FileManager.default.fileExists(atPath: leftover))
            #expect(try status(witness) == [" M \(path)", "?? tickets/2026/01/.T-2.yaml.00000000deadbeef.tmp"])
            try repository.writeWorkingFile("tickets/2026/02/T-3.yaml", Array("id: T-3\n".utf8))
            #expect(try status(witness).contains("?? tickets/2026/02/T-3.yaml"))

            #expect(
                #expect(throws: GitError.self) { try repository.writeWorkingFile("../T-1.yaml", [0x61]) }?.kind
                    == .invalid)
            let outside = folder + "/outside"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: folder + "/work/linked", withDestinationPath: outside)
            #expect(
                #expect(throws: GitError.self) { try repository.writeWorkingFile("linked/T-1.yaml", [0x61]) }?.kind
                    == .invalid)
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == [])
        }
    }

    /// The files the tool keeps for itself are written whole the same way:
    /// a temporary file a killed writer left for the same file goes with
    /// the next write, others stay.
    @Test func aFileWrittenWholeTakesTheLeftoverOfItsKilledWriterAway() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/git/supportsync/list-cache"
            try WholeFile.write(Array("first\n".utf8), to: path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\n")
            let leftover = folder + "/git/supportsync/.list-cache.0123456789abcdef.tmp"
            let other = folder + "/git/supportsync/.history-index.0123456789abcdef.tmp"
            try write("half", to: leftover)
            try write("half", to: other)
            try WholeFile.write(Array("second\n".utf8), to: path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "second\n")
            #expect(!FileManager.default.fileExists(atPath: leftover))
            #expect(FileManager.default.fileExists(atPath: other))
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: folder + "/git/supportsync").sorted() == [
                    ".history-index.0123456789abcdef.tmp", "list-cache",
                ])
        }
    }

    @Test func aFileGivesWayToAFolderOfTheSameNameInOneCommit() throws {
        try withTemporaryFolder { folder in
            let (repository, first, witness) = try checkedOut(
                folder, ["tickets/.cursor": "format 1\n", "tickets/T-1.yaml": "id: T-1\n"])
            let paths = ["tickets/.cursor", "tickets/.cursor/v2"]
            let second = try repository.commitFiles(
                [paths[0]: nil, paths[1]: "format: 2\n"], from: first, message: "cursor, format 2")
            try repository.checkoutPaths(paths, from: second)
            #expect(try String(contentsOfFile: folder + "/tickets/.cursor/v2", encoding: .utf8) == "format: 2\n")
            #expect(try status(witness).isEmpty)
            #expect(
                try witness.output(["ls-tree", "-r", "--name-only", "HEAD"]) == "tickets/.cursor/v2\ntickets/T-1.yaml")
            try witness.expectSound()
        }
    }

    @Test func appliesCheckoutFilters() throws {
        try withTemporaryFolder { folder in
            let (repository, first, witness) = try checkedOut(
                folder, [".gitattributes": "*.txt text eol=crlf\n", "a.txt": "one\ntwo\n"])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/a.txt"))
            #expect(String(decoding: bytes, as: UTF8.self) == "one\r\ntwo\r\n")
            #expect(try repository.text(at: "a.txt", in: first) == "one\ntwo\n")
            #expect(try status(witness) == [])
        }
    }

    @Test func tellsWhichPathsHaveUncommittedChanges() throws {
        try withTemporaryFolder { folder in
            let (repository, first, witness) = try checkedOut(
                folder,
                [
                    "clean.yaml": "c\n", "edited.yaml": "e\n", "staged.yaml": "s1\n", "removed.yaml": "r\n",
                    ".gitignore": "*.ignored\nignored-folder/\n",
                ])
            let second = try repository.commitFiles(["staged.yaml": "s2\n"], from: first, message: "second")
            // The old version in index and working tree: a staged change against HEAD.
            try repository.checkoutPaths(["staged.yaml"], from: first)
            try write("changed\n", to: folder + "/edited.yaml")
            try FileManager.default.removeItem(atPath: folder + "/removed.yaml")
            try write("new\n", to: folder + "/untracked.yaml")
            try write("x\n", to: folder + "/secret.ignored")
            try write("x\n", to: folder + "/folder-in-the-way/inside.yaml")
            try write("x\n", to: folder + "/ignored-folder/deep/file")

            let asked = [
                "clean.yaml", "edited.yaml", "staged.yaml", "removed.yaml", "untracked.yaml", "secret.ignored",
                "folder-in-the-way", "ignored-folder/deep/file", "never-existed.yaml", "tickets/none/at/all.yaml",
            ]
            let changed = try repository.uncommittedPaths(among: asked)
            #expect(
                changed == [
                    "edited.yaml", "folder-in-the-way", "ignored-folder/deep/file", "removed.yaml", "secret.ignored",
                    "staged.yaml", "untracked.yaml",
                ])
            // git agrees on each path (the folder is listed by its contents).
            let seen = try status(witness, asked).map { String($0.dropFirst(3)) }
            #expect(Set(seen) == Set(changed.map { $0 == "folder-in-the-way" ? "folder-in-the-way/inside.yaml" : $0 }))
            #expect(try repository.uncommittedPaths(among: []) == [])
            #expect(try repository.head() == second)
        }
    }

    @Test func refusesBareRepositoriesAndFoldersInTheWay() throws {
        try withTemporaryFolder { folder in
            let bare = try Repository.create(at: folder + "/bare", bare: true)
            let commit = try bare.commitFiles(["a": "1"], from: nil, message: "m")
            #expect(#expect(throws: GitError.self) { try bare.checkoutPaths(["a"], from: commit) }?.kind == .invalid)
            #expect(#expect(throws: GitError.self) { try bare.uncommittedPaths(among: ["a"]) }?.kind == .invalid)

            let (repository, first, _) = try checkedOut(folder + "/work", ["a": "1\n", "b/c": "c\n"])
            try FileManager.default.createDirectory(atPath: folder + "/work/x/y", withIntermediateDirectories: true)
            let second = try repository.commitFiles(["x": "file\n"], from: first, message: "m")
            let error = #expect(throws: GitError.self) { try repository.checkoutPaths(["x"], from: second) }
            #expect(error?.kind == .failed)
            #expect(
                #expect(throws: GitError.self) { try repository.checkoutPaths(["b"], from: second) }?.kind == .invalid)
            #expect(
                #expect(throws: GitError.self) { try repository.checkoutPaths(["../a"], from: second) }?.kind
                    == .invalid)

            // A folder that is a symbolic link to somewhere outside is not written through.
            let outside = folder + "/outside"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: folder + "/work/linked", withDestinationPath: outside)
            let third = try repository.commitFiles(["a": "3\n", "linked/evil": "x\n"], from: second, message: "m")
            let linked = #expect(throws: GitError.self) {
                try repository.checkoutPaths(["a", "linked/evil"], from: third)
            }
            // Refused before anything was written, "a" included.
            #expect(try String(contentsOfFile: folder + "/work/a", encoding: .utf8) == "1\n")
            #expect(linked?.kind == .invalid)
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == [])
        }
    }
}
