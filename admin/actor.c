/*
 * actor.c - who wsusutil says makes its changes, and the audit door for
 * the changes it makes in files (certificate and trust stores).
 *
 * Owns: the struct store_actor of this run ({"wsusutil", the invoking
 * user, "local"}) and the "Audit head SEQ HASH" line wsusutil prints after
 * a change, so that an admin can keep it (wsusutil audit verify --head).
 * Sits below the verb files, which call it; calls only the store.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "store.h"

static char actor_account[STORE_ACTOR_ACCOUNT_MAX + 1];

/* actor_name_ok - a login name we put in an audit row as it is. */
static int
actor_name_ok(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > STORE_ACTOR_ACCOUNT_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * actor_local - the actor of this wsusutil run: the user sudo ran it for
 * ($SUDO_USER), else the login name of the terminal, else the name of the
 * real uid, else "local".  The name is what the system says, not proof:
 * whoever runs wsusutil can write the database anyway.
 */
const struct store_actor *
actor_local(void)
{
	static struct store_actor who;
	const char *name = getenv("SUDO_USER");
	struct passwd *pw;

	if (who.program != NULL)
		return &who;
	if (!actor_name_ok(name))
		name = getlogin();
	if (!actor_name_ok(name) && (pw = getpwuid(getuid())) != NULL)
		name = pw->pw_name;
	if (!actor_name_ok(name))
		name = "local";
	snprintf(actor_account, sizeof(actor_account), "%s", name);
	who.program = "wsusutil";
	who.account = actor_account;
	who.address = "local";
	return &who;
}

void
actor_note(struct store *st)
{
	char hash[STORE_AUDIT_HASH_HEX + 1];
	int64_t seq;

	if (store_audit_head(st, &seq, hash) == 0 && seq > 0)
		fprintf(stderr, "wsusutil: Audit head %lld %s\n",
		    (long long)seq, hash);
}

int
actor_record(const struct config *c, const char *action, const char *object,
    const char *before, const char *after)
{
	struct store *st;
	int rc;

	if ((st = store_open(c->data_dir)) == NULL) {
		fprintf(stderr, "wsusutil: cannot open the store in %s to "
		    "record the change in the audit log\n", c->data_dir);
		return -1;
	}
	if ((rc = store_audit_record(st, actor_local(), action, object,
	    before, after)) == -1)
		fprintf(stderr, "wsusutil: the change was made but could not "
		    "be recorded in the audit log\n");
	else
		actor_note(st);
	store_close(st);
	return rc;
}

/* actor_json_str - append ,"key":"value" (JSON-escaped) to buf. */
void
actor_json_str(char *buf, size_t len, const char *key, const char *v)
{
	size_t n = strlen(buf);

	if (n + 1 >= len)
		return;
	n += (size_t)snprintf(buf + n, len - n, "%s\"%s\":\"",
	    n > 1 ? "," : "", key);
	for (const unsigned char *p = (const unsigned char *)v;
	    *p != '\0' && n + 8 < len; p++) {
		if (*p == '"' || *p == '\\')
			n += (size_t)snprintf(buf + n, len - n, "\\%c", *p);
		else if (*p < 0x20)
			n += (size_t)snprintf(buf + n, len - n, "\\u%04x", *p);
		else
			buf[n++] = (char)*p;
	}
	if (n + 1 < len)
		buf[n++] = '"';
	buf[n < len ? n : len - 1] = '\0';
}

/* actor_json_end - close the object (buf starts "{", len bytes). */
void
actor_json_end(char *buf, size_t len)
{
	size_t n = strlen(buf);

	if (n + 2 > len)
		n = len - 2;
	buf[n++] = '}';
	buf[n] = '\0';
}
