/*
 * test_xpress.c - unit tests for common/xpress.c: MS-XCA plain LZ77
 * known answers (the two examples of [MS-XCA] §3.1, and vectors worked by
 * hand from the §2.3.4 pseudocode for each length escape), round trips
 * through the MS-WUSP block framing, and a table of malformed streams and
 * frames that must be refused without touching memory outside the
 * buffers (run it under SANITIZER=address,undefined for the "without").
 * Ends with the compression ratio and speed on a real SOAP response.
 *
 * Every table row carries its __LINE__ so a failure names the case.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xpress.h"
#include "t.h"

#define SOAP_CAPTURE \
	"tests/data/captures/wsus-rs/native-flow/000015/response.body"

/* --- helpers ------------------------------------------------------------- */

static uint32_t rng_state = 0x2545f491;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Fill buf with n bytes of XML-like text (tags, GUIDs, numbers). */
static void
fill_xml(uint8_t *buf, size_t n)
{
	size_t o = 0;

	while (o < n) {
		char rec[256];
		int k = snprintf(rec, sizeof(rec),
		    "<Update><ID>%u</ID><Xml>&lt;UpdateIdentity UpdateID="
		    "\"%08x-%04x-4a1b-9c2d-%08x\" RevisionNumber=\"%u\" /&gt;"
		    "</Xml></Update>", rng() % 300000, rng(), rng() & 0xffff,
		    rng(), rng() % 300);
		for (int i = 0; i < k && o < n; i++)
			buf[o++] = (uint8_t)rec[i];
	}
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long sz;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)sz)) != NULL &&
	    fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		*len = (size_t)sz;
	fclose(f);
	return buf;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Decode with an output buffer of exactly cap bytes on the heap, so
 * AddressSanitizer catches a single byte written past it.
 */
static long
decompress_exact(const uint8_t *in, size_t n, size_t cap, uint8_t **out)
{
	uint8_t *buf = malloc(cap ? cap : 1);
	long r;

	if (buf == NULL)
		return -2;
	/* A heap copy of the input too: reads past n are caught as well. */
	uint8_t *src = malloc(n ? n : 1);
	if (src == NULL) {
		free(buf);
		return -2;
	}
	if (n)
		memcpy(src, in, n);
	r = xpress_lz77_decompress(src, n, buf, cap);
	free(src);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return r;
}

/* --- known answers -------------------------------------------------------- */

static const uint8_t abc300_c[] = {      /* [MS-XCA] §3.1, second example */
	0xff, 0xff, 0xff, 0x1f, 0x61, 0x62, 0x63, 0x17, 0x00, 0x0f, 0xff,
	0x26, 0x01,
};

static const uint8_t alpha_c[] = {       /* [MS-XCA] §3.1, first example */
	0x3f, 0x00, 0x00, 0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
	0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72,
	0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a,
};

/* How a known-answer input is built (some are too long to spell out). */
enum gen { G_TEXT, G_ABC, G_RUN, G_RUN2, G_SEQ };

struct kat {
	int            line;
	const char    *what;
	enum gen       gen;
	const char    *text;      /* G_TEXT */
	size_t         n;         /* input length (G_ABC, G_RUN*, G_SEQ) */
	size_t         n2;        /* G_RUN2: length of the second run */
	const uint8_t *c;         /* expected stream */
	size_t         clen;
};

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ })

