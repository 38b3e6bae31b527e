internal import CLibGit2
import Foundation

extension Repository {
    /// Brings exactly `paths` in the working tree and the index to their
    /// content in `commit`, leaving every other path alone; used after
    /// committing to the checked-out branch without a checkout.
    ///
    /// A file present in `commit` is written to a temporary file beside it
    /// and renamed into place, so a reader sees the old or the new content,
    /// never half a file; missing folders are created. The repository's
    /// filters (line endings, `.gitattributes`) apply as for a checkout. A
    /// file absent from `commit` is deleted, along with folders it leaves
    /// empty. The index gets the commit's blob id and the new file's
    /// metadata, so `git status` sees the path as clean.
    ///
    /// A temporary file that a process killed mid-write left beside one of
    /// `paths` is removed when the path is written again.
    ///
    /// Refusals (below) come before anything is written. The index is
    /// written once at the end; if writing a file or the index fails (a
    /// folder in the way, another process holding `index.lock`), the files
    /// written so far stay, and show as modified until the index catches up.
    ///
    /// A path that is a folder in `commit` (a file replaced by a folder of
    /// the same name) has its file deleted.
    ///
    /// - Parameter written: files the caller has just committed in `commit`
    ///   as regular files, by path: the blob id and the bytes it holds. They
    ///   are written from memory, without reading `commit`'s trees or the
    ///   blobs back (unless a filter applies).
    /// - Throws: `.invalid` in a bare repository, for a malformed path, when
    ///   `commit` has a symbolic link or submodule at a path, or when
    ///   a folder on the way is a symbolic link in the working tree;
    ///   `.failed` when a file cannot be written (a folder in the way).
    public func checkoutPaths(
        _ paths: [String], from commit: ObjectID, written: [String: (blob: ObjectID, bytes: [UInt8])] = [:]
    ) throws(GitError) {
        let what = "could not update the working tree from \(commit)"
        guard let root = workdir else { throw GitError(.invalid, what, "the repository is bare") }
        for path in paths { try validateTreePath(path) }
        let tree = try tree(of: commit)
        defer { git_tree_free(tree) }
        let index = try openIndex(what)
        defer { git_index_free(index) }

        // Everything that can be refused is checked before the first write,
        // so a refusal leaves the working tree as it was.
        var plan: [(path: String, blob: ObjectID?, mode: git_filemode_t)] = []
        var realFolders: Set<Substring> = []
        for path in Set(paths).sorted() {
            try requireRealFolders(above: path, in: root, known: &realFolders, what)
            if let known = written[path] {
                plan.append((path, known.blob, GIT_FILEMODE_BLOB))
                continue
            }
            guard let entry = try treeEntry(at: path, in: tree) else {
                plan.append((path, nil, GIT_FILEMODE_UNREADABLE))
                continue
            }
            defer { git_tree_entry_free(entry) }
            let mode = git_tree_entry_filemode(entry)
            if mode == GIT_FILEMODE_TREE {
                // A file that gave way to a folder of the same name: removed,
                // before (paths are sorted) the folder's files are written.
                // A folder asked for as a path is refused below.
                var status = stat()
                let missing = lstat(root + "/" + path, &status) != 0
                if missing || status.st_mode & S_IFMT == S_IFREG {
                    plan.append((path, nil, GIT_FILEMODE_UNREADABLE))
                    continue
                }
            }
            guard mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE else {
                throw GitError(.invalid, what, "\(path) is not a regular file in \(commit)")
            }
            plan.append((path, ObjectID(git_tree_entry_id(entry)), mode))
        }
        removeLeftoverTemporaries(of: plan.map(\.path), in: root)
        let filtered = try mayFilter(plan.map(\.path), index: index, tree: tree, root: root, written: written)
        for (path, blob, mode) in plan {
            let file = root + "/" + path
            if let blob {
                let content: [UInt8]
                if filtered {
                    content = try filteredContent(of: blob, as: path)
                } else if let bytes = written[path]?.bytes {
                    content = bytes
                } else {
                    content = try self.blob(blob)
                }
                let status = try writeReplacing(file, content, executable: mode == GIT_FILEMODE_BLOB_EXECUTABLE, what)
                try check(git_index_remove_bypath(index, path), "could not update \(path) in the index")
                try addIndexEntry(index, path: path, blob: blob, mode: mode.rawValue, status: status)
            } else {
                try removeFile(file, upTo: root, what)
                try check(git_index_remove_bypath(index, path), "could not remove \(path) from the index")
            }
        }
        try check(git_index_write(index), "could not write the index")
    }

