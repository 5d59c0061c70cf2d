/*
 * publish.c - the Updates Publisher role of wsusutil: a catalog of locally
 * made updates in, signed cabinets in content/ and new revisions in the
 * store out.
 *
 *   wsusutil -c FILE publish CATALOG            publish every update in it
 *   wsusutil -c FILE publish --example DIR      write a catalog that publishes
 *   wsusutil -c FILE publish --expire UPDATE-ID clients stop getting it
 *
 * Owns: the catalog format (urn:wsusd:catalog:1, README "Publishing"), its
 * translation into full update documents (the shape an upstream server
 * delivers, which store/updatedoc.c turns into fragments exactly as
 * for imported updates), the signed payload cabinets under
 * data_dir/content/XX/<SHA-1>.cab, and the category documents (product,
 * its vendor, classification) a published update needs so that clients
 * get the whole prerequisite chain.
 *
 * Order, so that a refusal leaves nothing behind: the whole catalog is
 * parsed and checked first (bounded reader, every value validated, every
 * payload present); then the signing certificate must exist and be trusted
 * by this server (TrustedPublisher, and Root when self-signed: the
 * Updates Publisher rule); then revisions are chosen; only then are
 * cabinets built, signed and written (temp + rename), and all revisions go
 * to the store in ONE transaction.  If that fails, the content files this
 * run wrote are removed again.
 *
 * Never: signs with a certificate the server does not trust, writes a
 * content file under a name that is not its SHA-1, overwrites a content
 * file (same name = same bytes), or reuses a revision number.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "authenticode.h"
#include "crypto.h"
#include "admin.h"
#include "config.h"
#include "limits.h"
#include "log.h"
#include "store.h"
#include "xml.h"

/* Limits on a catalog: limits.h (PUB_*), but for the one tied to the store. */
#define PUB_TITLE_MAX         (STORE_TITLE_MAX - 1)  /* bytes */
#define PUB_PATH_MAX          CONF_PATH_MAX
#define PUB_DOC_HINT          8192         /* initial update document buffer */

#define PUB_NS       "urn:wsusd:catalog:1"
#define PUB_NS_MSUS  "http://schemas.microsoft.com/msus/2002/12/"
#define PUB_GUID_LEN STORE_GUID_LEN

/* The product when the catalog names none (as WSUS's own publishing). */
#define PUB_DEFAULT_PRODUCT      "5cc25303-143f-40f3-a2ff-803a1db69955"
#define PUB_DEFAULT_PRODUCT_NAME "Locally Published Packages"
#define PUB_DEFAULT_CLASS        "Updates"

/*
 * The well-known WSUS classification categories (the ids WSUS's own
 * publishing transform uses for UpdateClassification, plus Definition
 * Updates, Upgrades and Applications).
 */
static const struct {
	const char *name;
	const char *id;
} pub_classes[] = {
	{ "Critical Updates",   "e6cf1350-c01b-414d-a61f-263d14d133b4" },
	{ "Security Updates",   "0fa1201d-4330-4fa8-8ae9-b877473b6441" },
	{ "Updates",            "cd5ffd1e-e932-4e3a-bf74-18bf0b1bbd83" },
	{ "Feature Packs",      "b54e7d24-7add-428f-8b75-90a396fa584f" },
	{ "Update Rollups",     "28bc880e-0592-4cbf-8f95-c79b17911d5f" },
	{ "Service Packs",      "68c5b0a3-d1a6-4553-ae49-01d3a7827828" },
	{ "Tools",              "b4832bd8-e735-4761-8daf-37f882276dab" },
	{ "Drivers",            "ebfc1fc5-71a4-4f7b-9aca-3b9a503104a0" },
	{ "Definition Updates", "e0789628-ce08-4437-be74-2495b842f43b" },
	{ "Upgrades",           "3689bdc8-b205-4af4-8d4a-a63924c5e9d5" },
	{ "Applications",       "5c9376ab-8ce6-464a-b136-22113dd69801" },
};

#define PUB_NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const pub_cmp_num[] = { "LessThan", "LessThanOrEqualTo",
	"EqualTo", "GreaterThanOrEqualTo", "GreaterThan", NULL };
static const char *const pub_cmp_str[] = { "EqualTo", "Contains",
	"BeginsWith", "EndsWith", NULL };
static const char *const pub_reg_types[] = { "REG_SZ", "REG_DWORD",
	"REG_EXPAND_SZ", "REG_MULTI_SZ", "REG_BINARY", "REG_QWORD", NULL };
static const char *const pub_results[] = { "Succeeded", "Failed",
	"Cancelled", NULL };
static const struct {
	const char *alias;
	const char *key;
} pub_hives[] = {
	{ "HKEY_LOCAL_MACHINE", "HKEY_LOCAL_MACHINE" }, { "HKLM", "HKEY_LOCAL_MACHINE" },
	{ "HKEY_CURRENT_USER", "HKEY_CURRENT_USER" },   { "HKCU", "HKEY_CURRENT_USER" },
	{ "HKEY_CLASSES_ROOT", "HKEY_CLASSES_ROOT" },   { "HKCR", "HKEY_CLASSES_ROOT" },
	{ "HKEY_USERS", "HKEY_USERS" },                 { "HKU", "HKEY_USERS" },
	{ "HKEY_CURRENT_CONFIG", "HKEY_CURRENT_CONFIG" }, { "HKCC", "HKEY_CURRENT_CONFIG" },
};

/* A trimmed piece of catalog text (points into the parsed document). */
struct pub_str {
	const char *p;
	size_t      n;
};

struct pub_rc {
	long long   code;
	const char *result;     /* static: one of pub_results */
	int         reboot;
};

/* One <Update> of the catalog, then what publishing it made. */
struct pub_update {
	char           id[PUB_GUID_LEN + 1];
	int            revision;            /* catalog's, or 0: the next one */
	struct pub_str title, desc, vendor, bulletin, cmdline;
	struct pub_str kb[PUB_MAX_KB];
	unsigned       nkb;
	char           product[PUB_GUID_LEN + 1];
	struct pub_str product_name;
	char           classification[PUB_GUID_LEN + 1];
	const char    *class_name;          /* NULL when only a GUID was given */
	struct pub_str class_text;          /* <Classification id=...>Name</...> */
	int            msi;                 /* installer type: 1 msi, 0 exe */
	char           product_code[PUB_GUID_LEN + 3];   /* "{GUID}" (msi) */
	struct pub_rc  rc[PUB_MAX_RETURN_CODES];
	unsigned       nrc;
	const struct xml_node *installed, *installable;   /* rule elements */
	char           supersedes[PUB_MAX_SUPERSEDES][PUB_GUID_LEN + 1];
	unsigned       nsup;
	char           payload[PUB_PATH_MAX];
	const char    *payload_name;        /* basename of payload */
	char           cab_name[PUB_NAME_MAX + 1];
	/* filled while publishing */
	uint8_t        sha1[20], sha256[32];
	uint64_t       size;
	char           content[PUB_PATH_MAX];
	int            wrote;               /* content written by this run */
};

/* A category document this publish creates. */
struct pub_category {
	char        id[PUB_GUID_LEN + 1];
	const char *type;                    /* "Company", "Product", "UpdateClassification" */
	char        title[PUB_NAME_MAX + 1];
	char        parent[PUB_GUID_LEN + 1];   /* "" or the company of a product */
	int         revision;
};

struct pub_run {
	const struct config *c;
	struct xml_doc      *doc;         /* the catalog; u[] points into it */
	struct pub_update   *u;
	unsigned             n;
	struct pub_category  cat[PUB_MAX_CATEGORIES];
	unsigned             ncat;
	char                 publisher[PUB_GUID_LEN + 1];   /* PublisherID: server id */
	char                 now[32];                       /* CreationDate, Modified */
	char                 cert[PKI_PATH_MAX], key[PKI_PATH_MAX];
	struct cert_info     ci;
};

/* --- small parsers ------------------------------------------------------ */

static int
pub_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * pub_guid - (s, n) as a GUID, optionally in braces, any case, into out
 * as canonical lowercase.  Returns 0 or -1.
 */
static int
pub_guid(const char *s, size_t n, char out[PUB_GUID_LEN + 1])
{
	if (n == PUB_GUID_LEN + 2 && s[0] == '{' && s[n - 1] == '}') {
		s++;
		n -= 2;
	}
	if (n != PUB_GUID_LEN)
		return -1;
	for (size_t i = 0; i < PUB_GUID_LEN; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (ch != '-')
				return -1;
		} else if (!pub_hex(ch))
			return -1;
		out[i] = (char)(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
	}
	out[PUB_GUID_LEN] = '\0';
	return 0;
}

/* pub_u64 - s as decimal digits only, no more than max.  0 or -1. */
static int
pub_u64(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' ||
		    x > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

/* pub_i32 - a signed 32-bit decimal (an exit code).  0 or -1. */
static int
pub_i32(const char *s, long long *v)
{
	uint64_t x;
	int neg = s != NULL && *s == '-';

	if (pub_u64(neg ? s + 1 : s, neg ? 2147483648ULL : 2147483647ULL,
	    &x) == -1)
		return -1;
	*v = neg ? -(long long)x : (long long)x;
	return 0;
}

/* pub_oneof - index of s in the NULL-terminated set, or -1. */
static int
pub_oneof(const char *s, const char *const *set)
{
	for (int i = 0; s != NULL && set[i] != NULL; i++)
		if (strcmp(s, set[i]) == 0)
			return i;
	return -1;
}

/*
 * pub_version - "1", "1.2", "1.2.3" or "1.2.3.4" (each part 0..65535)
 * written as the four-part version the applicability rules use.  0 or -1.
 */
static int
pub_version(const char *s, char out[24])
{
	unsigned long part[4] = { 0, 0, 0, 0 };
	int np = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (np < 4) {
		char digits[6];
		size_t k = 0;
		uint64_t v;

		while (*s >= '0' && *s <= '9' && k < sizeof(digits) - 1)
			digits[k++] = *s++;
		digits[k] = '\0';
		if (pub_u64(digits, 65535, &v) == -1)
			return -1;
		part[np++] = (unsigned long)v;
		if (*s == '\0')
			break;
		if (*s++ != '.')
			return -1;
	}
	if (*s != '\0')
		return -1;
	snprintf(out, 24, "%lu.%lu.%lu.%lu", part[0], part[1], part[2],
	    part[3]);
	return 0;
}

/*
 * pub_plain - (s, n) is 1..max bytes of text without control characters
 * (multi: tab and newlines allowed).  1 or 0.
 */
static int
pub_plain(const char *s, size_t n, size_t max, int multi)
{
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == 0x7f || (ch < 0x20 && !(multi &&
		    (ch == '\t' || ch == '\n' || ch == '\r'))))
			return 0;
	}
	return 1;
}

