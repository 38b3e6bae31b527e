internal import CLibGit2
import Foundation

/// Who made a commit, and when, as git records it: whole seconds and the
/// author's offset from UTC in minutes.
public struct Signature: Sendable, Hashable {
    public var name: String
    public var email: String
    /// Git keeps whole seconds; anything finer is dropped when committing.
    public var date: Date
    /// Minutes east of UTC (`+0200` is 120), kept so a commit shows the
    /// author's local time the way git shows it.
    public var timeZoneOffsetMinutes: Int

    /// - Parameter timeZoneOffsetMinutes: nil takes the current time zone's
    ///   offset at `date`.
    public init(name: String, email: String, date: Date = Date(), timeZoneOffsetMinutes: Int? = nil) {
        self.name = name
        self.email = email
        self.date = date
        self.timeZoneOffsetMinutes = timeZoneOffsetMinutes ?? TimeZone.current.secondsFromGMT(for: date) / 60
    }
}

extension Signature {
    /// Calls `body` with a libgit2 copy of this signature.
    ///
    /// Checked here rather than left to libgit2: it refuses angle brackets
    /// but would write a newline into the commit header, corrupting it.
    func withGitSignature<R>(_ body: (UnsafePointer<git_signature>) throws(GitError) -> R) throws(GitError) -> R {
        for (field, value) in [("name", name), ("email", email)] {
            if value.contains(where: { $0 == "<" || $0 == ">" || $0.isNewline || $0 == "\0" }) {
                throw GitError(
                    .invalid, "could not use the signature \(name) <\(email)>",
                    "the \(field) must not contain '<', '>', a newline or a NUL byte")
            }
        }
        try ensureLibgit2()
        var signature: UnsafeMutablePointer<git_signature>?
        let seconds = git_time_t(date.timeIntervalSince1970.rounded(.down))
        try check(
            git_signature_new(&signature, name, email, seconds, Int32(timeZoneOffsetMinutes)),
            "could not use the signature \(name) <\(email)>")
        defer { git_signature_free(signature) }
        return try body(signature!)
    }
}
