#define GIT_DEPRECATE_HARD
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#include <stdlib.h>

/// libgit2's process-wide settings, set once (git_libgit2_opts is variadic,
/// which Swift cannot call). Returns the first error, or 0.
///
/// - Objects are read without re-hashing each one, as git itself reads them
///   (`git fsck` is what verifies); it halves the time of walking history.
/// - The object cache holds at most 4 MiB (256 MiB by default, which kept
///   every month tree a pull of 100,000 tickets wrote, batch after batch),
///   and a tree up to that size may be cached (4 KiB by default): a month of
///   tickets is one tree of hundreds of KiB, which every path looked up in
///   it would otherwise inflate and parse again.
/// - Pack files are mapped whole (libgit2's default window of 1 GiB; with
///   windows smaller than a pack, libgit2 1.5 once failed to index a pull's
///   pack), and no more than 16 MiB of packs not in use stay mapped, where by
///   default every pack a pull wrote and indexed stayed resident.
static inline int supportsync_git_configure(void) {
    const size_t cache = 4 * 1024 * 1024;
    int error = git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    if (error >= 0) error = git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)cache);
    if (error >= 0) error = git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, cache);
    if (error >= 0) error = git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)(16 * 1024 * 1024));
    return error;
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

/// An object-database backend that forwards to another (the in-memory store
/// of a packed write) and records the id of every object written through
/// it, so that exactly those objects are packed. libgit2 1.5's
/// git_mempack_dump packs everything reachable from the commits written:
/// every earlier ticket again in each pull's pack.
typedef struct {
    git_odb_backend parent;
    git_odb_backend *inner;
    git_oid *written;
    size_t count;
    size_t capacity;
} supportsync_recording_backend;

static inline int supportsync_recording_read(
    void **data, size_t *size, git_object_t *type, git_odb_backend *backend, const git_oid *oid) {
    git_odb_backend *inner = ((supportsync_recording_backend *)backend)->inner;
    return inner->read(data, size, type, inner, oid);
}

static inline int supportsync_recording_read_header(
    size_t *size, git_object_t *type, git_odb_backend *backend, const git_oid *oid) {
    git_odb_backend *inner = ((supportsync_recording_backend *)backend)->inner;
    return inner->read_header(size, type, inner, oid);
}

static inline int supportsync_recording_exists(git_odb_backend *backend, const git_oid *oid) {
    git_odb_backend *inner = ((supportsync_recording_backend *)backend)->inner;
    return inner->exists(inner, oid);
}

static inline int supportsync_recording_write(
    git_odb_backend *backend, const git_oid *oid, const void *data, size_t size, git_object_t type) {
    supportsync_recording_backend *self = (supportsync_recording_backend *)backend;
    if (self->count == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 1024;
        git_oid *grown = (git_oid *)realloc(self->written, capacity * sizeof(git_oid));
        if (grown == NULL) {
            git_error_set_str(GIT_ERROR_NOMEMORY, "out of memory recording the objects written");
            return -1;
        }
        self->written = grown;
        self->capacity = capacity;
    }
    int error = self->inner->write(self->inner, oid, data, size, type);
    if (error == 0) self->written[self->count++] = *oid;
    return error;
}

static inline void supportsync_recording_free(git_odb_backend *backend) {
    supportsync_recording_backend *self = (supportsync_recording_backend *)backend;
    self->inner->free(self->inner);
    free(self->written);
    free(self);
}

/// A recording backend in front of `inner`, which it frees when it is freed
/// (by the object database it is added to). NULL when out of memory.
static inline git_odb_backend *supportsync_recording_backend_new(git_odb_backend *inner) {
    supportsync_recording_backend *self =
        (supportsync_recording_backend *)calloc(1, sizeof(supportsync_recording_backend));
    if (self == NULL || git_odb_init_backend(&self->parent, GIT_ODB_BACKEND_VERSION) < 0) {
        free(self);
        return NULL;
    }
    self->inner = inner;
    self->parent.read = supportsync_recording_read;
    self->parent.read_header = supportsync_recording_read_header;
    self->parent.exists = supportsync_recording_exists;
    self->parent.write = supportsync_recording_write;
    self->parent.free = supportsync_recording_free;
    return &self->parent;
}

/// How many objects were written through a recording backend.
static inline size_t supportsync_recording_count(git_odb_backend *backend) {
    return ((supportsync_recording_backend *)backend)->count;
}

/// The id of the `index`th object written through a recording backend.
static inline const git_oid *supportsync_recording_id(git_odb_backend *backend, size_t index) {
    return &((supportsync_recording_backend *)backend)->written[index];
}
