/*
 * updatedoc.c - a whole update document in, one struct store_import out:
 * identity, kind, relationships, files, and the MS-WUSP fragments.
 *
 * Owns: the rules that derive the Core, Extended and LocalizedProperties
 * fragments from the document (MS-WUSP 3.1.1.1), checked byte for byte
 * against the fragments a real WSUS (Windows Server 2025) served for the
 * same revision (tests/unit/test_updatedoc.c):
 *
 *  - names lose their namespace prefix; elements in the Base, Msi and
 *    WindowsDriver applicability namespaces get "b.", "m." and "d." in
 *    front of the local name; "xmlns:p" declarations are dropped, and so
 *    is a default "xmlns" for one of the msus/2002/12 namespaces (one for
 *    another namespace, e.g. the MSI patch schema, stays: real WSUS keeps
 *    it); prefixed attributes keep their local name (xsi:type -> type);
 *  - Core = UpdateIdentity, Properties with only UpdateType,
 *    ExplicitlyDeployable, AutoSelectOnWebSites, OSUpgrade and EulaID
 *    (in that order), Relationships, ApplicabilityRules;
 *  - Extended = Properties renamed ExtendedProperties without UpdateType,
 *    ExplicitlyDeployable, AutoSelectOnWebSites, EulaID, PublicationState,
 *    PublisherID, CreationDate, IsPublic, LegacyName, DetectoidType and
 *    OSUpgrade but with its child elements, then Files, then
 *    HandlerSpecificData;
 *  - attributes holding their schema default (ExplicitlyDeployable,
 *    AutoSelectOnWebSites, OSUpgrade, PerUser "false"; IsPublic "true")
 *    appear in neither fragment;
 *  - one LocalizedProperties fragment per LocalizedPropertiesCollection
 *    entry, its locale the Language child;
 *  - written as .NET writes XML: no declaration, "<x />" for an empty
 *    element, whitespace-only text dropped, & < > (and " in attributes)
 *    escaped.
 *
 * Never does: I/O, SQL, or trust the document: every count is bounded by
 * the parse limits below, every id and digest is validated before it is
 * copied into the fixed-size store structs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "store.h"
#include "xml.h"

/* Parse limits for one update document (from an upstream or a file). */
#define UPDATEDOC_MAX_BYTES     (4u << 20)  /* document size, bytes */
#define UPDATEDOC_MAX_DEPTH     64          /* element nesting */
#define UPDATEDOC_MAX_ELEMENTS  100000      /* elements in the document */
#define UPDATEDOC_MAX_TEXT      (1u << 20)  /* character data of one element, bytes */
#define UPDATEDOC_MAX_ATTRS     256         /* attributes of one element */
#define UPDATEDOC_MAX_NS_SCOPE  128         /* namespace declarations in scope */
#define UPDATEDOC_MAX_LANGS     256         /* LocalizedProperties entries */
#define UPDATEDOC_FRAG_HINT     4096        /* initial fragment buffer, bytes */

#define UPDATEDOC_NS_MSUS  "http://schemas.microsoft.com/msus/2002/12/"

/* Applicability namespaces whose elements keep a short prefix (MS-WUSP 3.1.1.1). */
static const struct {
	const char *ns;
	const char *prefix;
} updatedoc_prefixes[] = {
	{ UPDATEDOC_NS_MSUS "BaseApplicabilityRules", "b." },
	{ UPDATEDOC_NS_MSUS "MsiApplicabilityRules", "m." },
	{ UPDATEDOC_NS_MSUS "UpdateHandlers/WindowsDriver", "d." },
};

/* Properties attributes the Core fragment keeps, in the order written. */
static const char *const updatedoc_core_attrs[] = {
	"UpdateType", "ExplicitlyDeployable", "AutoSelectOnWebSites",
	"OSUpgrade", "EulaID",
};

/* Properties attributes the Extended fragment leaves out. */
static const char *const updatedoc_ext_drop[] = {
	"UpdateType", "ExplicitlyDeployable", "AutoSelectOnWebSites", "EulaID",
	"PublicationState", "PublisherID", "CreationDate", "IsPublic",
	"LegacyName", "DetectoidType", "OSUpgrade",
};

