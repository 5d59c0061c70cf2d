/*
 * guid.c - GUID text: make random ones, canonicalise given ones.
 *
 * Owns: the one canonical form the store keeps (36 lowercase hex-and-
 * hyphen characters, no braces).  guid_canon never logs: the text it
 * checks may come from a peer, and the caller knows whether a bad one
 * matters.  guid_new logs only a failing kernel random source.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"

/* Offsets of the hyphens in 8-4-4-4-12. */
static int
guid_is_hyphen_at(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

/*
 * guid_random - fill buf with len bytes from the kernel CSPRNG:
 * getrandom(2), or /dev/urandom where the syscall is missing.
 */
static int
guid_random(unsigned char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd = -1, rc = -1;

	while (got < len) {
		n = getrandom(buf + got, len - got, 0);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == ENOSYS)
			break;
		log_warn("%s: getrandom", __func__);
		goto out;
	}
	if (got == len)
		return 0;
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s: /dev/urandom", __func__);
		goto out;
	}
	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n > 0)
			got += (size_t)n;
		else if (n == -1 && errno == EINTR)
			continue;
		else {
			log_warn("%s: read /dev/urandom", __func__);
			goto out;
		}
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	return rc;
}

int
guid_new(char out[STORE_GUID_LEN + 1])
{
	unsigned char b[16];

	if (guid_random(b, sizeof(b)) == -1)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
	snprintf(out, STORE_GUID_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
	    b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

int
guid_canon(const char *in, char out[STORE_GUID_LEN + 1])
{
	size_t len = strnlen(in, STORE_GUID_LEN + 3);
	unsigned char c;

	if (len == STORE_GUID_LEN + 2 && in[0] == '{' &&
	    in[STORE_GUID_LEN + 1] == '}')
		in++;
	else if (len != STORE_GUID_LEN)
		return -1;
	for (size_t i = 0; i < STORE_GUID_LEN; i++) {
		c = (unsigned char)in[i];
		if (guid_is_hyphen_at(i)) {
			if (c != '-')
				return -1;
		} else if (c >= '0' && c <= '9') {
			/* as is */
		} else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
			c |= 0x20;   /* ASCII lower case */
		} else
			return -1;
		out[i] = (char)c;
	}
	out[STORE_GUID_LEN] = '\0';
	return 0;
}