static const struct kat kats[] = {
	/* [MS-XCA] §3.1: 26 literals; the 6 spare flag bits are ones. */
	{ __LINE__, "§3.1 alphabet", G_TEXT, "abcdefghijklmnopqrstuvwxyz", 0, 0,
	    alpha_c, sizeof(alpha_c) },
	/* [MS-XCA] §3.1: abc + [match: distance 3, length 297], 16-bit escape. */
	{ __LINE__, "§3.1 abc x 100", G_ABC, NULL, 300, 0,
	    abc300_c, sizeof(abc300_c) },
	/*
	 * Worked from the §2.3.4 pseudocode, one per length escape.
	 * Empty input: no symbols, the flag word is all ones.
	 */
	{ __LINE__, "empty", G_TEXT, "", 0, 0, B(0xff, 0xff, 0xff, 0xff) },
	{ __LINE__, "1 literal", G_TEXT, "x", 0, 0,
	    B(0xff, 0xff, 0xff, 0x7f, 0x78) },
	/* a + match(1, 9): 3-bit length 6, no escape. */
	{ __LINE__, "a x 10", G_RUN, NULL, 10, 0,
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x06, 0x00) },
	/* a + match(1, 10): 3 bits full, nibble 0. */
	{ __LINE__, "a x 11", G_RUN, NULL, 11, 0,
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x00) },
	/* Two long matches share one nibble byte: low 0 (len 10), high 2 (12). */
	{ __LINE__, "a x 11, b x 13", G_RUN2, NULL, 11, 13,
	    B(0xff, 0xff, 0xff, 0x5f, 0x61, 0x07, 0x00, 0x20, 0x62, 0x07, 0x00) },
	/* a + match(1, 24): nibble 14, the largest without the byte. */
	{ __LINE__, "a x 25", G_RUN, NULL, 25, 0,
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x0e) },
	/* a + match(1, 30): nibble 15, byte 30-3-7-15 = 5. */
	{ __LINE__, "a x 31", G_RUN, NULL, 31, 0,
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x0f, 0x05) },
	/* a + match(1, 279): byte 254, the largest without the 16-bit form. */
	{ __LINE__, "a x 280", G_RUN, NULL, 280, 0,
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x0f, 0xfe) },
	/* a + match(1, 280): byte 255, 16-bit length-3 = 277. */
	{ __LINE__, "a x 281", G_RUN, NULL, 281, 0,
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x0f, 0xff, 0x15, 0x01) },
	/* a + match(1, 65538): 16-bit 65535, the largest without 32 bits. */
	{ __LINE__, "a x 65539", G_RUN, NULL, 65539, 0,
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x0f, 0xff, 0xff, 0xff) },
	/* a + match(1, 65539): 16-bit 0, then 32-bit length-3 = 65536. */
	{ __LINE__, "a x 65540", G_RUN, NULL, 65540, 0,
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x0f, 0xff, 0x00, 0x00,
	    0x00, 0x00, 0x01, 0x00) },
	/* 32 literals fill the word: a second, all-ones word ends the stream. */
	{ __LINE__, "32 literals", G_SEQ, NULL, 32, 0, NULL, 0 },
};

static size_t
kat_input(const struct kat *k, uint8_t *buf)
{
	size_t n = k->n;

	switch (k->gen) {
	case G_TEXT:
		n = strlen(k->text);
		memcpy(buf, k->text, n);
		break;
	case G_ABC:
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)"abc"[i % 3];
		break;
	case G_RUN:
		memset(buf, 'a', n);
		break;
	case G_RUN2:
		memset(buf, 'a', n);
		memset(buf + n, 'b', k->n2);
		n += k->n2;
		break;
	case G_SEQ:
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)i;
		break;
	}
	return n;
}