static int
pub_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

/* pub_trim - an element's text without surrounding white space. */
static struct pub_str
pub_trim(const struct xml_node *k)
{
	struct pub_str s = { k->text, k->text_len };

	while (s.n > 0 && pub_blank(s.p, 1)) {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && pub_blank(s.p + s.n - 1, 1))
		s.n--;
	return s;
}

/* --- catalog parsing ---------------------------------------------------- */

/*
 * pub_attrs - every attribute of k is in allowed (NULL-terminated); an
 * xmlns attribute must name the catalog namespace.  0, or -1 + err.
 */
static int
pub_attrs(const struct xml_node *k, const char *const *allowed, char *err,
    size_t errlen)
{
	for (unsigned i = 0; i < k->nattrs; i++) {
		const char *a = k->attrs[i].name;

		if (strcmp(a, "xmlns") == 0 &&
		    strcmp(k->attrs[i].value, PUB_NS) == 0)
			continue;
		if (allowed == NULL || pub_oneof(a, allowed) == -1) {
			snprintf(err, errlen, "<%s>: unknown attribute \"%s\"",
			    k->name, a);
			return -1;
		}
	}
	return 0;
}

/*
 * pub_text - the trimmed text of a leaf element k (no attributes other
 * than allowed, no children), 1..max bytes, no control characters unless
 * multi.  0, or -1 + err.
 */
static int
pub_text(const struct xml_node *k, const char *const *allowed, size_t max,
    int multi, struct pub_str *out, char *err, size_t errlen)
{
	if (pub_attrs(k, allowed, err, errlen) == -1)
		return -1;
	if (k->first != NULL) {
		snprintf(err, errlen, "<%s> has child elements", k->name);
		return -1;
	}
	*out = pub_trim(k);
	if (!pub_plain(out->p, out->n, max, multi)) {
		snprintf(err, errlen, "<%s> must hold 1 to %zu bytes of text%s",
		    k->name, max, multi ? "" : " on one line");
		return -1;
	}
	return 0;
}

/* pub_attr - attribute name of k, or NULL. */
static const char *
pub_attr(const struct xml_node *k, const char *name)
{
	return xml_attr(k, name);
}

/* --- applicability rules ------------------------------------------------ */

/* pub_a - write ` name="value"` (escaped as .NET does). */
static void
pub_a(struct wbuf *b, const char *name, const char *v)
{
	wbuf_printf(b, " %s=\"", name);
	wbuf_esc_attr(b, v, strlen(v));
	wbuf_putc(b, '"');
}

/* pub_hive - the registry hive spelled as the rules want it, or NULL. */
static const char *
pub_hive(const char *s)
{
	if (s == NULL)
		return "HKEY_LOCAL_MACHINE";
	for (size_t i = 0; i < PUB_NELEM(pub_hives); i++)
		if (strcasecmp(s, pub_hives[i].alias) == 0)
			return pub_hives[i].key;
	return NULL;
}

/*
 * pub_rule_text - attribute attr of rule n: a path, subkey or value name
 * (one line, <= PUB_CMDLINE_MAX bytes).  Absent is fine unless required.
 * 0, or -1 + err.
 */
static int
pub_rule_text(const struct xml_node *n, const char *attr, int required,
    const char **out, char *err, size_t errlen)
{
	const char *v = pub_attr(n, attr);

	*out = v;
	if (v == NULL && !required)
		return 0;
	if (v == NULL || !pub_plain(v, strlen(v), PUB_CMDLINE_MAX, 0)) {
		snprintf(err, errlen, "<%s>: attribute %s is %s", n->name, attr,
		    v == NULL ? "required" : "empty, too long or has control "
		    "characters");
		return -1;
	}
	return 0;
}

static int
pub_rule_reg32(struct wbuf *b, const struct xml_node *n, char *err,
    size_t errlen)
{
	const char *v = pub_attr(n, "reg32");

	if (v == NULL || strcmp(v, "false") == 0)
		return 0;
	if (strcmp(v, "true") != 0) {
		snprintf(err, errlen, "<%s>: reg32 must be true or false",
		    n->name);
		return -1;
	}
	pub_a(b, "RegType32", "true");
	return 0;
}

/* File -> bar:FileVersion (with version) or bar:FileExists. */
static int
pub_rule_file(struct wbuf *b, const struct xml_node *n, char *err,
    size_t errlen)
{
	static const char *const ok[] = { "path", "csidl", "version",
		"comparison", NULL };
	const char *path, *csidl = pub_attr(n, "csidl"),
	    *ver = pub_attr(n, "version"), *cmp = pub_attr(n, "comparison");
	char v4[24];
	uint64_t x;

	if (pub_attrs(n, ok, err, errlen) == -1 ||
	    pub_rule_text(n, "path", 1, &path, err, errlen) == -1)
		return -1;
	if (csidl != NULL && pub_u64(csidl, 255, &x) == -1) {
		snprintf(err, errlen, "<File>: csidl must be a number 0..255");
		return -1;
	}
	if (ver == NULL) {
		if (cmp != NULL) {
			snprintf(err, errlen, "<File>: comparison needs a version");
			return -1;
		}
		wbuf_puts(b, "<bar:FileExists");
		pub_a(b, "Path", path);
		if (csidl != NULL)
			pub_a(b, "Csidl", csidl);
		wbuf_puts(b, " />");
		return 0;
	}
	if (pub_version(ver, v4) == -1) {
		snprintf(err, errlen, "<File>: version \"%.40s\" is not "
		    "a.b.c.d (each 0..65535)", ver);
		return -1;
	}
	if (cmp == NULL)
		cmp = "GreaterThanOrEqualTo";
	if (pub_oneof(cmp, pub_cmp_num) == -1) {
		snprintf(err, errlen, "<File>: comparison \"%.40s\" is not "
		    "LessThan, LessThanOrEqualTo, EqualTo, "
		    "GreaterThanOrEqualTo or GreaterThan", cmp);
		return -1;
	}
	wbuf_puts(b, "<bar:FileVersion");
	pub_a(b, "Path", path);
	pub_a(b, "Comparison", cmp);
	pub_a(b, "Version", v4);
	if (csidl != NULL)
		pub_a(b, "Csidl", csidl);
	wbuf_puts(b, " />");
	return 0;
}

/* RegistryKey -> bar:RegKeyExists. */
static int
pub_rule_regkey(struct wbuf *b, const struct xml_node *n, char *err,
    size_t errlen)
{
	static const char *const ok[] = { "key", "subkey", "reg32", NULL };
	const char *key = pub_hive(pub_attr(n, "key")), *sub;

	if (pub_attrs(n, ok, err, errlen) == -1 ||
	    pub_rule_text(n, "subkey", 1, &sub, err, errlen) == -1)
		return -1;
	if (key == NULL) {
		snprintf(err, errlen, "<%s>: unknown registry key \"%.40s\"",
		    n->name, pub_attr(n, "key"));
		return -1;
	}
	wbuf_puts(b, "<bar:RegKeyExists");
	pub_a(b, "Key", key);
	pub_a(b, "Subkey", sub);
	if (pub_rule_reg32(b, n, err, errlen) == -1)
		return -1;
	wbuf_puts(b, " />");
	return 0;
}

/*
 * RegistryValue -> bar:RegValueExists (no data), bar:RegDword /
 * bar:RegQword (numbers), bar:RegSz / bar:RegExpandSz (strings).
 */
static int
pub_rule_regvalue(struct wbuf *b, const struct xml_node *n, char *err,
    size_t errlen)
{
	static const char *const ok[] = { "key", "subkey", "value", "type",
		"data", "comparison", "reg32", NULL };
	const char *key = pub_hive(pub_attr(n, "key")), *sub, *val,
	    *type = pub_attr(n, "type"), *data = pub_attr(n, "data"),
	    *cmp = pub_attr(n, "comparison"), *el;
	int t, num;
	uint64_t x;

	if (pub_attrs(n, ok, err, errlen) == -1 ||
	    pub_rule_text(n, "subkey", 1, &sub, err, errlen) == -1 ||
	    pub_rule_text(n, "value", 1, &val, err, errlen) == -1)
		return -1;
	if (key == NULL) {
		snprintf(err, errlen, "<RegistryValue>: unknown registry key "
		    "\"%.40s\"", pub_attr(n, "key"));
		return -1;
	}
	if (type == NULL)
		type = "REG_SZ";
	if ((t = pub_oneof(type, pub_reg_types)) == -1) {
		snprintf(err, errlen, "<RegistryValue>: type \"%.40s\" is not "
		    "REG_SZ, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_BINARY "
		    "or REG_QWORD", type);
		return -1;
	}
	if (data == NULL) {
		if (cmp != NULL) {
			snprintf(err, errlen, "<RegistryValue>: comparison "
			    "needs data");
			return -1;
		}
		wbuf_puts(b, "<bar:RegValueExists");
		pub_a(b, "Key", key);
		pub_a(b, "Subkey", sub);
		pub_a(b, "Value", val);
		pub_a(b, "Type", type);
		if (pub_rule_reg32(b, n, err, errlen) == -1)
			return -1;
		wbuf_puts(b, " />");
		return 0;
	}
	switch (t) {
	case 0: el = "bar:RegSz"; num = 0; break;
	case 1: el = "bar:RegDword"; num = 1; break;
	case 2: el = "bar:RegExpandSz"; num = 0; break;
	case 5: el = "bar:RegQword"; num = 1; break;
	default:
		snprintf(err, errlen, "<RegistryValue>: data can be compared "
		    "for REG_SZ, REG_EXPAND_SZ, REG_DWORD and REG_QWORD only");
		return -1;
	}
	if (cmp == NULL)
		cmp = "EqualTo";
	if (num && (pub_oneof(cmp, pub_cmp_num) == -1 ||
	    pub_u64(data, t == 1 ? UINT32_MAX : UINT64_MAX, &x) == -1)) {
		snprintf(err, errlen, "<RegistryValue>: %s needs decimal data "
		    "and a numeric comparison (LessThan ... GreaterThan)", type);
		return -1;
	}
	if (!num && (pub_oneof(cmp, pub_cmp_str) == -1 ||
	    !pub_plain(data, strlen(data), PUB_CMDLINE_MAX, 0))) {
		snprintf(err, errlen, "<RegistryValue>: %s needs text data and "
		    "comparison EqualTo, Contains, BeginsWith or EndsWith", type);
		return -1;
	}
	wbuf_printf(b, "<%s", el);
	pub_a(b, "Key", key);
	pub_a(b, "Subkey", sub);
	pub_a(b, "Value", val);
	pub_a(b, "Comparison", cmp);
	pub_a(b, "Data", data);
	if (pub_rule_reg32(b, n, err, errlen) == -1)
		return -1;
	wbuf_puts(b, " />");
	return 0;
}

