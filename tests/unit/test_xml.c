/*
 * test_xml.c - common/xml.c: the bounded reader (navigation, names as
 * written, entity decoding, and every refusal the pre-authentication
 * surface depends on: DTDs, entities, depth, element count, text size,
 * input size, malformed input) and the writer (round trips and escaping).
 * Table rows carry their __LINE__ so a failure names the case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xml.h"
#include "t.h"

/* Limits for the tables (the server's own live in server/limits.h). */
#define TX_MAX_BYTES     (64u << 10)
#define TX_MAX_DEPTH     64
#define TX_MAX_ELEMENTS  1000
#define TX_MAX_TEXT      4096
#define TX_DEEP          10000      /* nesting of the deep-refusal case */
#define TX_DEEP_OK       50000      /* nesting the writer must survive */

static const struct xml_limits tx_lim = {
	TX_MAX_BYTES, TX_MAX_DEPTH, TX_MAX_ELEMENTS, TX_MAX_TEXT
};

/* parse (s, n) under lim; on failure err holds the reason. */
static struct xml_doc *
tx_parse(const char *s, size_t n, const struct xml_limits *lim, char *err,
    size_t errlen)
{
	return xml_parse(s, n, lim != NULL ? lim : &tx_lim, err, errlen);
}

/* xml_write of the whole document into a fresh string (caller frees). */
static char *
tx_write(const struct xml_doc *d)
{
	struct wbuf b;

	wbuf_init(&b, 16);
	xml_write(&b, xml_root(d));
	return wbuf_take(&b, NULL);
}

/* --- navigation ------------------------------------------------------------- */

static void
test_navigation(void)
{
	static const char doc[] =
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<!-- a comment --><?pi data?>"
	    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
	    "<s:Body><GetConfig xmlns=\"urn:ws\" z=\"1\" y=\"2\" x=\"3\">"
	    "<protocolVersion>1.8</protocolVersion>"
	    "<int>1</int><other/><int>2</int><n:int xmlns:n=\"urn:n\">3</n:int>"
	    "</GetConfig></s:Body></s:Envelope>";
	struct xml_doc  *d;
	struct xml_node *root, *op, *k;
	char             err[256];
	unsigned         i;
	const char      *want[] = { "1", "2", "3" };

	d = tx_parse(doc, sizeof(doc) - 1, NULL, err, sizeof(err));
	T_OK(d != NULL, "refused: %s", err);
	if (d == NULL)
		return;
	root = xml_root(d);
	T_OK(strcmp(root->name, "s:Envelope") == 0, "root name %s", root->name);
	T_OK(strcmp(root->local, "Envelope") == 0, "root local %s", root->local);
	T_OK(strcmp(xml_attr(root, "xmlns:s"),
	    "http://schemas.xmlsoap.org/soap/envelope/") == 0, "xmlns:s kept");
	T_OK(xml_attr(root, "s") == NULL, "attr lookup is exact");
	k = xml_child(root, "Body");
	T_OK(k != NULL && strcmp(k->name, "s:Body") == 0, "prefix kept on Body");
	op = xml_path(root, "Body", "GetConfig", NULL);
	T_OK(op != NULL && op->parent == k, "xml_path to GetConfig");
	k = xml_path(root, "Body", "GetConfig", "protocolVersion", NULL);
	T_OK(k != NULL && k->text_len == 3 && strcmp(k->text, "1.8") == 0,
	    "protocolVersion text");
	T_OK(xml_path(root, "Body", "Nope", "protocolVersion", NULL) == NULL,
	    "missing path step");
	T_OK(xml_path(root, NULL) == root, "empty path");
	T_OK(op != NULL && op->nattrs == 4, "attribute count");
	if (op != NULL && op->nattrs == 4) {
		T_OK(strcmp(op->attrs[0].name, "xmlns") == 0 &&
		    strcmp(op->attrs[1].name, "z") == 0 &&
		    strcmp(op->attrs[2].name, "y") == 0 &&
		    strcmp(op->attrs[3].name, "x") == 0,
		    "attribute order kept");
		T_OK(strcmp(xml_attr(op, "y"), "2") == 0, "xml_attr y");
	}
	T_OK(xml_count(op, "int") == 3, "count int %u", xml_count(op, "int"));
	T_OK(xml_count(op, "none") == 0, "count none");
	for (i = 0, k = xml_child(op, "int"); k != NULL && i < 3;
	    k = xml_next_same(k), i++)
		T_OK(strcmp(k->text, want[i]) == 0, "int %u = %s", i, k->text);
	T_OK(i == 3 && k == NULL, "xml_next_same walked %u", i);
	k = xml_child(op, "other");
	T_OK(k != NULL && k->text_len == 0 && strcmp(k->text, "") == 0 &&
	    k->first == NULL, "empty element has \"\" text");
	T_OK(xml_child(NULL, "x") == NULL && xml_next_same(NULL) == NULL &&
	    xml_attr(NULL, "x") == NULL && xml_count(NULL, "x") == 0 &&
	    xml_root(NULL) == NULL, "NULL-safe lookups");
	xml_free(d);
	xml_free(NULL);
}

