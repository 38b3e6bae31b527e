internal import CLibGit2
import Foundation

extension Repository {
    /// The gitattributes `names` of each of `paths` as `commit`'s
    /// `.gitattributes` files give them (with the repository's
    /// `info/attributes` and the index's, as git reads them; not the
    /// system's): per path, per name, the value (`"true"` when set without
    /// one), or nil when unset or unspecified. What git would do to those
    /// files on checkout and commit, whichever commit is checked out.
    public func attributes(_ names: [String], of paths: [String], in commit: ObjectID) throws(GitError)
        -> [[String?]]
    {
        let what = "could not read the attributes of \(paths.count) paths in \(commit)"
        guard !names.isEmpty else { return paths.map { _ in [] } }
        var options = git_attr_options()
        options.version = UInt32(GIT_ATTR_OPTIONS_VERSION)
        options.flags = UInt32(GIT_ATTR_CHECK_INDEX_ONLY | GIT_ATTR_CHECK_NO_SYSTEM | GIT_ATTR_CHECK_INCLUDE_COMMIT)
        options.attr_commit_id = commit.gitOID
        let cNames = names.map { strdup($0) }
        defer { for name in cNames { free(name) } }
        var constNames = cNames.map { UnsafePointer<CChar>($0) }
        var values = [UnsafePointer<CChar>?](repeating: nil, count: names.count)
        var result: [[String?]] = []
        result.reserveCapacity(paths.count)
        for path in paths {
            try requireNoNUL(path, what)
            try check(
                git_attr_get_many_ext(&values, pointer, &options, path, names.count, &constNames), what)
            result.append(
                values.map { value in
                    switch git_attr_value(value) {
                    case GIT_ATTR_VALUE_TRUE: return "true"
                    case GIT_ATTR_VALUE_STRING: return value.map { String(cString: $0) }
                    default: return nil
                    }
                })
        }
        return result
    }
}