    /// Which of `paths` have uncommitted changes: staged (index differs from
    /// HEAD), unstaged (working tree differs from the index), in conflict,
    /// or an untracked or ignored file (or folder) where the path is. A
    /// path with nothing anywhere counts as unchanged. Sorted.
    ///
    /// Ignored files count because writing the path would overwrite them.
    /// Ask before moving HEAD's branch: once it has moved, every path the
    /// new commit changed differs from HEAD until `checkoutPaths` runs.
    /// - Throws: `.invalid` in a bare repository or for a malformed path.
    public func uncommittedPaths(among paths: [String]) throws(GitError) -> [String] {
        let what = "could not read the status of \(paths.count) paths"
        guard !isBare else { throw GitError(.invalid, what, "the repository is bare") }
        for path in paths { try validateTreePath(path) }
        guard !paths.isEmpty else { return [] }

        var options = git_status_options()
        try check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), what)
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        // Exact paths let libgit2's iterators skip everything else by
        // binary search instead of matching each file against every path.
        options.flags =
            GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_INCLUDE_IGNORED.rawValue | GIT_STATUS_OPT_RECURSE_IGNORED_DIRS.rawValue
            | GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue
        var list: OpaquePointer?
        try withStrarray(paths) { (pathspec) throws(GitError) in
            options.pathspec = pathspec
            try check(git_status_list_new(&list, pointer, &options), what)
        }
        defer { git_status_list_free(list) }

        let wanted = Set(paths)
        var changed = Set<String>()
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index)?.pointee, entry.status != GIT_STATUS_CURRENT else {
                continue
            }
            let delta = entry.index_to_workdir ?? entry.head_to_index
            guard let file = delta?.pointee.new_file.path ?? delta?.pointee.old_file.path else { continue }
            // A file found inside a folder standing where a wanted file
            // should be is reported under its own path: map it back.
            var candidate = String(cString: file)
            while !wanted.contains(candidate), let slash = candidate.lastIndex(of: "/") {
                candidate = String(candidate[..<slash])
            }
            if wanted.contains(candidate) { changed.insert(candidate) }
        }
        return changed.sorted()
    }

    /// The repository's index, reloaded if another process changed it.
    private func openIndex(_ what: String) throws(GitError) -> OpaquePointer {
        var index: OpaquePointer?
        try check(git_repository_index(&index, pointer), what)
        do {
            try check(git_index_read(index, 0), "could not read the index")
        } catch {
            git_index_free(index)
            throw error
        }
        return index!
    }

    /// Whether writing `paths` can involve a filter (line endings, `ident`, a
    /// filter driver): false only when no attributes file exists anywhere git
    /// would read one for them and the configuration converts no line
    /// endings. Asking libgit2 per file costs some thirty system calls each,
    /// which dominates writing thousands of small files.
    private func mayFilter(
        _ paths: [String], index: OpaquePointer?, tree: OpaquePointer, root: String,
        written: [String: (blob: ObjectID, bytes: [UInt8])]
    ) throws(GitError) -> Bool {
        let allWritten = paths.allSatisfy { written[$0] != nil }
        for key in ["core.autocrlf", "core.eol"] {
            if let value = try configValue(key), !["false", "lf"].contains(value.lowercased()) { return true }
        }
        var files = ["/etc/gitattributes", String(cString: git_repository_commondir(pointer)) + "info/attributes"]
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        let xdg =
            ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home
            + "/.config"
        files.append(xdg + "/git/attributes")
        if let global = try configValue("core.attributesFile") {
            files.append(global.hasPrefix("~/") ? home + global.dropFirst() : global)
        }
        var folders: Set<String> = [""]
        for path in paths {
            var folder = Substring(path)
            while let slash = folder.lastIndex(of: "/") {
                folder = folder[..<slash]
                guard folders.insert(String(folder)).inserted else { break }
            }
        }
        for folder in folders {
            let attributes = folder.isEmpty ? ".gitattributes" : folder + "/.gitattributes"
            files.append(root + "/" + attributes)
            // Also one in the index, or in the commit (written by this very
            // checkout). When every path comes from memory, so would that file.
            if git_index_get_bypath(index, attributes, 0) != nil || written[attributes] != nil { return true }
            if !allWritten, let entry = try treeEntry(at: attributes, in: tree) {
                git_tree_entry_free(entry)
                return true
            }
        }
        return files.contains { access($0, F_OK) == 0 }
    }

    /// The blob as a checkout would write it, after smudge filters.
    private func filteredContent(of id: ObjectID, as path: String) throws(GitError) -> [UInt8] {
        var oid = id.gitOID
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, pointer, &oid), "could not read the blob \(id)")
        defer { git_blob_free(blob) }
        var options = git_blob_filter_options()
        try check(
            git_blob_filter_options_init(&options, UInt32(GIT_BLOB_FILTER_OPTIONS_VERSION)),
            "could not prepare filters")
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        try check(git_blob_filter(&buffer, blob, path, &options), "could not filter \(path)")
        guard let bytes = buffer.ptr, buffer.size > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: buffer.size))
    }

    private func addIndexEntry(
        _ index: OpaquePointer?, path: String, blob: ObjectID, mode: UInt32, status: stat
    ) throws(GitError) {
        var entry = git_index_entry()
        #if canImport(Darwin)
            let (changed, modified) = (status.st_ctimespec, status.st_mtimespec)
        #else
            let (changed, modified) = (status.st_ctim, status.st_mtim)
        #endif
        // The index keeps 32-bit fields; git truncates the same way.
        entry.ctime = git_index_time(
            seconds: Int32(truncatingIfNeeded: changed.tv_sec), nanoseconds: UInt32(truncatingIfNeeded: changed.tv_nsec)
        )
        entry.mtime = git_index_time(
            seconds: Int32(truncatingIfNeeded: modified.tv_sec),
            nanoseconds: UInt32(truncatingIfNeeded: modified.tv_nsec))
        entry.dev = UInt32(truncatingIfNeeded: status.st_dev)
        entry.ino = UInt32(truncatingIfNeeded: status.st_ino)
        entry.mode = mode
        entry.uid = UInt32(truncatingIfNeeded: status.st_uid)
        entry.gid = UInt32(truncatingIfNeeded: status.st_gid)
        entry.file_size = UInt32(truncatingIfNeeded: status.st_size)
        entry.id = blob.gitOID
        try withCStrings([path]) { (strings) throws(GitError) in
            entry.path = strings[0]
            try check(git_index_add(index, &entry), "could not add \(path) to the index")
        }
    }
}

