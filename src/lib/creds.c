/*
 * creds.c - user and group names (or numbers) to ids.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>

#include "creds.h"

/* a decimal id ("0", "65534"), not a name that starts with digits */
static int
creds_number(const char *s, unsigned long *v)
{
	char	*end;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return *end == '\0' && errno == 0 && *v < UINT_MAX;
}

int
creds_resolve(const char *user, const char *group, int primary,
    struct creds *c, char *err, size_t errlen)
{
	struct passwd	*pw;
	struct group	*gr;
	unsigned long	 v;

	c->uid = CREDS_KEEP_UID;
	c->gid = CREDS_KEEP_GID;
	if (user != NULL) {
		if ((pw = getpwnam(user)) != NULL) {
			c->uid = pw->pw_uid;
			if (primary)
				c->gid = pw->pw_gid;
		} else if (creds_number(user, &v)) {
			c->uid = (uid_t)v;
			if (primary && (pw = getpwuid(c->uid)) != NULL)
				c->gid = pw->pw_gid;
		} else {
			snprintf(err, errlen, "unknown user '%s'", user);
			return -1;
		}
	}
	if (group != NULL) {
		if ((gr = getgrnam(group)) != NULL)
			c->gid = gr->gr_gid;
		else if (creds_number(group, &v))
			c->gid = (gid_t)v;
		else {
			snprintf(err, errlen, "unknown group '%s'", group);
			return -1;
		}
	}
	return 0;
}
