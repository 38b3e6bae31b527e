// glibc's allocator: its settings (mallopt) and giving freed memory back; nothing elsewhere.
#if defined(__linux__) && __has_include(<malloc.h>)
#include <malloc.h>
#endif

/// Gives the memory freed inside glibc's heaps back to the system, where it
/// would otherwise stay counted against the process between the chunks
/// still in use (glibc returns only the free top of a heap by itself). A
/// long run that frees a batch's worth of memory at a time calls it after
/// each batch. Does nothing with another C library.
static inline void supportsync_release_free_memory(void) {
#if defined(__GLIBC__)
    (void)malloc_trim(0);
#endif
}
