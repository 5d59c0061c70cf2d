/*
 * xpress.c - "Xpress" compression of SOAP bodies (MS-WUSP §2.1.1): the
 * MS-XCA "Plain LZ77" format (encoder §2.3.4, decoder §2.4.4) and the
 * MS-WUSP block framing around it (NOTES.md §5).
 *
 * Owns: the byte layout of Content-Encoding: xpress bodies.  Never sees
 * HTTP; pure functions over (pointer, length) plus malloc'd results.
 *
 * Plain LZ77 in one paragraph: the stream is a series of 32-bit LE flag
 * words, each followed by the 32 symbols it describes, bit 31 first; a 0
 * bit is one literal byte, a 1 bit a 16-bit LE match token (high 13 bits
 * offset-1, so offsets 1..8192; low 3 bits length-3).  A length field of 7
 * escapes to a 4-bit nibble (two consecutive long matches share one byte,
 * low nibble first), 15 there escapes to a byte, 255 there to a 16-bit
 * value holding length-3 outright, and 0 there to a 32-bit one.  There is
 * no end marker: the encoder fills the unused bits of the last flag word
 * with ones, and the decoder stops at a 1 bit with no input left.
 *
 * The decoder is the attack surface (a request body or a fuzzer may feed
 * it anything): every read is checked against the input length, every
 * write against the output capacity, offsets may not reach before the
 * start of the output, and lengths are computed in 64 bits before being
 * compared with the room left, so nothing can wrap.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xpress.h"

#define XPRESS_WINDOW     8192      /* largest match offset, bytes (13 bits) */
#define XPRESS_MIN_MATCH  3         /* shortest match the format can encode */
#define XPRESS_MAX_MATCH  UINT32_MAX /* longest match we emit, bytes */
#define XPRESS_HASH_BITS  14        /* 16384 hash heads */
#define XPRESS_CHAIN       8        /* candidates tried per position */
#define XPRESS_NICE       96        /* a match this long ends the search */
#define XPRESS_MAX_INPUT  (UINT32_MAX - 1) /* positions fit the uint32 tables */
#define XPRESS_FRAME_MAX  65535     /* either size in a frame header */
#define XPRESS_HDR        8         /* int32 original + int32 compressed */
#define XPRESS_NONE       UINT32_MAX /* empty hash head / chain link */

/*
 * Match-finder state: one hash head per 3-byte prefix and, for each of the
 * last XPRESS_WINDOW positions, the previous position with the same hash.
 * 96 KiB, so it lives on the heap (server threads have small stacks).
 */
struct xpress_ws {
	uint32_t head[1u << XPRESS_HASH_BITS];
	uint32_t prev[XPRESS_WINDOW];
};

/* Encoder output state; positions are offsets into out. */
struct xpress_enc {
	uint8_t  *out;
	size_t    cap;
	size_t    pos;        /* next free byte */
	size_t    flagpos;    /* where the current flag word goes */
	size_t    half;       /* byte whose high nibble is free, 0 if none */
	uint32_t  flags;      /* bits collected for the current word */
	unsigned  nflags;     /* how many (0..31) */
};

/* --- little-endian helpers ---------------------------------------------- */

static uint16_t
xpress_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
xpress_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
xpress_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* --- encoder ------------------------------------------------------------ */

/* xpress_enc_bytes - append len bytes of v (LE); -1 if out of room. */
static int
xpress_enc_bytes(struct xpress_enc *e, uint32_t v, size_t len)
{
	if (e->cap - e->pos < len)
		return -1;
	for (size_t i = 0; i < len; i++, v >>= 8)
		e->out[e->pos++] = (uint8_t)v;
	return 0;
}

/*
 * xpress_enc_flag - record one symbol's flag bit.  The 32nd bit flushes
 * the word and reserves the next one at once (§2.3.4), so a stream whose
 * last word is full still gets a trailing all-ones word.  -1 if no room.
 */
static int
xpress_enc_flag(struct xpress_enc *e, unsigned bit)
{
	e->flags = e->flags << 1 | bit;
	if (++e->nflags < 32)
		return 0;
	xpress_put_le32(e->out + e->flagpos, e->flags);
	e->flags = 0;
	e->nflags = 0;
	if (e->cap - e->pos < 4)
		return -1;
	e->flagpos = e->pos;
	e->pos += 4;
	return 0;
}

static int
xpress_enc_literal(struct xpress_enc *e, uint8_t c)
{
	if (e->pos == e->cap)
		return -1;
	e->out[e->pos++] = c;
	return xpress_enc_flag(e, 0);
}

