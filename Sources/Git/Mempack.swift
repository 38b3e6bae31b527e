internal import CLibGit2

/// libgit2's in-memory object backend (`git2/sys/mempack.h`), behind a
/// backend that records each object written (`shim.h`), so that a pack holds
/// exactly the objects written and nothing they refer to.
struct Mempack {
    /// The in-memory store: reset to free what it holds.
    let store: UnsafeMutablePointer<git_odb_backend>
    /// The backend to add to an object database and write through; the
    /// database frees it, and the store with it.
    let backend: UnsafeMutablePointer<git_odb_backend>

    init() throws(GitError) {
        try ensureLibgit2()
        var store: UnsafeMutablePointer<git_odb_backend>?
        try check(git_mempack_new(&store), "could not create an in-memory object store")
        guard let backend = supportsync_recording_backend_new(store) else {
            store!.pointee.free(store)
            throw GitError(.failed, "could not create an in-memory object store", "out of memory")
        }
        self.store = store!
        self.backend = backend
    }

    /// Writes every object written through `backend` as one pack, with its
    /// `.idx`, into `folder` (libgit2 writes to temporary names and renames
    /// them, so both are complete when this returns): each object stored
    /// whole or as a delta, as the repository's pack settings say. The pack
    /// goes to the file a megabyte at a time; it is never whole in memory.
    /// With no object, nothing is written.
    func write(of repository: OpaquePointer, into folder: String) throws(GitError) {
        var builder: OpaquePointer?
        try check(git_packbuilder_new(&builder, repository), "could not pack the objects written in memory")
        defer { git_packbuilder_free(builder) }
        _ = git_packbuilder_set_threads(builder, 1)
        for index in 0..<supportsync_recording_count(backend) {
            // An object written twice is packed once: the builder skips ids it holds.
            try check(
                git_packbuilder_insert(builder, supportsync_recording_id(backend, index), nil),
                "could not pack the objects written in memory")
        }
        let count = git_packbuilder_object_count(builder)
        guard count > 0 else { return }
        let what = "could not store a pack of \(count) objects"
        var options = git_indexer_options()
        try check(git_indexer_options_init(&options, UInt32(GIT_INDEXER_OPTIONS_VERSION)), what)
        var indexer: OpaquePointer?
        // No object database: the pack is complete, so a missing delta base
        // is an error rather than something to patch in from elsewhere.
        try check(git_indexer_new(&indexer, folder, 0, nil, &options), what)
        defer { git_indexer_free(indexer) }
        let sink = PackSink(indexer: indexer!)
        let written = git_packbuilder_foreach(
            builder,
            { data, size, payload in
                Unmanaged<PackSink>.fromOpaque(payload!).takeUnretainedValue().append(data!, size)
            }, Unmanaged.passUnretained(sink).toOpaque())
        try check(written, what)
        try check(sink.flush(), what)
        try check(git_indexer_commit(indexer, &sink.progress), what)
        guard Int(sink.progress.indexed_objects) == count else {
            throw GitError(.failed, what, "only \(sink.progress.indexed_objects) of \(count) objects were indexed")
        }
    }

    /// Hands the pack to the indexer in large pieces: libgit2 1.5 maps the
    /// file anew for every piece it appends, so one per object would cost
    /// tens of thousands of system calls a batch.
    private final class PackSink {
        static let capacity = 1 << 20
        let indexer: OpaquePointer
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: PackSink.capacity, alignment: 16)
        var used = 0
        var progress = git_indexer_progress()

        init(indexer: OpaquePointer) { self.indexer = indexer }

        deinit { buffer.deallocate() }

        func append(_ data: UnsafeMutableRawPointer, _ size: Int) -> Int32 {
            if used + size > Self.capacity {
                let flushed = flush()
                if flushed < 0 { return flushed }
            }
            if size >= Self.capacity { return git_indexer_append(indexer, data, size, &progress) }
            (buffer + used).copyMemory(from: data, byteCount: size)
            used += size
            return 0
        }

        func flush() -> Int32 {
            guard used > 0 else { return 0 }
            defer { used = 0 }
            return git_indexer_append(indexer, buffer, used, &progress)
        }
    }

    /// Forgets the objects held in memory.
    func reset() throws(GitError) {
        try check(git_mempack_reset(store), "could not clear the in-memory object store")
    }
}