static void
test_known_answers(void)
{
	static uint8_t in[70000], out[70000], seq_c[40];

	/* 32 literals: flags 0, bytes 00..1f, flags ffffffff. */
	for (int i = 0; i < 32; i++)
		seq_c[4 + i] = (uint8_t)i;
	memset(seq_c + 36, 0xff, 4);

	for (size_t t = 0; t < sizeof(kats) / sizeof(kats[0]); t++) {
		const struct kat *k = &kats[t];
		const uint8_t *want = k->c ? k->c : seq_c;
		size_t wlen = k->c ? k->clen : 40;
		size_t n = kat_input(k, in);
		uint8_t *dec = NULL;
		long r;

		r = xpress_lz77_compress(in, n, out, sizeof(out));
		T_CHECK(k->line, r == (long)wlen && memcmp(out, want, wlen) == 0,
		    "%s: compress gave %ld bytes, want %zu", k->what, r, wlen);
		/* Exactly enough room works; one byte less does not. */
		r = xpress_lz77_compress(in, n, out, wlen);
		T_CHECK(k->line, r == (long)wlen, "%s: cap = size gave %ld",
		    k->what, r);
		r = xpress_lz77_compress(in, n, out, wlen - 1);
		T_CHECK(k->line, r == -1, "%s: cap = size-1 gave %ld", k->what, r);

		r = decompress_exact(want, wlen, n, &dec);
		T_CHECK(k->line, r == (long)n && (n == 0 || memcmp(dec, in, n) == 0),
		    "%s: decompress gave %ld, want %zu", k->what, r, n);
		free(dec);
		/* The stream does not fit a byte less of output. */
		if (n > 0) {
			r = decompress_exact(want, wlen, n - 1, NULL);
			T_CHECK(k->line, r == -1, "%s: short output gave %ld",
			    k->what, r);
		}
	}
}

/* --- decoder hardening ---------------------------------------------------- */

struct bad {
	int            line;
	const char    *what;
	const uint8_t *c;
	size_t         clen;
	size_t         cap;
	long           want;      /* -1, or bytes decoded */
};

static const struct bad bads[] = {
	{ __LINE__, "empty input (no flag word)", NULL, 0, 64, -1 },
	{ __LINE__, "flag word cut short", B(0xff, 0xff, 0xff), 64, -1 },
	{ __LINE__, "literal flagged, input ended", B(0x00, 0x00, 0x00, 0x00),
	    64, -1 },
	{ __LINE__, "literals then input ended",
	    B(0x00, 0x00, 0x00, 0x00, 0x61, 0x62), 64, -1 },
	{ __LINE__, "match token cut short", B(0x00, 0x00, 0x00, 0xc0, 0x00),
	    64, -1 },
	{ __LINE__, "offset 1 with empty output",
	    B(0x00, 0x00, 0x00, 0x80, 0x00, 0x00), 64, -1 },
	{ __LINE__, "offset 2 after 1 byte",
	    B(0x00, 0x00, 0x00, 0x40, 0x61, 0x08, 0x00), 64, -1 },
	{ __LINE__, "offset 8192 after 1 byte",
	    B(0x00, 0x00, 0x00, 0x40, 0x61, 0xf8, 0xff), 64, -1 },
	{ __LINE__, "offset 1 after 1 byte is fine",
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x00, 0x00), 64, 4 },
	{ __LINE__, "nibble byte missing",
	    B(0x00, 0x00, 0x00, 0x40, 0x61, 0x07, 0x00), 64, -1 },
	{ __LINE__, "length byte missing",
	    B(0x00, 0x00, 0x00, 0x40, 0x61, 0x07, 0x00, 0x0f), 64, -1 },
	{ __LINE__, "16-bit length cut short",
	    B(0x00, 0x00, 0x00, 0x40, 0x61, 0x07, 0x00, 0x0f, 0xff, 0x20), 1 << 20,
	    -1 },
	{ __LINE__, "32-bit length cut short",
	    B(0x00, 0x00, 0x00, 0x40, 0x61, 0x07, 0x00, 0x0f, 0xff, 0x00, 0x00,
	    0x00, 0x00, 0x01), 1 << 20, -1 },
	{ __LINE__, "16-bit length below its bias of 22",
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x0f, 0xff, 0x15, 0x00),
	    1 << 20, -1 },
	{ __LINE__, "16-bit length at its bias: 25 bytes",
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x0f, 0xff, 0x16, 0x00),
	    1 << 20, 26 },
	{ __LINE__, "32-bit length below its bias",
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x0f, 0xff, 0x00, 0x00,
	    0x15, 0x00, 0x00, 0x00), 1 << 20, -1 },
	{ __LINE__, "32-bit length 0",
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x0f, 0xff, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00), 1 << 20, -1 },
	{ __LINE__, "32-bit length 0xffffffff (4 GiB)",
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x07, 0x00, 0x0f, 0xff, 0x00, 0x00,
	    0xff, 0xff, 0xff, 0xff), 1 << 20, -1 },
	{ __LINE__, "match one byte longer than the room left",
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x06, 0x00), 9, -1 },
	{ __LINE__, "match exactly filling the room",
	    B(0xff, 0xff, 0xff, 0x7f, 0x61, 0x06, 0x00), 10, 10 },
	{ __LINE__, "literal past the room", B(0xff, 0xff, 0xff, 0x3f, 0x61,
	    0x62), 1, -1 },
	{ __LINE__, "zero-capacity output, no symbols", B(0xff, 0xff, 0xff, 0xff),
	    0, 0 },
	{ __LINE__, "§3.1 abc with 299 bytes of room", abc300_c,
	    sizeof(abc300_c), 299, -1 },
	{ __LINE__, "§3.1 abc with 300 bytes of room", abc300_c,
	    sizeof(abc300_c), 300, 300 },
};