/* MsiProductInstalled -> msiar:MsiProductInstalled. */
static int
pub_rule_msi(struct wbuf *b, const struct xml_node *n, char *err,
    size_t errlen)
{
	static const char *const ok[] = { "productcode", "versionmin",
		"versionmax", "language", NULL };
	const char *pc = pub_attr(n, "productcode"),
	    *vmin = pub_attr(n, "versionmin"), *vmax = pub_attr(n, "versionmax"),
	    *lang = pub_attr(n, "language");
	char g[PUB_GUID_LEN + 1], code[PUB_GUID_LEN + 3], v4[24];
	uint64_t x;

	if (pub_attrs(n, ok, err, errlen) == -1)
		return -1;
	if (pc == NULL || pub_guid(pc, strlen(pc), g) == -1) {
		snprintf(err, errlen, "<MsiProductInstalled>: productcode "
		    "must be a GUID");
		return -1;
	}
	/* MSI writes product codes upper case, in braces. */
	code[0] = '{';
	for (size_t i = 0; i < PUB_GUID_LEN; i++)
		code[i + 1] = (char)(g[i] >= 'a' && g[i] <= 'f' ?
		    g[i] - 'a' + 'A' : g[i]);
	code[PUB_GUID_LEN + 1] = '}';
	code[PUB_GUID_LEN + 2] = '\0';
	wbuf_puts(b, "<msiar:MsiProductInstalled");
	pub_a(b, "ProductCode", code);
	if (vmin != NULL) {
		if (pub_version(vmin, v4) == -1)
			goto badver;
		pub_a(b, "VersionMin", v4);
	}
	if (vmax != NULL) {
		if (pub_version(vmax, v4) == -1)
			goto badver;
		pub_a(b, "VersionMax", v4);
	}
	if (lang != NULL) {
		if (pub_u64(lang, 65535, &x) == -1) {
			snprintf(err, errlen, "<MsiProductInstalled>: language "
			    "must be a decimal LCID");
			return -1;
		}
		pub_a(b, "Language", lang);
	}
	wbuf_puts(b, " />");
	return 0;
badver:
	snprintf(err, errlen, "<MsiProductInstalled>: versions are a.b.c.d");
	return -1;
}

/*
 * pub_rule - translate one catalog rule element (and its subtree) into
 * WSUS applicability XML in b: And/Or/Not/True/False become lar:*, File,
 * RegistryKey, RegistryValue become bar:*, MsiProductInstalled becomes
 * msiar:*.  Depth is bounded by PUB_RULE_DEPTH.  0, or -1 + err.
 */
static int
pub_rule(struct wbuf *b, const struct xml_node *n, unsigned depth,
    char *err, size_t errlen)
{
	const char *name = n->name;
	unsigned nk = 0;

	if (depth > PUB_RULE_DEPTH) {
		snprintf(err, errlen, "rules nested deeper than %u",
		    PUB_RULE_DEPTH);
		return -1;
	}
	if (!pub_blank(n->text, n->text_len)) {
		snprintf(err, errlen, "<%s> must not hold text", name);
		return -1;
	}
	for (const struct xml_node *k = n->first; k != NULL; k = k->next)
		nk++;
	if (strcmp(name, "And") == 0 || strcmp(name, "Or") == 0 ||
	    strcmp(name, "Not") == 0) {
		if (pub_attrs(n, NULL, err, errlen) == -1)
			return -1;
		if (nk == 0 || (name[0] == 'N' && nk != 1)) {
			snprintf(err, errlen, "<%s> needs %s rule", name,
			    name[0] == 'N' ? "exactly one" : "at least one");
			return -1;
		}
		wbuf_printf(b, "<lar:%s>", name);
		for (const struct xml_node *k = n->first; k != NULL; k = k->next)
			if (pub_rule(b, k, depth + 1, err, errlen) == -1)
				return -1;
		wbuf_printf(b, "</lar:%s>", name);
		return 0;
	}
	if (nk != 0) {
		snprintf(err, errlen, "<%s> must not have child elements", name);
		return -1;
	}
	if (strcmp(name, "True") == 0 || strcmp(name, "False") == 0) {
		if (pub_attrs(n, NULL, err, errlen) == -1)
			return -1;
		wbuf_printf(b, "<lar:%s />", name);
		return 0;
	}
	if (strcmp(name, "File") == 0)
		return pub_rule_file(b, n, err, errlen);
	if (strcmp(name, "RegistryKey") == 0)
		return pub_rule_regkey(b, n, err, errlen);
	if (strcmp(name, "RegistryValue") == 0)
		return pub_rule_regvalue(b, n, err, errlen);
	if (strcmp(name, "MsiProductInstalled") == 0)
		return pub_rule_msi(b, n, err, errlen);
	snprintf(err, errlen, "unknown rule <%s> (And, Or, Not, True, False, "
	    "File, RegistryKey, RegistryValue, MsiProductInstalled)", name);
	return -1;
}

/* pub_rule_check - translate into a scratch buffer to validate. */
static int
pub_rule_check(const struct xml_node *n, char *err, size_t errlen)
{
	struct wbuf b;
	int rc;

	wbuf_init(&b, 256);
	rc = pub_rule(&b, n, 0, err, errlen);
	if (rc == 0 && b.oom) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	wbuf_free(&b);
	return rc;
}

/* --- one <Update> ------------------------------------------------------- */

/* <Applicability><IsInstalled>RULE</IsInstalled>...</Applicability> */
static int
pub_applicability(struct pub_update *u, const struct xml_node *a, char *err,
    size_t errlen)
{
	if (pub_attrs(a, NULL, err, errlen) == -1)
		return -1;
	for (const struct xml_node *k = a->first; k != NULL; k = k->next) {
		const struct xml_node **slot;

		if (strcmp(k->name, "IsInstalled") == 0)
			slot = &u->installed;
		else if (strcmp(k->name, "IsInstallable") == 0)
			slot = &u->installable;
		else {
			snprintf(err, errlen, "<Applicability>: unknown <%s> "
			    "(IsInstalled, IsInstallable)", k->name);
			return -1;
		}
		if (*slot != NULL) {
			snprintf(err, errlen, "<%s> given twice", k->name);
			return -1;
		}
		if (pub_attrs(k, NULL, err, errlen) == -1)
			return -1;
		if (k->first == NULL || k->first->next != NULL ||
		    !pub_blank(k->text, k->text_len)) {
			snprintf(err, errlen, "<%s> needs exactly one rule "
			    "(combine several with <And> or <Or>)", k->name);
			return -1;
		}
		if (pub_rule_check(k->first, err, errlen) == -1)
			return -1;
		*slot = k->first;
	}
	return 0;
}

/* <Installer type="exe|msi"> ... </Installer> */
static int
pub_installer(struct pub_update *u, const struct xml_node *in, char *err,
    size_t errlen)
{
	static const char *const ok[] = { "type", NULL };
	static const char *const rc_ok[] = { "code", "result", "reboot", NULL };
	const char *type = pub_attr(in, "type");
	struct pub_str s;
	int have_pc = 0;

	if (pub_attrs(in, ok, err, errlen) == -1)
		return -1;
	if (type == NULL || (strcmp(type, "exe") != 0 &&
	    strcmp(type, "msi") != 0)) {
		snprintf(err, errlen, "<Installer>: type must be \"exe\" or "
		    "\"msi\"");
		return -1;
	}
	u->msi = type[0] == 'm';
	if (!pub_blank(in->text, in->text_len)) {
		snprintf(err, errlen, "<Installer> must not hold text");
		return -1;
	}
	for (const struct xml_node *k = in->first; k != NULL; k = k->next) {
		if (strcmp(k->name, "CommandLine") == 0) {
			if (u->cmdline.p != NULL) {
				snprintf(err, errlen, "<CommandLine> given twice");
				return -1;
			}
			if (pub_text(k, NULL, PUB_CMDLINE_MAX, 0, &u->cmdline,
			    err, errlen) == -1)
				return -1;
		} else if (strcmp(k->name, "ProductCode") == 0 && u->msi) {
			char g[PUB_GUID_LEN + 1];

			if (have_pc++ || pub_text(k, NULL, PUB_GUID_LEN + 2, 0,
			    &s, err, errlen) == -1 ||
			    pub_guid(s.p, s.n, g) == -1) {
				snprintf(err, errlen, "<ProductCode> must be "
				    "one GUID");
				return -1;
			}
			u->product_code[0] = '{';
			for (size_t i = 0; i < PUB_GUID_LEN; i++)
				u->product_code[i + 1] = (char)(g[i] >= 'a' &&
				    g[i] <= 'f' ? g[i] - 'a' + 'A' : g[i]);
			u->product_code[PUB_GUID_LEN + 1] = '}';
			u->product_code[PUB_GUID_LEN + 2] = '\0';
		} else if (strcmp(k->name, "ReturnCode") == 0 && !u->msi) {
			struct pub_rc *r = &u->rc[u->nrc];
			const char *reboot = pub_attr(k, "reboot");
			int i;

			if (u->nrc == PUB_MAX_RETURN_CODES) {
				snprintf(err, errlen, "more than %u <ReturnCode>",
				    PUB_MAX_RETURN_CODES);
				return -1;
			}
			if (pub_attrs(k, rc_ok, err, errlen) == -1)
				return -1;
			if (k->first != NULL || !pub_blank(k->text, k->text_len) ||
			    pub_i32(pub_attr(k, "code"), &r->code) == -1 ||
			    (i = pub_oneof(pub_attr(k, "result"),
			    pub_results)) == -1 ||
			    (reboot != NULL && strcmp(reboot, "true") != 0 &&
			    strcmp(reboot, "false") != 0)) {
				snprintf(err, errlen, "<ReturnCode> needs code "
				    "(a 32-bit number), result (Succeeded, Failed "
				    "or Cancelled) and optionally reboot "
				    "(true/false), nothing else");
				return -1;
			}
			for (unsigned j = 0; j < u->nrc; j++)
				if (u->rc[j].code == r->code) {
					snprintf(err, errlen, "<ReturnCode> code "
					    "%lld given twice", r->code);
					return -1;
				}
			r->result = pub_results[i];
			r->reboot = reboot != NULL && reboot[0] == 't';
			u->nrc++;
		} else {
			snprintf(err, errlen, "<Installer type=\"%s\">: unknown "
			    "<%s> (%s)", type, k->name, u->msi ?
			    "ProductCode, CommandLine" :
			    "CommandLine, ReturnCode");
			return -1;
		}
	}
	if (u->msi && !have_pc) {
		snprintf(err, errlen, "<Installer type=\"msi\"> needs "
		    "<ProductCode>");
		return -1;
	}
	if (!u->msi && u->nrc == 0) {
		/* The usual pair: success, and success needing a restart. */
		u->rc[0] = (struct pub_rc){ 0, "Succeeded", 0 };
		u->rc[1] = (struct pub_rc){ 3010, "Succeeded", 1 };
		u->nrc = 2;
	}
	return 0;
}

