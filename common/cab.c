/*
 * cab.c - Microsoft cabinet files (MS-CAB): building one for the Updates
 * Publisher role, and the cabinet-layout facts Authenticode needs.
 *
 * Owns: the CFHEADER / CFFOLDER / CFFILE / CFDATA byte layout, MSZIP
 * compression through zip.c (zlib), the CFDATA checksum, the Authenticode reserve
 * in the header (see authenticode_int.h for its layout), which bytes the
 * Authenticode digest covers (cab_digest), where the signature sits
 * (cab_signature_find) and appending one (cab_signature_attach).
 *
 * Never does: PKCS#7, keys or certificates (authenticode_sign.c and
 * authenticode_verify.c), logging (every failure comes back as a sentence
 * in the caller's err buffer), or writing files.
 *
 * What cab_build writes:
 *
 *   CFHEADER   60 bytes: "MSCF", cbCabinet, coffFiles = 68, version 1.3,
 *              one folder, n files, flags = RESERVE_PRESENT, setID 0,
 *              iCabinet 0, cbCFHeader = 20, cbCFFolder = cbCFData = 0,
 *              the Authenticode reserve (0x00100000, offset 0, size 0, 0)
 *   CFFOLDER   8 bytes: coffCabStart, cCFData, typeCompress = 1 (MSZIP)
 *   CFFILE     n x (16 bytes + name + NUL): size, offset in the folder,
 *              iFolder 0, DOS date and time of the file's mtime (local
 *              time), attributes ARCH (+ NAME_IS_UTF for non-ASCII names)
 *   CFDATA     one per 32 KiB of the files' concatenated bytes: checksum,
 *              cbData, cbUncomp, "CK" + a raw deflate stream
 *
 * MSZIP: every frame but the last holds exactly 32768 uncompressed bytes,
 * and each is a complete deflate stream (final block bit set).  A decoder
 * keeps the previous frame as dictionary, but nothing obliges an encoder
 * to use it, so every frame starts a fresh stream (deflateReset): simpler,
 * and a damaged frame cannot spoil the next.
 *
 * Digest and placement rules follow osslsigncode's cab.c (cab_digest_calc,
 * cab_ctx_get, cab_append_pkcs7, cab_update_data_size), which agree with
 * signtool's cabinets: cbCabinet is the size without the signature, the
 * reserve holds offset and size, the blob is zero-padded to 8 bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/md.h>

#include "authenticode.h"
#include "common_int.h"
#include "crypto.h"
#include "zip.h"

/* MS-CAB constants and the bounds of what cab_build writes. */
#define CAB_FRAME_BYTES       32768u  /* MSZIP frame: bytes per CFDATA */
#define CAB_CFFOLDER_BYTES    8u      /* CFFOLDER without reserve */
#define CAB_CFFILE_BYTES      16u     /* CFFILE before the name */
#define CAB_CFDATA_BYTES      8u      /* CFDATA header without reserve */
#define CAB_MSZIP_SIG_BYTES   2u      /* "CK" before each deflate stream */
#define CAB_NAME_MAX          255u    /* name bytes (CB_MAX_FILENAME - NUL) */
#define CAB_DEFLATE_LEVEL     9       /* built once, downloaded often */
#define CAB_DOS_YEAR0         1980    /* DOS dates start here */

#define CAB_VERSION_MINOR     3
#define CAB_VERSION_MAJOR     1
#define CAB_FLAG_PREV         0x0001u /* previous cabinet in a set */
#define CAB_FLAG_NEXT         0x0002u /* next cabinet in a set */
#define CAB_FLAG_RESERVE      0x0004u /* cbCFHeader..cbCFData present */
#define CAB_COMPRESS_MSZIP    1u
#define CAB_ATTR_ARCH         0x20u   /* _A_ARCH */
#define CAB_ATTR_NAME_UTF     0x80u   /* _A_NAME_IS_UTF */

/* Header field offsets. */
#define CAB_OFF_CBCABINET     8u
#define CAB_OFF_COFFFILES     16u
#define CAB_OFF_VERSION       24u
#define CAB_OFF_CFOLDERS      26u
#define CAB_OFF_CFILES        28u
#define CAB_OFF_FLAGS         30u
#define CAB_OFF_SETID         32u
#define CAB_OFF_CBCFHEADER    36u
#define CAB_OFF_RESERVE       40u

/* --- small helpers ------------------------------------------------------ */