/*
 * A stream of nlit literals ('A' + i % 7) then one match token tok, with
 * the flag words it needs.  Returns its length in buf.
 */
static size_t
build_lits_then_match(uint8_t *buf, size_t nlit, uint16_t tok)
{
	size_t o = 0, flagpos = 0;
	unsigned nflags = 32;
	uint32_t flags = 0;

	for (size_t i = 0; i <= nlit; i++) {
		if (nflags == 32) {
			if (i > 0)
				put_le32(buf + flagpos, flags);
			flagpos = o;
			o += 4;
			flags = 0;
			nflags = 0;
		}
		nflags++;
		if (i < nlit) {
			buf[o++] = (uint8_t)('A' + i % 7);
		} else {
			flags |= 1u << (32 - nflags);
			buf[o++] = (uint8_t)tok;
			buf[o++] = (uint8_t)(tok >> 8);
		}
	}
	/* Unused bits are ones: the stream ends after the match. */
	if (nflags < 32) {
		put_le32(buf + flagpos, flags | ((1u << (32 - nflags)) - 1));
	} else {
		put_le32(buf + flagpos, flags);
		put_le32(buf + o, UINT32_MAX);
		o += 4;
	}
	return o;
}

static void
test_decoder_hardening(void)
{
	static uint8_t stream[12000];
	size_t len;
	long r;

	for (size_t t = 0; t < sizeof(bads) / sizeof(bads[0]); t++) {
		const struct bad *b = &bads[t];

		r = decompress_exact(b->c ? b->c : (const uint8_t *)"", b->clen,
		    b->cap, NULL);
		T_CHECK(b->line, r == b->want, "%s: got %ld, want %ld", b->what,
		    r, b->want);
	}

	/* The largest offset, 8192, reaches the first byte; 8192 after 8191 not. */
	len = build_lits_then_match(stream, 8192, 0xfff8);
	r = decompress_exact(stream, len, 8195, NULL);
	T_OK(r == 8195, "offset 8192 after 8192 literals: %ld", r);
	len = build_lits_then_match(stream, 8191, 0xfff8);
	r = decompress_exact(stream, len, 8194, NULL);
	T_OK(r == -1, "offset 8192 after 8191 literals: %ld", r);

	/* Every strict prefix of a valid stream decodes to less, or fails. */
	{
		uint8_t in[3000], c[4000];
		long clen;

		fill_xml(in, sizeof(in));
		clen = xpress_lz77_compress(in, sizeof(in), c, sizeof(c));
		T_OK(clen > 0, "compress for the truncation test: %ld", clen);
		int bad = 0;
		for (long k = 0; k < clen; k++) {
			r = decompress_exact(c, (size_t)k, sizeof(in), NULL);
			if (r >= (long)sizeof(in))
				bad++;
		}
		T_OK(bad == 0, "%d truncated streams decoded in full", bad);

		/* Random corruption: any result, but within the buffers. */
		int over = 0;
		for (int it = 0; it < 3000; it++) {
			uint8_t m[4000];
			size_t cap = rng() % (sizeof(in) + 64);

			memcpy(m, c, (size_t)clen);
			for (int f = 0; f < 1 + it % 4; f++)
				m[rng() % (uint32_t)clen] ^= (uint8_t)(1u << (rng() % 8));
			r = decompress_exact(m, (size_t)clen, cap, NULL);
			if (r > (long)cap)
				over++;
		}
		T_OK(over == 0, "%d corrupted streams claimed more than cap", over);
	}
}