/* <Classification>: a well-known name, a GUID, or id="GUID" + a name. */
static int
pub_classification(struct pub_update *u, const struct xml_node *k,
    char *err, size_t errlen)
{
	static const char *const ok[] = { "id", NULL };
	const char *id = pub_attr(k, "id");
	struct pub_str s;

	if (pub_text(k, ok, PUB_NAME_MAX, 0, &s, err, errlen) == -1)
		return -1;
	if (id != NULL) {
		if (pub_guid(id, strlen(id), u->classification) == -1) {
			snprintf(err, errlen, "<Classification>: id is not a GUID");
			return -1;
		}
		u->class_text = s;
		return 0;
	}
	if (pub_guid(s.p, s.n, u->classification) == 0) {
		for (size_t i = 0; i < PUB_NELEM(pub_classes); i++)
			if (strcmp(pub_classes[i].id, u->classification) == 0)
				u->class_name = pub_classes[i].name;
		return 0;
	}
	for (size_t i = 0; i < PUB_NELEM(pub_classes); i++)
		if (strlen(pub_classes[i].name) == s.n &&
		    strncasecmp(pub_classes[i].name, s.p, s.n) == 0) {
			memcpy(u->classification, pub_classes[i].id,
			    PUB_GUID_LEN + 1);
			u->class_name = pub_classes[i].name;
			return 0;
		}
	snprintf(err, errlen, "<Classification>: \"%.*s\" is not a known "
	    "classification (Critical Updates, Security Updates, Updates, "
	    "Feature Packs, Update Rollups, Service Packs, Tools, Drivers, "
	    "Definition Updates, Upgrades, Applications), nor a GUID",
	    (int)(s.n > 64 ? 64 : s.n), s.p);
	return -1;
}

/*
 * pub_payload - resolve (s) against the catalog's directory and check it
 * is a readable regular file the cabinet can hold.  0, or -1 + err.
 */
