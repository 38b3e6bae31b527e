#define GIT_DEPRECATE_HARD
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

/// git_libgit2_opts is variadic, which Swift cannot call: one wrapper per option used.
/// Reading objects without re-hashing each one, as git itself reads them
/// (`git fsck` is what verifies); it halves the time of walking history.
static inline int supportsync_git_disable_read_verification(void) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

/// libgit2 keeps a tree in its object cache only up to 4 KiB by default. A
/// month of tickets is one tree of hundreds of KiB, which every path looked
/// up in it would otherwise inflate and parse again.
static inline int supportsync_git_cache_large_trees(void) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)(16 * 1024 * 1024));
}

/// Writes an object straight into one object-database backend (the
/// in-memory store of a packed write). git_odb_write would first "freshen"
/// the object in every backend: a loose-file touch and a rescan of
/// objects/pack for each new object, most of the cost of writing thousands.
static inline int supportsync_git_backend_write(
    git_odb_backend *backend, git_oid *out, const void *data, size_t size, git_object_t type) {
    int error = git_odb_hash(out, data, size, type);
    return error < 0 ? error : backend->write(backend, out, data, size, type);
}
