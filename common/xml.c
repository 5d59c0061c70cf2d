/*
 * xml.c - the bounded XML reader (the project's only expat user) and the
 * escaping writer.
 *
 * Owns: turning untrusted bytes into a small read-only tree, and turning a
 * tree or strings back into escaped XML text.
 *
 * Never does: DTDs of any kind, entity declarations, external entities,
 * namespace expansion, encodings other than UTF-8, or anything beyond the
 * caps in struct xml_limits.
 * A DOCTYPE stops the parse at its first byte, before expat reads an
 * internal subset, so entity expansion (billion laughs, external SYSTEM
 * entities) can never start; the remaining entity hooks stop the parse
 * too, and expat's amplification guard is armed as a second line.
 *
 * Memory: every node, name, attribute array and text of a document lives
 * in one arena (a chain of malloc'd blocks) owned by struct xml_doc and
 * released by xml_free in one sweep.  While an element is open its
 * character data grows in a per-depth scratch buffer, copied into the
 * arena when the element closes.  The tree is read-only after xml_parse.
 *
 * Caps are enforced as expat reports each event: input bytes before the
 * parser exists, nesting depth and element count in the start handler,
 * text size of one element in the character-data handler.  Nothing is
 * allocated for an event that breaks a cap.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>

#include "xml.h"

#define XML_BLOCK_BYTES   (16u << 10)  /* default arena block payload */
#define XML_ALIGN         sizeof(void *) /* alignment of arena allocations */
#define XML_FEED_BYTES    (1u << 20)   /* bytes handed to XML_Parse at once */
#define XML_AMPLIFICATION 10.0f        /* expat billion-laughs guard (defence in depth) */
#define XML_WBUF_MIN      256          /* smallest wbuf allocation, bytes */

/*
 * Added in expat 2.4.0 and only declared when the including program
 * defines XML_DTD (expat_config.h is private).  Weak, so a library built
 * without it leaves the pointer NULL and the call is skipped.
 */
XMLPARSEAPI(XML_Bool) XML_SetBillionLaughsAttackProtectionMaximumAmplification(
    XML_Parser parser, float maximumAmplificationFactor) __attribute__((weak));

struct xml_block {
	struct xml_block *next;
	size_t            cap, used;
	max_align_t       data[];     /* cap bytes */
};

struct xml_doc {
	struct xml_block *blocks;     /* newest first */
	struct xml_node  *root;
};

/* An open element: the node and the character data gathered so far. */
struct xml_open {
	struct xml_node *node;
	char            *buf;         /* scratch, reused at this depth */
	size_t           len, cap;
};

/* Parse state shared with the expat handlers. */
struct xml_ctx {
	XML_Parser               p;
	struct xml_doc          *doc;
	const struct xml_limits *lim;
	struct xml_open         *open;    /* stack, max_depth entries */
	unsigned                 depth;   /* open elements */
	unsigned                 nelem;   /* elements seen */
	int                      failed;  /* a handler stopped the parser */
	char                    *err;
	size_t                   errlen;
};

/* --- arena ---------------------------------------------------------------- */

/*
 * xml_alloc - n bytes from d's arena, aligned for pointers and size_t.
 * Returns NULL when malloc fails (or n is absurd); the memory lives until
 * xml_free(d).
 */
static void *
xml_alloc(struct xml_doc *d, size_t n)
{
	struct xml_block *b = d->blocks;
	size_t            off, cap;

	if (n > SIZE_MAX / 2)
		return NULL;
	if (b != NULL) {
		off = (b->used + XML_ALIGN - 1) & ~(XML_ALIGN - 1);
		if (off <= b->cap && b->cap - off >= n) {
			b->used = off + n;
			return (char *)b->data + off;
		}
	}
	cap = n > XML_BLOCK_BYTES ? n : XML_BLOCK_BYTES;
	if ((b = malloc(sizeof(*b) + cap)) == NULL)
		return NULL;
	b->cap = cap;
	b->used = n;
	b->next = d->blocks;
	d->blocks = b;
	return b->data;
}