static uint16_t
cab_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
cab_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
cab_put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
cab_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/*
 * cab_checksum - the MS-CAB CFDATA checksum step: XOR of the little-endian
 * 32-bit words of (p, n) into seed; a 1-3 byte tail is folded in with its
 * first byte highest (what FCI writes and libmspack checks).
 */
static uint32_t
cab_checksum(const uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t tail = 0;
	size_t   i;

	for (i = 0; i + 4 <= n; i += 4)
		seed ^= cab_get32(p + i);
	switch (n - i) {
	case 3:
		tail |= (uint32_t)p[i++] << 16;
		/* FALLTHROUGH */
	case 2:
		tail |= (uint32_t)p[i++] << 8;
		/* FALLTHROUGH */
	case 1:
		tail |= p[i];
		break;
	default:
		break;
	}
	return seed ^ tail;
}

/* --- building ----------------------------------------------------------- */

/* One input file while the cabinet is being built. */
struct cab_in {
	int       fd;
	uint32_t  size;
	uint16_t  date, time, attribs;
	size_t    namelen;
};

/*
 * cab_name_ok - a name fit for a CFFILE: 1..CAB_NAME_MAX bytes, no
 * directory separators, no control characters, not "." or "..".  Sets
 * *utf when a byte is not ASCII (the name is then taken as UTF-8).
 */
static int
cab_name_ok(const char *name, size_t *lenp, int *utf, char *err,
    size_t errlen)
{
	size_t len, i;

	*utf = 0;
	if (name == NULL) {
		crypto_errf(err, errlen, "a file has no name");
		return -1;
	}
	len = strnlen(name, CAB_NAME_MAX + 1);
	if (len == 0 || len > CAB_NAME_MAX) {
		crypto_errf(err, errlen, "file name \"%.40s\" must be 1 to %u bytes",
		    name, CAB_NAME_MAX);
		return -1;
	}
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		crypto_errf(err, errlen, "file name \"%s\" is not allowed", name);
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' ||
		    c == ':') {
			crypto_errf(err, errlen, "file name \"%.40s\": byte %zu "
			    "(0x%02x) is not allowed", name, i, c);
			return -1;
		}
		if (c >= 0x80)
			*utf = 1;
	}
	*lenp = len;
	return 0;
}

/* DOS date and time of t in local time (1980-01-01 00:00 if earlier). */
static void
cab_dos_time(time_t t, uint16_t *date, uint16_t *tm_out)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < CAB_DOS_YEAR0) {
		*date = (0 << 9) | (1 << 5) | 1;
		*tm_out = 0;
		return;
	}
	if (tm.tm_year + 1900 > CAB_DOS_YEAR0 + 127)
		tm.tm_year = CAB_DOS_YEAR0 + 127 - 1900;
	*date = (uint16_t)(((tm.tm_year + 1900 - CAB_DOS_YEAR0) << 9) |
	    ((tm.tm_mon + 1) << 5) | tm.tm_mday);
	*tm_out = (uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) |
	    (tm.tm_sec / 2));
}

/*
 * cab_open_inputs - open and stat every file: regular files only, the sum
 * of sizes within CAB_MAX_BYTES.  Fills in[] (fds to be closed by the
 * caller, -1 where not opened) and *total.
 */
static int
cab_open_inputs(const struct cab_file *files, int n, struct cab_in *in,
    uint64_t *total, char *err, size_t errlen)
{
	struct stat st;
	int         i, utf;

	*total = 0;
	for (i = 0; i < n; i++) {
		if (cab_name_ok(files[i].name, &in[i].namelen, &utf, err,
		    errlen) == -1)
			return -1;
		if (files[i].path == NULL) {
			crypto_errf(err, errlen, "%s: no path", files[i].name);
			return -1;
		}
		in[i].fd = open(files[i].path, O_RDONLY | O_CLOEXEC);
		if (in[i].fd == -1 || fstat(in[i].fd, &st) == -1) {
			crypto_errf(err, errlen, "%s: %s", files[i].path,
			    strerror(errno));
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			crypto_errf(err, errlen, "%s: not a regular file",
			    files[i].path);
			return -1;
		}
		if ((uint64_t)st.st_size > CAB_MAX_BYTES - *total) {
			crypto_errf(err, errlen, "the files add up to more than "
			    "%u bytes (the cabinet limit)", CAB_MAX_BYTES);
			return -1;
		}
		in[i].size = (uint32_t)st.st_size;
		*total += (uint64_t)st.st_size;
		cab_dos_time(st.st_mtime, &in[i].date, &in[i].time);
		in[i].attribs = CAB_ATTR_ARCH | (utf ? CAB_ATTR_NAME_UTF : 0);
	}
	return 0;
}