/* --- framing -------------------------------------------------------------- */

/*
 * Round trip (in, n) through xpress_encode/xpress_decode and check the
 * frame layout: blocks of XPRESS_BLOCK bytes but the last, each either
 * smaller than its original or stored raw with equal sizes.
 */
static void
roundtrip(int line, const char *what, const uint8_t *in, size_t n,
    size_t *enc_len)
{
	uint8_t *enc = NULL, *dec = NULL;
	size_t elen = 0, dlen = 0, pos = 0, seen = 0, blocks = 0;
	int layout = 1;

	T_CHECK(line, xpress_encode(in, n, &enc, &elen) == 0, "%s: encode",
	    what);
	if (enc == NULL)
		return;
	while (pos + 8 <= elen) {
		uint32_t o = le32(enc + pos), c = le32(enc + pos + 4);
		size_t want = n - seen < XPRESS_BLOCK ? n - seen : XPRESS_BLOCK;

		if (o != want || c > o || (c == o && memcmp(enc + pos + 8,
		    in + seen, o) != 0))
			layout = 0;
		seen += o;
		pos += 8 + c;
		blocks++;
	}
	T_CHECK(line, layout && pos == elen && seen == n &&
	    blocks == (n + XPRESS_BLOCK - 1) / XPRESS_BLOCK,
	    "%s: frame layout (%zu blocks, %zu of %zu bytes)", what, blocks,
	    seen, n);
	T_CHECK(line, xpress_decode(enc, elen, n, &dec, &dlen) == 0 &&
	    dlen == n && (n == 0 || memcmp(dec, in, n) == 0),
	    "%s: decode gave %zu bytes", what, dlen);
	free(dec);
	dec = NULL;
	if (n > 0) {
		T_CHECK(line, xpress_decode(enc, elen, n - 1, &dec, &dlen) == -1 &&
		    dec == NULL, "%s: max_out = size-1 accepted", what);
		free(dec);
	}
	if (enc_len != NULL)
		*enc_len = elen;
	free(enc);
}

static void
test_roundtrips(void)
{
	static uint8_t buf[100 * 1024];
	size_t elen = 0;

	roundtrip(__LINE__, "empty", buf, 0, &elen);
	T_OK(elen == 0, "empty input gave %zu bytes", elen);
	buf[0] = 'x';
	roundtrip(__LINE__, "1 byte", buf, 1, &elen);
	T_OK(elen == 9, "1 byte is stored raw: %zu bytes", elen);
	memcpy(buf, "abc", 3);
	roundtrip(__LINE__, "3 bytes", buf, 3, NULL);

	memset(buf, 0, sizeof(buf));
	roundtrip(__LINE__, "100 KiB of zeros", buf, sizeof(buf), &elen);
	T_OK(elen < sizeof(buf) / 100, "zeros compressed to %zu bytes", elen);

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rng();
	roundtrip(__LINE__, "100 KiB random", buf, sizeof(buf), &elen);
	T_OK(elen == sizeof(buf) + 8 * 7, "random: every block stored raw "
	    "(%zu bytes)", elen);

	/* Around the block size, and the largest block the framing allows. */
	static const struct { int line; size_t n; } sizes[] = {
		{ __LINE__, 16351 }, { __LINE__, 16352 }, { __LINE__, 16353 },
		{ __LINE__, 32704 }, { __LINE__, 32705 }, { __LINE__, 65535 },
		{ __LINE__, 100 * 1024 },
	};
	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		char what[64];

		fill_xml(buf, sizes[t].n);
		snprintf(what, sizeof(what), "%zu bytes of XML", sizes[t].n);
		roundtrip(sizes[t].line, what, buf, sizes[t].n, NULL);
	}

	/* Raw LZ77 over one long stream (no framing): all length escapes. */
	{
		static uint8_t big[200 * 1024], c[210 * 1024], d[200 * 1024];
		long cl, dl;

		fill_xml(big, sizeof(big));
		memset(big + 50000, 0, 80000);          /* a 32-bit length */
		cl = xpress_lz77_compress(big, sizeof(big), c, sizeof(c));
		dl = cl > 0 ? xpress_lz77_decompress(c, (size_t)cl, d, sizeof(d)) : -1;
		T_OK(dl == (long)sizeof(big) && memcmp(d, big, sizeof(big)) == 0,
		    "200 KiB raw stream: compressed %ld, decompressed %ld", cl, dl);
	}
}