/* xml_strndup - copy (s, n) into the arena with a NUL; NULL on failure. */
static char *
xml_strndup(struct xml_doc *d, const char *s, size_t n)
{
	char *p;

	if ((p = xml_alloc(d, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
xml_free(struct xml_doc *d)
{
	struct xml_block *b, *next;

	if (d == NULL)
		return;
	for (b = d->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(d);
}

struct xml_node *
xml_root(const struct xml_doc *d)
{
	return d == NULL ? NULL : d->root;
}

/* --- handlers --------------------------------------------------------------- */

/*
 * xml_fail - record the first error (prefixed with the parser position)
 * and stop expat.  Later calls keep the first message.
 */
static void xml_fail(struct xml_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
xml_fail(struct xml_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char    msg[256];

	if (c->failed)
		return;
	c->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->errlen > 0)
		snprintf(c->err, c->errlen, "line %lu column %lu: %s",
		    (unsigned long)XML_GetCurrentLineNumber(c->p),
		    (unsigned long)XML_GetCurrentColumnNumber(c->p) + 1, msg);
	XML_StopParser(c->p, XML_FALSE);
}

static void XMLCALL
xml_on_start(void *arg, const XML_Char *name, const XML_Char **atts)
{
	struct xml_ctx  *c = arg;
	struct xml_node *n, *parent;
	const char      *colon;
	unsigned         na, i;

	if (c->failed)
		return;
	if (c->depth >= c->lim->max_depth) {
		xml_fail(c, "XML nesting deeper than %u", c->lim->max_depth);
		return;
	}
	if (c->nelem >= c->lim->max_elements) {
		xml_fail(c, "XML has more than %u elements", c->lim->max_elements);
		return;
	}
	c->nelem++;

	for (na = 0; atts[2 * na] != NULL; na++)
		;
	if ((n = xml_alloc(c->doc, sizeof(*n))) == NULL)
		goto oom;
	memset(n, 0, sizeof(*n));
	if ((n->name = xml_strndup(c->doc, name, strlen(name))) == NULL)
		goto oom;
	colon = strrchr(n->name, ':');
	n->local = colon != NULL ? colon + 1 : n->name;
	n->text = "";
	if (na > 0) {
		if ((n->attrs = xml_alloc(c->doc, na * sizeof(*n->attrs))) == NULL)
			goto oom;
		for (i = 0; i < na; i++) {
			n->attrs[i].name = xml_strndup(c->doc, atts[2 * i],
			    strlen(atts[2 * i]));
			n->attrs[i].value = xml_strndup(c->doc, atts[2 * i + 1],
			    strlen(atts[2 * i + 1]));
			if (n->attrs[i].name == NULL || n->attrs[i].value == NULL)
				goto oom;
		}
		n->nattrs = na;
	}

	if (c->depth == 0) {
		c->doc->root = n;
	} else {
		parent = c->open[c->depth - 1].node;
		n->parent = parent;
		if (parent->last != NULL)
			parent->last->next = n;
		else
			parent->first = n;
		parent->last = n;
	}
	c->open[c->depth].node = n;
	c->open[c->depth].len = 0;
	c->depth++;
	return;
oom:
	xml_fail(c, "out of memory");
}

static void XMLCALL
xml_on_end(void *arg, const XML_Char *name)
{
	struct xml_ctx  *c = arg;
	struct xml_open *o;

	(void)name;
	if (c->failed || c->depth == 0)
		return;
	o = &c->open[c->depth - 1];
	if (o->len > 0) {
		if ((o->node->text = xml_strndup(c->doc, o->buf, o->len)) == NULL) {
			xml_fail(c, "out of memory");
			return;
		}
		o->node->text_len = o->len;
	}
	c->depth--;
}

static void XMLCALL
xml_on_text(void *arg, const XML_Char *s, int len)
{
	struct xml_ctx  *c = arg;
	struct xml_open *o;
	size_t           n = (size_t)len, ncap;
	char            *nb;

	if (c->failed || c->depth == 0 || len <= 0)
		return;
	o = &c->open[c->depth - 1];
	if (n > c->lim->max_text || o->len > c->lim->max_text - n) {
		xml_fail(c, "XML text of element <%s> longer than %zu bytes",
		    o->node->name, c->lim->max_text);
		return;
	}
	if (o->len + n > o->cap) {
		ncap = o->cap ? o->cap : 64;
		while (ncap < o->len + n)
			ncap *= 2;
		if ((nb = realloc(o->buf, ncap)) == NULL) {
			xml_fail(c, "out of memory");
			return;
		}
		o->buf = nb;
		o->cap = ncap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void XMLCALL
xml_on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	(void)name; (void)sysid; (void)pubid; (void)has_internal_subset;
	xml_fail(arg, "DOCTYPE not allowed");
}

static void XMLCALL
xml_on_entity_decl(void *arg, const XML_Char *name, int is_param,
    const XML_Char *value, int value_len, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	(void)name; (void)is_param; (void)value; (void)value_len; (void)base;
	(void)sysid; (void)pubid; (void)notation;
	xml_fail(arg, "entity declaration not allowed");
}

static void XMLCALL
xml_on_unparsed(void *arg, const XML_Char *name, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	(void)name; (void)base; (void)sysid; (void)pubid; (void)notation;
	xml_fail(arg, "unparsed entity declaration not allowed");
}

static void XMLCALL
xml_on_notation(void *arg, const XML_Char *name, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid)
{
	(void)name; (void)base; (void)sysid; (void)pubid;
	xml_fail(arg, "notation declaration not allowed");
}

static void XMLCALL
xml_on_skipped(void *arg, const XML_Char *name, int is_param)
{
	(void)is_param;
	xml_fail(arg, "entity reference &%s; not allowed", name);
}

/*
 * The parser is created for UTF-8 only, whatever the document declares:
 * WUA, WSUS and Microsoft Update all send UTF-8, and expat's Latin-1 name
 * table accepts characters its UTF-8 table refuses, so names read from a
 * Latin-1 document could not be written back as well-formed UTF-8.  A
 * declaration naming another encoding gets a clear refusal here.  (expat
 * still honours a UTF-16 byte-order mark; its UTF-16 and UTF-8 name
 * tables agree, so that stays harmless.)
 */
static void XMLCALL
xml_on_decl(void *arg, const XML_Char *version, const XML_Char *encoding,
    int standalone)
{
	(void)version; (void)standalone;
	if (encoding != NULL && strcasecmp(encoding, "UTF-8") != 0 &&
	    strcasecmp(encoding, "US-ASCII") != 0)
		xml_fail(arg, "encoding \"%.32s\" not supported (UTF-8 only)",
		    encoding);
}

/* External entities are never fetched: refuse (expat then fails the parse). */
static int XMLCALL
xml_on_external(XML_Parser p, const XML_Char *context, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid)
{
	(void)p; (void)context; (void)base; (void)sysid; (void)pubid;
	return XML_STATUS_ERROR;
}

/* --- parse ------------------------------------------------------------------ */

/*
 * xml_parse - see xml.h.  The document and everything in it is owned by
 * the caller (xml_free).  Input larger than lim->max_bytes is refused
 * before a parser is created.
 */
struct xml_doc *
xml_parse(const char *buf, size_t len, const struct xml_limits *lim,
    char *err, size_t errlen)
{
	struct xml_ctx  c;
	struct xml_doc *d = NULL;
	size_t          off, chunk;
	unsigned        i;
	int             ok = 0, last;

	memset(&c, 0, sizeof(c));
	c.err = err;
	c.errlen = errlen;
	c.lim = lim;
	if (errlen > 0)
		err[0] = '\0';

	if (len > lim->max_bytes) {
		snprintf(err, errlen, "XML input of %zu bytes exceeds %zu bytes",
		    len, lim->max_bytes);
		goto out;
	}
	if (lim->max_depth == 0 || lim->max_elements == 0) {
		snprintf(err, errlen, "XML limits allow no element");
		goto out;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (c.open = calloc(lim->max_depth, sizeof(*c.open))) == NULL ||
	    (c.p = XML_ParserCreate("UTF-8")) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	c.doc = d;

	XML_SetUserData(c.p, &c);
	XML_SetElementHandler(c.p, xml_on_start, xml_on_end);
	XML_SetCharacterDataHandler(c.p, xml_on_text);
	XML_SetXmlDeclHandler(c.p, xml_on_decl);
	XML_SetStartDoctypeDeclHandler(c.p, xml_on_doctype);
	XML_SetEntityDeclHandler(c.p, xml_on_entity_decl);
	XML_SetUnparsedEntityDeclHandler(c.p, xml_on_unparsed);
	XML_SetNotationDeclHandler(c.p, xml_on_notation);
	XML_SetSkippedEntityHandler(c.p, xml_on_skipped);
	XML_SetExternalEntityRefHandler(c.p, xml_on_external);
	XML_SetParamEntityParsing(c.p, XML_PARAM_ENTITY_PARSING_NEVER);
	if (XML_SetBillionLaughsAttackProtectionMaximumAmplification != NULL)
		XML_SetBillionLaughsAttackProtectionMaximumAmplification(c.p,
		    XML_AMPLIFICATION);

	/* Feed in bounded chunks: XML_Parse takes an int length. */
	off = 0;
	do {
		chunk = len - off > XML_FEED_BYTES ? XML_FEED_BYTES : len - off;
		last = off + chunk == len;
		if (XML_Parse(c.p, buf + off, (int)chunk, last) !=
		    XML_STATUS_OK) {
			if (!c.failed && errlen > 0)
				snprintf(err, errlen, "line %lu column %lu: %s",
				    (unsigned long)XML_GetCurrentLineNumber(c.p),
				    (unsigned long)XML_GetCurrentColumnNumber(c.p) + 1,
				    XML_ErrorString(XML_GetErrorCode(c.p)));
			goto out;
		}
		off += chunk;
	} while (!last);
	if (c.failed || d->root == NULL) {
		if (!c.failed)
			snprintf(err, errlen, "no root element");
		goto out;
	}
	ok = 1;
out:
	if (c.open != NULL) {
		for (i = 0; i < lim->max_depth; i++)
			free(c.open[i].buf);
		free(c.open);
	}
	if (c.p != NULL)
		XML_ParserFree(c.p);
	if (!ok) {
		xml_free(d);
		d = NULL;
	}
	return d;
}

/* --- navigation ------------------------------------------------------------- */

struct xml_node *
xml_child(const struct xml_node *n, const char *local)
{
	struct xml_node *k;

	if (n == NULL)
		return NULL;
	for (k = n->first; k != NULL; k = k->next)
		if (strcmp(k->local, local) == 0)
			return k;
	return NULL;
}

struct xml_node *
xml_next_same(const struct xml_node *n)
{
	struct xml_node *k;

	if (n == NULL)
		return NULL;
	for (k = n->next; k != NULL; k = k->next)
		if (strcmp(k->local, n->local) == 0)
			return k;
	return NULL;
}

struct xml_node *
xml_path(const struct xml_node *n, ...)
{
	va_list     ap;
	const char *local;

	va_start(ap, n);
	while (n != NULL && (local = va_arg(ap, const char *)) != NULL)
		n = xml_child(n, local);
	va_end(ap);
	return (struct xml_node *)n;
}

const char *
xml_attr(const struct xml_node *n, const char *name)
{
	unsigned i;

	if (n == NULL)
		return NULL;
	for (i = 0; i < n->nattrs; i++)
		if (strcmp(n->attrs[i].name, name) == 0)
			return n->attrs[i].value;
	return NULL;
}

unsigned
xml_count(const struct xml_node *n, const char *local)
{
	struct xml_node *k;
	unsigned         cnt = 0;

	if (n == NULL)
		return 0;
	for (k = n->first; k != NULL; k = k->next)
		if (strcmp(k->local, local) == 0)
			cnt++;
	return cnt;
}

/* --- writer ----------------------------------------------------------------- */

void
wbuf_init(struct wbuf *b, size_t hint)
{
	memset(b, 0, sizeof(*b));
	if (hint < XML_WBUF_MIN)
		hint = XML_WBUF_MIN;
	if ((b->p = malloc(hint)) == NULL)
		b->oom = 1;
	else
		b->cap = hint;
}

void
wbuf_free(struct wbuf *b)
{
	if (b == NULL)
		return;
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/*
 * wbuf_reserve - make room for n more bytes plus a NUL.  Returns 0, or -1
 * after setting oom (the buffer then drops every later write).
 */
static int
wbuf_reserve(struct wbuf *b, size_t n)
{
	size_t ncap;
	char  *np;

	if (b->oom)
		return -1;
	if (n < b->cap - b->len && b->p != NULL)
		return 0;
	if (n > SIZE_MAX / 4 - b->len) {
		b->oom = 1;
		return -1;
	}
	ncap = b->cap ? b->cap : XML_WBUF_MIN;
	while (ncap <= b->len + n)
		ncap *= 2;
	if ((np = realloc(b->p, ncap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

void
wbuf_put(struct wbuf *b, const void *s, size_t n)
{
	if (n == 0 || wbuf_reserve(b, n) == -1)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void
wbuf_putc(struct wbuf *b, char c)
{
	wbuf_put(b, &c, 1);
}

void
wbuf_puts(struct wbuf *b, const char *s)
{
	wbuf_put(b, s, strlen(s));
}

void
wbuf_printf(struct wbuf *b, const char *fmt, ...)
{
	va_list ap;
	int     n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if (wbuf_reserve(b, (size_t)n) == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * wbuf_esc_with - append (s, n), replacing each byte that has an entry in
 * the table by that entry.  Runs of plain bytes are copied in one go.
 */
static void
wbuf_esc_with(struct wbuf *b, const char *s, size_t n,
    const char *(*rep)(unsigned char))
{
	size_t      i, run = 0;
	const char *r;

	for (i = 0; i < n; i++) {
		if ((r = rep((unsigned char)s[i])) == NULL)
			continue;
		wbuf_put(b, s + run, i - run);
		wbuf_puts(b, r);
		run = i + 1;
	}
	wbuf_put(b, s + run, n - run);
}

static const char *
xml_rep_all(unsigned char ch)
{
	switch (ch) {
	case '&':  return "&amp;";
	case '<':  return "&lt;";
	case '>':  return "&gt;";
	case '"':  return "&quot;";
	case '\'': return "&apos;";
	default:   return NULL;
	}
}

/* Character data as .NET's XmlWriter writes it; \r would be lost to
 * end-of-line normalisation on the way back in, so it is a reference. */
static const char *
xml_rep_text(unsigned char ch)
{
	switch (ch) {
	case '&':  return "&amp;";
	case '<':  return "&lt;";
	case '>':  return "&gt;";
	case '\r': return "&#xD;";
	default:   return NULL;
	}
}

/* Attribute values as .NET writes them; literal tab/CR/LF would be
 * normalised to spaces by the next reader, so they are references. */
static const char *
xml_rep_attr(unsigned char ch)
{
	switch (ch) {
	case '&':  return "&amp;";
	case '<':  return "&lt;";
	case '>':  return "&gt;";
	case '"':  return "&quot;";
	case '\t': return "&#x9;";
	case '\n': return "&#xA;";
	case '\r': return "&#xD;";
	default:   return NULL;
	}
}

void
wbuf_esc(struct wbuf *b, const char *s, size_t n)
{
	wbuf_esc_with(b, s, n, xml_rep_all);
}

void
wbuf_esc_text(struct wbuf *b, const char *s, size_t n)
{
	wbuf_esc_with(b, s, n, xml_rep_text);
}

void
wbuf_esc_attr(struct wbuf *b, const char *s, size_t n)
{
	wbuf_esc_with(b, s, n, xml_rep_attr);
}

char *
wbuf_take(struct wbuf *b, size_t *len)
{
	char *p;

	if (wbuf_reserve(b, 0) == -1) {
		wbuf_free(b);
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	b->p[b->len] = '\0';
	p = b->p;
	if (len != NULL)
		*len = b->len;
	memset(b, 0, sizeof(*b));
	return p;
}

/* xml_write_open - "<name a="v" ..." (no closing bracket). */
static void
xml_write_open(struct wbuf *b, const struct xml_node *n)
{
	unsigned i;

	wbuf_putc(b, '<');
	wbuf_puts(b, n->name);
	for (i = 0; i < n->nattrs; i++) {
		wbuf_putc(b, ' ');
		wbuf_puts(b, n->attrs[i].name);
		wbuf_put(b, "=\"", 2);
		wbuf_esc_attr(b, n->attrs[i].value, strlen(n->attrs[i].value));
		wbuf_putc(b, '"');
	}
}

/*
 * xml_write - see xml.h.  Walks the subtree without recursion (parent and
 * sibling links), so any depth the reader accepted is safe here.
 */
void
xml_write(struct wbuf *b, const struct xml_node *top)
{
	const struct xml_node *n = top;

	if (n == NULL)
		return;
	for (;;) {
		/* Enter n. */
		xml_write_open(b, n);
		if (n->first == NULL && n->text_len == 0) {
			wbuf_put(b, " />", 3);
		} else {
			wbuf_putc(b, '>');
			wbuf_esc_text(b, n->text, n->text_len);
			if (n->first != NULL) {
				n = n->first;
				continue;
			}
			wbuf_put(b, "</", 2);
			wbuf_puts(b, n->name);
			wbuf_putc(b, '>');
		}
		/* n is finished: go to its next sibling, closing parents. */
		while (n != top && n->next == NULL) {
			n = n->parent;
			wbuf_put(b, "</", 2);
			wbuf_puts(b, n->name);
			wbuf_putc(b, '>');
		}
		if (n == top)
			return;
		n = n->next;
	}
}
