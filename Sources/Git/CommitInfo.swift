internal import CLibGit2
import Foundation

/// A commit as read back from the repository.
public struct CommitInfo: Sendable, Hashable, Identifiable {
    /// The commit's own id.
    public let id: ObjectID
    /// The root tree's id.
    public let tree: ObjectID
    /// In the order git records them: the first parent is the branch the
    /// commit was made on, later ones are merged in. Empty for a root commit.
    public let parents: [ObjectID]
    public let author: Signature
    public let committer: Signature
    /// The whole message as stored, except leading blank lines (as libgit2
    /// and `git log --format=%B` give it), usually ending in a newline.
    public let message: String
    /// The first paragraph with its lines joined by spaces, like `%s`.
    public let summary: String
    /// The `Key: value` lines of the message's last paragraph, in order, as
    /// git's trailer parser reads them (`git interpret-trailers --parse`).
    public let trailers: [Trailer]

    /// The values of every trailer named `key`, compared without regard to
    /// case as git does (`supportsync-cursor` finds `Supportsync-Cursor`).
    public func trailerValues(_ key: String) -> [String] {
        trailers.filter { $0.key.caseInsensitiveCompare(key) == .orderedSame }.map(\.value)
    }

    /// The last value of the trailer `key` (the one git's "last wins" rule
    /// would pick), nil when absent.
    public func trailer(_ key: String) -> String? {
        trailerValues(key).last
    }
}

/// One `Key: value` line from the end of a commit message.
public struct Trailer: Sendable, Hashable {
    /// As written, e.g. "Supportsync-Cursor"; git compares keys ignoring case.
    public let key: String
    /// The value with surrounding space removed and continuation lines
    /// joined, as git's parser gives it.
    public let value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

extension Repository {
    /// The commit `id`, read in full.
    /// - Throws: `.notFound` when there is no commit with that id (a tree or
    ///   blob with the id is also refused as not found).
    public func commit(_ id: ObjectID) throws(GitError) -> CommitInfo {
        let commit = try lookupCommit(id)
        defer { git_commit_free(commit) }
        return try CommitInfo(commit)
    }
}

extension CommitInfo {
    /// Reads everything out of a parsed commit; the caller keeps ownership.
    init(_ commit: OpaquePointer) throws(GitError) {
        let id = ObjectID(git_commit_id(commit))
        self.id = id
        tree = ObjectID(git_commit_tree_id(commit))
        parents = (0..<git_commit_parentcount(commit)).map { ObjectID(git_commit_parent_id(commit, $0)) }
        author = Signature(git_commit_author(commit).pointee)
        committer = Signature(git_commit_committer(commit).pointee)
        // Messages are UTF-8 by convention; a legacy encoding is decoded
        // leniently rather than refused, since history cannot be rewritten.
        let raw = git_commit_message(commit)
        message =
            raw.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: strlen($0)), as: UTF8.self) } ?? ""
        summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
        trailers = try raw.map { (text) throws(GitError) in try parseTrailers(text, of: id) } ?? []
    }
}

/// git's own trailer parser, so we agree with `git interpret-trailers` on
/// what counts (the last paragraph, continuation lines, a `---` cut).
private func parseTrailers(_ message: UnsafePointer<CChar>, of id: ObjectID) throws(GitError) -> [Trailer] {
    var array = git_message_trailer_array()
    try check(git_message_trailers(&array, message), "could not read the trailers of \(id)")
    defer { git_message_trailer_array_free(&array) }
    guard let trailers = array.trailers else { return [] }
    return (0..<array.count).map { index in
        Trailer(key: String(cString: trailers[index].key), value: String(cString: trailers[index].value))
    }
}

extension Signature {
    init(_ signature: git_signature) {
        self.init(
            name: String(cString: signature.name), email: String(cString: signature.email),
            date: Date(timeIntervalSince1970: TimeInterval(signature.when.time)),
            timeZoneOffsetMinutes: Int(signature.when.offset))
    }
}