/*
 * xpress_enc_match - emit a match of len (3..XPRESS_MAX_MATCH) bytes at
 * off (1..XPRESS_WINDOW) back, following §2.3.4 step for step: 3 bits,
 * then a shared nibble, then a byte, then 16 or 16+32 bits.  -1 if the
 * output is full.
 */
static int
xpress_enc_match(struct xpress_enc *e, size_t off, size_t len)
{
	uint32_t tok = (uint32_t)(off - 1) << 3;
	uint32_t l = (uint32_t)(len - XPRESS_MIN_MATCH);

	if (l < 7) {
		if (xpress_enc_bytes(e, tok | l, 2) == -1)
			return -1;
		return xpress_enc_flag(e, 1);
	}
	if (xpress_enc_bytes(e, tok | 7, 2) == -1)
		return -1;
	l -= 7;
	if (e->half == 0) {
		/* Open a nibble byte; the next long match fills its top half. */
		e->half = e->pos;
		if (xpress_enc_bytes(e, l < 15 ? l : 15, 1) == -1)
			return -1;
	} else {
		e->out[e->half] |= (uint8_t)((l < 15 ? l : 15) << 4);
		e->half = 0;
	}
	if (l >= 15) {
		l -= 15;
		if (l < 255) {
			if (xpress_enc_bytes(e, l, 1) == -1)
				return -1;
		} else {
			/* The wide forms hold length-3 itself (l + 15 + 7). */
			l += 15 + 7;
			if (xpress_enc_bytes(e, 255, 1) == -1)
				return -1;
			if (l < 1u << 16) {
				if (xpress_enc_bytes(e, l, 2) == -1)
					return -1;
			} else if (xpress_enc_bytes(e, 0, 2) == -1 ||
			    xpress_enc_bytes(e, l, 4) == -1)
				return -1;
		}
	}
	return xpress_enc_flag(e, 1);
}

/* xpress_hash - bucket of the 3 bytes at p (caller ensures they exist). */
static uint32_t
xpress_hash(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;

	return (v * 2654435761u) >> (32 - XPRESS_HASH_BITS);
}

/*
 * xpress_common - length of the common prefix of ref and cur, cur < end,
 * ref < cur (so ref's reads stay inside the input too).
 */
static size_t
xpress_common(const uint8_t *ref, const uint8_t *cur, const uint8_t *end)
{
	const uint8_t *start = cur;

	while (end - cur >= 8) {
		uint64_t a, b;

		memcpy(&a, ref, 8);
		memcpy(&b, cur, 8);
		if (a != b) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return (size_t)(cur - start) +
			    (size_t)(__builtin_ctzll(a ^ b) >> 3);
#else
			break;
#endif
		}
		ref += 8;
		cur += 8;
	}
	while (cur < end && *ref == *cur) {
		ref++;
		cur++;
	}
	return (size_t)(cur - start);
}

/* xpress_insert - add position i (with 3 bytes available) to its chain. */
static void
xpress_insert(struct xpress_ws *ws, const uint8_t *in, size_t i)
{
	uint32_t h = xpress_hash(in + i);

	ws->prev[i & (XPRESS_WINDOW - 1)] = ws->head[h];
	ws->head[h] = (uint32_t)i;
}

/*
 * xpress_find - longest match for position i among the chain of earlier
 * positions with the same hash, at most XPRESS_WINDOW back.  Sets *off
 * and returns the length (0 when shorter than XPRESS_MIN_MATCH).  Must
 * run before i itself is inserted: the chain slot of a candidate exactly
 * XPRESS_WINDOW back is the one i will overwrite.
 */
static size_t
xpress_find(const struct xpress_ws *ws, const uint8_t *in, size_t n,
    size_t i, size_t *off)
{
	size_t best = 0, limit = n - i;
	uint32_t cand = ws->head[xpress_hash(in + i)];

	if (limit > XPRESS_MAX_MATCH)
		limit = XPRESS_MAX_MATCH;
	for (int tries = XPRESS_CHAIN; tries > 0 && cand != XPRESS_NONE &&
	    cand < i && i - cand <= XPRESS_WINDOW; tries--) {
		/* Cheap reject: the byte that would lengthen the best match. */
		if (in[cand + best] == in[i + best]) {
			size_t len = xpress_common(in + cand, in + i, in + i + limit);

			if (len > best) {
				best = len;
				*off = i - cand;
				if (len >= XPRESS_NICE || len == limit)
					break;
			}
		}
		uint32_t next = ws->prev[cand & (XPRESS_WINDOW - 1)];
		if (next != XPRESS_NONE && next >= cand)
			break;          /* slot reused by a newer position */
		cand = next;
	}
	return best >= XPRESS_MIN_MATCH ? best : 0;
}