static int
pub_payload(struct pub_update *u, const char *dir, struct pub_str s,
    char *err, size_t errlen)
{
	struct stat sb;
	const char *base, *dot;
	int fd, n;

	if (s.p[0] == '/')
		n = snprintf(u->payload, sizeof(u->payload), "%.*s", (int)s.n, s.p);
	else
		n = snprintf(u->payload, sizeof(u->payload), "%s/%.*s", dir,
		    (int)s.n, s.p);
	if (n < 0 || (size_t)n >= sizeof(u->payload)) {
		snprintf(err, errlen, "<Payload>: path too long");
		return -1;
	}
	base = strrchr(u->payload, '/');
	base = base != NULL ? base + 1 : u->payload;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
	    strlen(base) > PUB_NAME_MAX - 4 || strchr(base, '\\') != NULL) {
		snprintf(err, errlen, "<Payload>: \"%.600s\" does not end in a file "
		    "name", u->payload);
		return -1;
	}
	u->payload_name = base;
	if ((fd = open(u->payload, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		snprintf(err, errlen, "payload %.600s: %s", u->payload,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	if (!S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
	    (uint64_t)sb.st_size > CAB_MAX_BYTES) {
		snprintf(err, errlen, "payload %.600s: not a regular file of 1 byte "
		    "to %u MiB", u->payload, CAB_MAX_BYTES >> 20);
		return -1;
	}
	/* The cabinet is named after the payload: hello.exe -> hello.cab. */
	dot = strrchr(base, '.');
	snprintf(u->cab_name, sizeof(u->cab_name), "%.*s.cab",
	    (int)(dot != NULL && dot != base ? (size_t)(dot - base) :
	    strlen(base)), base);
	if (u->msi && (dot == NULL || strcasecmp(dot, ".msi") != 0)) {
		snprintf(err, errlen, "payload %.600s: an msi installer's payload "
		    "must be an .msi file", u->payload);
		return -1;
	}
	return 0;
}

/* The child elements <Update> may have, and how many times. */
enum pub_field { PF_TITLE, PF_DESC, PF_VENDOR, PF_KB, PF_BULLETIN,
	PF_CLASS, PF_PRODUCT, PF_INSTALLER, PF_APPLIC, PF_SUPERSEDES,
	PF_PAYLOAD, PF__N };
static const struct {
	const char *name;
	int         many;
} pub_fields[PF__N] = {
	[PF_TITLE] = { "Title", 0 },         [PF_DESC] = { "Description", 0 },
	[PF_VENDOR] = { "Vendor", 0 },       [PF_KB] = { "KB", 1 },
	[PF_BULLETIN] = { "Bulletin", 0 },   [PF_CLASS] = { "Classification", 0 },
	[PF_PRODUCT] = { "Product", 0 },     [PF_INSTALLER] = { "Installer", 0 },
	[PF_APPLIC] = { "Applicability", 0 }, [PF_SUPERSEDES] = { "Supersedes", 1 },
	[PF_PAYLOAD] = { "Payload", 0 },
};

/*
 * pub_update_parse - one <Update> element into *u; dir is the catalog's
 * directory (payload paths are relative to it).  0, or -1 + err.
 */
static int
pub_update_parse(struct pub_update *u, const struct xml_node *x,
    const char *dir, char *err, size_t errlen)
{
	static const char *const ok[] = { "id", "revision", NULL };
	static const char *const prod_ok[] = { "id", NULL };
	const struct xml_node *seen[PF__N] = { NULL };
	const char *id = pub_attr(x, "id"), *rev = pub_attr(x, "revision");
	struct pub_str s, payload = { NULL, 0 };
	uint64_t v;
	int f;

	if (pub_attrs(x, ok, err, errlen) == -1)
		return -1;
	if (id == NULL || pub_guid(id, strlen(id), u->id) == -1) {
		snprintf(err, errlen, "<Update> needs id=\"GUID\"");
		return -1;
	}
	if (rev != NULL) {
		if (pub_u64(rev, INT32_MAX, &v) == -1 || v == 0) {
			snprintf(err, errlen, "revision must be a number "
			    "1..%d", INT32_MAX);
			return -1;
		}
		u->revision = (int)v;
	}
	if (!pub_blank(x->text, x->text_len)) {
		snprintf(err, errlen, "<Update> must not hold text");
		return -1;
	}
	for (const struct xml_node *k = x->first; k != NULL; k = k->next) {
		for (f = 0; f < PF__N; f++)
			if (strcmp(k->name, pub_fields[f].name) == 0)
				break;
		if (f == PF__N) {
			snprintf(err, errlen, "unknown element <%s> (Title, "
			    "Description, Vendor, KB, Bulletin, Classification, "
			    "Product, Installer, Applicability, Supersedes, "
			    "Payload)", k->name);
			return -1;
		}
		if (seen[f] != NULL && !pub_fields[f].many) {
			snprintf(err, errlen, "<%s> given twice", k->name);
			return -1;
		}
		seen[f] = k;
		switch (f) {
		case PF_TITLE:
			if (pub_text(k, NULL, PUB_TITLE_MAX, 0, &u->title, err,
			    errlen) == -1)
				return -1;
			break;
		case PF_DESC:
			if (pub_text(k, NULL, PUB_DESC_MAX, 1, &u->desc, err,
			    errlen) == -1)
				return -1;
			break;
		case PF_VENDOR:
			if (pub_text(k, NULL, PUB_NAME_MAX, 0, &u->vendor, err,
			    errlen) == -1)
				return -1;
			break;
		case PF_BULLETIN:
			if (pub_text(k, NULL, PUB_NAME_MAX, 0, &u->bulletin, err,
			    errlen) == -1)
				return -1;
			break;
		case PF_KB: {
			char num[16];

			if (u->nkb == PUB_MAX_KB) {
				snprintf(err, errlen, "more than %u <KB>",
				    PUB_MAX_KB);
				return -1;
			}
			if (pub_text(k, NULL, 12, 0, &s, err, errlen) == -1)
				return -1;
			/* "KB5012345" or "5012345": the article number. */
			if (s.n > 2 && strncasecmp(s.p, "KB", 2) == 0) {
				s.p += 2;
				s.n -= 2;
			}
			snprintf(num, sizeof(num), "%.*s", (int)s.n, s.p);
			if (pub_u64(num, 9999999999ULL, &v) == -1) {
				snprintf(err, errlen, "<KB> must be a KB article "
				    "number (e.g. 5012345)");
				return -1;
			}
			u->kb[u->nkb++] = s;
			break;
		}
		case PF_CLASS:
			if (pub_classification(u, k, err, errlen) == -1)
				return -1;
			break;
		case PF_PRODUCT: {
			const char *pid = pub_attr(k, "id");

			if (pub_text(k, prod_ok, PUB_NAME_MAX, 0,
			    &u->product_name, err, errlen) == -1)
				return -1;
			if (pid == NULL ||
			    pub_guid(pid, strlen(pid), u->product) == -1) {
				snprintf(err, errlen, "<Product> needs id=\"GUID\" "
				    "and the product's name as text");
				return -1;
			}
			break;
		}
		case PF_INSTALLER:
			if (pub_installer(u, k, err, errlen) == -1)
				return -1;
			break;
		case PF_APPLIC:
			if (pub_applicability(u, k, err, errlen) == -1)
				return -1;
			break;
		case PF_SUPERSEDES: {
			char *g = u->supersedes[u->nsup];

			if (u->nsup == PUB_MAX_SUPERSEDES) {
				snprintf(err, errlen, "more than %u <Supersedes>",
				    PUB_MAX_SUPERSEDES);
				return -1;
			}
			if (pub_text(k, NULL, PUB_GUID_LEN + 2, 0, &s, err,
			    errlen) == -1 || pub_guid(s.p, s.n, g) == -1) {
				snprintf(err, errlen, "<Supersedes> must hold an "
				    "update id (GUID)");
				return -1;
			}
			if (strcmp(g, u->id) == 0) {
				snprintf(err, errlen, "an update cannot "
				    "supersede itself");
				return -1;
			}
			u->nsup++;
			break;
		}
		case PF_PAYLOAD:
			if (pub_text(k, NULL, PUB_PATH_MAX - 1, 0, &payload, err,
			    errlen) == -1)
				return -1;
			break;
		}
	}
	if (seen[PF_TITLE] == NULL || seen[PF_INSTALLER] == NULL ||
	    seen[PF_PAYLOAD] == NULL) {
		snprintf(err, errlen, "<%s> is required",
		    seen[PF_TITLE] == NULL ? "Title" :
		    seen[PF_INSTALLER] == NULL ? "Installer" : "Payload");
		return -1;
	}
	/* An exe has no installed-state of its own: say how to detect it. */
	if (!u->msi && u->installed == NULL) {
		snprintf(err, errlen, "an exe installer needs "
		    "<Applicability><IsInstalled> (how a client sees it is "
		    "installed)");
		return -1;
	}
	if (seen[PF_CLASS] == NULL) {
		for (size_t i = 0; i < PUB_NELEM(pub_classes); i++)
			if (strcmp(pub_classes[i].name, PUB_DEFAULT_CLASS) == 0) {
				memcpy(u->classification, pub_classes[i].id,
				    PUB_GUID_LEN + 1);
				u->class_name = pub_classes[i].name;
			}
	}
	if (seen[PF_PRODUCT] == NULL) {
		memcpy(u->product, PUB_DEFAULT_PRODUCT, PUB_GUID_LEN + 1);
		u->product_name.p = PUB_DEFAULT_PRODUCT_NAME;
		u->product_name.n = strlen(PUB_DEFAULT_PRODUCT_NAME);
	}
	return pub_payload(u, dir, payload, err, errlen);
}

/* pub_read - a whole file, at most max bytes, malloc'd (caller frees). */
static char *
pub_read(const char *path, size_t max, size_t *len, char *err,
    size_t errlen)
{
	struct stat sb;
	char *buf = NULL;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (size_t)sb.st_size > max) {
		snprintf(err, errlen, "%s: not a regular file of at most %zu "
		    "bytes", path, max);
		goto out;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (*len = 0; *len < (size_t)sb.st_size;) {
		ssize_t n = read(fd, buf + *len, (size_t)sb.st_size - *len);

		if (n <= 0) {
			snprintf(err, errlen, "%s: read: %s", path,
			    n == 0 ? "short file" : strerror(errno));
			free(buf);
			buf = NULL;
			goto out;
		}
		*len += (size_t)n;
	}
	buf[*len] = '\0';
out:
	close(fd);
	return buf;
}

/*
 * pub_catalog - read and check the whole catalog at path into run->u.
 * Nothing is written.  0, or -1 after printing why.
 */
static int
pub_catalog(struct pub_run *run, const char *path)
{
	static const struct xml_limits lim = {
		.max_bytes = PUB_CATALOG_MAX_BYTES,
		.max_depth = PUB_XML_DEPTH,
		.max_elements = PUB_XML_ELEMENTS,
		.max_text = PUB_XML_TEXT,
	};
	char err[1024], dir[PUB_PATH_MAX], *buf, *slash;
	struct xml_doc *doc = NULL;
	const struct xml_node *root;
	size_t len = 0;
	unsigned i = 0;
	int rc = -1;

	if ((buf = pub_read(path, PUB_CATALOG_MAX_BYTES, &len, err,
	    sizeof(err))) == NULL)
		goto fail;
	if ((doc = xml_parse(buf, len, &lim, err, sizeof(err))) == NULL)
		goto fail;
	root = xml_root(doc);
	if (strcmp(root->name, "Catalog") != 0 ||
	    pub_attr(root, "xmlns") == NULL ||
	    strcmp(pub_attr(root, "xmlns"), PUB_NS) != 0) {
		snprintf(err, sizeof(err), "the root element must be <Catalog "
		    "xmlns=\"%s\">", PUB_NS);
		goto fail;
	}
	if (pub_attrs(root, NULL, err, sizeof(err)) == -1)
		goto fail;
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	run->n = xml_count(root, "Update");
	if (run->n == 0 || run->n > PUB_MAX_UPDATES) {
		snprintf(err, sizeof(err), "a catalog holds 1 to %u <Update> "
		    "elements", PUB_MAX_UPDATES);
		goto fail;
	}
	if ((run->u = calloc(run->n, sizeof(*run->u))) == NULL) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}
	for (const struct xml_node *k = root->first; k != NULL; k = k->next) {
		char why[768];

		if (strcmp(k->name, "Update") != 0) {
			snprintf(err, sizeof(err), "unknown element <%s> in "
			    "<Catalog> (only <Update>)", k->name);
			goto fail;
		}
		if (pub_update_parse(&run->u[i], k, dir, why,
		    sizeof(why)) == -1) {
			snprintf(err, sizeof(err), "update %u%s%s: %s", i + 1,
			    run->u[i].id[0] ? " " : "", run->u[i].id, why);
			goto fail;
		}
		for (unsigned j = 0; j < i; j++)
			if (strcmp(run->u[j].id, run->u[i].id) == 0) {
				snprintf(err, sizeof(err), "update %s is in the "
				    "catalog twice", run->u[i].id);
				goto fail;
			}
		i++;
	}
	if (!pub_blank(root->text, root->text_len)) {
		snprintf(err, sizeof(err), "<Catalog> must not hold text");
		goto fail;
	}
	/* Rule elements and texts point into the tree: the run keeps it. */
	run->doc = doc;
	doc = NULL;
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "wsusutil: publish: %s: %s\n", path, err);
out:
	xml_free(doc);
	free(buf);
	return rc;
}

/* --- update documents --------------------------------------------------- */

/* pub_esc - escaped character data of a catalog text. */
static void
pub_esc(struct wbuf *b, struct pub_str s)
{
	wbuf_esc_text(b, s.p, s.n);
}

/*
 * pub_doc_head - <upd:Update> with every namespace the documents use
 * (updatedoc.c maps Base and Msi applicability rules to "b." and "m."
 * through them and drops the declarations from the fragments), and the
 * identity.
 */
static void
pub_doc_head(struct wbuf *b, const char *id, int rev)
{
	wbuf_puts(b, "<upd:Update"
	    " xmlns:upd=\"" PUB_NS_MSUS "Update\""
	    " xmlns:bar=\"" PUB_NS_MSUS "BaseApplicabilityRules\""
	    " xmlns:lar=\"" PUB_NS_MSUS "LogicalApplicabilityRules\""
	    " xmlns:msiar=\"" PUB_NS_MSUS "MsiApplicabilityRules\""
	    " xmlns:cmd=\"" PUB_NS_MSUS "UpdateHandlers/CommandLineInstallation\""
	    " xmlns:msp=\"" PUB_NS_MSUS "UpdateHandlers/WindowsInstaller\""
	    " xmlns:cat=\"" PUB_NS_MSUS "UpdateHandlers/Category\""
	    " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
	wbuf_printf(b, "<upd:UpdateIdentity UpdateID=\"%s\" "
	    "RevisionNumber=\"%d\" />", id, rev);
}

/* pub_doc_loc - the English title and description. */
static void
pub_doc_loc(struct wbuf *b, struct pub_str title, struct pub_str desc)
{
	wbuf_puts(b, "<upd:LocalizedPropertiesCollection><upd:LocalizedProperties>"
	    "<upd:Language>en</upd:Language><upd:Title>");
	pub_esc(b, title);
	wbuf_puts(b, "</upd:Title>");
	if (desc.p != NULL) {
		wbuf_puts(b, "<upd:Description>");
		pub_esc(b, desc);
		wbuf_puts(b, "</upd:Description>");
	}
	wbuf_puts(b, "</upd:LocalizedProperties></upd:LocalizedPropertiesCollection>");
}

/*
 * pub_category_doc - the full update document of a category this publish
 * creates: no applicability other than "installed", so that a client
 * evaluates it as present and the updates below it become reachable; a
 * product made with a vendor names the vendor's company category as its
 * parent (AtLeastOne IsCategory), as Microsoft's product chain does.
 * Returns the malloc'd text (caller frees) or NULL.
 */
static char *
pub_category_doc(const struct pub_run *run, const struct pub_category *k,
    size_t *len)
{
	struct pub_str title = { k->title, strlen(k->title) }, none = { NULL, 0 };
	struct wbuf b;

	wbuf_init(&b, PUB_DOC_HINT);
	pub_doc_head(&b, k->id, k->revision);
	wbuf_puts(&b, "<upd:Properties UpdateType=\"Category\" "
	    "DefaultPropertiesLanguage=\"en\" Handler=\"" PUB_NS_MSUS
	    "UpdateHandlers/Category\" PublicationState=\"Published\"");
	pub_a(&b, "CreationDate", run->now);
	pub_a(&b, "PublisherID", run->publisher);
	wbuf_puts(&b, " IsLocallyPublished=\"true\" />");
	pub_doc_loc(&b, title, none);
	if (k->parent[0] != '\0')
		wbuf_printf(&b, "<upd:Relationships><upd:Prerequisites>"
		    "<upd:AtLeastOne IsCategory=\"true\"><upd:UpdateIdentity "
		    "UpdateID=\"%s\" /></upd:AtLeastOne></upd:Prerequisites>"
		    "</upd:Relationships>", k->parent);
	wbuf_puts(&b, "<upd:ApplicabilityRules><upd:IsInstalled><lar:True />"
	    "</upd:IsInstalled></upd:ApplicabilityRules>");
	wbuf_printf(&b, "<upd:HandlerSpecificData xsi:type=\"cat:Category\">"
	    "<cat:CategoryInformation CategoryType=\"%s\" "
	    "ProhibitsSubcategories=\"false\" ProhibitsUpdates=\"false\" "
	    "DisplayOrder=\"0\" /></upd:HandlerSpecificData></upd:Update>",
	    k->type);
	return wbuf_take(&b, len);
}

/*
 * pub_update_doc - the full update document of u, revision rev, whose
 * payload is the signed cabinet described by u->sha1/sha256/size.  The
 * shape is what WSUS's own publishing writes for a locally published
 * package: Software, ExplicitlyDeployable, IsLocallyPublished, the
 * product and classification as two AtLeastOne IsCategory prerequisites,
 * the installer's handler and HandlerSpecificData (CommandLineInstallation
 * with its return codes, or WindowsInstaller MsiData).  Returns the
 * malloc'd text (caller frees), or NULL with err.
 */
static char *
pub_update_doc(const struct pub_run *run, const struct pub_update *u,
    int rev, size_t *len, char *err, size_t errlen)
{
	char d1[32], d256[48];
	struct wbuf b;
	int reboot = u->msi;
	char *out;

	for (unsigned i = 0; i < u->nrc; i++)
		reboot |= u->rc[i].reboot;
	if (crypto_b64_encode(u->sha1, sizeof(u->sha1), d1, sizeof(d1)) < 0 ||
	    crypto_b64_encode(u->sha256, sizeof(u->sha256), d256,
	    sizeof(d256)) < 0) {
		snprintf(err, errlen, "base64 of the digests failed");
		return NULL;
	}
	wbuf_init(&b, PUB_DOC_HINT);
	pub_doc_head(&b, u->id, rev);

	/* Properties: attributes, then the child elements in schema order. */
	wbuf_puts(&b, "<upd:Properties UpdateType=\"Software\" "
	    "ExplicitlyDeployable=\"true\" DefaultPropertiesLanguage=\"en\"");
	wbuf_printf(&b, " Handler=\"" PUB_NS_MSUS "UpdateHandlers/%s\"",
	    u->msi ? "WindowsInstaller" : "CommandLineInstallation");
	wbuf_printf(&b, " MaxDownloadSize=\"%llu\" MinDownloadSize=\"%llu\"",
	    (unsigned long long)u->size, (unsigned long long)u->size);
	wbuf_puts(&b, " PublicationState=\"Published\"");
	pub_a(&b, "CreationDate", run->now);
	pub_a(&b, "PublisherID", run->publisher);
	wbuf_puts(&b, " IsLocallyPublished=\"true\">");
	wbuf_printf(&b, "<upd:InstallationBehavior CanRequestUserInput=\"false\" "
	    "RequiresNetworkConnectivity=\"false\" Impact=\"Normal\" "
	    "RebootBehavior=\"%s\" />", reboot ? "CanRequestReboot" :
	    "NeverReboots");
	if (u->msi)
		wbuf_puts(&b, "<upd:UninstallationBehavior "
		    "CanRequestUserInput=\"false\" "
		    "RequiresNetworkConnectivity=\"false\" Impact=\"Normal\" "
		    "RebootBehavior=\"CanRequestReboot\" />");
	if (u->bulletin.p != NULL) {
		wbuf_puts(&b, "<upd:SecurityBulletinID>");
		pub_esc(&b, u->bulletin);
		wbuf_puts(&b, "</upd:SecurityBulletinID>");
	}
	for (unsigned i = 0; i < u->nkb; i++) {
		wbuf_puts(&b, "<upd:KBArticleID>");
		pub_esc(&b, u->kb[i]);
		wbuf_puts(&b, "</upd:KBArticleID>");
	}
	wbuf_puts(&b, "</upd:Properties>");
	pub_doc_loc(&b, u->title, u->desc);

	/* Relationships: superseded updates, product, classification. */
	wbuf_puts(&b, "<upd:Relationships>");
	if (u->nsup > 0) {
		wbuf_puts(&b, "<upd:SupersededUpdates>");
		for (unsigned i = 0; i < u->nsup; i++)
			wbuf_printf(&b, "<upd:UpdateIdentity UpdateID=\"%s\" />",
			    u->supersedes[i]);
		wbuf_puts(&b, "</upd:SupersededUpdates>");
	}
	wbuf_printf(&b, "<upd:Prerequisites><upd:AtLeastOne IsCategory=\"true\">"
	    "<upd:UpdateIdentity UpdateID=\"%s\" /></upd:AtLeastOne>"
	    "<upd:AtLeastOne IsCategory=\"true\"><upd:UpdateIdentity "
	    "UpdateID=\"%s\" /></upd:AtLeastOne></upd:Prerequisites>"
	    "</upd:Relationships>", u->product, u->classification);

	/* Applicability: the catalog's rules, or the MSI product's. */
	wbuf_puts(&b, "<upd:ApplicabilityRules><upd:IsInstalled>");
	if (u->installed != NULL) {
		if (pub_rule(&b, u->installed, 0, err, errlen) == -1)
			goto fail;
	} else {
		/* msi only (an exe must give IsInstalled): the product. */
		wbuf_printf(&b, "<msiar:MsiProductInstalled ProductCode=\"%s\" />",
		    u->product_code);
	}
	wbuf_puts(&b, "</upd:IsInstalled><upd:IsInstallable>");
	if (u->installable != NULL) {
		if (pub_rule(&b, u->installable, 0, err, errlen) == -1)
			goto fail;
	} else if (u->msi) {
		wbuf_printf(&b, "<lar:Not><msiar:MsiProductInstalled "
		    "ProductCode=\"%s\" /></lar:Not>", u->product_code);
	} else {
		wbuf_puts(&b, "<lar:True />");
	}
	wbuf_puts(&b, "</upd:IsInstallable></upd:ApplicabilityRules>");

	/* The signed cabinet. */
	wbuf_printf(&b, "<upd:Files><upd:File Digest=\"%s\" "
	    "DigestAlgorithm=\"SHA1\"", d1);
	pub_a(&b, "FileName", u->cab_name);
	wbuf_printf(&b, " Size=\"%llu\" Modified=\"%s\"><upd:AdditionalDigest "
	    "Algorithm=\"SHA256\">%s</upd:AdditionalDigest></upd:File>"
	    "</upd:Files>", (unsigned long long)u->size, run->now, d256);

	if (u->msi) {
		wbuf_puts(&b, "<upd:HandlerSpecificData "
		    "xsi:type=\"msp:WindowsInstallerApp\"><msp:MsiData");
		pub_a(&b, "ProductCode", u->product_code);
		pub_a(&b, "MsiFile", u->payload_name);
		if (u->cmdline.p != NULL) {
			wbuf_puts(&b, " CommandLine=\"");
			wbuf_esc_attr(&b, u->cmdline.p, u->cmdline.n);
			wbuf_putc(&b, '"');
		}
		wbuf_puts(&b, " /></upd:HandlerSpecificData>");
	} else {
		wbuf_puts(&b, "<upd:HandlerSpecificData "
		    "xsi:type=\"cmd:CommandLineInstallation\"><cmd:InstallCommand");
		pub_a(&b, "Program", u->payload_name);
		if (u->cmdline.p != NULL) {
			wbuf_puts(&b, " Arguments=\"");
			wbuf_esc_attr(&b, u->cmdline.p, u->cmdline.n);
			wbuf_putc(&b, '"');
		}
		wbuf_puts(&b, " RebootByDefault=\"false\" DefaultResult=\"Failed\">");
		for (unsigned i = 0; i < u->nrc; i++)
			wbuf_printf(&b, "<cmd:ReturnCode Reboot=\"%s\" "
			    "Result=\"%s\" Code=\"%lld\" />", u->rc[i].reboot ?
			    "true" : "false", u->rc[i].result, u->rc[i].code);
		wbuf_puts(&b, "</cmd:InstallCommand></upd:HandlerSpecificData>");
	}
	wbuf_puts(&b, "</upd:Update>");
	if ((out = wbuf_take(&b, len)) == NULL)
		snprintf(err, errlen, "out of memory");
	return out;
fail:
	wbuf_free(&b);
	return NULL;
}

/* --- categories the published updates need ------------------------------ */

/*
 * pub_vendor_id - the company category of a vendor: a name-based GUID
 * (RFC 4122 version 5 layout over SHA-1 of "wsusd vendor:" + name), so
 * that every publish names the same vendor with the same id.
 */
static void
pub_vendor_id(struct pub_str vendor, char out[PUB_GUID_LEN + 1])
{
	static const char pfx[] = "wsusd vendor:";
	uint8_t h[20], *in;

	in = malloc(sizeof(pfx) - 1 + vendor.n);
	if (in == NULL)
		fatal("%s: malloc", __func__);
	memcpy(in, pfx, sizeof(pfx) - 1);
	memcpy(in + sizeof(pfx) - 1, vendor.p, vendor.n);
	crypto_sha1(in, sizeof(pfx) - 1 + vendor.n, h);
	free(in);
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x50);
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
	snprintf(out, PUB_GUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3], h[4],
	    h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14],
	    h[15]);
}