/* cab_at_eof - 0 when fd is at end of file, as fstat promised. */
static int
cab_at_eof(const struct cab_file *f, int fd, char *err, size_t errlen)
{
	uint8_t extra;
	ssize_t r;

	while ((r = read(fd, &extra, 1)) == -1 && errno == EINTR)
		;
	if (r != 0) {
		crypto_errf(err, errlen, "%s: %s", f->path,
		    r == -1 ? strerror(errno) : "grew while being read");
		return -1;
	}
	return 0;
}

/*
 * cab_fill - read the next want bytes of the folder (the files
 * concatenated) into buf, advancing *cur (file index) and *left (bytes
 * still to read from that file).  The caller never asks for more than
 * the files hold.  A file that turns out shorter or longer than fstat
 * said is an error.
 */
static int
cab_fill(const struct cab_file *files, int n, struct cab_in *in, int *cur,
    uint32_t *left, uint8_t *buf, size_t want, char *err, size_t errlen)
{
	size_t  got = 0;
	ssize_t r;

	while (got < want) {
		while (*left == 0) {
			if (cab_at_eof(&files[*cur], in[*cur].fd, err,
			    errlen) == -1)
				return -1;
			if (++*cur >= n) {
				crypto_errf(err, errlen, "internal: the folder "
				    "is shorter than its files");
				return -1;
			}
			*left = in[*cur].size;
		}
		r = read(in[*cur].fd, buf + got,
		    want - got < *left ? want - got : *left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			crypto_errf(err, errlen, "%s: %s", files[*cur].path,
			    r == -1 ? strerror(errno) :
			    "shrank while being read");
			return -1;
		}
		got += (size_t)r;
		*left -= (uint32_t)r;
	}
	return 0;
}

/*
 * cab_frame - compress one MSZIP frame (in, n) as a CFDATA block at out
 * (room for CAB_CFDATA_BYTES + CAB_MSZIP_SIG_BYTES + bound).  Returns the
 * block's length, or 0 on a zlib failure.
 */
static size_t
cab_frame(struct zip_raw *zs, uint8_t *in, size_t n, uint8_t *out,
    size_t bound)
{
	uint8_t *data = out + CAB_CFDATA_BYTES;
	size_t   cb = bound;

	data[0] = 'C';
	data[1] = 'K';
	if (zip_raw_frame(zs, in, n, data + CAB_MSZIP_SIG_BYTES, &cb) == -1)
		return 0;
	cb += CAB_MSZIP_SIG_BYTES;
	if (cb > UINT16_MAX)
		return 0;
	cab_put16(out + 4, (uint32_t)cb);
	cab_put16(out + 6, (uint32_t)n);
	/* Checksum over the data, then over cbData and cbUncomp. */
	cab_put32(out, cab_checksum(out + 4, 4, cab_checksum(data, cb, 0)));
	return CAB_CFDATA_BYTES + cb;
}

