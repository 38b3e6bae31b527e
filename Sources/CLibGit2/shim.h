#define GIT_DEPRECATE_HARD
#include <git2.h>
#include <git2/sys/mempack.h>

/// git_libgit2_opts is variadic, which Swift cannot call: one wrapper per option used.
/// Reading objects without re-hashing each one, as git itself reads them
/// (`git fsck` is what verifies); it halves the time of walking history.
static inline int supportsync_git_disable_read_verification(void) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}
