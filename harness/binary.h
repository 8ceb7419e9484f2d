/*
 * binary.h - what a test program was built with, read from its ELF file:
 * the sanitizer runtime it carries, so its deadline can be scaled by
 * how much the sanitizer slows it (docs/hangs.md, "Deadlines").
 *
 * And whether it carries a marker: bytes a kind knows its programs by
 * (GoogleTest's help text, assay/test.h's marker).
 *
 * The sanitizer: reads the ELF header, the section headers and the
 * dynamic symbol table's string section (a few KiB), never the whole
 * file; a file that is not a 64- or 32-bit ELF, or is damaged, is
 * "none". Never executes anything, never fails loudly.
 */
#ifndef ASSAY_BINARY_H
#define ASSAY_BINARY_H

#include <stdbool.h>
#include <stddef.h>

enum binary_san { BINARY_PLAIN, BINARY_ASAN, BINARY_TSAN, BINARY_MSAN };

/* The sanitizer runtime path's program links (dynamically, as gcc
 * does: libasan.so.N) or exports (statically, as clang does:
 * __asan_init in its dynamic symbols); BINARY_PLAIN for anything else. */
enum binary_san binary_sanitizer(const char *path);
/* How many times slower a test runs under it (1 for none), and its
 * name ("AddressSanitizer"; NULL for none). */
double binary_slowdown(enum binary_san s);
const char *binary_san_name(enum binary_san s);

#define BINARY_MARKER_MAX 32    /* bytes of a marker, at most */
/*
 * Whether the ELF file on fd (read from where it is) carries one of the
 * n markers: read in chunks, each searched with the end of the one
 * before (a marker may straddle them). Reads, never maps: mapping costs
 * more than reading the small programs most test directories hold.
 */
bool binary_carries(int fd, const char *const *markers, size_t n);
/* The same for the file at path, when mode (st_mode) says it is a
 * regular executable file; false for anything else. */
bool binary_file_carries(const char *path, unsigned mode,
			 const char *const *markers, size_t n);
/* Whether the regular file at path (a GPU module: PTX text, a cubin, a
 * fatbin; executable or not) holds marker anywhere. */
bool binary_module_carries(const char *path, unsigned mode, const char *marker);

#endif