/* --- decoding ------------------------------------------------------------------ */

static void
test_decoding(void)
{
	static const char doc[] =
	    "<a t=\"&lt;&amp;&quot;&apos;&gt;&#65;&#x42;\" u='\"' "
	    "w=\"a&#10;b&#9;c\">&lt;&gt;&amp;&#x20AC;&#169;x<b>in</b>y"
	    "<![CDATA[<raw>&amp;]]>\r\nz</a>";
	struct xml_doc  *d;
	struct xml_node *a;
	char             err[256];

	d = tx_parse(doc, sizeof(doc) - 1, NULL, err, sizeof(err));
	T_OK(d != NULL, "refused: %s", err);
	if (d == NULL)
		return;
	a = xml_root(d);
	T_OK(strcmp(xml_attr(a, "t"), "<&\"'>AB") == 0, "attr entities: %s",
	    xml_attr(a, "t"));
	T_OK(strcmp(xml_attr(a, "u"), "\"") == 0, "single-quoted attr");
	T_OK(strcmp(xml_attr(a, "w"), "a\nb\tc") == 0, "char refs in attr");
	T_OK(strcmp(a->text, "<>&\xe2\x82\xac\xc2\xa9xy<raw>&amp;\nz") == 0,
	    "text decoded and gathered around the child: %s", a->text);
	T_OK(a->text_len == strlen(a->text), "text_len");
	T_OK(strcmp(xml_child(a, "b")->text, "in") == 0, "child text");
	xml_free(d);

	/* expat honours a UTF-16 BOM over the UTF-8 it was created for; the
	 * tree is UTF-8 all the same. */
	d = tx_parse("\xff\xfe<\0a\0>\0\xe9\0<\0/\0a\0>\0", 18, NULL, err,
	    sizeof(err));
	T_OK(d != NULL && strcmp(xml_root(d)->text, "\xc3\xa9") == 0,
	    "UTF-16LE with BOM: %s", d ? xml_root(d)->text : err);
	xml_free(d);
}

/* --- refusals ------------------------------------------------------------------- */

static const struct xml_limits tx_small = { 64, 64, 1000, 4096 };
static const struct xml_limits tx_few = { TX_MAX_BYTES, 64, 10, 4096 };
static const struct xml_limits tx_short = { TX_MAX_BYTES, 64, 1000, 16 };