/*
 * xpress_compress_ws - xpress_lz77_compress with a caller-supplied
 * workspace, so a caller compressing many blocks allocates it once and
 * can read -1 as "does not fit in cap" only.
 *
 * Greedy parse with a one-step lazy check: a match is deferred by one
 * literal when the next position has a longer one (common in markup,
 * where '<' starts both a short and a long repeat).
 */
static long
xpress_compress_ws(struct xpress_ws *ws, const uint8_t *in, size_t n,
    uint8_t *out, size_t cap)
{
	struct xpress_enc e = { out, cap, 4, 0, 0, 0, 0 };
	size_t i = 0, len = 0, off = 0;

	if (cap > (size_t)LONG_MAX)
		e.cap = cap = (size_t)LONG_MAX;     /* so the result fits */
	if (n > XPRESS_MAX_INPUT || cap < 4)
		return -1;
	memset(ws->head, 0xff, sizeof(ws->head));
	while (i < n) {
		if (len == 0 && n - i >= XPRESS_MIN_MATCH) {
			len = xpress_find(ws, in, n, i, &off);
			xpress_insert(ws, in, i);
		}
		if (len > 0 && len < XPRESS_NICE && n - i - 1 >= XPRESS_MIN_MATCH) {
			size_t off2 = 0, len2 = xpress_find(ws, in, n, i + 1, &off2);

			xpress_insert(ws, in, i + 1);
			if (len2 > len) {
				if (xpress_enc_literal(&e, in[i]) == -1)
					return -1;
				i++;
				len = len2;
				off = off2;
				continue;   /* i is inserted; retry the lazy step */
			}
		} else if (len > 0 && n - i - 1 >= XPRESS_MIN_MATCH)
			xpress_insert(ws, in, i + 1);
		if (len == 0) {
			if (xpress_enc_literal(&e, in[i]) == -1)
				return -1;
			i++;
			continue;
		}
		if (xpress_enc_match(&e, off, len) == -1)
			return -1;
		/* i and i + 1 are in the chains; add the rest of the match. */
		for (size_t j = i + 2; j < i + len && n - j >= XPRESS_MIN_MATCH; j++)
			xpress_insert(ws, in, j);
		i += len;
		len = 0;
	}
	/* Pad the last word with ones: the decoder's end condition. */
	if (e.nflags == 0)
		e.flags = UINT32_MAX;
	else
		e.flags = e.flags << (32 - e.nflags) |
		    ((1u << (32 - e.nflags)) - 1);
	xpress_put_le32(out + e.flagpos, e.flags);
	return (long)e.pos;
}

long
xpress_lz77_compress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	struct xpress_ws *ws;
	long r;

	if ((ws = malloc(sizeof(*ws))) == NULL) {
		log_warn("%s: malloc", __func__);
		return -1;
	}
	r = xpress_compress_ws(ws, in, n, out, cap);
	free(ws);
	return r;
}

/* --- decoder ------------------------------------------------------------ */

/*
 * xpress_lz77_decompress - §2.4.4 with every access bounded.  Returns the
 * bytes written (<= cap), or -1 when the input ends inside a symbol, a
 * match reaches before out or past cap, a wide length is below its bias
 * (22).  A cap over LONG_MAX counts as LONG_MAX.  An empty input is
 * invalid (it has no flag word).
 */
long
xpress_lz77_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t ip = 0, op = 0, half = 0;
	uint32_t flags = 0;
	unsigned nflags = 0;

	if (cap > (size_t)LONG_MAX)
		cap = (size_t)LONG_MAX;     /* so the result fits */
	for (;;) {
		if (nflags == 0) {
			if (n - ip < 4)
				return -1;
			flags = xpress_le32(in + ip);
			ip += 4;
			nflags = 32;
		}
		nflags--;
		if ((flags >> nflags & 1) == 0) {
			if (ip == n || op == cap)
				return -1;
			out[op++] = in[ip++];
			continue;
		}
		if (ip == n)
			return (long)op;        /* the end condition */
		if (n - ip < 2)
			return -1;

		uint32_t tok = xpress_le16(in + ip);
		size_t off = (tok >> 3) + 1;
		uint64_t len = tok & 7;

		ip += 2;
		if (len == 7) {
			if (half == 0) {
				/* ip >= 6 here, so 0 is free as "none". */
				if (ip == n)
					return -1;
				len = in[ip] & 15;
				half = ip++;
			} else {
				len = in[half] >> 4;
				half = 0;
			}
			if (len == 15) {
				if (ip == n)
					return -1;
				len = in[ip++];
				if (len == 255) {
					if (n - ip < 2)
						return -1;
					len = xpress_le16(in + ip);
					ip += 2;
					if (len == 0) {
						if (n - ip < 4)
							return -1;
						len = xpress_le32(in + ip);
						ip += 4;
					}
					if (len < 15 + 7)
						return -1;
					len -= 15 + 7;
				}
				len += 15;
			}
			len += 7;
		}
		len += XPRESS_MIN_MATCH;
		if (off > op || len > cap - op)
			return -1;
		if (off >= len) {
			memcpy(out + op, out + op - off, (size_t)len);
			op += (size_t)len;
		} else {
			/* Overlapping: byte by byte, each may copy a fresh one. */
			for (uint64_t k = 0; k < len; k++, op++)
				out[op] = out[op - off];
		}
	}
}