/*
 * pub_category_need - 1 if category id must be created by this publish
 * (not current in the store, not queued yet), 0 if not, -1 on a store
 * error.  *rev is then the revision to give it.
 */
static int
pub_category_need(struct pub_run *run, struct store *st, const char *id,
    int *rev)
{
	int64_t r;
	int n;

	for (unsigned i = 0; i < run->ncat; i++)
		if (strcmp(run->cat[i].id, id) == 0)
			return 0;
	if ((r = store_revision_of(st, id)) < 0)
		return -1;
	if (r > 0)
		return 0;
	if ((n = store_revision_number(st, id)) == -1)
		return -1;
	*rev = n >= 0 ? n + 1 : 1;
	return 1;
}

static void
pub_category_add(struct pub_run *run, const char *id, const char *type,
    struct pub_str title, const char *parent, int rev)
{
	struct pub_category *k = &run->cat[run->ncat++];

	memcpy(k->id, id, PUB_GUID_LEN + 1);
	k->type = type;
	snprintf(k->title, sizeof(k->title), "%.*s", (int)title.n, title.p);
	snprintf(k->parent, sizeof(k->parent), "%s", parent);
	k->revision = rev;
}

/*
 * pub_plan - choose the revision of every update and the category
 * documents to create, against the store.  Nothing is written.  0, or -1
 * after printing why.
 */