static const struct {
	int                      line;
	const char              *in;
	size_t                   len;     /* 0: strlen(in) */
	const struct xml_limits *lim;     /* NULL: tx_lim */
	const char              *err;     /* substring of the reason */
} bad[] = {
	/* DTDs and entities */
	{ __LINE__, "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", 0, NULL,
	    "DOCTYPE not allowed" },
	{ __LINE__, "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
	    "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
	    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
	    "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
	    "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
	    "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
	    "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
	    "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
	    "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">"
	    "]><lolz>&lol9;</lolz>", 0, NULL, "DOCTYPE not allowed" },
	{ __LINE__, "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<a>&x;</a>", 0, NULL, "DOCTYPE not allowed" },
	{ __LINE__, "<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>", 0, NULL,
	    "DOCTYPE not allowed" },
	{ __LINE__, "<!DOCTYPE a PUBLIC \"-//x//y\" \"http://192.0.2.1/x.dtd\"><a/>",
	    0, NULL, "DOCTYPE not allowed" },
	{ __LINE__, "<!DOCTYPE a [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>"
	    "<a/>", 0, NULL, "DOCTYPE not allowed" },
	{ __LINE__, "<a>&foo;</a>", 0, NULL, "undefined entity" },
	{ __LINE__, "<a b=\"&foo;\"/>", 0, NULL, "undefined entity" },
	{ __LINE__, "<a>&#0;</a>", 0, NULL, "reference to invalid character" },
	/* limits */
	{ __LINE__, "<a>0123456789012345678901234567890123456789012345678901234567890"
	    "</a>", 0, &tx_small, "exceeds 64 bytes" },
	{ __LINE__, "<a><b/><b/><b/><b/><b/><b/><b/><b/><b/><b/></a>", 0, &tx_few,
	    "more than 10 elements" },
	{ __LINE__, "<a>0123456789abcdefg</a>", 0, &tx_short,
	    "text of element <a> longer than 16 bytes" },
	{ __LINE__, "<a>01234567<b/>89abcdefg</a>", 0, &tx_short,
	    "longer than 16 bytes" },
	{ __LINE__, "<a>&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;"
	    "&amp;&amp;&amp;&amp;&amp;&amp;</a>", 0, &tx_short, "longer than 16" },
	/* malformed */
	{ __LINE__, "", 0, NULL, "no element found" },
	{ __LINE__, "<a>", 0, NULL, "no element found" },
	{ __LINE__, "<a><b></a>", 0, NULL, "mismatched tag" },
	{ __LINE__, "<a", 0, NULL, "line 1" },
	{ __LINE__, "<a/><b/>", 0, NULL, "junk after document element" },
	{ __LINE__, "<a/>garbage", 0, NULL, "junk after document element" },
	{ __LINE__, "text<a/>", 0, NULL, "not well-formed" },
	{ __LINE__, "<a>\xff\xfe</a>", 0, NULL, "not well-formed" },
	{ __LINE__, "<a>\xc3</a>", 0, NULL, "not well-formed" },
	{ __LINE__, "<a>\xed\xa0\x80</a>", 0, NULL, "not well-formed" },
	{ __LINE__, "<a>x\0y</a>", 10, NULL, "not well-formed" },
	{ __LINE__, "<a b=\"1\" b=\"2\"/>", 0, NULL, "duplicate attribute" },
	{ __LINE__, "<a b=1/>", 0, NULL, "not well-formed" },
	{ __LINE__, "<?xml version=\"1.0\" encoding=\"x-unknown\"?><a/>", 0, NULL,
	    "encoding \"x-unknown\" not supported" },
	{ __LINE__, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>", 0,
	    NULL, "encoding \"ISO-8859-1\" not supported (UTF-8 only)" },
	{ __LINE__, "<a>\xe9</a>", 0, NULL, "not well-formed" },
	{ __LINE__, "<a>\n<b>\n</a>", 0, NULL, "line 3 column 3: mismatched tag" },
};

static void
test_refusals(void)
{
	struct xml_doc *d;
	char            err[256];
	size_t          i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = bad[i].len ? bad[i].len : strlen(bad[i].in);
		memset(err, 'x', sizeof(err));
		d = tx_parse(bad[i].in, n, bad[i].lim, err, sizeof(err));
		T_CHECK(bad[i].line, d == NULL, "accepted");
		T_CHECK(bad[i].line, memchr(err, '\0', sizeof(err)) != NULL &&
		    strstr(err, bad[i].err) != NULL,
		    "reason \"%.200s\" lacks \"%s\"", err, bad[i].err);
		xml_free(d);
	}
}

/* An external entity pointing at a real file must never be read. */
static void
test_external_file(void)
{
	char            path[] = "/tmp/test_xml_XXXXXX", doc[256], err[256];
	struct xml_doc *d;
	int             fd;

	if ((fd = mkstemp(path)) == -1) {
		T_OK(0, "mkstemp");
		return;
	}
	if (write(fd, "SECRET", 6) != 6)
		T_OK(0, "write");
	close(fd);
	snprintf(doc, sizeof(doc), "<!DOCTYPE a [<!ENTITY x SYSTEM \"file://%s\">]>"
	    "<a>&x;</a>", path);
	d = tx_parse(doc, strlen(doc), NULL, err, sizeof(err));
	T_OK(d == NULL && strstr(err, "DOCTYPE") != NULL &&
	    strstr(err, "SECRET") == NULL, "external entity: %s", err);
	xml_free(d);
	unlink(path);
}