int
cab_build(const struct cab_file *files, int n, uint8_t **out,
    size_t *outlen, char *err, size_t errlen)
{
	struct cab_in in[CAB_MAX_FILES];
	struct zip_raw *zs = NULL;
	int           i, cur, rc = -1;
	uint8_t      *cab = NULL, *frame = NULL, *p;
	uint64_t      total, done;
	uint32_t      left, offset;
	size_t        hdr, cap, len, nframes, bound, ulen, clen;

	*out = NULL;
	*outlen = 0;
	for (i = 0; i < CAB_MAX_FILES; i++)
		in[i].fd = -1;
	if (n < 1 || n > CAB_MAX_FILES) {
		crypto_errf(err, errlen, "a cabinet holds 1 to %d files, not %d",
		    CAB_MAX_FILES, n);
		goto out;
	}
	if (cab_open_inputs(files, n, in, &total, err, errlen) == -1)
		goto out;

	if ((zs = zip_raw_new(CAB_DEFLATE_LEVEL)) == NULL) {
		crypto_errf(err, errlen, "zlib: %s", zip_strerror());
		goto out;
	}
	bound = zip_raw_bound(zs, CAB_FRAME_BYTES);

	/* Sizes: everything is bounded by CAB_MAX_BYTES, so fits a u32. */
	hdr = CAB_AC_HEADER_BYTES + CAB_CFFOLDER_BYTES;
	for (i = 0; i < n; i++)
		hdr += CAB_CFFILE_BYTES + in[i].namelen + 1;
	nframes = (size_t)((total + CAB_FRAME_BYTES - 1) / CAB_FRAME_BYTES);
	cap = hdr + nframes * (CAB_CFDATA_BYTES + CAB_MSZIP_SIG_BYTES + bound);
	if ((cab = calloc(1, cap)) == NULL ||
	    (frame = malloc(CAB_FRAME_BYTES)) == NULL) {
		crypto_errf(err, errlen, "out of memory (%zu bytes)", cap);
		goto out;
	}

	/* CFHEADER with the empty Authenticode reserve. */
	memcpy(cab, "MSCF", 4);
	cab_put32(cab + CAB_OFF_COFFFILES,
	    CAB_AC_HEADER_BYTES + CAB_CFFOLDER_BYTES);
	cab[CAB_OFF_VERSION] = CAB_VERSION_MINOR;
	cab[CAB_OFF_VERSION + 1] = CAB_VERSION_MAJOR;
	cab_put16(cab + CAB_OFF_CFOLDERS, 1);
	cab_put16(cab + CAB_OFF_CFILES, (uint32_t)n);
	cab_put16(cab + CAB_OFF_FLAGS, CAB_FLAG_RESERVE);
	cab_put16(cab + CAB_OFF_CBCFHEADER, CAB_AC_RESERVE_BYTES);
	cab_put32(cab + CAB_OFF_RESERVE, CAB_AC_RESERVE_MAGIC);

	/* CFFOLDER */
	p = cab + CAB_AC_HEADER_BYTES;
	cab_put32(p, (uint32_t)hdr);
	cab_put16(p + 4, (uint32_t)nframes);
	cab_put16(p + 6, CAB_COMPRESS_MSZIP);

	/* CFFILE entries */
	p += CAB_CFFOLDER_BYTES;
	offset = 0;
	for (i = 0; i < n; i++) {
		cab_put32(p, in[i].size);
		cab_put32(p + 4, offset);
		cab_put16(p + 8, 0);
		cab_put16(p + 10, in[i].date);
		cab_put16(p + 12, in[i].time);
		cab_put16(p + 14, in[i].attribs);
		memcpy(p + CAB_CFFILE_BYTES, files[i].name, in[i].namelen);
		p += CAB_CFFILE_BYTES + in[i].namelen + 1;
		offset += in[i].size;
	}

	/* CFDATA: the files' bytes, one MSZIP frame at a time. */
	len = hdr;
	cur = 0;
	left = in[0].size;
	for (done = 0; done < total; done += ulen) {
		ulen = total - done < CAB_FRAME_BYTES ?
		    (size_t)(total - done) : CAB_FRAME_BYTES;
		if (cab_fill(files, n, in, &cur, &left, frame, ulen, err,
		    errlen) == -1)
			goto out;
		if ((clen = cab_frame(zs, frame, ulen, cab + len, bound)) == 0) {
			crypto_errf(err, errlen, "zlib: %s", zip_strerror());
			goto out;
		}
		len += clen;
	}
	/* Every byte is in; each remaining file must be at its end. */
	for (; cur < n; cur++)
		if (cab_at_eof(&files[cur], in[cur].fd, err, errlen) == -1)
			goto out;
	cab_put32(cab + CAB_OFF_CBCABINET, (uint32_t)len);

	if ((p = realloc(cab, len)) != NULL)
		cab = p;
	*out = cab;
	*outlen = len;
	cab = NULL;
	rc = 0;
out:
	zip_raw_free(zs);
	for (i = 0; i < CAB_MAX_FILES; i++)
		if (in[i].fd != -1)
			close(in[i].fd);
	free(frame);
	free(cab);
	return rc;
}

/* --- reading the header ------------------------------------------------- */

/* What cab_parse learns about a cabinet's header. */
struct cab_hdr {
	int       reserve;      /* the Authenticode reserve is present */
	uint32_t  sigpos;       /* 0 when unsigned */
	uint32_t  siglen;
	uint32_t  coff_files;
	uint16_t  nfolders;
	size_t    folders_end;  /* first byte after the CFFOLDER table */
};