static int
pub_plan(struct pub_run *run, struct store *st)
{
	char vendor[PUB_GUID_LEN + 1];
	int max, rev, r;

	for (unsigned i = 0; i < run->n; i++) {
		struct pub_update *u = &run->u[i];

		if (strcmp(u->id, u->product) == 0 ||
		    strcmp(u->id, u->classification) == 0) {
			fprintf(stderr, "wsusutil: publish: update %s names "
			    "itself as its product or classification\n", u->id);
			return -1;
		}
		for (unsigned j = 0; j < run->ncat; j++)
			if (strcmp(run->cat[j].id, u->id) == 0)
				goto clash;
		if ((max = store_revision_number(st, u->id)) == -1)
			goto store;
		if (u->revision != 0 && max >= 0 && u->revision <= max) {
			fprintf(stderr, "wsusutil: publish: update %s: revision "
			    "%d is not above the stored revision %d\n", u->id,
			    u->revision, max);
			return -1;
		}
		if (u->revision == 0)
			u->revision = max >= 0 ? max + 1 : 1;

		if ((r = pub_category_need(run, st, u->classification,
		    &rev)) == -1)
			goto store;
		if (r == 1) {
			struct pub_str t = u->class_text;

			if (t.p == NULL && u->class_name != NULL) {
				t.p = u->class_name;
				t.n = strlen(u->class_name);
			}
			if (t.p == NULL) {
				fprintf(stderr, "wsusutil: publish: update %s: "
				    "classification %s is not in the store; give "
				    "its name: <Classification id=\"%s\">Name"
				    "</Classification>\n", u->id,
				    u->classification, u->classification);
				return -1;
			}
			pub_category_add(run, u->classification,
			    "UpdateClassification", t, "", rev);
		}
		if ((r = pub_category_need(run, st, u->product, &rev)) == -1)
			goto store;
		if (r == 1) {
			int crev, cr = 0;

			vendor[0] = '\0';
			if (u->vendor.p != NULL) {
				pub_vendor_id(u->vendor, vendor);
				if ((cr = pub_category_need(run, st, vendor,
				    &crev)) == -1)
					goto store;
				if (cr == 1)
					pub_category_add(run, vendor, "Company",
					    u->vendor, "", crev);
			}
			pub_category_add(run, u->product, "Product",
			    u->product_name, vendor, rev);
		}
	}
	for (unsigned i = 0; i < run->n; i++)
		for (unsigned j = 0; j < run->ncat; j++)
			if (strcmp(run->cat[j].id, run->u[i].id) == 0)
				goto clash;
	return 0;
clash:
	fprintf(stderr, "wsusutil: publish: an update id is also used as a "
	    "category id in this catalog\n");
	return -1;
store:
	fprintf(stderr, "wsusutil: publish: cannot read the store in %s\n",
	    run->c->data_dir);
	return -1;
}

/* --- signing and content ------------------------------------------------ */

/*
 * pub_signer - the signing certificate must exist, parse, be valid, have a
 * private key file others cannot read, and be trusted by this server
 * (pki_trust_check_signer: TrustedPublisher, and Root when self-signed).
 * 0, or -1 after printing a refusal that names what is missing.
 */