/// The temporary file `writeReplacing` first writes a file named `name` to,
/// in the same folder: `.<name>.<16 hex digits>.tmp`. (A random number from
/// the kernel in one call, where `UUID()` opens /dev/urandom each time.)
private func temporaryName(for name: String) -> String {
    let digits = String(UInt64.random(in: .min ... .max), radix: 16)
    return ".\(name).\(String(repeating: "0", count: 16 - digits.count) + digits).tmp"
}

/// Deletes the temporary files (`temporaryName(for:)`) that a writer killed
/// mid-write left beside any of `paths` (relative to `root`): one folder
/// listing per folder.
private func removeLeftoverTemporaries(of paths: [String], in root: String) {
    var names: [String: Set<String>] = [:]
    for path in paths {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? ""
        names[folder, default: []].insert(slash.map { String(path[path.index(after: $0)...]) } ?? path)
    }
    let digits = 16
    for (folder, wanted) in names {
        let directory = folder.isEmpty ? root : root + "/" + folder
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
        for entry in entries where entry.hasPrefix(".") && entry.hasSuffix(".tmp") && entry.utf8.count > digits + 6 {
            // ".<name>.<16 hex digits>.tmp"
            let utf8 = Array(entry.utf8)
            let suffix = utf8[(utf8.count - digits - 5)...]
            guard suffix.first == UInt8(ascii: "."), suffix.dropFirst().prefix(digits).allSatisfy(\.isHexDigit),
                wanted.contains(String(decoding: utf8[1..<(utf8.count - digits - 5)], as: UTF8.self))
            else { continue }
            unlink(directory + "/" + entry)
        }
    }
}