/* 10,000 levels against a 64 cap, then 50,000 levels allowed and written. */
static void
test_deep(void)
{
	struct xml_limits lim = tx_lim;
	struct xml_doc   *d;
	struct wbuf       in;
	char              err[256], *out;
	size_t            i;

	wbuf_init(&in, 16);
	for (i = 0; i < TX_DEEP; i++)
		wbuf_puts(&in, "<a>");
	for (i = 0; i < TX_DEEP; i++)
		wbuf_puts(&in, "</a>");
	lim.max_bytes = in.len;
	d = tx_parse(in.p, in.len, &lim, err, sizeof(err));
	T_OK(d == NULL && strstr(err, "XML nesting deeper than 64") != NULL,
	    "deep nesting: %s", err);
	xml_free(d);
	wbuf_free(&in);

	/* The writer walks without recursion: a deep tree must not overflow. */
	wbuf_init(&in, 16);
	for (i = 0; i < TX_DEEP_OK; i++)
		wbuf_puts(&in, "<a>");
	wbuf_puts(&in, "<b />");
	for (i = 0; i < TX_DEEP_OK; i++)
		wbuf_puts(&in, "</a>");
	lim.max_bytes = in.len;
	lim.max_depth = TX_DEEP_OK + 1;
	lim.max_elements = TX_DEEP_OK + 1;
	d = tx_parse(in.p, in.len, &lim, err, sizeof(err));
	T_OK(d != NULL, "deep but allowed: %s", err);
	if (d != NULL) {
		out = tx_write(d);
		T_OK(out != NULL && strlen(out) == in.len &&
		    memcmp(out, in.p, in.len) == 0, "deep round trip");
		free(out);
	}
	xml_free(d);
	wbuf_free(&in);
}

/* Exactly at each limit is fine. */
static void
test_at_limits(void)
{
	static const struct xml_limits lim = { 31, 3, 3, 5 };
	static const char doc[] = "<a><b><c>12345</c></b>12345</a>";
	struct xml_doc *d;
	char            err[256];

	T_OK(sizeof(doc) - 1 == 31, "doc size %zu", sizeof(doc) - 1);
	d = tx_parse(doc, sizeof(doc) - 1, &lim, err, sizeof(err));
	T_OK(d != NULL, "at the limits: %s", err);
	xml_free(d);
}

/* --- writer ------------------------------------------------------------------------ */

static const struct {
	int         line;
	const char *in;
	const char *out;      /* NULL: same as in */
} rt[] = {
	{ __LINE__, "<a />", NULL },
	{ __LINE__, "<a/>", "<a />" },
	{ __LINE__, "<a></a>", "<a />" },
	{ __LINE__, "<a x=\"1\" y=\"2\" />", NULL },
	{ __LINE__, "<a x=\"1\" y=\"2\">t<b /><c>u</c></a>", NULL },
	{ __LINE__, "<s:E xmlns:s=\"urn:x\"><s:B s:k=\"v\">1 &amp; 2 &lt; 3 &gt; 0"
	    "</s:B></s:E>", NULL },
	{ __LINE__, "<a>it's \"quoted\"</a>", NULL },
	{ __LINE__, "<a v='say \"hi\" &amp; &lt;x&gt;' />",
	    "<a v=\"say &quot;hi&quot; &amp; &lt;x&gt;\" />" },
	{ __LINE__, "<a v=\"l1&#10;l2&#9;&#13;\" />", "<a v=\"l1&#xA;l2&#x9;&#xD;\" />" },
	{ __LINE__, "<a>&#13;x</a>", "<a>&#xD;x</a>" },
	{ __LINE__, "<a>x<![CDATA[<&>]]></a>", "<a>x&lt;&amp;&gt;</a>" },
	{ __LINE__, "<?xml version=\"1.0\"?>\n<a>\n <b />\n</a>\n",
	    "<a>\n \n<b /></a>" },
	{ __LINE__, "<a>\xe2\x82\xac &#x20AC;</a>", "<a>\xe2\x82\xac \xe2\x82\xac</a>" },
	{ __LINE__, "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?><a />", "<a />" },
	{ __LINE__, "<?xml version=\"1.0\" encoding=\"US-ASCII\"?><a />", "<a />" },
	{ __LINE__, "<UpdateIdentity UpdateID=\"ff36f0b5-dded-4780-8664-cd78af8b62c1\" "
	    "RevisionNumber=\"200\" />", NULL },
};