/*
 * cab_parse - check the header of (cab, len) far enough for Authenticode:
 * signature, version, no multi-volume flags, either no reserve or exactly
 * the 20-byte Authenticode one, a folder table that ends at coffFiles,
 * and a signature (if any) after it that ends the file.
 */
static int
cab_parse(const uint8_t *cab, size_t len, struct cab_hdr *h, char *err,
    size_t errlen)
{
	uint16_t flags;

	memset(h, 0, sizeof(*h));
	if (cab == NULL || len < CAB_HEADER_BYTES ||
	    memcmp(cab, "MSCF", 4) != 0) {
		crypto_errf(err, errlen, "not a cabinet file");
		return -1;
	}
	if (len > UINT32_MAX) {
		crypto_errf(err, errlen, "the cabinet is larger than 4 GiB");
		return -1;
	}
	if (cab_get32(cab + 4) != 0 || cab[CAB_OFF_VERSION] !=
	    CAB_VERSION_MINOR || cab[CAB_OFF_VERSION + 1] != CAB_VERSION_MAJOR) {
		crypto_errf(err, errlen, "not a version 1.3 cabinet");
		return -1;
	}
	flags = cab_get16(cab + CAB_OFF_FLAGS);
	if (flags & (CAB_FLAG_PREV | CAB_FLAG_NEXT)) {
		crypto_errf(err, errlen, "multi-volume cabinets are not supported");
		return -1;
	}
	h->coff_files = cab_get32(cab + CAB_OFF_COFFFILES);
	h->nfolders = cab_get16(cab + CAB_OFF_CFOLDERS);
	if (!(flags & CAB_FLAG_RESERVE)) {
		h->folders_end = CAB_HEADER_BYTES +
		    (size_t)h->nfolders * CAB_CFFOLDER_BYTES;
		return 0;
	}
	/* osslsigncode reads cbCFHeader..cbCFData as one u32 that must be 20. */
	if (len < CAB_AC_HEADER_BYTES ||
	    cab_get32(cab + CAB_OFF_CBCFHEADER) != CAB_AC_RESERVE_BYTES ||
	    cab_get32(cab + CAB_OFF_RESERVE) != CAB_AC_RESERVE_MAGIC) {
		crypto_errf(err, errlen, "the cabinet's header reserve is not an "
		    "Authenticode signature area");
		return -1;
	}
	h->reserve = 1;
	h->sigpos = cab_get32(cab + CAB_OFF_SIGPOS);
	h->siglen = cab_get32(cab + CAB_OFF_SIGLEN);
	h->folders_end = CAB_AC_HEADER_BYTES +
	    (size_t)h->nfolders * CAB_CFFOLDER_BYTES;
	if (h->folders_end > len || h->folders_end != h->coff_files) {
		crypto_errf(err, errlen, "corrupt cabinet: the folder table does "
		    "not end at coffFiles (0x%08x)", (unsigned)h->coff_files);
		return -1;
	}
	if ((h->sigpos == 0) != (h->siglen == 0)) {
		crypto_errf(err, errlen, "corrupt signature area: offset %u, "
		    "size %u", (unsigned)h->sigpos, (unsigned)h->siglen);
		return -1;
	}
	if (h->sigpos != 0 && (h->sigpos < h->folders_end ||
	    (uint64_t)h->sigpos + h->siglen != len)) {
		crypto_errf(err, errlen, "corrupt signature area: offset %u + "
		    "size %u does not end the %zu-byte file",
		    (unsigned)h->sigpos, (unsigned)h->siglen, len);
		return -1;
	}
	return 0;
}

