/*
 * zip.h - the one door to zlib: deflate in the three framings the tree
 * writes (zlib for stored fragments, gzip for HTTP answers, raw deflate
 * for MSZIP cabinet frames) and zlib-framed inflate of a known size.
 * Carries no zlib types.  Cabinets received from a real WSUS (LZX) are
 * libmspack's, not this file's.
 */
#ifndef WSUSD_ZIP_H
#define WSUSD_ZIP_H

#include <stddef.h>

enum zip_format {
	ZIP_ZLIB,   /* RFC 1950 stream (what compress2/uncompress use) */
	ZIP_GZIP,   /* RFC 1952 wrapper (Content-Encoding: gzip) */
	ZIP_RAW,    /* RFC 1951 raw deflate, 32 KiB window (MSZIP frames) */
};

/* zip_bound - bytes enough for deflating n bytes in any format. */
size_t zip_bound(size_t n);

/*
 * zip_deflate - compress (in, n) at level (1..9) in format f into out,
 * which has room for *outlen bytes (zip_bound(n) is always enough); on
 * success *outlen is the compressed size.  Returns 0 or -1 (no room, or
 * zlib failed); logs nothing.
 */
int zip_deflate(enum zip_format f, int level, const void *in, size_t n,
    void *out, size_t *outlen);

/*
 * zip_inflate - decompress the zlib stream (in, n) into out, which must
 * come out at exactly size bytes (the caller bounded size before
 * allocating out).  Returns 0, or -1 when the stream is corrupt, ends
 * early, or would exceed size.
 */
int zip_inflate(const void *in, size_t n, void *out, size_t size);

/* zip_strerror - the last failure of this thread's zip_* call, as text. */
const char *zip_strerror(void);

/*
 * A raw-deflate stream reused for many frames (cab.c: one per 32 KiB MSZIP
 * frame, each a complete deflate stream): zip_raw_new, then zip_raw_frame
 * per frame (same contract as zip_deflate), then zip_raw_free (accepts
 * NULL).  zip_raw_bound is the output room one frame of n bytes needs.
 */
struct zip_raw;
struct zip_raw *zip_raw_new(int level);
size_t zip_raw_bound(struct zip_raw *z, size_t n);
int zip_raw_frame(struct zip_raw *z, const void *in, size_t n, void *out,
    size_t *outlen);
void zip_raw_free(struct zip_raw *z);

#endif /* WSUSD_ZIP_H */
