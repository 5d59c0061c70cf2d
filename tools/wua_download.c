/*
 * wua_download.c - download and simulated install of the needed updates.
 *
 * Download: every file of every needed update is fetched from its
 * FileLocation URL (plain HTTP content port, as real WSUS hands out) with
 * 1 MiB Range requests like Delivery Optimization, into a temporary file
 * in DIR/downloads/, and accepted as DIR/downloads/<SHA1HEX>.<ext> only
 * after its size, SHA-1 and SHA-256 match the update metadata and, when
 * signature checking is on, a .cab passes wua_trust_check (Authenticode,
 * Trusted Publishers, Trusted Root, AcceptTrustedPublisherCerts).
 * Failures are printed ("Hash verification failed for <file>: <digest>",
 * "Signature verification failed for <file>: <reason>") and kept in
 * DIR/failed with their HRESULT for the report (event 161).
 *
 * Install: an update whose files are all verified is "installed" by
 * appending its id (and its bundle members' ids) to DIR/installed, which
 * is what the IsInstalled rules of the synthetic catalogue look at.
 *
 * Owns: the downloads directory.  Never trusts a URL for a file name: the
 * local name comes from the SHA-1 and a sanitised extension.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "wua.h"

/* The extension of f: from the URL's last segment, else its name; [A-Za-z0-9]{1,8}. */
static void
download_ext(const struct wua_file *f, char out[16])
{
	const char *srcs[2] = { strrchr(f->url, '/'), f->name };

	snprintf(out, 16, "bin");
	for (int s = 0; s < 2; s++) {
		const char *dot = srcs[s] ? strrchr(srcs[s], '.') : NULL;
		size_t n = dot ? strlen(dot + 1) : 0, i;

		if (n == 0 || n > 8)
			continue;
		for (i = 0; i < n && ((dot[1 + i] >= 'a' && dot[1 + i] <= 'z') ||
		    (dot[1 + i] >= 'A' && dot[1 + i] <= 'Z') ||
		    (dot[1 + i] >= '0' && dot[1 + i] <= '9')); i++)
			;
		if (i == n) {
			snprintf(out, 16, "%s", dot + 1);
			return;
		}
	}
}

static int
download_path(const struct wua *w, const struct wua_file *f, int partial,
    char *out, size_t outlen)
{
	char hex[41], ext[16], name[96];

	wua_hex(f->sha1, 20, hex);
	download_ext(f, ext);
	if (partial)
		snprintf(name, sizeof(name), "downloads/.partial-%s", hex);
	else
		snprintf(name, sizeof(name), "downloads/%s.%s", hex, ext);
	return wua_state_path(w, name, out, outlen);
}

/*
 * download_verify - compare the open file fd with f's size and digests.
 * Returns NULL when all match, else the name of the first mismatch
 * ("size", "SHA-1", "SHA-256").
 */
static const char *
download_verify(int fd, const struct wua_file *f)
{
	static const uint8_t empty[1];
	uint8_t sha1[20], sha256[32];
	const uint8_t *p = empty;
	const char *bad = NULL;
	struct stat st;
	void *map = NULL;

	if (fstat(fd, &st) == -1 || st.st_size < 0 || (uint64_t)st.st_size != f->size)
		return "size";
	if (st.st_size > 0) {
		if ((map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) ==
		    MAP_FAILED)
			return "size";
		p = map;
	}
	crypto_sha1(p, (size_t)st.st_size, sha1);
	if (memcmp(sha1, f->sha1, 20) != 0)
		bad = "SHA-1";
	else if (f->has_sha256) {
		crypto_sha256(p, (size_t)st.st_size, sha256);
		if (memcmp(sha256, f->sha256, 32) != 0)
			bad = "SHA-256";
	}
	if (map != NULL)
		munmap(map, (size_t)st.st_size);
	return bad;
}

/* wua_downloaded - is f in DIR/downloads with the right size? (1/0) */
int
wua_downloaded(const struct wua *w, const struct wua_file *f)
{
	char path[4096];
	struct stat st;

	return download_path(w, f, 0, path, sizeof(path)) == 0 &&
	    stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size == f->size;
}

/*
 * download_file - fetch and verify f.  0 when DIR/downloads holds it
 * verified, else the failure HRESULT (the line saying why is printed).
 */
