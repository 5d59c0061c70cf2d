/*
 * zip.c - the one door to zlib (see zip.h).
 *
 * Owns: every zlib call in the tree.  Inputs are bounded by the callers
 * (fragments by STORE_FRAGMENT_MAX, answers by the SOAP budget, cabinet
 * frames at 32 KiB); inflate never writes past the size the caller
 * allocated and fails unless the stream ends exactly there.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "zip.h"

#define ZIP_WBITS    15   /* 32 KiB window */
#define ZIP_MEMLEVEL 8

static __thread const char *zip_err = "no error";

/* Window bits for a format: zlib 15, gzip 15 + 16, raw -15. */
static int
zip_wbits(enum zip_format f)
{
	return f == ZIP_GZIP ? ZIP_WBITS + 16 : f == ZIP_RAW ? -ZIP_WBITS :
	    ZIP_WBITS;
}

size_t
zip_bound(size_t n)
{
	/* compressBound plus the largest wrapper (gzip: 18 bytes). */
	return (size_t)compressBound((uLong)n) + 32;
}

const char *
zip_strerror(void)
{
	return zip_err;
}

/* One deflate to the end of input on an initialised stream. */
static int
zip_run(z_stream *z, const void *in, size_t n, void *out, size_t *outlen)
{
	int rc;

	if (n > UINT32_MAX || *outlen > UINT32_MAX) {
		zip_err = "input too large";
		return -1;
	}
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)n;
	z->next_out = out;
	z->avail_out = (uInt)*outlen;
	rc = deflate(z, Z_FINISH);
	if (rc != Z_STREAM_END) {
		zip_err = rc == Z_OK || rc == Z_BUF_ERROR ? "output room" :
		    zError(rc);
		return -1;
	}
	*outlen -= z->avail_out;
	return 0;
}

int
zip_deflate(enum zip_format f, int level, const void *in, size_t n,
    void *out, size_t *outlen)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if ((rc = deflateInit2(&z, level, Z_DEFLATED, zip_wbits(f),
	    ZIP_MEMLEVEL, Z_DEFAULT_STRATEGY)) != Z_OK) {
		zip_err = zError(rc);
		return -1;
	}
	rc = zip_run(&z, in, n, out, outlen);
	deflateEnd(&z);
	return rc;
}

int
zip_inflate(const void *in, size_t n, void *out, size_t size)
{
	uLongf got = (uLongf)size;
	int rc;

	if (n > UINT32_MAX || size > UINT32_MAX) {
		zip_err = "input too large";
		return -1;
	}
	rc = uncompress(out, &got, in, (uLong)n);
	if (rc != Z_OK) {
		zip_err = rc == Z_BUF_ERROR ? "longer than the stated size" :
		    zError(rc);
		return -1;
	}
	if (got != (uLongf)size) {
		zip_err = "size differs from the stated size";
		return -1;
	}
	return 0;
}

struct zip_raw {
	z_stream z;
};

struct zip_raw *
zip_raw_new(int level)
{
	struct zip_raw *r;
	int rc;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		zip_err = "out of memory";
		return NULL;
	}
	if ((rc = deflateInit2(&r->z, level, Z_DEFLATED, -ZIP_WBITS,
	    ZIP_MEMLEVEL, Z_DEFAULT_STRATEGY)) != Z_OK) {
		zip_err = zError(rc);
		free(r);
		return NULL;
	}
	return r;
}

size_t
zip_raw_bound(struct zip_raw *r, size_t n)
{
	return (size_t)deflateBound(&r->z, (uLong)n);
}

int
zip_raw_frame(struct zip_raw *r, const void *in, size_t n, void *out,
    size_t *outlen)
{
	if (deflateReset(&r->z) != Z_OK) {
		zip_err = "deflateReset";
		return -1;
	}
	return zip_run(&r->z, in, n, out, outlen);
}

void
zip_raw_free(struct zip_raw *r)
{
	if (r == NULL)
		return;
	deflateEnd(&r->z);
	free(r);
}
