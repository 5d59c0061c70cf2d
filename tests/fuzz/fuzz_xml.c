/*
 * fuzz_xml.c - libFuzzer target for the XML reader and writer: raw bytes
 * in under small limits, then the tree walked, written, read back and
 * written again.
 *
 * Build:  clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *             -iquote server -iquote conf -iquote store -iquote webservices \
 *             tests/fuzz/fuzz_xml.c common/xml.c common/log.c -lexpat \
 *             -o fuzz_xml
 * Run:    ./fuzz_xml -max_total_time=60 corpus/
 *
 * A parse may fail, but then err must be a terminated, non-empty reason.
 * On success the tree must respect the limits, and writing is a fixed
 * point: what xml_write produces must parse again and write identically.
 * Any breach aborts so libFuzzer keeps the input; leaks are ASan's job.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xml.h"

#define FUZZ_MAX_BYTES    (64u << 10)
#define FUZZ_MAX_DEPTH    16
#define FUZZ_MAX_ELEMENTS 256
#define FUZZ_MAX_TEXT     1024
#define FUZZ_REPARSE_SLACK 8          /* writer output may grow by this factor */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_check - walk the tree; abort if it breaks a limit or a link. */
static void
fuzz_check(const struct xml_node *root, const struct xml_limits *lim)
{
	const struct xml_node *n = root;
	unsigned               depth = 1, count = 0, i;

	for (;;) {
		count++;
		if (depth > lim->max_depth || count > lim->max_elements ||
		    n->text_len > lim->max_text ||
		    strlen(n->text) != n->text_len ||
		    (n->first != NULL && n->first->parent != n))
			abort();
		for (i = 0; i < n->nattrs; i++)
			if (xml_attr(n, n->attrs[i].name) == NULL)
				abort();
		if (xml_child(n->parent, n->local) == NULL && n != root)
			abort();
		if (n->first != NULL) {
			n = n->first;
			depth++;
			continue;
		}
		while (n != root && n->next == NULL) {
			n = n->parent;
			depth--;
		}
		if (n == root)
			return;
		n = n->next;
	}
}

/* fuzz_write - the document as text (caller frees); aborts on oom. */
static char *
fuzz_write(const struct xml_doc *d, size_t *len)
{
	struct wbuf b;
	char       *s;

	wbuf_init(&b, 64);
	xml_write(&b, xml_root(d));
	if ((s = wbuf_take(&b, len)) == NULL)
		abort();
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct xml_limits lim = {
		FUZZ_MAX_BYTES, FUZZ_MAX_DEPTH, FUZZ_MAX_ELEMENTS, FUZZ_MAX_TEXT
	};
	struct xml_limits relim = lim;
	struct xml_doc   *d, *d2;
	char              err[128], err2[128], *out, *out2;
	size_t            len, len2;

	memset(err, 'x', sizeof(err));
	d = xml_parse((const char *)data, size, &lim, err, sizeof(err));
	if (d == NULL) {
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			abort();
		return 0;
	}
	fuzz_check(xml_root(d), &lim);
	out = fuzz_write(d, &len);

	relim.max_bytes = (size + 16) * FUZZ_REPARSE_SLACK;
	if ((d2 = xml_parse(out, len, &relim, err2, sizeof(err2))) == NULL)
		abort();            /* the writer produced something unreadable */
	out2 = fuzz_write(d2, &len2);
	if (len2 != len || memcmp(out, out2, len) != 0)
		abort();            /* not a fixed point */

	free(out2);
	free(out);
	xml_free(d2);
	xml_free(d);
	return 0;
}
