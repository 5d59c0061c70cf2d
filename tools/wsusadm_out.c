/*
 * wsusadm_out.c - what wsusadm prints: aligned tables for people, JSON
 * for scripts, and the cells of the positional rows ApiRemoting30 sends.
 *
 * Owns: struct adm_table (rows of copied strings), the two renderings and
 * GenericReadableRow access.  Tables: a header line of column names,
 * columns padded to their widest cell (counted in UTF-8 characters), two
 * spaces apart, the last one unpadded; a null cell prints as "-".  JSON:
 * an array of objects keyed by the column name in lower case with spaces
 * as '_' ("LAST SYNC" -> "last_sync"), numbers and booleans unquoted,
 * nulls as null.  Control characters from the server are escaped in JSON
 * and replaced by '?' in tables, so an answer cannot drive the terminal.
 *
 * Never does: interpret cell text beyond what a column's type says.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wsusadm.h"

void
adm_table_init(struct adm_table *t, const struct adm_col *cols, int ncols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
}

int
adm_table_add(struct adm_table *t, const char *const *cells)
{
	size_t base;
	char **np;

	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		if ((np = realloc(t->cells, ncap * (size_t)t->ncols * sizeof(*np))) == NULL)
			return -1;
		t->cells = np;
		t->cap = ncap;
	}
	base = t->nrows * (size_t)t->ncols;
	for (int i = 0; i < t->ncols; i++) {
		t->cells[base + i] = NULL;
		if (cells[i] != NULL && (t->cells[base + i] = strdup(cells[i])) == NULL) {
			for (int j = 0; j < i; j++)
				free(t->cells[base + j]);
			return -1;
		}
	}
	t->nrows++;
	return 0;
}

/* Sort state for qsort (single-threaded program). */
static const struct adm_table *sort_t;
static int sort_col;

static int
table_cmp(const void *x, const void *y)
{
	const char *ca = ((char *const *)x)[sort_col], *cb = ((char *const *)y)[sort_col];

	if (ca == NULL || cb == NULL)
		return (ca == NULL) - (cb == NULL);
	if (sort_t->cols[sort_col].type == ADM_N) {
		double da = strtod(ca, NULL), db = strtod(cb, NULL);
		return da < db ? -1 : da > db;
	}
	return strcasecmp(ca, cb);
}

void
adm_table_sort(struct adm_table *t, int col)
{
	/* Rows are ncols consecutive pointers: sort them as blocks. */
	if (t->nrows < 2)
		return;
	sort_t = t;
	sort_col = col;
	qsort(t->cells, t->nrows, (size_t)t->ncols * sizeof(char *), table_cmp);
}

void
adm_table_free(struct adm_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* Display width of s: UTF-8 continuation bytes do not count. */
static size_t
out_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

/* Print s for a terminal: control characters become '?'. */
static void
out_safe(const char *s)
{
	for (; *s; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

void
adm_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* A JSON key from a column head: lower case, spaces and '/' as '_'. */
static void
out_key(const char *head)
{
	putchar('"');
	for (; *head; head++)
		putchar(*head == ' ' || *head == '/' || *head == '-' ? '_' :
		    tolower((unsigned char)*head));
	fputs("\":", stdout);
}

/* A value of type ty: numbers and booleans bare when they look right. */
static void
out_json_value(const char *v, enum adm_type ty)
{
	char *end;

	if (v == NULL) {
		fputs("null", stdout);
		return;
	}
	if (ty == ADM_N && v[0] != '\0') {
		(void)strtod(v, &end);
		if (*end == '\0') {
			fputs(v, stdout);
			return;
		}
	}
	if (ty == ADM_B && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)) {
		fputs(v, stdout);
		return;
	}
	adm_json_str(v);
}

void
adm_table_print(const struct adm_table *t, int json)
{
	size_t w[ADM_COLS_MAX];
	const char *v;

	if (json) {
		putchar('[');
		for (size_t r = 0; r < t->nrows; r++) {
			fputs(r ? ",\n {" : "\n {", stdout);
			for (int c = 0; c < t->ncols; c++) {
				if (c)
					putchar(',');
				out_key(t->cols[c].head);
				out_json_value(t->cells[r * (size_t)t->ncols + c], t->cols[c].type);
			}
			putchar('}');
		}
		fputs(t->nrows ? "\n]\n" : "]\n", stdout);
		return;
	}
	for (int c = 0; c < t->ncols && c < ADM_COLS_MAX; c++)
		w[c] = out_width(t->cols[c].head);
	for (size_t r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols && c < ADM_COLS_MAX; c++) {
			v = t->cells[r * (size_t)t->ncols + c];
			if (out_width(v ? v : "-") > w[c])
				w[c] = out_width(v ? v : "-");
		}
	for (int c = 0; c < t->ncols && c < ADM_COLS_MAX; c++)
		printf("%s%-*s", c ? "  " : "", c + 1 < t->ncols ? (int)w[c] : 0,
		    t->cols[c].head);
	putchar('\n');
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols && c < ADM_COLS_MAX; c++) {
			v = t->cells[r * (size_t)t->ncols + c];
			if (v == NULL)
				v = "-";
			if (c)
				fputs("  ", stdout);
			out_safe(v);
			if (c + 1 < t->ncols)
				for (size_t k = out_width(v); k < w[c]; k++)
					putchar(' ');
		}
		putchar('\n');
	}
}

void
adm_kv_print(const char *const *names, const char *const *values,
    const enum adm_type *types, int n, int json)
{
	size_t w = 0;

	if (json) {
		putchar('{');
		for (int i = 0; i < n; i++) {
			fputs(i ? ",\n " : "\n ", stdout);
			out_key(names[i]);
			out_json_value(values[i], types ? types[i] : ADM_S);
		}
		fputs("\n}\n", stdout);
		return;
	}
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) > w)
			w = strlen(names[i]);
	for (int i = 0; i < n; i++) {
		printf("%s:%*s ", names[i], (int)(w - strlen(names[i])), "");
		out_safe(values[i] ? values[i] : "-");
		putchar('\n');
	}
}

/* --- rows ------------------------------------------------------------------- */

/* xsi:nil="true" under whatever prefix the server bound the namespace to. */
static int
out_is_nil(const struct xml_node *n)
{
	for (unsigned i = 0; i < n->nattrs; i++) {
		const char *nm = n->attrs[i].name, *colon = strrchr(nm, ':');
		if (strcmp(colon ? colon + 1 : nm, "nil") == 0)
			return strcmp(n->attrs[i].value, "true") == 0 ||
			    strcmp(n->attrs[i].value, "1") == 0;
	}
	return 0;
}

const struct xml_node *
adm_row_first(const struct xml_node *a)
{
	return a == NULL ? NULL : xml_child(a, "GenericReadableRow");
}

const struct xml_node *
adm_row_next(const struct xml_node *row)
{
	return xml_next_same(row);
}

const char *
adm_cell(const struct xml_node *row, int i)
{
	const struct xml_node *v = xml_child(row, "Values"), *c;

	if (v == NULL)
		return NULL;
	for (c = v->first; c != NULL && i > 0; c = c->next)
		i--;
	return c == NULL || out_is_nil(c) ? NULL : c->text;
}

const char *
adm_text(const struct xml_node *n, const char *child)
{
	const struct xml_node *c;

	if (n == NULL || (c = xml_child(n, child)) == NULL || out_is_nil(c))
		return NULL;
	return c->text;
}
