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
    /// - Parameters:
    ///   - written: files the caller has just committed in `commit` as
    ///     regular files, by path: the blob id and the bytes it holds. They
    ///     are written from memory, without reading `commit`'s trees or the
    ///     blobs back (unless a filter applies).
    ///   - staged: `written` files already written beside their paths
    ///     (`stageFiles`), with those very bytes: each is renamed into
    ///     place. Call `staged.discard()` afterwards, whether this returns or
    ///     throws: it deletes those not renamed (all of them when a filter
    ///     applies after all).
    /// - Throws: `.invalid` in a bare repository, for a malformed path, when
    ///   `commit` has a symbolic link or submodule at a path, or when
    ///   a folder on the way is a symbolic link in the working tree;
    ///   `.failed` when a file cannot be written (a folder in the way).
    public func checkoutPaths(
        _ paths: [String], from commit: ObjectID, written: [String: (blob: ObjectID, bytes: [UInt8])] = [:],
        staged: StagedFiles? = nil
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
        // Staging removed those of its paths when it wrote their files.
        removeLeftoverTemporaries(of: plan.map(\.path).filter { staged?.files[$0] == nil }, in: root)
        let filtered = try mayFilter(
            plan.map(\.path), index: index, tree: tree, root: root, written: { written[$0] != nil })
        if filtered { staged?.discard() }  // written again, through the filters
        // Deletions first, when no filter applies (a file that gave way to a
        // folder of the same name goes before the folder's files are
        // written), then the writes.
        var writes: [FileWrite] = []
        var statuses: [stat] = []
        let base = UInt64.random(in: .min ... .max)
        for (path, blob, mode) in plan {
            guard let blob else {
                try removeFile(root + "/" + path, upTo: root, what)
                try check(git_index_remove_bypath(index, path), "could not remove \(path) from the index")
                continue
            }
            let executable = mode == GIT_FILEMODE_BLOB_EXECUTABLE
            if filtered {
                // One at a time, in order: filters read attributes from the
                // working tree, where an earlier path may be the
                // `.gitattributes` this very checkout writes.
                let file = root + "/" + path
                try createFolders(of: [path], in: root, what)
                let temporary = try writeTemporary(
                    file, try filteredContent(of: blob, as: path), executable: executable,
                    number: base &+ UInt64(statuses.count), what)
                statuses.append(try replace(file, with: temporary, what))
                continue
            }
            if written[path] != nil, let temporary = staged?.files[path] {
                writes.append(FileWrite(path: path, content: [], executable: executable, staged: temporary))
                continue
            }
            var content = written[path]?.bytes
            if content == nil { content = try self.blob(blob) }
            writes.append(FileWrite(path: path, content: content!, executable: executable))
        }
        if !writes.isEmpty {
            try createFolders(of: writes.map(\.path), in: root, what)
            let writes = writes
            statuses = try onEveryCore(writes.count) { (index) throws(GitError) -> stat in
                let write = writes[index]
                let file = root + "/" + write.path
                var temporary = write.staged
                if temporary == nil {
                    temporary = try writeTemporary(
                        file, write.content, executable: write.executable, number: base &+ UInt64(index), what)
                }
                return try replace(file, with: temporary!, what)
            }
            // Taken: nothing is left for `discard()` to delete.
            for write in writes where write.staged != nil { staged?.files[write.path] = nil }
        }
        for ((path, blob, mode), status) in zip(plan.filter { $0.blob != nil }, statuses) {
            try check(git_index_remove_bypath(index, path), "could not update \(path) in the index")
            try addIndexEntry(index, path: path, blob: blob!, mode: mode.rawValue, status: status)
        }
        do {
            try check(git_index_write(index), "could not write the index")
        } catch  where error.kind == .locked {
            // libgit2 says only that the index is locked: which file, and what to do.
            let file = String(cString: git_repository_path(pointer)) + "index.lock"
            throw GitError(
                .locked, "could not write the index",
                "\(file) exists: a git command is writing the index now, or one was killed while it did. "
                    + "If no git command is running in this repository, delete that file and run again "
                    + "(the next ticket command writes the files the branch holds)",
                code: error.code)
        }
    }

    /// Writes `files` (paths in the working tree, with the bytes a commit
    /// about to be stored holds) to temporary files beside their paths, for
    /// `checkoutPaths(_:from:written:staged:)` to rename into place once the
    /// branch has moved. Creating thousands of files is most of the time a
    /// large checkout takes: staged, it runs while the commit is still being
    /// stored, and the working tree still changes only after the branch has.
    ///
    /// Nil when the files would go through a filter (line endings,
    /// `.gitattributes`) or anything fails, a path refused or a file that
    /// cannot be written: no file is left behind, and the checkout writes
    /// the files itself (and reports what fails). Call `discard()` on the
    /// result once the checkout is done, or when it never happens. A
    /// temporary file left by a process killed before then is removed when
    /// its path is written again, or by `removeTemporaryFiles(in:)`.
    public func stageFiles(_ files: [(path: String, bytes: [UInt8])]) -> StagedFiles? {
        let what = "could not write files ahead of a checkout"
        guard let root = workdir, !files.isEmpty else { return nil }
        do throws(GitError) {
            var realFolders: Set<Substring> = []
            for file in files {
                try validateTreePath(file.path)
                try requireRealFolders(above: file.path, in: root, known: &realFolders, what)
            }
            // A handle of its own: a pull stages while another thread packs
            // through this one's repository. No index (a large one is tens of
            // megabytes): an attributes file only the index holds is seen by
            // the checkout, which then writes the files through the filters.
            let own = try Repository.open(at: gitDirectory)
            let paths = Set(files.map(\.path))
            guard try !own.mayFilter(files.map(\.path), index: nil, tree: nil, root: root, written: paths.contains)
            else { return nil }
            removeLeftoverTemporaries(of: files.map(\.path), in: root)
            try createFolders(of: files.map(\.path), in: root, what)
            let base = UInt64.random(in: .min ... .max)
            let written = try onEveryCore(files.count) { (index) throws(GitError) -> String? in
                try? writeTemporary(
                    root + "/" + files[index].path, files[index].bytes, executable: false,
                    number: base &+ UInt64(index), what)
            }
            let staged = StagedFiles()
            for (file, temporary) in zip(files, written) {
                if let temporary { staged.files[file.path] = temporary }
            }
            guard staged.files.count == files.count else {
                staged.discard()
                return nil
            }
            return staged
        } catch {
            return nil
        }
    }

    /// Writes one file of the working tree whole, outside a checkout (a
    /// change not committed yet): to a temporary file beside it, as a
    /// checkout does, renamed into place, so a reader sees the old or the
    /// new content, never half a file. Missing folders are created; a
    /// temporary file a writer killed mid-write left beside it is removed
    /// first. The index is left alone: the file shows as modified until it
    /// is committed. No filter applies (the bytes are written as given).
    /// - Throws: `.invalid` in a bare repository, for a malformed path, or
    ///   when a folder on the way is a symbolic link in the working tree;
    ///   `.failed` when the file cannot be written.
    public func writeWorkingFile(_ path: String, _ bytes: [UInt8]) throws(GitError) {
        let what = "could not write \(path)"
        guard let root = workdir else { throw GitError(.invalid, what, "the repository is bare") }
        try validateTreePath(path)
        var realFolders: Set<Substring> = []
        try requireRealFolders(above: path, in: root, known: &realFolders, what)
        try WholeFile.write(bytes, to: root + "/" + path)
    }

    /// Deletes every temporary file a checkout or `stageFiles` writes
    /// (`.<name>.<16 hex digits>.tmp`) in each of `folders` (relative to the
    /// working tree), for a process killed with files staged: one folder
    /// listing each. A missing folder, or one that is not a path inside the
    /// working tree, is skipped.
    public func removeTemporaryFiles(in folders: [String]) {
        guard let root = workdir else { return }
        for folder in folders {
            guard (try? validateTreePath(folder)) != nil else { continue }
            var known: Set<Substring> = []
            // Never through a folder that is a symbolic link.
            guard (try? requireRealFolders(above: folder + "/x", in: root, known: &known, "")) != nil else { continue }
            removeTemporaries(in: root + "/" + folder) { _, _ in true }
        }
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
        defer {
            git_status_list_free(list)
            releaseIndex()
        }

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

    /// Lets go of the index libgit2 keeps with an open repository once the
    /// status is read: an entry for every tracked file (about 180 bytes
    /// each, 17 MiB in a repository of 100,000 tickets). A pull asks for the
    /// status of a batch's paths, packs the batch, then checks its files
    /// out, which reads the index again (one read per batch): the index is
    /// not held while the batch is packed, when the pull holds the most.
    private func releaseIndex() {
        _ = git_repository_set_index(pointer, nil)
    }

    /// Whether writing `paths` can involve a filter (line endings, `ident`, a
    /// filter driver): false only when no attributes file exists anywhere git
    /// would read one for them and the configuration converts no line
    /// endings. Asking libgit2 per file costs some thirty system calls each,
    /// which dominates writing thousands of small files.
    private func mayFilter(
        _ paths: [String], index: OpaquePointer?, tree: OpaquePointer?, root: String, written: (String) -> Bool
    ) throws(GitError) -> Bool {
        let allWritten = paths.allSatisfy(written)
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
            if let index, git_index_get_bypath(index, attributes, 0) != nil { return true }
            if written(attributes) { return true }
            if !allWritten, let tree, let entry = try treeEntry(at: attributes, in: tree) {
                git_tree_entry_free(entry)
                return true
            }
        }
        return files.contains { access($0, F_OK) == 0 }
    }

    /// The blob as a checkout would write it, after smudge filters.
    private func filteredContent(of id: ObjectID, as path: String) throws(GitError) -> [UInt8] {
        let blob = try lookupBlob(id)
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

/// Files written ahead of a checkout under temporary names beside their
/// paths (`Repository.stageFiles`), until the checkout renames them into
/// place.
public final class StagedFiles {
    /// The temporary file of each path (absolute), until a checkout takes it.
    fileprivate var files: [String: String] = [:]

    fileprivate init() {}

    /// How many files wait for a checkout to take them.
    public var waiting: Int { files.count }

    /// Deletes every temporary file no checkout has taken.
    public func discard() {
        for file in files.values { unlink(file) }
        files = [:]
    }
}

/// A file `checkoutPaths` writes: its path relative to the working tree's
/// root, and its bytes, or the temporary file already holding them.
private struct FileWrite {
    var path: String
    var content: [UInt8]
    var executable: Bool
    var staged: String?
}

/// Creates the folders of `paths` (relative to `root`) that are missing.
func createFolders(of paths: [String], in root: String, _ what: String) throws(GitError) {
    var folders: Set<Substring> = []
    for path in paths {
        guard let slash = path.lastIndex(of: "/"), folders.insert(path[..<slash]).inserted else { continue }
        let folder = root + "/" + path[..<slash]
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw GitError(.failed, what, "could not create the folder \(folder): \(error.localizedDescription)")
        }
    }
}

