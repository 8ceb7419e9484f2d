/*
 * hash.h - the one string hash: 64-bit FNV-1a, and a finalizer for
 * when the low bits must be as good as the high ones.
 *
 * The same value on every machine, so it may decide things that must
 * agree across machines (which shard a test is in, a log file's name).
 * Never allocates, never seeds itself: not for tables that face input
 * chosen to collide.
 */
#ifndef ASSAY_HASH_H
#define ASSAY_HASH_H

#include <stdint.h>

static inline uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

/* MurmurHash3's fmix64: every bit of the result depends on every bit
 * of h (FNV-1a's low bits depend only on the bytes' low bits). */
static inline uint64_t hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53u;
	h ^= h >> 33;
	return h;
}

#endif
