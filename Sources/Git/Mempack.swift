internal import CLibGit2
import Dispatch

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
        let sink = PackSink(indexer: indexer!, what: what)
        let written = git_packbuilder_foreach(
            builder,
            { data, size, payload in
                Unmanaged<PackSink>.fromOpaque(payload!).takeUnretainedValue().append(data!, size)
            }, Unmanaged.passUnretained(sink).toOpaque())
        // Waited for even after an error: the indexer is freed on return.
        let indexed = Result { () throws(GitError) in try sink.finish() }
        try check(written, what)
        try indexed.get()
        try check(git_indexer_commit(indexer, &sink.progress), what)
        guard Int(sink.progress.indexed_objects) == count else {
            throw GitError(.failed, what, "only \(sink.progress.indexed_objects) of \(count) objects were indexed")
        }
    }

    /// Hands the pack to the indexer in large pieces, on a thread of its
    /// own: the builder compresses the objects while the indexer inflates
    /// and hashes the pieces before, so a pack takes two cores rather than
    /// one after the other. Large pieces, because libgit2 1.5 maps the file
    /// anew for every piece it appends (one per object would cost tens of
    /// thousands of system calls a batch). At most `inFlight` pieces wait.
    ///
    /// `@unchecked Sendable`: the builder's thread fills `buffer` alone;
    /// the indexer, `failure` and `progress` are used on `queue` alone
    /// until `finish()` has waited for it. libgit2 keeps its error message
    /// per thread, so an error is read where it happened.
    private final class PackSink: @unchecked Sendable {
        static let capacity = 1 << 20
        static let inFlight = 2
        let indexer: OpaquePointer
        private var buffer = UnsafeMutableRawPointer.allocate(byteCount: PackSink.capacity, alignment: 16)
        private var used = 0
        private let queue = DispatchQueue(label: "supportsync.pack-indexer")
        private let slots = DispatchSemaphore(value: PackSink.inFlight)
        private var failure: GitError?
        private let what: String
        var progress = git_indexer_progress()

        /// Bytes on their way to the indexer, freed once appended.
        private struct Piece: @unchecked Sendable {
            let bytes: UnsafeMutableRawPointer
            let count: Int
        }

        init(indexer: OpaquePointer, what: String) {
            self.indexer = indexer
            self.what = what
        }

        deinit { buffer.deallocate() }

        func append(_ data: UnsafeMutableRawPointer, _ size: Int) -> Int32 {
            if used + size > Self.capacity { send() }
            if size >= Self.capacity {
                // Copied: libgit2's bytes are only lent for this call.
                let copy = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
                copy.copyMemory(from: data, byteCount: size)
                send(Piece(bytes: copy, count: size))
                return 0
            }
            (buffer + used).copyMemory(from: data, byteCount: size)
            used += size
            return 0
        }

        /// Sends what is buffered, waits for the indexer to take it all, and
        /// throws the first error it met.
        func finish() throws(GitError) {
            send()
            if let failure = queue.sync(execute: { failure }) { throw failure }
        }

        private func send() {
            guard used > 0 else { return }
            send(Piece(bytes: buffer, count: used))
            buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.capacity, alignment: 16)
            used = 0
        }

        private func send(_ piece: Piece) {
            slots.wait()
            queue.async {
                // After an error the rest is only freed: the pack is refused anyway.
                if self.failure == nil {
                    do throws(GitError) {
                        _ = try check(
                            git_indexer_append(self.indexer, piece.bytes, piece.count, &self.progress), self.what)
                    } catch {
                        self.failure = error
                    }
                }
                piece.bytes.deallocate()
                self.slots.signal()
            }
        }
    }

    /// Forgets the objects held in memory.
    func reset() throws(GitError) {
        try check(git_mempack_reset(store), "could not clear the in-memory object store")
    }
}