/* Properties attributes left out of both fragments when they hold this value. */
static const struct {
	const char *name;
	const char *value;
} updatedoc_defaults[] = {
	{ "ExplicitlyDeployable", "false" },
	{ "AutoSelectOnWebSites", "false" },
	{ "OSUpgrade", "false" },
	{ "PerUser", "false" },
	{ "IsPublic", "true" },
};

static const struct {
	const char      *name;
	enum store_kind  kind;
} updatedoc_kinds[] = {
	{ "Software", STORE_KIND_SOFTWARE },
	{ "Driver", STORE_KIND_DRIVER },
	{ "Detectoid", STORE_KIND_DETECTOID },
	{ "Category", STORE_KIND_CATEGORY },
};

struct updatedoc {
	struct store_import      imp;
	char                    *core, *extended;
	struct store_localized  *loc;
	char                   **locxml;        /* owned texts behind loc[i].xml */
	struct store_prereq     *prereq;
	char                   (*bundled)[STORE_GUID_LEN + 1];
	char                   (*superseded)[STORE_GUID_LEN + 1];
	struct store_file       *files;
};

/* Namespace declarations in scope while a fragment is written. */
struct updatedoc_scope {
	const char *prefix[UPDATEDOC_MAX_NS_SCOPE];   /* "" for the default */
	const char *uri[UPDATEDOC_MAX_NS_SCOPE];
	unsigned    n;
};

#define UPDATEDOC_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* --- small helpers ---------------------------------------------------------- */

static int
updatedoc_in(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static int
updatedoc_is_default(const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < UPDATEDOC_NELEM(updatedoc_defaults); i++)
		if (strcmp(name, updatedoc_defaults[i].name) == 0 &&
		    strcmp(value, updatedoc_defaults[i].value) == 0)
			return 1;
	return 0;
}

static int
updatedoc_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

static int
updatedoc_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * updatedoc_guid - s as a canonical lowercase GUID (8-4-4-4-12 hex digits,
 * no braces) into out.  Returns 0, or -1 if s is anything else.
 */
static int
updatedoc_guid(const char *s, char out[STORE_GUID_LEN + 1])
{
	size_t i;

	if (s == NULL || strlen(s) != STORE_GUID_LEN)
		return -1;
	for (i = 0; i < STORE_GUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
		} else if (!updatedoc_hex((unsigned char)s[i]))
			return -1;
		out[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] - 'A' + 'a') :
		    s[i];
	}
	out[STORE_GUID_LEN] = '\0';
	return 0;
}

/*
 * updatedoc_u64 - s as a decimal number no greater than max: digits only,
 * no sign, no blanks, no overflow.  Returns 0 or -1.
 */
