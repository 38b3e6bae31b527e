import Foundation
import Git
import SupportSync

/// A git repository in a temporary folder holding this project's example
/// config/ (`init`'s templates: defaults and one agent per mode) and an
/// empty tickets/, committed once on main and checked out; a local
/// platform's SQLite file beside it, outside the repository.
public final class ExampleRepository: @unchecked Sendable {  // immutable after init
    public let folder: TemporaryFolder
    public let root: URL
    public let database: String

    public init(extraFiles: [Scaffold.File] = []) throws {
        folder = try TemporaryFolder()
        root = folder.url.appendingPathComponent("repo")
        database = folder.url.appendingPathComponent("platform.sqlite").path
        let repository = try Repository.create(at: root.path, initialBranch: "main")
        let files =
            [Scaffold.File(path: ConfigValidator.defaultsFile, text: Scaffold.defaultsTemplate)]
            + Scaffold.exampleAgents
            + [Scaffold.File(path: "tickets/.gitkeep", text: "")] + extraFiles
        var updates: [(path: String, blob: ObjectID?)] = []
        for file in files {
            try folder.write("repo/" + file.path, file.text)
            updates.append((file.path, try repository.writeBlob(Array(file.text.utf8))))
        }
        let commit = try repository.commit(
            updating: "refs/heads/main", expectedTip: nil, treeUpdates: updates, message: "Add supportsync",
            author: Signature(name: "Team", email: "team@example.com"))
        try repository.checkoutPaths(files.map(\.path), from: commit)
    }

    /// Writes a file into the working tree (not committed).
    public func write(_ path: String, _ text: String) throws { try folder.write("repo/" + path, text) }

    /// The branch's tip.
    public func tip() throws -> ObjectID? { try Repository.open(at: root.path).resolve(reference: "refs/heads/main") }
}