/// Writes `content` to a temporary file in the target's folder and renames
/// it over `file`; returns the new file's metadata for the index.
private func writeReplacing(_ file: String, _ content: [UInt8], executable: Bool, _ what: String) throws(GitError)
    -> stat
{
    func failure(_ action: String, _ path: String) -> GitError {
        GitError(.failed, what, "could not \(action) \(path): \(String(cString: strerror(errno)))")
    }
    let folder = (file as NSString).deletingLastPathComponent
    do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
        throw GitError(.failed, what, "could not create the folder \(folder): \(error.localizedDescription)")
    }
    let name = (file as NSString).lastPathComponent
    let temporary = folder + "/" + temporaryName(for: name)
    // The umask applies to these modes, as it does for git's checkout.
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, executable ? 0o777 : 0o666)
    guard descriptor >= 0 else { throw failure("create", temporary) }
    var written = 0
    while written < content.count {
        let result = content.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, content.count - written) }
        if result < 0 && errno == EINTR { continue }
        guard result > 0 else {
            let error = failure("write", temporary)
            close(descriptor)
            unlink(temporary)
            throw error
        }
        written += result
    }
    guard close(descriptor) == 0 else {
        let error = failure("write", temporary)
        unlink(temporary)
        throw error
    }
    guard rename(temporary, file) == 0 else {
        let error = failure("replace", file)
        unlink(temporary)
        throw error
    }
    var status = stat()
    guard lstat(file, &status) == 0 else { throw failure("read the metadata of", file) }
    return status
}

/// Refuses a path whose folders include a symbolic link in the working
/// tree: writing or deleting through it could reach outside the tree (git's
/// checkout refuses the same). A symbolic link at the file itself is fine:
/// the rename replaces the link, never what it points to.
/// `known` holds the folders (relative to `root`) already found real.
private func requireRealFolders(
    above path: String, in root: String, known: inout Set<Substring>, _ what: String
) throws(GitError) {
    var folder = root
    for part in path.split(separator: "/").dropLast() {
        folder += "/" + part
        let relative = path[..<part.endIndex]
        if known.contains(relative) { continue }
        var status = stat()
        guard lstat(folder, &status) == 0 else { return }  // missing: created as a real folder
        if status.st_mode & S_IFMT == S_IFLNK {
            throw GitError(.invalid, what, "\(folder) is a symbolic link; refusing to write through it")
        }
        known.insert(relative)
    }
}

/// Deletes `file` if it is there (not a folder), then any folders it
/// leaves empty, stopping at the working tree's root.
private func removeFile(_ file: String, upTo root: String, _ what: String) throws(GitError) {
    var status = stat()
    guard lstat(file, &status) == 0 else { return }
    guard status.st_mode & S_IFMT != S_IFDIR else { return }
    guard unlink(file) == 0 || errno == ENOENT else {
        throw GitError(.failed, what, "could not delete \(file): \(String(cString: strerror(errno)))")
    }
    var folder = (file as NSString).deletingLastPathComponent
    // rmdir refuses non-empty folders, which is exactly the test we want.
    while folder.count > root.count, folder.hasPrefix(root + "/"), rmdir(folder) == 0 {
        folder = (folder as NSString).deletingLastPathComponent
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x61...0x66).contains(self)
    }
}