/// `body` of each index below `count`, in order, run on every core, each
/// core taking a run of consecutive indices: for files, mostly whole
/// folders of its own, which the kernel creates side by side (creating
/// thousands of files is most of a large checkout's time). On a failure
/// the first error met is thrown once every core has stopped.
private func onEveryCore<T>(_ count: Int, _ body: (Int) throws(GitError) -> T) throws(GitError) -> [T] {
    var results = [T?](repeating: nil, count: count)
    // Small runs are not worth a thread.
    let runs = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / 64))
    let failure = FirstFailure()
    results.withUnsafeMutableBufferPointer { buffer in
        nonisolated(unsafe) let output = buffer
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: runs) { run in
                for index in (count * run / runs)..<(count * (run + 1) / runs) where !failure.happened {
                    do throws(GitError) {
                        output[index] = try body(index)
                    } catch {
                        failure.record(error)
                    }
                }
            }
        }
    }
    if let error = failure.error { throw error }
    return results.map { $0! }
}

/// The first error of several threads, and whether one happened yet.
private final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: GitError?

    var happened: Bool { lock.withLock { first != nil } }
    var error: GitError? { lock.withLock { first } }

    func record(_ error: GitError) {
        lock.withLock { if first == nil { first = error } }
    }
}

/// The temporary file a checkout first writes a file named `name` to,
/// in the same folder: `.<name>.<16 hex digits>.tmp`, the digits `number`'s.
private func temporaryName(for name: Substring, _ number: UInt64) -> String {
    let digits = String(number, radix: 16)
    return ".\(name).\(String(repeating: "0", count: 16 - digits.count) + digits).tmp"
}

