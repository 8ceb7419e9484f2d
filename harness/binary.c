/* binary.c - see binary.h. */
#include "config.h"

#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binary.h"
#include "io.h"
#include "xalloc.h"

/* Larger string sections than this are not read (a normal program's
 * .dynstr is a few KiB; a big C++ one, a few hundred). */
#define DYNSTR_MAX (4u << 20)

static bool read_at(int fd, void *buf, size_t n, off_t at)
{
	return pread(fd, buf, n, at) == (ssize_t)n;
}

/* A section header, of either width. */
struct shdr {
	uint32_t type;
	uint64_t link, offset, size;
};

/* The section header i of the table at shoff. */
static bool read_shdr(int fd, bool wide, uint64_t shoff, uint64_t i,
		      struct shdr *out)
{
	if (wide) {
		Elf64_Shdr s;

		if (!read_at(fd, &s, sizeof(s), (off_t)(shoff + i * sizeof(s))))
			return false;
		*out = (struct shdr){ s.sh_type, s.sh_link, s.sh_offset, s.sh_size };
	} else {
		Elf32_Shdr s;

		if (!read_at(fd, &s, sizeof(s), (off_t)(shoff + i * sizeof(s))))
			return false;
		*out = (struct shdr){ s.sh_type, s.sh_link, s.sh_offset, s.sh_size };
	}
	return true;
}

/* The offset and size of the string section of the dynamic symbols:
 * SHT_DYNSYM's sh_link, in the 64- or 32-bit layout. */
static bool dynstr_of(int fd, off_t *off, size_t *size)
{
	unsigned char ident[EI_NIDENT];
	Elf64_Ehdr h64;
	Elf32_Ehdr h32;
	uint64_t shoff, shnum, shentsize;
	struct shdr s;
	bool wide;

	if (!read_at(fd, ident, sizeof(ident), 0) ||
	    memcmp(ident, ELFMAG, SELFMAG) ||
	    (ident[EI_CLASS] != ELFCLASS64 && ident[EI_CLASS] != ELFCLASS32))
		return false;
	wide = ident[EI_CLASS] == ELFCLASS64;
	if (wide ? !read_at(fd, &h64, sizeof(h64), 0) : !read_at(fd, &h32, sizeof(h32), 0))
		return false;
	shoff = wide ? h64.e_shoff : h32.e_shoff;
	shnum = wide ? h64.e_shnum : h32.e_shnum;
	shentsize = wide ? h64.e_shentsize : h32.e_shentsize;
	if (!shoff || shnum > 4096 ||
	    shentsize != (wide ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)))
		return false;
	for (uint64_t i = 0; i < shnum; i++) {
		if (!read_shdr(fd, wide, shoff, i, &s))
			return false;
		if (s.type != SHT_DYNSYM || s.link >= shnum)
			continue;
		if (!read_shdr(fd, wide, shoff, s.link, &s) || !s.size ||
		    s.size > DYNSTR_MAX)
			return false;
		*off = (off_t)s.offset;
		*size = (size_t)s.size;
		return true;
	}
	return false;
}

/* Whether the NUL-separated strings s[0..n) hold one starting with p. */
static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	for (size_t i = 0; i < n; i += strnlen(s + i, n - i) + 1)
		if (n - i >= k && !memcmp(s + i, p, k))
			return true;
	return false;
}

enum binary_san binary_sanitizer(const char *path)
{
	static const struct { const char *lib, *sym; enum binary_san san; } runtimes[] = {
		{ "libasan.so", "__asan_init", BINARY_ASAN },
		{ "libtsan.so", "__tsan_init", BINARY_TSAN },
		{ "libmsan.so", "__msan_init", BINARY_MSAN },
	};
	enum binary_san found = BINARY_PLAIN;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	size_t size;
	off_t off;
	char *s;

	if (fd < 0)
		return BINARY_PLAIN;
	if (dynstr_of(fd, &off, &size) && (s = malloc(size))) {
		if (read_at(fd, s, size, off))
			for (size_t i = 0; !found && i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
				if (has_prefix(s, size, runtimes[i].lib) ||
				    has_prefix(s, size, runtimes[i].sym))
					found = runtimes[i].san;
		free(s);
	}
	close(fd);
	return found;
}

double binary_slowdown(enum binary_san s)
{
	/* the sanitizers' own documentation: ASan about 2x, TSan 5-15x,
	 * MSan about 3x */
	static const double by[] = { 1, 2, 5, 3 };

	return (unsigned)s < sizeof(by) / sizeof(by[0]) ? by[s] : 1;
}

const char *binary_san_name(enum binary_san s)
{
	static const char *const names[] = {
		NULL, "AddressSanitizer", "ThreadSanitizer", "MemorySanitizer"
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : NULL;
}

/* binary_carries, for an ELF file only when elf. */
static bool carries(int fd, const char *const *markers, size_t n, bool elf)
{
	enum { CHUNK = 64 * 1024 };
	char *buf = xmalloc(BINARY_MARKER_MAX + CHUNK);
	size_t keep = 0;
	bool yes = false, first = true;
	ssize_t r;

	while (!yes && (r = io_read(fd, buf + keep, CHUNK)) > 0) {
		size_t got = keep + (size_t)r;
		if (elf && first && (got < 4 || memcmp(buf, "\177ELF", 4)))
			break;
		first = false;
		for (size_t i = 0; i < n && !yes; i++)
			yes = memmem(buf, got, markers[i], strlen(markers[i])) != NULL;
		if ((size_t)r < CHUNK)
			break;          /* a regular file's short read: its end */
		keep = got < BINARY_MARKER_MAX ? got : BINARY_MARKER_MAX;
		memmove(buf, buf + got - keep, keep);
	}
	free(buf);
	return yes;
}

bool binary_carries(int fd, const char *const *markers, size_t n)
{
	return carries(fd, markers, n, true);
}

bool binary_module_carries(const char *path, unsigned mode, const char *marker)
{
	bool yes;
	int fd;

	if (!S_ISREG(mode) || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	yes = carries(fd, &marker, 1, false);
	close(fd);
	return yes;
}

bool binary_file_carries(const char *path, unsigned mode,
			 const char *const *markers, size_t n)
{
	bool yes;
	int fd;

	if (!S_ISREG(mode) || !(mode & 0111) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	yes = binary_carries(fd, markers, n);
	close(fd);
	return yes;
}