/* --- MS-WUSP framing ---------------------------------------------------- */

int
xpress_encode(const uint8_t *in, size_t n, uint8_t **out, size_t *outlen)
{
	struct xpress_ws *ws = NULL;
	uint8_t *buf = NULL;
	size_t nblocks, total, o = 0;
	int ret = -1;

	*out = NULL;
	*outlen = 0;
	/* Worst case: every block stored raw behind its header. */
	nblocks = n / XPRESS_BLOCK + (n % XPRESS_BLOCK != 0);
	if (nblocks > (SIZE_MAX - n) / XPRESS_HDR)
		goto out;
	total = n + nblocks * XPRESS_HDR;
	if ((ws = malloc(sizeof(*ws))) == NULL ||
	    (buf = malloc(total ? total : 1)) == NULL) {
		log_warn("%s: malloc", __func__);
		goto out;
	}
	for (size_t i = 0; i < n; ) {
		size_t len = n - i < XPRESS_BLOCK ? n - i : XPRESS_BLOCK;
		/* Room for len - 1 bytes only: "compressed" must be smaller. */
		long c = xpress_compress_ws(ws, in + i, len, buf + o + XPRESS_HDR,
		    len - 1);

		if (c < 0) {
			memcpy(buf + o + XPRESS_HDR, in + i, len);
			c = (long)len;
		}
		xpress_put_le32(buf + o, (uint32_t)len);
		xpress_put_le32(buf + o + 4, (uint32_t)c);
		o += XPRESS_HDR + (size_t)c;
		i += len;
	}
	*out = buf;
	*outlen = o;
	buf = NULL;
	ret = 0;
out:
	free(ws);
	free(buf);
	return ret;
}

/*
 * xpress_frame_check - walk the block headers of (in, n): each complete,
 * original 1..65535, compressed 1..65535 and inside the input, the sum of
 * originals <= max_out.  Sets *total to that sum.  Returns 0 or -1.
 */
static int
xpress_frame_check(const uint8_t *in, size_t n, size_t max_out, size_t *total)
{
	size_t pos = 0, sum = 0;

	while (pos < n) {
		if (n - pos < XPRESS_HDR) {
			log_debug("%s: truncated header at %zu", __func__, pos);
			return -1;
		}
		uint32_t orig = xpress_le32(in + pos);
		uint32_t comp = xpress_le32(in + pos + 4);

		if (orig == 0 || orig > XPRESS_FRAME_MAX || comp == 0 ||
		    comp > XPRESS_FRAME_MAX) {
			log_debug("%s: bad sizes %u/%u at %zu", __func__,
			    orig, comp, pos);
			return -1;
		}
		if (comp > n - pos - XPRESS_HDR) {
			log_debug("%s: block at %zu overruns the body",
			    __func__, pos);
			return -1;
		}
		if (orig > max_out - sum) {
			log_debug("%s: output over %zu bytes", __func__, max_out);
			return -1;
		}
		sum += orig;
		pos += XPRESS_HDR + comp;
	}
	*total = sum;
	return 0;
}

int
xpress_decode(const uint8_t *in, size_t n, size_t max_out,
    uint8_t **out, size_t *outlen)
{
	uint8_t *buf = NULL;
	size_t total = 0, pos = 0, o = 0;

	*out = NULL;
	*outlen = 0;
	if (xpress_frame_check(in, n, max_out, &total) == -1)
		return -1;
	if ((buf = malloc(total ? total : 1)) == NULL) {
		log_warn("%s: malloc", __func__);
		return -1;
	}
	/* Headers are known good now; only the payloads remain to check. */
	while (pos < n) {
		size_t orig = xpress_le32(in + pos);
		size_t comp = xpress_le32(in + pos + 4);
		const uint8_t *p = in + pos + XPRESS_HDR;

		if (comp == orig)
			memcpy(buf + o, p, orig);       /* stored block */
		else if (xpress_lz77_decompress(p, comp, buf + o, orig) !=
		    (long)orig) {
			log_debug("%s: block at %zu is corrupt", __func__, pos);
			free(buf);
			return -1;
		}
		o += orig;
		pos += XPRESS_HDR + comp;
	}
	*out = buf;
	*outlen = total;
	return 0;
}