int
cab_digest(const uint8_t *cab, size_t len, int md_type, uint8_t *out,
    size_t *outlen, char *err, size_t errlen)
{
	const mbedtls_md_info_t *md;
	mbedtls_md_context_t     ctx;
	struct cab_hdr           h;
	size_t                   end;
	int                      rc = -1;

	mbedtls_md_init(&ctx);
	*outlen = 0;
	if (cab_parse(cab, len, &h, err, errlen) == -1)
		goto out;
	if ((md = mbedtls_md_info_from_type((mbedtls_md_type_t)md_type)) ==
	    NULL || mbedtls_md_get_size(md) > CAB_DIGEST_MAX) {
		crypto_errf(err, errlen, "unsupported digest algorithm %d",
		    md_type);
		goto out;
	}
	if (mbedtls_md_setup(&ctx, md, 0) != 0 ||
	    mbedtls_md_starts(&ctx) != 0) {
		crypto_errf(err, errlen, "digest set-up failed");
		goto out;
	}
	/* "MSCF"; reserved1 (4..7) is never hashed. */
	if (mbedtls_md_update(&ctx, cab, 4) != 0)
		goto mdfail;
	if (!h.reserve) {
		/* Unsigned, no reserve: the rest of the file. */
		if (mbedtls_md_update(&ctx, cab + 8, len - 8) != 0)
			goto mdfail;
	} else {
		/*
		 * 8..33 (cbCabinet .. setID); 34..55 (iCabinet, cbCFHeader,
		 * cbCFFolder, cbCFData, reserve bytes 0..15) skipped; 56..59;
		 * the folder table; then the data up to the signature.
		 */
		end = h.sigpos != 0 ? h.sigpos : len;
		if (mbedtls_md_update(&ctx, cab + 8, 26) != 0 ||
		    mbedtls_md_update(&ctx, cab + 56, 4) != 0 ||
		    mbedtls_md_update(&ctx, cab + CAB_AC_HEADER_BYTES,
		    end - CAB_AC_HEADER_BYTES) != 0)
			goto mdfail;
	}
	if (mbedtls_md_finish(&ctx, out) != 0)
		goto mdfail;
	*outlen = mbedtls_md_get_size(md);
	rc = 0;
	goto out;
mdfail:
	crypto_errf(err, errlen, "digest computation failed");
out:
	mbedtls_md_free(&ctx);
	return rc;
}

int
cab_signature_find(const uint8_t *cab, size_t len, const uint8_t **sig,
    size_t *siglen, char *err, size_t errlen)
{
	struct cab_hdr h;

	*sig = NULL;
	*siglen = 0;
	if (cab_parse(cab, len, &h, err, errlen) == -1)
		return -1;
	if (!h.reserve || h.sigpos == 0) {
		crypto_errf(err, errlen, "the cabinet is not signed");
		return -1;
	}
	if (h.siglen > CAB_SIG_MAX_BYTES) {
		crypto_errf(err, errlen, "the signature is larger than %u bytes",
		    CAB_SIG_MAX_BYTES);
		return -1;
	}
	*sig = cab + h.sigpos;
	*siglen = h.siglen;
	return 0;
}

int
cab_signature_attach(const uint8_t *cab, size_t len, const uint8_t *der,
    size_t derlen, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	struct cab_hdr h;
	uint8_t       *p;
	size_t         padded;

	*out = NULL;
	*outlen = 0;
	if (cab_parse(cab, len, &h, err, errlen) == -1)
		return -1;
	if (!h.reserve) {
		crypto_errf(err, errlen, "the cabinet has no Authenticode "
		    "signature area (build it with cab_build)");
		return -1;
	}
	if (h.sigpos != 0) {
		crypto_errf(err, errlen, "the cabinet is already signed");
		return -1;
	}
	if (cab_get32(cab + CAB_OFF_CBCABINET) != len) {
		crypto_errf(err, errlen, "cbCabinet (%u) is not the cabinet's "
		    "length (%zu)", (unsigned)cab_get32(cab + CAB_OFF_CBCABINET),
		    len);
		return -1;
	}
	if (der == NULL || derlen == 0 || derlen > CAB_SIG_MAX_BYTES) {
		crypto_errf(err, errlen, "signature of %zu bytes: must be 1 to %u",
		    derlen, CAB_SIG_MAX_BYTES);
		return -1;
	}
	padded = (derlen + CAB_SIG_ALIGN - 1) / CAB_SIG_ALIGN * CAB_SIG_ALIGN;
	if ((uint64_t)len + padded > UINT32_MAX) {
		crypto_errf(err, errlen, "the signed cabinet would exceed 4 GiB");
		return -1;
	}
	if ((p = malloc(len + padded)) == NULL) {
		crypto_errf(err, errlen, "out of memory (%zu bytes)", len + padded);
		return -1;
	}
	memcpy(p, cab, len);
	memcpy(p + len, der, derlen);
	memset(p + len + derlen, 0, padded - derlen);
	cab_put32(p + CAB_OFF_SIGPOS, (uint32_t)len);
	cab_put32(p + CAB_OFF_SIGLEN, (uint32_t)padded);
	*out = p;
	*outlen = len + padded;
	return 0;
}
