/*
 * xml.h - the project's XML: a bounded reader (the only expat user) that
 * builds a small read-only tree, and an escaping writer.
 *
 * The reader is the pre-authentication attack surface (CVE-2025-59287 was
 * a deserialiser): no DTD, no entity other than the five predefined ones
 * and character references, no external anything, and hard caps on bytes,
 * depth, element count and text size, all checked before allocating.
 * Namespaces are not expanded: names are kept as written ("s:Envelope")
 * and lookups use the local part, so prefixes never matter to callers.
 */
#ifndef WSUSD_XML_H
#define WSUSD_XML_H

#include <stdarg.h>
#include <stddef.h>

struct xml_limits {
	size_t   max_bytes;      /* input size */
	unsigned max_depth;      /* element nesting */
	unsigned max_elements;   /* elements in the document */
	size_t   max_text;       /* character data of one element */
};

struct xml_attr {
	const char *name;        /* as written, e.g. "xmlns:bar", "UpdateID" */
	const char *value;       /* entity-decoded */
};

struct xml_node {
	const char      *name;   /* qualified name as written */
	const char      *local;  /* part after the last ':' (points into name) */
	const char      *text;   /* this element's own character data, "" if none */
	size_t           text_len;
	struct xml_attr *attrs;  /* in document order */
	unsigned         nattrs;
	struct xml_node *parent, *first, *last, *next;   /* children, siblings */
};

struct xml_doc;

/*
 * xml_parse - parse (buf, len) under lim into a tree owned by the returned
 * document (xml_free).  NULL on any error, with a reason (and the byte
 * offset) in err: malformed XML, a DOCTYPE, an entity declaration or
 * reference other than the predefined five, or a limit exceeded.
 */
struct xml_doc  *xml_parse(const char *buf, size_t len,
    const struct xml_limits *lim, char *err, size_t errlen);
void             xml_free(struct xml_doc *d);          /* accepts NULL */
struct xml_node *xml_root(const struct xml_doc *d);

/* First child of n whose local name is local (NULL: none). */
struct xml_node *xml_child(const struct xml_node *n, const char *local);
/* Next sibling after n with the same local name as n (NULL: none). */
struct xml_node *xml_next_same(const struct xml_node *n);
/* Follow a path of local names from n: xml_path(n, "Body", "GetConfig", NULL). */
struct xml_node *xml_path(const struct xml_node *n, ...);
/* Value of attribute name (exact, as written), or NULL. */
const char      *xml_attr(const struct xml_node *n, const char *name);
/* Number of children with local name local. */
unsigned         xml_count(const struct xml_node *n, const char *local);

/* --- writer ------------------------------------------------------------ */

/* A growing output buffer.  On allocation failure it sets oom and drops
 * further writes, so callers check once at the end. */
struct wbuf {
	char   *p;
	size_t  len, cap;
	int     oom;
};

void wbuf_init(struct wbuf *b, size_t hint);
void wbuf_free(struct wbuf *b);                           /* accepts NULL */
void wbuf_put(struct wbuf *b, const void *s, size_t n);
void wbuf_puts(struct wbuf *b, const char *s);
void wbuf_printf(struct wbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Character data or attribute value, escaped (& < > " '). */
void wbuf_esc(struct wbuf *b, const char *s, size_t n);
void wbuf_putc(struct wbuf *b, char c);
/* Character data escaped as .NET's XmlWriter does: & < > and CR as "&#xD;". */
void wbuf_esc_text(struct wbuf *b, const char *s, size_t n);
/* Attribute value escaped as .NET does: & < > " and TAB/LF/CR as
 * "&#x9;" "&#xA;" "&#xD;" (so they survive attribute normalisation). */
void wbuf_esc_attr(struct wbuf *b, const char *s, size_t n);
/* Take the buffer (NUL-terminated, caller frees); NULL after oom. */
char *wbuf_take(struct wbuf *b, size_t *len);

/*
 * xml_write - serialise the subtree at n (element, attributes in order
 * with escaped values, own text then children; empty elements as
 * "<x ... />" like .NET) into b.
 */
void xml_write(struct wbuf *b, const struct xml_node *n);

#endif