static int32_t
download_file(struct wua *w, const struct wua_file *f, int *fetched)
{
	char final[4096], tmp[4096], why[256];
	const char *bad;
	int64_t served;
	int32_t hr;
	int fd;

	*fetched = 0;
	if (download_path(w, f, 0, final, sizeof(final)) == -1 ||
	    download_path(w, f, 1, tmp, sizeof(tmp)) == -1)
		return WUA_HR_NOTDL;
	/* Already here and still intact: nothing to fetch. */
	if ((fd = open(final, O_RDONLY | O_CLOEXEC)) != -1) {
		bad = download_verify(fd, f);
		hr = bad == NULL ? wua_trust_check(w, f, fd) : 0;
		close(fd);
		if (bad == NULL && hr == 0) {
			wua_debug(w, "%s: already downloaded", f->name);
			return 0;
		}
		unlink(final);
		/* The same bytes again would fail the same way: no refetch. */
		if (hr != 0)
			return hr;
	}
	if (f->url[0] == '\0') {
		wua_say("Download failed for %s: the server gave no FileLocation", f->name);
		return WUA_HR_NOTDL;
	}
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) == -1) {
		fprintf(stderr, "wsusclient: %s: %s\n", tmp, strerror(errno));
		return WUA_HR_NOTDL;
	}
	hr = wua_http_fetch(w, f->url, f->size, fd, &served, why, sizeof(why));
	if (hr == WUA_HR_HASH) {
		wua_say("Hash verification failed for %s: %s", f->name, why);
	} else if (hr != 0) {
		wua_say("Download failed for %s: %s (%s)", f->name, why, f->url);
	} else if ((bad = download_verify(fd, f)) != NULL) {
		wua_say("Hash verification failed for %s: %s", f->name, bad);
		hr = WUA_HR_HASH;
	} else {
		hr = wua_trust_check(w, f, fd);
	}
	close(fd);
	if (hr != 0) {
		unlink(tmp);
		return hr;
	}
	if (rename(tmp, final) == -1) {
		fprintf(stderr, "wsusclient: %s: %s\n", final, strerror(errno));
		unlink(tmp);
		return WUA_HR_NOTDL;
	}
	*fetched = 1;
	wua_say("Downloaded %s (%llu bytes): size, SHA-1%s verified", f->name,
	    (unsigned long long)f->size, f->has_sha256 ? " and SHA-256" : "");
	return 0;
}

/*
 * wua_download - every file of every needed, not installed update; the
 * first failure of each update goes to DIR/failed (rewritten each run, so
 * a later successful download clears it).  0, or -1 when any failed.
 */
int
wua_download(struct wua *w)
{
	char (*fuids)[WUA_UID_LEN + 1] = NULL;
	int32_t *fhr = NULL;
	int nfail = 0, nfiles = 0, nfetched = 0, rc = -1;

	if (wua_state_reload_installed(w) == -1)
		return -1;
	if (w->nupdates > 0 &&
	    ((fuids = calloc((size_t)w->nupdates, sizeof(*fuids))) == NULL ||
	    (fhr = calloc((size_t)w->nupdates, sizeof(*fhr))) == NULL))
		goto out;
	for (int i = 0; i < w->nupdates; i++) {
		const struct wua_update *u = &w->updates[i];
		int32_t first = 0;

		if (wua_state_is_installed(w, u->uid))
			continue;
		for (int k = 0; k < u->nfiles; k++) {
			int fetched;
			int32_t hr = download_file(w, &u->files[k], &fetched);

			nfiles++;
			nfetched += fetched;
			if (hr != 0 && first == 0)
				first = hr;
		}
		if (first != 0) {
			memcpy(fuids[nfail], u->uid, sizeof(fuids[nfail]));
			fhr[nfail++] = first;
		}
	}
	if (wua_state_save_failed(w, fuids, fhr, nfail) == -1)
		goto out;
	wua_say("Download complete: %d file(s), %d fetched, %d update(s) failed",
	    nfiles, nfetched, nfail);
	rc = nfail > 0 ? -1 : 0;
out:
	free(fuids);
	free(fhr);
	return rc;
}

/*
 * wua_install - simulated install: updates whose download did not fail
 * and whose files are all in DIR/downloads are appended to DIR/installed
 * with their bundle members (members first, so a bundle never counts as
 * installed without them).  0 or -1.
 */
int
wua_install(struct wua *w)
{
	int done = 0, skipped = 0;

	if (wua_state_reload_installed(w) == -1)
		return -1;
	for (int i = 0; i < w->nupdates; i++) {
		const struct wua_update *u = &w->updates[i];
		int ready = wua_state_failed_hr(w, u->uid) == 0;

		if (wua_state_is_installed(w, u->uid))
			continue;
		for (int k = 0; k < u->nfiles && ready; k++)
			ready = wua_downloaded(w, &u->files[k]);
		if (!ready) {
			wua_say("Not installing %s: its files are not downloaded and verified",
			    u->title);
			skipped++;
			continue;
		}
		for (int k = 0; k < u->nmembers; k++)
			if (wua_state_append_installed(w, u->members[k]) == -1)
				return -1;
		if (wua_state_append_installed(w, u->uid) == -1)
			return -1;
		wua_say("Installed %s", u->title);
		done++;
	}
	wua_say("Install complete: %d installed, %d not installed", done, skipped);
	return 0;
}