static void
test_frame_hardening(void)
{
	uint8_t frame[64], *out = NULL, *enc = NULL;
	uint8_t xml[20000];
	size_t outlen = 0, elen = 0;

	/* The §3.1 stream in a frame decodes; a wrong original size does not. */
	put_le32(frame, 300);
	put_le32(frame + 4, sizeof(abc300_c));
	memcpy(frame + 8, abc300_c, sizeof(abc300_c));
	T_OK(xpress_decode(frame, 8 + sizeof(abc300_c), 1 << 20, &out,
	    &outlen) == 0 && outlen == 300 && memcmp(out, "abcabc", 6) == 0 &&
	    memcmp(out + 294, "abcabc", 6) == 0, "§3.1 stream in a frame");
	free(out);
	out = NULL;

	static const struct {
		int      line;
		const char *what;
		uint32_t orig, comp;
		size_t   extra;       /* payload bytes actually present */
		size_t   max_out;
	} hdrs[] = {
		{ __LINE__, "original 299, stream makes 300", 299, 13, 13, 1 << 20 },
		{ __LINE__, "original 301, stream makes 300", 301, 13, 13, 1 << 20 },
		{ __LINE__, "original 65536", 65536, 13, 13, 1 << 20 },
		{ __LINE__, "original 0xffffffff", 0xffffffff, 13, 13, 1 << 20 },
		{ __LINE__, "original 0", 0, 13, 13, 1 << 20 },
		{ __LINE__, "compressed 0", 300, 0, 13, 1 << 20 },
		{ __LINE__, "compressed 65536", 300, 65536, 13, 1 << 20 },
		{ __LINE__, "compressed > remaining", 300, 14, 13, 1 << 20 },
		{ __LINE__, "compressed 0xffffffff", 300, 0xffffffff, 13, 1 << 20 },
		{ __LINE__, "output beyond max_out", 300, 13, 13, 299 },
		{ __LINE__, "payload cut short", 300, 13, 12, 1 << 20 },
	};
	for (size_t t = 0; t < sizeof(hdrs) / sizeof(hdrs[0]); t++) {
		uint8_t *h = malloc(8 + hdrs[t].extra);

		if (h == NULL)
			continue;
		put_le32(h, hdrs[t].orig);
		put_le32(h + 4, hdrs[t].comp);
		memcpy(h + 8, abc300_c, hdrs[t].extra);
		out = (uint8_t *)h;     /* must come back NULL */
		T_CHECK(hdrs[t].line, xpress_decode(h, 8 + hdrs[t].extra,
		    hdrs[t].max_out, &out, &outlen) == -1 && out == NULL,
		    "%s: accepted", hdrs[t].what);
		free(h);
	}

	/* A stored block: compressed == original, bytes copied verbatim. */
	put_le32(frame, 5);
	put_le32(frame + 4, 5);
	memcpy(frame + 8, "tail!", 5);
	T_OK(xpress_decode(frame, 13, 5, &out, &outlen) == 0 && outlen == 5 &&
	    memcmp(out, "tail!", 5) == 0, "stored block");
	free(out);
	out = NULL;

	/* Trailing bytes short of a header, and a zero header. */
	memset(frame + 13, 0, 8);
	for (size_t extra = 1; extra <= 8; extra++)
		T_OK(xpress_decode(frame, 13 + extra, 1 << 20, &out, &outlen) == -1,
		    "%zu trailing bytes accepted", extra);

	/* Every strict prefix of a two-block frame: -1 unless on a boundary. */
	fill_xml(xml, sizeof(xml));
	if (xpress_encode(xml, sizeof(xml), &enc, &elen) == 0) {
		size_t b1 = 8 + le32(enc + 4);
		int bad = 0;

		for (size_t k = 1; k < elen; k++) {
			int r = xpress_decode(enc, k, 1 << 20, &out, &outlen);

			if (k == b1 ? (r != 0 || outlen != XPRESS_BLOCK) : r != -1)
				bad++;
			free(out);
			out = NULL;
		}
		T_OK(bad == 0, "%d truncated frames misjudged", bad);

		/* Corrupt payload bytes: decode fails or differs, never overruns. */
		int over = 0;
		for (int it = 0; it < 500; it++) {
			uint8_t *m = malloc(elen);

			if (m == NULL)
				break;
			memcpy(m, enc, elen);
			m[8 + rng() % (uint32_t)(elen - 8)] ^= (uint8_t)(1 + rng() % 255);
			if (xpress_decode(m, elen, sizeof(xml), &out, &outlen) == 0 &&
			    outlen > sizeof(xml))
				over++;
			free(out);
			out = NULL;
			free(m);
		}
		T_OK(over == 0, "%d corrupt frames exceeded max_out", over);
		free(enc);
	} else
		T_OK(0, "encode for the truncation test");
}