/// Deletes the temporary files (`temporaryName(for:_:)`) that a writer killed
/// mid-write, or a pull killed with files staged, left beside any of
/// `paths` (relative to `root`): one folder listing per folder.
func removeLeftoverTemporaries(of paths: [String], in root: String) {
    var names: [String: Set<String>] = [:]
    for path in paths {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? ""
        names[folder, default: []].insert(slash.map { String(path[path.index(after: $0)...]) } ?? path)
    }
    for (folder, wanted) in names {
        let directory = folder.isEmpty ? root : root + "/" + folder
        removeTemporaries(in: directory) { name, _ in wanted.contains(name) }
    }
}

/// Deletes each temporary file (`.<name>.<16 hex digits>.tmp`) in
/// `directory` that `shouldRemove` accepts, given the name it stands in
/// for and its own path.
private func removeTemporaries(in directory: String, where shouldRemove: (String, String) -> Bool) {
    let digits = 16
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    for entry in entries where entry.hasPrefix(".") && entry.hasSuffix(".tmp") && entry.utf8.count > digits + 6 {
        // ".<name>.<16 hex digits>.tmp"
        let utf8 = Array(entry.utf8)
        let suffix = utf8[(utf8.count - digits - 5)...]
        guard suffix.first == UInt8(ascii: "."), suffix.dropFirst().prefix(digits).allSatisfy(\.isHexDigit) else {
            continue
        }
        let name = String(decoding: utf8[1..<(utf8.count - digits - 5)], as: UTF8.self)
        if shouldRemove(name, directory + "/" + entry) { unlink(directory + "/" + entry) }
    }
}

/// Writes `content` to a temporary file (`temporaryName`, from `number`)
/// in the folder of `file`, which exists, and returns its path.
func writeTemporary(
    _ file: String, _ content: [UInt8], executable: Bool, number: UInt64, _ what: String
) throws(GitError) -> String {
    func failure(_ action: String, _ path: String) -> GitError {
        GitError(.failed, what, "could not \(action) \(path): \(String(cString: strerror(errno)))")
    }
    let slash = file.lastIndex(of: "/")!
    let temporary = String(file[...slash]) + temporaryName(for: file[file.index(after: slash)...], number)
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
    return temporary
}

/// Renames `temporary` over `file` (a reader sees the old or the new
/// content, never half a file) and returns the new file's metadata for the
/// index. The temporary file is deleted when the rename fails.
func replace(_ file: String, with temporary: String, _ what: String) throws(GitError) -> stat {
    func failure(_ action: String, _ path: String) -> GitError {
        GitError(.failed, what, "could not \(action) \(path): \(String(cString: strerror(errno)))")
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