static int
updatedoc_u64(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t n = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (n > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return 0;
}

/* updatedoc_copy - s into dst[cap] whole; -1 if it does not fit. */
static int
updatedoc_copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* updatedoc_trunc - s into dst[cap], cut at a UTF-8 character boundary. */
static void
updatedoc_trunc(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* --- names and namespaces --------------------------------------------------- */

/*
 * updatedoc_scope_push - add n's namespace declarations to sc.  Returns 0,
 * or -1 (with err) when the element has too many attributes or too many
 * declarations would be in scope.
 */
static int
updatedoc_scope_push(struct updatedoc_scope *sc, const struct xml_node *n,
    char *err, size_t errlen)
{
	const char *name;
	unsigned    i;

	if (n->nattrs > UPDATEDOC_MAX_ATTRS) {
		snprintf(err, errlen, "<%s> has more than %u attributes",
		    n->name, UPDATEDOC_MAX_ATTRS);
		return -1;
	}
	for (i = 0; i < n->nattrs; i++) {
		name = n->attrs[i].name;
		if (strncmp(name, "xmlns", 5) != 0 ||
		    (name[5] != '\0' && name[5] != ':'))
			continue;
		if (sc->n == UPDATEDOC_MAX_NS_SCOPE) {
			snprintf(err, errlen, "more than %u namespace "
			    "declarations in scope at <%s>",
			    UPDATEDOC_MAX_NS_SCOPE, n->name);
			return -1;
		}
		sc->prefix[sc->n] = name[5] == ':' ? name + 6 : "";
		sc->uri[sc->n] = n->attrs[i].value;
		sc->n++;
	}
	return 0;
}

/* updatedoc_scope_enter - push the declarations of n's ancestors, outermost first. */
static int
updatedoc_scope_enter(struct updatedoc_scope *sc, const struct xml_node *n,
    char *err, size_t errlen)
{
	if (n == NULL)
		return 0;
	if (updatedoc_scope_enter(sc, n->parent, err, errlen) == -1)
		return -1;
	return updatedoc_scope_push(sc, n, err, errlen);
}

/* The namespace bound to the prefix (plen bytes of p) in sc, or NULL. */
static const char *
updatedoc_scope_find(const struct updatedoc_scope *sc, const char *p,
    size_t plen)
{
	unsigned i;

	for (i = sc->n; i-- > 0;)
		if (strlen(sc->prefix[i]) == plen &&
		    memcmp(sc->prefix[i], p, plen) == 0)
			return sc->uri[i];
	return NULL;
}

/* The fragment prefix ("b.", "m.", "d." or "") of element n. */
static const char *
updatedoc_elprefix(const struct updatedoc_scope *sc, const struct xml_node *n)
{
	size_t      plen = n->local == n->name ? 0 :
	    (size_t)(n->local - n->name) - 1;
	const char *uri = updatedoc_scope_find(sc, n->name, plen);
	size_t      i;

	if (uri == NULL)
		return "";
	for (i = 0; i < UPDATEDOC_NELEM(updatedoc_prefixes); i++)
		if (strcmp(uri, updatedoc_prefixes[i].ns) == 0)
			return updatedoc_prefixes[i].prefix;
	return "";
}

/*
 * updatedoc_attr_name - the name attribute a has in a fragment, or NULL
 * when it is dropped (a namespace declaration real WSUS does not keep).
 */
static const char *
updatedoc_attr_name(const struct xml_attr *a)
{
	const char *colon;

	if (strncmp(a->name, "xmlns:", 6) == 0)
		return NULL;
	if (strcmp(a->name, "xmlns") == 0)
		return strncmp(a->value, UPDATEDOC_NS_MSUS,
		    sizeof(UPDATEDOC_NS_MSUS) - 1) == 0 ? NULL : "xmlns";
	colon = strrchr(a->name, ':');
	return colon != NULL ? colon + 1 : a->name;
}

/*
 * updatedoc_write_attrs - n's attributes with fragment names, in document
 * order.  With props set, those the Extended fragment drops are skipped.
 * Returns 0, or -1 when two attributes end up with the same name.
 */
static int
updatedoc_write_attrs(struct wbuf *b, const struct xml_node *n, int props,
    char *err, size_t errlen)
{
	const char *out[UPDATEDOC_MAX_ATTRS];
	const char *name;
	unsigned    i, j, nout = 0;

	for (i = 0; i < n->nattrs && i < UPDATEDOC_MAX_ATTRS; i++) {
		if ((name = updatedoc_attr_name(&n->attrs[i])) == NULL)
			continue;
		if (props && (updatedoc_in(name, updatedoc_ext_drop,
		    UPDATEDOC_NELEM(updatedoc_ext_drop)) ||
		    updatedoc_is_default(name, n->attrs[i].value)))
			continue;
		for (j = 0; j < nout; j++)
			if (strcmp(out[j], name) == 0) {
				snprintf(err, errlen, "attributes of <%s> "
				    "collide as \"%s\" without prefixes",
				    n->name, name);
				return -1;
			}
		out[nout++] = name;
		wbuf_putc(b, ' ');
		wbuf_puts(b, name);
		wbuf_put(b, "=\"", 2);
		wbuf_esc_attr(b, n->attrs[i].value, strlen(n->attrs[i].value));
		wbuf_putc(b, '"');
	}
	return 0;
}

static int updatedoc_emit(struct wbuf *b, struct updatedoc_scope *sc,
    const struct xml_node *n, char *err, size_t errlen);

/*
 * updatedoc_content - what follows an open tag: " />" when n has neither
 * children nor text that is not blank, else ">", the text, the children
 * and "</pfx name>".  Returns 0 or -1.
 */
static int
updatedoc_content(struct wbuf *b, struct updatedoc_scope *sc,
    const struct xml_node *n, const char *pfx, const char *name, char *err,
    size_t errlen)
{
	const struct xml_node *k;
	int                    text = !updatedoc_blank(n->text, n->text_len);

	if (n->first == NULL && !text) {
		wbuf_put(b, " />", 3);
		return 0;
	}
	wbuf_putc(b, '>');
	if (text)
		wbuf_esc_text(b, n->text, n->text_len);
	for (k = n->first; k != NULL; k = k->next)
		if (updatedoc_emit(b, sc, k, err, errlen) == -1)
			return -1;
	wbuf_put(b, "</", 2);
	wbuf_puts(b, pfx);
	wbuf_puts(b, name);
	wbuf_putc(b, '>');
	return 0;
}

/*
 * updatedoc_emit - n and its subtree as fragment XML.  sc holds the
 * declarations of n's ancestors; n's own are in scope only while n is
 * written.  Recursion is bounded by UPDATEDOC_MAX_DEPTH.
 */
static int
updatedoc_emit(struct wbuf *b, struct updatedoc_scope *sc,
    const struct xml_node *n, char *err, size_t errlen)
{
	unsigned    saved = sc->n;
	const char *pfx;
	int         rc = -1;

	if (updatedoc_scope_push(sc, n, err, errlen) == -1)
		goto out;
	pfx = updatedoc_elprefix(sc, n);
	wbuf_putc(b, '<');
	wbuf_puts(b, pfx);
	wbuf_puts(b, n->local);
	if (updatedoc_write_attrs(b, n, 0, err, errlen) == -1 ||
	    updatedoc_content(b, sc, n, pfx, n->local, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	sc->n = saved;
	return rc;
}

/* updatedoc_emit_top - n (a child of the document root) with its scope. */
static int
updatedoc_emit_top(struct wbuf *b, const struct xml_node *n, char *err,
    size_t errlen)
{
	struct updatedoc_scope sc;

	if (n == NULL)
		return 0;
	sc.n = 0;
	if (updatedoc_scope_enter(&sc, n->parent, err, errlen) == -1)
		return -1;
	return updatedoc_emit(b, &sc, n, err, errlen);
}

/* --- fragments -------------------------------------------------------------- */

/* updatedoc_take - the finished buffer into *out; -1 on allocation failure. */
static int
updatedoc_take(struct wbuf *b, char **out, size_t *len, char *err,
    size_t errlen)
{
	if ((*out = wbuf_take(b, len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * updatedoc_core - UpdateIdentity, the reduced Properties, Relationships
 * and ApplicabilityRules.  Returns 0 or -1.
 */
static int
updatedoc_core(struct updatedoc *d, const struct xml_node *root, char *err,
    size_t errlen)
{
	const struct xml_node *props = xml_child(root, "Properties");
	const char            *v;
	struct wbuf            b;
	size_t                 i;
	int                    rc = -1;

	wbuf_init(&b, UPDATEDOC_FRAG_HINT);
	if (updatedoc_emit_top(&b, xml_child(root, "UpdateIdentity"), err,
	    errlen) == -1)
		goto out;
	wbuf_puts(&b, "<Properties");
	for (i = 0; i < UPDATEDOC_NELEM(updatedoc_core_attrs); i++) {
		v = xml_attr(props, updatedoc_core_attrs[i]);
		if (v == NULL || updatedoc_is_default(updatedoc_core_attrs[i], v))
			continue;
		wbuf_printf(&b, " %s=\"", updatedoc_core_attrs[i]);
		wbuf_esc_attr(&b, v, strlen(v));
		wbuf_putc(&b, '"');
	}
	wbuf_put(&b, " />", 3);
	if (updatedoc_emit_top(&b, xml_child(root, "Relationships"), err,
	    errlen) == -1 ||
	    updatedoc_emit_top(&b, xml_child(root, "ApplicabilityRules"), err,
	    errlen) == -1)
		goto out;
	if (updatedoc_take(&b, &d->core, &d->imp.core_len, err, errlen) == -1)
		goto out;
	d->imp.core = d->core;
	rc = 0;
out:
	wbuf_free(&b);
	return rc;
}

/*
 * updatedoc_extended - ExtendedProperties (Properties less the Core and
 * bookkeeping attributes, with its children), Files, HandlerSpecificData.
 * Returns 0 or -1.
 */
static int
updatedoc_extended(struct updatedoc *d, const struct xml_node *root,
    char *err, size_t errlen)
{
	const struct xml_node  *props = xml_child(root, "Properties");
	struct updatedoc_scope  sc;
	struct wbuf             b;
	int                     rc = -1;

	wbuf_init(&b, UPDATEDOC_FRAG_HINT);
	sc.n = 0;
	if (updatedoc_scope_enter(&sc, props, err, errlen) == -1)
		goto out;
	wbuf_puts(&b, "<ExtendedProperties");
	if (updatedoc_write_attrs(&b, props, 1, err, errlen) == -1 ||
	    updatedoc_content(&b, &sc, props, "", "ExtendedProperties", err,
	    errlen) == -1)
		goto out;
	if (updatedoc_emit_top(&b, xml_child(root, "Files"), err,
	    errlen) == -1 ||
	    updatedoc_emit_top(&b, xml_child(root, "HandlerSpecificData"), err,
	    errlen) == -1)
		goto out;
	if (updatedoc_take(&b, &d->extended, &d->imp.extended_len, err,
	    errlen) == -1)
		goto out;
	d->imp.extended = d->extended;
	rc = 0;
out:
	wbuf_free(&b);
	return rc;
}

/*
 * updatedoc_localized - one fragment per LocalizedProperties, keyed by its
 * Language; the title from "en", else from the first.  Returns 0 or -1.
 */
static int
updatedoc_localized(struct updatedoc *d, const struct xml_node *root,
    char *err, size_t errlen)
{
	const struct xml_node *coll = xml_child(root,
	    "LocalizedPropertiesCollection");
	const struct xml_node *lp, *lang, *title = NULL, *t;
	struct wbuf            b;
	unsigned               n = xml_count(coll, "LocalizedProperties"), i, j;
	int                    title_en = 0;

	if (n == 0)
		return 0;
	if (n > UPDATEDOC_MAX_LANGS) {
		snprintf(err, errlen, "more than %u LocalizedProperties",
		    UPDATEDOC_MAX_LANGS);
		return -1;
	}
	if ((d->loc = calloc(n, sizeof(*d->loc))) == NULL ||
	    (d->locxml = calloc(n, sizeof(*d->locxml))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	i = 0;
	for (lp = xml_child(coll, "LocalizedProperties"); lp != NULL;
	    lp = xml_next_same(lp), i++) {
		lang = xml_child(lp, "Language");
		if (lang == NULL || lang->text_len == 0 ||
		    updatedoc_copy(d->loc[i].lang, sizeof(d->loc[i].lang),
		    lang->text, lang->text_len) == -1 ||
		    strspn(d->loc[i].lang, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != lang->text_len) {
			snprintf(err, errlen, "LocalizedProperties %u has no "
			    "valid Language", i + 1);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(d->loc[j].lang, d->loc[i].lang) == 0) {
				snprintf(err, errlen, "LocalizedProperties for "
				    "\"%s\" twice", d->loc[i].lang);
				return -1;
			}
		wbuf_init(&b, UPDATEDOC_FRAG_HINT);
		if (updatedoc_emit_top(&b, lp, err, errlen) == -1 ||
		    updatedoc_take(&b, &d->locxml[i], &d->loc[i].len, err,
		    errlen) == -1) {
			wbuf_free(&b);
			return -1;
		}
		d->loc[i].xml = d->locxml[i];
		d->imp.nloc = i + 1;
		/* The first Title, unless an "en" one comes later. */
		t = xml_child(lp, "Title");
		if (t != NULL && !title_en && (title == NULL ||
		    strcmp(d->loc[i].lang, "en") == 0)) {
			title = t;
			title_en = strcmp(d->loc[i].lang, "en") == 0;
		}
	}
	d->imp.loc = d->loc;
	if (title != NULL)
		updatedoc_trunc(d->imp.title, sizeof(d->imp.title), title->text,
		    title->text_len);
	return 0;
}

/* --- relationships and files ------------------------------------------------- */

/* updatedoc_ids - n's UpdateIdentity children, and those of its AtLeastOne
 * children, counted. */
static unsigned
updatedoc_count_ids(const struct xml_node *n)
{
	const struct xml_node *g;
	unsigned               cnt = xml_count(n, "UpdateIdentity");

	for (g = xml_child(n, "AtLeastOne"); g != NULL; g = xml_next_same(g))
		cnt += xml_count(g, "UpdateIdentity");
	return cnt;
}

/*
 * updatedoc_prereqs - Relationships/Prerequisites in CNF: a direct
 * UpdateIdentity is group 0, the k-th AtLeastOne group k (its IsCategory
 * attribute marks category prerequisites).  Returns 0 or -1.
 */
static int
updatedoc_prereqs(struct updatedoc *d, const struct xml_node *rel,
    char *err, size_t errlen)
{
	const struct xml_node *pre = xml_child(rel, "Prerequisites"), *k, *u;
	const char            *cat;
	unsigned               n = updatedoc_count_ids(pre), i = 0;
	int                    grp = 0, iscat;

	if (n == 0)
		return 0;
	if ((d->prereq = calloc(n, sizeof(*d->prereq))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (k = pre->first; k != NULL; k = k->next) {
		if (strcmp(k->local, "UpdateIdentity") == 0) {
			if (updatedoc_guid(xml_attr(k, "UpdateID"),
			    d->prereq[i].update_id) == -1)
				goto bad;
			d->prereq[i++].grp = 0;
		} else if (strcmp(k->local, "AtLeastOne") == 0) {
			grp++;
			cat = xml_attr(k, "IsCategory");
			iscat = cat != NULL && (strcmp(cat, "true") == 0 ||
			    strcmp(cat, "1") == 0);
			for (u = xml_child(k, "UpdateIdentity"); u != NULL;
			    u = xml_next_same(u)) {
				if (updatedoc_guid(xml_attr(u, "UpdateID"),
				    d->prereq[i].update_id) == -1)
					goto bad;
				d->prereq[i].grp = grp;
				d->prereq[i++].is_category = iscat;
			}
		}
	}
	d->imp.prereq = d->prereq;
	d->imp.nprereq = i;
	return 0;
bad:
	snprintf(err, errlen, "prerequisite %u: UpdateID is not a GUID", i + 1);
	return -1;
}

/*
 * updatedoc_idlist - the update ids under Relationships/<what> (directly
 * or inside AtLeastOne) into a new array.  Returns 0 or -1.
 */
static int
updatedoc_idlist(const struct xml_node *rel, const char *what,
    char (**out)[STORE_GUID_LEN + 1], unsigned *nout, char *err,
    size_t errlen)
{
	const struct xml_node *list = xml_child(rel, what), *k, *u;
	unsigned               n = updatedoc_count_ids(list), i = 0;

	if (n == 0)
		return 0;
	if ((*out = calloc(n, sizeof(**out))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (k = list->first; k != NULL; k = k->next) {
		if (strcmp(k->local, "UpdateIdentity") == 0)
			u = k;
		else if (strcmp(k->local, "AtLeastOne") == 0)
			u = xml_child(k, "UpdateIdentity");
		else
			continue;
		for (; u != NULL; u = u == k ? NULL : xml_next_same(u))
			if (updatedoc_guid(xml_attr(u, "UpdateID"),
			    (*out)[i++]) == -1) {
				snprintf(err, errlen, "%s %u: UpdateID is not "
				    "a GUID", what, i);
				return -1;
			}
	}
	*nout = i;
	return 0;
}

/*
 * updatedoc_files - Files/File: SHA-1 Digest (DigestAlgorithm SHA1), the
 * SHA-256 AdditionalDigest if any, FileName, Size, Modified.  Returns 0
 * or -1.
 */
static int
updatedoc_files(struct updatedoc *d, const struct xml_node *root, char *err,
    size_t errlen)
{
	const struct xml_node *files = xml_child(root, "Files"), *f, *ad;
	struct store_file     *sf;
	const char            *v, *alg;
	uint64_t               size;
	unsigned               n = xml_count(files, "File"), i = 0;

	if (n == 0)
		return 0;
	if ((d->files = calloc(n, sizeof(*d->files))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (f = xml_child(files, "File"); f != NULL; f = xml_next_same(f)) {
		sf = &d->files[i++];
		alg = xml_attr(f, "DigestAlgorithm");
		if ((v = xml_attr(f, "Digest")) == NULL ||
		    (alg != NULL && strcmp(alg, "SHA1") != 0) ||
		    crypto_b64_decode(v, strlen(v), sf->sha1,
		    sizeof(sf->sha1)) != (long)sizeof(sf->sha1)) {
			snprintf(err, errlen, "file %u: no SHA1 Digest", i);
			return -1;
		}
		for (ad = xml_child(f, "AdditionalDigest"); ad != NULL;
		    ad = xml_next_same(ad)) {
			if ((alg = xml_attr(ad, "Algorithm")) == NULL ||
			    strcmp(alg, "SHA256") != 0)
				continue;
			if (crypto_b64_decode(ad->text, ad->text_len, sf->sha256,
			    sizeof(sf->sha256)) != (long)sizeof(sf->sha256)) {
				snprintf(err, errlen, "file %u: bad SHA256 "
				    "AdditionalDigest", i);
				return -1;
			}
			sf->has_sha256 = 1;
		}
		if ((v = xml_attr(f, "FileName")) == NULL || *v == '\0' ||
		    updatedoc_copy(sf->name, sizeof(sf->name), v,
		    strlen(v)) == -1) {
			snprintf(err, errlen, "file %u: bad FileName", i);
			return -1;
		}
		if (updatedoc_u64(xml_attr(f, "Size"), UINT64_MAX, &size) == -1) {
			snprintf(err, errlen, "file %u: bad Size", i);
			return -1;
		}
		sf->size = size;
		if ((v = xml_attr(f, "Modified")) != NULL &&
		    updatedoc_copy(sf->modified, sizeof(sf->modified), v,
		    strlen(v)) == -1) {
			snprintf(err, errlen, "file %u: bad Modified", i);
			return -1;
		}
	}
	d->imp.files = d->files;
	d->imp.nfiles = i;
	return 0;
}

/* --- identity ----------------------------------------------------------------- */

/*
 * updatedoc_identity - update id, revision number, kind and (for
 * categories) the category type.  Returns 0 or -1.
 */
static int
updatedoc_identity(struct updatedoc *d, const struct xml_node *root,
    char *err, size_t errlen)
{
	const struct xml_node *id = xml_child(root, "UpdateIdentity");
	const struct xml_node *props = xml_child(root, "Properties");
	const char            *type, *ct;
	uint64_t               rev;
	size_t                 i;

	if (id == NULL || props == NULL) {
		snprintf(err, errlen, "no UpdateIdentity or Properties");
		return -1;
	}
	if (updatedoc_guid(xml_attr(id, "UpdateID"), d->imp.update_id) == -1) {
		snprintf(err, errlen, "UpdateIdentity/@UpdateID is not a GUID");
		return -1;
	}
	if (updatedoc_u64(xml_attr(id, "RevisionNumber"), INT32_MAX,
	    &rev) == -1) {
		snprintf(err, errlen, "UpdateIdentity/@RevisionNumber is not "
		    "a number");
		return -1;
	}
	d->imp.revision_number = (int)rev;
	if ((type = xml_attr(props, "UpdateType")) == NULL)
		type = "";
	for (i = 0; i < UPDATEDOC_NELEM(updatedoc_kinds); i++)
		if (strcmp(type, updatedoc_kinds[i].name) == 0)
			break;
	if (i == UPDATEDOC_NELEM(updatedoc_kinds)) {
		snprintf(err, errlen, "unknown UpdateType \"%.64s\"", type);
		return -1;
	}
	d->imp.kind = updatedoc_kinds[i].kind;
	if (d->imp.kind == STORE_KIND_CATEGORY &&
	    (ct = xml_attr(xml_path(root, "HandlerSpecificData",
	    "CategoryInformation", NULL), "CategoryType")) != NULL &&
	    updatedoc_copy(d->imp.category_type, sizeof(d->imp.category_type),
	    ct, strlen(ct)) == -1) {
		snprintf(err, errlen, "CategoryType too long");
		return -1;
	}
	return 0;
}

/* --- API -------------------------------------------------------------------- */

struct updatedoc *
updatedoc_parse(const char *xml, size_t len, char *err, size_t errlen)
{
	static const struct xml_limits lim = {
		.max_bytes = UPDATEDOC_MAX_BYTES,
		.max_depth = UPDATEDOC_MAX_DEPTH,
		.max_elements = UPDATEDOC_MAX_ELEMENTS,
		.max_text = UPDATEDOC_MAX_TEXT,
	};
	struct updatedoc      *d = NULL;
	struct xml_doc        *doc = NULL;
	const struct xml_node *root, *rel;
	int                    ok = 0;

	if (errlen > 0)
		err[0] = '\0';
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((doc = xml_parse(xml, len, &lim, err, errlen)) == NULL)
		goto out;
	root = xml_root(doc);
	if (strcmp(root->local, "Update") != 0) {
		snprintf(err, errlen, "root element is <%s>, not <Update>",
		    root->name);
		goto out;
	}
	rel = xml_child(root, "Relationships");
	if (updatedoc_identity(d, root, err, errlen) == -1 ||
	    updatedoc_core(d, root, err, errlen) == -1 ||
	    updatedoc_extended(d, root, err, errlen) == -1 ||
	    updatedoc_localized(d, root, err, errlen) == -1 ||
	    updatedoc_prereqs(d, rel, err, errlen) == -1 ||
	    updatedoc_idlist(rel, "BundledUpdates", &d->bundled,
	    &d->imp.nbundled, err, errlen) == -1 ||
	    updatedoc_idlist(rel, "SupersededUpdates", &d->superseded,
	    &d->imp.nsuperseded, err, errlen) == -1 ||
	    updatedoc_files(d, root, err, errlen) == -1)
		goto out;
	d->imp.bundled = (const char (*)[STORE_GUID_LEN + 1])d->bundled;
	d->imp.superseded = (const char (*)[STORE_GUID_LEN + 1])d->superseded;
	ok = 1;
out:
	xml_free(doc);
	if (!ok) {
		updatedoc_free(d);
		d = NULL;
	}
	return d;
}

const struct store_import *
updatedoc_import(const struct updatedoc *d)
{
	return &d->imp;
}

void
updatedoc_free(struct updatedoc *d)
{
	unsigned i;

	if (d == NULL)
		return;
	free(d->core);
	free(d->extended);
	if (d->locxml != NULL)
		for (i = 0; i < d->imp.nloc; i++)
			free(d->locxml[i]);
	free(d->locxml);
	free(d->loc);
	free(d->prereq);
	free(d->bundled);
	free(d->superseded);
	free(d->files);
	free(d);
}