/* --- real SOAP: ratio and speed (printed, not asserted) ------------------- */

static void
test_soap_capture(void)
{
	uint8_t *body, *enc = NULL, *dec = NULL;
	size_t n = 0, elen = 0, dlen = 0;
	double t0, t, mb;
	int iters;

	body = read_file(SOAP_CAPTURE, &n);
	/* The fixture is in the repository: missing is a failure, not a skip. */
	if (body == NULL) {
		T_OK(0, "fixture %s missing (run from the repository root)",
		    SOAP_CAPTURE);
		return;
	}
	roundtrip(__LINE__, "SOAP capture", body, n, &elen);
	T_OK(elen > 0 && n / elen >= 3, "SOAP ratio %zu/%zu below 3:1", n, elen);

	/* Speed: repeat for about 0.3 s each way. */
	t0 = now();
	for (iters = 0; (t = now() - t0) < 0.3; iters++) {
		free(enc);
		enc = NULL;
		if (xpress_encode(body, n, &enc, &elen) == -1)
			break;
	}
	mb = (double)n * iters / (1024.0 * 1024.0);
	printf("test_xpress: SOAP %zu -> %zu bytes (%.2f:1), encode %.0f MiB/s",
	    n, elen, (double)n / (double)elen, t > 0 ? mb / t : 0.0);
	t0 = now();
	for (iters = 0; (t = now() - t0) < 0.3; iters++) {
		free(dec);
		dec = NULL;
		if (xpress_decode(enc, elen, n, &dec, &dlen) == -1)
			break;
	}
	mb = (double)n * iters / (1024.0 * 1024.0);
	printf(", decode %.0f MiB/s\n", t > 0 ? mb / t : 0.0);
	free(enc);
	free(dec);
	free(body);
}

int
main(void)
{
	test_known_answers();
	test_decoder_hardening();
	test_roundtrips();
	test_frame_hardening();
	test_soap_capture();
	return t_done("test_xpress");
}