static void
test_roundtrip(void)
{
	struct xml_doc *d;
	char            err[256], *out;
	const char     *want;
	size_t          i;

	for (i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
		want = rt[i].out != NULL ? rt[i].out : rt[i].in;
		d = tx_parse(rt[i].in, strlen(rt[i].in), NULL, err, sizeof(err));
		T_CHECK(rt[i].line, d != NULL, "refused: %s", err);
		if (d == NULL)
			continue;
		out = tx_write(d);
		T_CHECK(rt[i].line, out != NULL && strcmp(out, want) == 0,
		    "wrote \"%s\", want \"%s\"", out ? out : "(null)", want);
		free(out);
		xml_free(d);
	}
}

/* A subtree is written alone, without its siblings or parent. */
static void
test_subtree(void)
{
	static const char doc[] = "<r><a k=\"1\"><b>x</b></a><c /></r>";
	struct xml_doc *d;
	struct wbuf     b;
	char            err[256], *out;

	d = tx_parse(doc, sizeof(doc) - 1, NULL, err, sizeof(err));
	T_OK(d != NULL, "refused: %s", err);
	if (d == NULL)
		return;
	wbuf_init(&b, 0);
	xml_write(&b, xml_child(xml_root(d), "a"));
	xml_write(&b, NULL);
	out = wbuf_take(&b, NULL);
	T_OK(out != NULL && strcmp(out, "<a k=\"1\"><b>x</b></a>") == 0,
	    "subtree: %s", out ? out : "(null)");
	free(out);
	xml_free(d);
}

static void
test_wbuf(void)
{
	struct wbuf b;
	char       *s;
	size_t      len, i;

	wbuf_init(&b, 1);
	wbuf_esc(&b, "a&b<c>d\"e'f", 11);
	wbuf_putc(&b, '|');
	wbuf_esc_text(&b, "a&b<c>d\"e'f\r", 12);
	wbuf_putc(&b, '|');
	wbuf_esc_attr(&b, "a&b<c>d\"e'f\t\n", 13);
	s = wbuf_take(&b, &len);
	T_OK(s != NULL && strcmp(s, "a&amp;b&lt;c&gt;d&quot;e&apos;f|"
	    "a&amp;b&lt;c&gt;d\"e'f&#xD;|a&amp;b&lt;c&gt;d&quot;e'f&#x9;&#xA;") == 0
	    && len == strlen(s), "escapes: %s", s ? s : "(null)");
	free(s);
	T_OK(b.p == NULL && b.len == 0, "take empties the buffer");

	wbuf_init(&b, 4);
	for (i = 0; i < 1000; i++)
		wbuf_printf(&b, "%04zu,", i);
	wbuf_puts(&b, "");
	wbuf_put(&b, NULL, 0);
	T_OK(!b.oom && b.len == 5000 && memcmp(b.p + 4995, "0999,", 5) == 0,
	    "printf growth: len %zu", b.len);
	s = wbuf_take(&b, &len);
	T_OK(s != NULL && len == 5000 && s[5000] == '\0', "take is terminated");
	free(s);

	wbuf_init(&b, 0);
	b.oom = 1;                  /* as after a failed allocation */
	wbuf_puts(&b, "dropped");
	T_OK(wbuf_take(&b, &len) == NULL && len == 0 && b.p == NULL,
	    "take after oom is NULL and frees");
	wbuf_free(&b);
	wbuf_free(NULL);
}

int
main(void)
{
	test_navigation();
	test_decoding();
	test_refusals();
	test_external_file();
	test_deep();
	test_at_limits();
	test_roundtrip();
	test_subtree();
	test_wbuf();
	return t_done("test_xml");
}