static int
pub_signer(struct pub_run *run)
{
	char err[1024];
	struct stat sb;

	pki_signing_paths(run->c->data_dir, run->cert, run->key);
	if (stat(run->cert, &sb) == -1 || stat(run->key, &sb) == -1) {
		fprintf(stderr, "wsusutil: publish refused: there is no signing "
		    "certificate (%s); create one with `wsusutil signingcert "
		    "create` or import one with `wsusutil signingcert import`\n",
		    run->cert);
		return -1;
	}
	if (crypto_cert_info(run->cert, &run->ci, err, sizeof(err)) == -1) {
		fprintf(stderr, "wsusutil: publish refused: signing certificate "
		    "%s: %s\n", run->cert, err);
		return -1;
	}
	if (run->ci.days_left < 0) {
		fprintf(stderr, "wsusutil: publish refused: the signing "
		    "certificate %s expired on %s\n", run->ci.subject,
		    run->ci.not_after);
		return -1;
	}
	if (config_check_secrecy(run->key, err, sizeof(err)) == -1) {
		fprintf(stderr, "wsusutil: publish refused: signing key: %s\n",
		    err);
		return -1;
	}
	if (pki_trust_check_signer(run->c->data_dir, run->cert, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "wsusutil: publish refused: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * pub_content - write (p, len) as data_dir/content/XX/<SHA-1>.cab (XX the
 * last SHA-1 byte, upper hex): a temporary file in the same directory,
 * fsync, rename.  A file already there under that name has these bytes
 * and is left alone (u->wrote stays 0: a failed publish must not remove
 * it).  0, or -1 + err.
 */
static int
pub_content(const char *data_dir, struct pub_update *u, const uint8_t *p,
    size_t len, char *err, size_t errlen)
{
	char hex[41], dir[PUB_PATH_MAX + 64], tmp[PUB_PATH_MAX + 64];
	struct stat sb;
	size_t off = 0;
	int fd = -1;

	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02X", u->sha1[i]);
	if (strlen(data_dir) > PUB_PATH_MAX - 64) {
		snprintf(err, errlen, "data_dir path too long");
		return -1;
	}
	snprintf(dir, sizeof(dir), "%.960s/content", data_dir);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		goto syserr;
	snprintf(dir, sizeof(dir), "%.960s/content/%s", data_dir, hex + 38);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		goto syserr;
	snprintf(u->content, sizeof(u->content), "%.970s/%s.cab", dir, hex);
	if (lstat(u->content, &sb) == 0) {
		if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == len)
			return 0;
		snprintf(err, errlen, "%.900s exists and is not this cabinet",
		    u->content);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%.1000s.tmp.%ld", u->content,
	    (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd == -1) {
		snprintf(dir, sizeof(dir), "%s", tmp);
		goto syserr;
	}
	while (off < len) {
		ssize_t n = write(fd, p + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(dir, sizeof(dir), "%s", tmp);
			goto syserr;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		snprintf(dir, sizeof(dir), "%s", tmp);
		goto syserr;
	}
	fd = -1;
	if (rename(tmp, u->content) == -1) {
		snprintf(dir, sizeof(dir), "%s", u->content);
		goto syserr;
	}
	u->wrote = 1;
	return 0;
syserr:
	snprintf(err, errlen, "%.900s: %s", dir, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return -1;
}

/*
 * pub_sign - cabinet of the payload, Authenticode-signed with the
 * server's signing certificate, digests, written to content/.  0, or -1 +
 * err.
 */
static int
pub_sign(const struct pub_run *run, struct pub_update *u, char *err,
    size_t errlen)
{
	struct cab_file f = { u->payload_name, u->payload };
	uint8_t *cab = NULL, *sig = NULL;
	size_t cablen = 0, siglen = 0;
	int rc = -1;

	if (cab_build(&f, 1, &cab, &cablen, err, errlen) == -1)
		goto out;
	if (authenticode_sign_cab(cab, cablen, run->cert, run->key, &sig,
	    &siglen, err, errlen) == -1)
		goto out;
	crypto_sha1(sig, siglen, u->sha1);
	crypto_sha256(sig, siglen, u->sha256);
	u->size = siglen;
	if (pub_content(run->c->data_dir, u, sig, siglen, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	free(cab);
	free(sig);
	return rc;
}

/* --- publish CATALOG ---------------------------------------------------- */

/*
 * pub_add_doc - parse a generated document and queue its revision.  The
 * updatedoc keeps what the store_import row points into.  0, or -1 + err.
 */
static int
pub_add_doc(char *xml, size_t len, struct updatedoc **docs,
    struct store_import *rows, unsigned *n, char *err, size_t errlen)
{
	struct updatedoc *d;

	d = updatedoc_parse(xml, len, err, errlen);
	free(xml);
	if (d == NULL)
		return -1;
	docs[*n] = d;
	rows[*n] = *updatedoc_import(d);
	(*n)++;
	return 0;
}

static int
pub_publish(const struct config *c, const char *catalog)
{
	struct pub_run *run;
	struct store *st = NULL;
	struct updatedoc **docs = NULL;
	struct store_import *rows = NULL;
	unsigned nrows = 0, added = 0, skipped = 0;
	char err[1024];
	time_t now = time(NULL);
	size_t len;
	char *xml;
	int rc = 1, stage = 0;

	if ((run = calloc(1, sizeof(*run))) == NULL)
		fatal("%s: calloc", __func__);
	run->c = c;
	strftime(run->now, sizeof(run->now), "%Y-%m-%dT%H:%M:%SZ",
	    gmtime(&now));

	/* 1. The whole catalog, payloads included; 2. the signer. */
	if (pub_catalog(run, catalog) == -1 || pub_signer(run) == -1)
		goto out;
	/* 3. Revisions and categories, against the store. */
	if ((st = store_open(c->data_dir)) == NULL) {
		fprintf(stderr, "wsusutil: publish: cannot open the store in "
		    "%s\n", c->data_dir);
		goto out;
	}
	if (store_server_id(st, run->publisher) == -1) {
		fprintf(stderr, "wsusutil: publish: cannot read the server id "
		    "from the store\n");
		goto out;
	}
	if (pub_plan(run, st) == -1)
		goto out;
	if ((docs = calloc(run->n + run->ncat, sizeof(*docs))) == NULL ||
	    (rows = calloc(run->n + run->ncat, sizeof(*rows))) == NULL)
		fatal("%s: calloc", __func__);

	/* 4. From here on content is written: failures remove it. */
	stage = 1;
	for (unsigned i = 0; i < run->ncat; i++) {
		if ((xml = pub_category_doc(run, &run->cat[i], &len)) == NULL)
			fatal("%s: out of memory", __func__);
		if (pub_add_doc(xml, len, docs, rows, &nrows, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "wsusutil: publish: category %s: %s\n",
			    run->cat[i].id, err);
			goto out;
		}
	}
	for (unsigned i = 0; i < run->n; i++) {
		struct pub_update *u = &run->u[i];

		if (pub_sign(run, u, err, sizeof(err)) == -1 ||
		    (xml = pub_update_doc(run, u, u->revision, &len, err,
		    sizeof(err))) == NULL ||
		    pub_add_doc(xml, len, docs, rows, &nrows, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "wsusutil: publish: update %s: %s\n",
			    u->id, err);
			goto out;
		}
	}
	/* 5. One transaction for the whole catalog. */
	if (store_import_batch(st, rows, nrows, &added, &skipped,
	    actor_local()) == -1) {
		fprintf(stderr, "wsusutil: publish: the store refused the "
		    "catalog\n");
		goto out;
	}
	for (unsigned i = 0; i < run->ncat; i++)
		printf("Created category %s revision %d: %s \"%s\"\n",
		    run->cat[i].id, run->cat[i].revision, run->cat[i].type,
		    run->cat[i].title);
	for (unsigned i = 0; i < run->n; i++) {
		const struct pub_update *u = &run->u[i];
		const char *rel = strstr(u->content, "/content/");

		printf("Published %s revision %d: %.*s (signed by %s, SHA-1 %s)\n"
		    "  content %s (%llu bytes)\n", u->id, u->revision,
		    (int)u->title.n, u->title.p, run->ci.subject, run->ci.sha1,
		    rel != NULL ? rel + 1 : u->content,
		    (unsigned long long)u->size);
	}
	actor_note(st);
	rc = 0;
out:
	if (rc != 0) {
		unsigned removed = 0;

		for (unsigned i = 0; run->u != NULL && i < run->n; i++)
			if (run->u[i].wrote && unlink(run->u[i].content) == 0)
				removed++;
		fprintf(stderr, "wsusutil: publish %s; nothing was published%s\n",
		    stage ? "failed" : "refused", removed ?
		    " (the content files of this run were removed)" : "");
	}
	for (unsigned i = 0; i < nrows; i++)
		updatedoc_free(docs[i]);
	free(docs);
	free(rows);
	store_close(st);
	xml_free(run->doc);
	free(run->u);
	free(run);
	return rc;
}

/* --- publish --expire UPDATE-ID ----------------------------------------- */

static int
pub_expire(const struct config *c, const char *id)
{
	char g[PUB_GUID_LEN + 1];
	struct store *st;
	int rev, r, rc = 1;

	if (pub_guid(id, strlen(id), g) == -1) {
		fprintf(stderr, "wsusutil: publish --expire: \"%s\" is not an "
		    "update id (GUID)\n", id);
		return 1;
	}
	if ((st = store_open(c->data_dir)) == NULL) {
		fprintf(stderr, "wsusutil: cannot open the store in %s\n",
		    c->data_dir);
		return 1;
	}
	if ((rev = store_revision_number(st, g)) == -1 ||
	    (r = store_expire(st, g, actor_local())) == -1)
		fprintf(stderr, "wsusutil: publish --expire %s failed; nothing "
		    "changed\n", g);
	else if (r == -2)
		fprintf(stderr, "wsusutil: publish --expire: update %s has no "
		    "current revision (never published, or already expired)\n",
		    g);
	else {
		printf("Expired %s revision %d: clients no longer get it\n", g,
		    rev);
		actor_note(st);
		rc = 0;
	}
	store_close(st);
	return rc;
}

/* --- publish --example DIR ---------------------------------------------- */

/* The example's product: fixed, so that examples share one category. */
#define PUB_EXAMPLE_PRODUCT "3f5e8a9c-4b71-4c2e-9d10-6a8b7c5e2f41"

/* pub_write_file - create path (must not exist) with (p, n), mode 0644. */
static int
pub_write_file(const char *path, const void *p, size_t n)
{
	FILE *f;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "wsusutil: %s: %s\n", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "wsusutil: %s: %s\n", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/*
 * pub_example - DIR/catalog.xml (one exe update with a fresh id showing
 * every part of the format) and its payload DIR/payload/hello.exe; it
 * publishes as is.  Refuses to overwrite an existing catalog.
 */
static int
pub_example(const char *dir)
{
	static const char payload[] = "MZ wsusd example payload: "
	    "not a real program.\r\n";
	char cat[PUB_PATH_MAX], pdir[PUB_PATH_MAX], pay[PUB_PATH_MAX],
	    id[PUB_GUID_LEN + 1], *text = NULL;
	uint8_t r[16];
	int n;

	if (crypto_random(r, sizeof(r)) == -1) {
		fprintf(stderr, "wsusutil: no randomness for an update id\n");
		return 1;
	}
	r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
	r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
	snprintf(id, sizeof(id), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
	    r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
	if (snprintf(cat, sizeof(cat), "%s/catalog.xml", dir) >=
	    (int)sizeof(cat) - 16) {
		fprintf(stderr, "wsusutil: %s: path too long\n", dir);
		return 1;
	}
	snprintf(pdir, sizeof(pdir), "%s/payload", dir);
	snprintf(pay, sizeof(pay), "%s/payload/hello.exe", dir);
	if ((mkdir(dir, 0755) == -1 && errno != EEXIST) ||
	    (mkdir(pdir, 0755) == -1 && errno != EEXIST)) {
		fprintf(stderr, "wsusutil: mkdir in %s: %s\n", dir,
		    strerror(errno));
		return 1;
	}
	if (access(cat, F_OK) == 0) {
		fprintf(stderr, "wsusutil: %s exists; not overwritten\n", cat);
		return 1;
	}
	n = asprintf(&text,
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<!-- A wsusd Updates Publisher catalog (README.md, \"Publishing\").\n"
	    "     Publish it with: wsusutil -c wsusd.conf publish catalog.xml\n"
	    "     Each publish of the same Update id makes a new revision. -->\n"
	    "<Catalog xmlns=\"" PUB_NS "\">\n"
	    "  <Update id=\"%s\">\n"
	    "    <Title>Contoso Hello 1.0</Title>\n"
	    "    <Description>An example update written by wsusutil publish "
	    "--example.</Description>\n"
	    "    <Vendor>Contoso</Vendor>\n"
	    "    <KB>5000001</KB>\n"
	    "    <Classification>Updates</Classification>\n"
	    "    <Product id=\"" PUB_EXAMPLE_PRODUCT "\">Contoso Hello</Product>\n"
	    "    <Installer type=\"exe\">\n"
	    "      <CommandLine>/quiet /norestart</CommandLine>\n"
	    "      <ReturnCode code=\"0\" result=\"Succeeded\"/>\n"
	    "      <ReturnCode code=\"3010\" result=\"Succeeded\" reboot=\"true\"/>\n"
	    "      <ReturnCode code=\"1602\" result=\"Cancelled\"/>\n"
	    "    </Installer>\n"
	    "    <Applicability>\n"
	    "      <IsInstalled>\n"
	    "        <Or>\n"
	    "          <RegistryValue key=\"HKEY_LOCAL_MACHINE\" "
	    "subkey=\"SOFTWARE\\Contoso\\Installed\" value=\"%s\" type=\"REG_SZ\"/>\n"
	    "          <File csidl=\"38\" path=\"Contoso\\Hello\\hello.exe\" "
	    "version=\"1.0\" comparison=\"GreaterThanOrEqualTo\"/>\n"
	    "        </Or>\n"
	    "      </IsInstalled>\n"
	    "      <IsInstallable>\n"
	    "        <Not>\n"
	    "          <RegistryValue subkey=\"SOFTWARE\\Contoso\\Policy\" "
	    "value=\"BlockHello\" type=\"REG_DWORD\" data=\"1\"/>\n"
	    "        </Not>\n"
	    "      </IsInstallable>\n"
	    "    </Applicability>\n"
	    "    <Payload>payload/hello.exe</Payload>\n"
	    "  </Update>\n"
	    "</Catalog>\n", id, id);
	if (n < 0)
		fatal("%s: asprintf", __func__);
	unlink(pay);   /* ours from an earlier example: the catalog is gone */
	if (pub_write_file(pay, payload, sizeof(payload) - 1) == -1 ||
	    pub_write_file(cat, text, (size_t)n) == -1) {
		free(text);
		return 1;
	}
	free(text);
	printf("wrote %s (update %s) and %s\n"
	    "publish it with: wsusutil -c FILE publish %s\n", cat, id, pay, cat);
	return 0;
}

/* --- the verb ----------------------------------------------------------- */

/*
 * publish_verb - `wsusutil ... publish ...`.  Returns -1 when argv[0] is
 * not "publish" (another verb's), else the exit status: 0, 1 (refused or
 * failed, nothing published), 2 (usage).
 */
int
publish_verb(const struct config *c, int argc, char *argv[])
{
	if (argc < 1 || strcmp(argv[0], "publish") != 0)
		return -1;
	if (argc == 3 && strcmp(argv[1], "--example") == 0)
		return pub_example(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--expire") == 0)
		return pub_expire(c, argv[2]);
	if (argc == 2 && argv[1][0] != '-')
		return pub_publish(c, argv[1]);
	fprintf(stderr,
	    "usage: wsusutil -c FILE publish CATALOG\n"
	    "       wsusutil -c FILE publish --example DIR\n"
	    "       wsusutil -c FILE publish --expire UPDATE-ID\n");
	return 2;
}
