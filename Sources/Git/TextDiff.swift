internal import CLibGit2

/// A unified diff of two texts, as `git diff --no-index` prints it, made by
/// libgit2 (no repository needed).
public enum TextDiff {
    /// The patch turning `old` into `new`, with `a/` and `b/` paths in its
    /// header; empty when the texts are equal.
    ///
    /// - Parameters:
    ///   - old: the current text; nil for a file that does not exist.
    ///   - new: the text it would become.
    ///   - path: the file's path in the headers.
    public static func unified(old: [UInt8]?, new: [UInt8], path: String) throws(GitError) -> String {
        try ensureLibgit2()
        try requireNoNUL(path, "could not compare \(path)")
        let what = "could not compare \(path)"
        var options = git_diff_options()
        _ = try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), what)
        options.context_lines = 3
        var patch: OpaquePointer?
        defer { git_patch_free(patch) }
        let oldBytes = old ?? []
        let code = oldBytes.withUnsafeBufferPointer { oldBuffer in
            new.withUnsafeBufferPointer { newBuffer in
                path.withCString { cPath in
                    git_patch_from_buffers(
                        &patch,
                        old == nil ? nil : UnsafeRawPointer(oldBuffer.baseAddress), oldBuffer.count,
                        old == nil ? nil : cPath,
                        UnsafeRawPointer(newBuffer.baseAddress), newBuffer.count, cPath, &options)
                }
            }
        }
        _ = try check(code, what)
        guard let patch, git_patch_num_hunks(patch) > 0 else { return "" }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        _ = try check(git_patch_to_buf(&buffer, patch), what)
        guard let pointer = buffer.ptr else { return "" }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: buffer.size)
        // git's own "diff --git" header line is noise here: keep from "---".
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("--- ") }) else { return text }
        return lines[start...].joined(separator: "\n")
    }
}
