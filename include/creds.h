/*
 * creds.h - who a child or a file belongs to: bgpsd.conf's user and
 * group, a template's owner and group, resolved once (at load), never on
 * the event loop's hot path.
 */
#ifndef BGPSD_CREDS_H
#define BGPSD_CREDS_H

#include <stddef.h>
#include <sys/types.h>

#define CREDS_KEEP_UID	((uid_t)-1)
#define CREDS_KEEP_GID	((gid_t)-1)

struct creds {
	uid_t	 uid;		/* CREDS_KEEP_UID: none given */
	gid_t	 gid;		/* CREDS_KEEP_GID: none given */
};

/*
 * Resolve user and group, each a name or a decimal number (NULL: not
 * given). With primary != 0 a user's primary group is taken when no
 * group is given. 0, or -1 with "unknown user 'x'" or "unknown group
 * 'x'" in err.
 */
int	creds_resolve(const char *user, const char *group, int primary,
	    struct creds *, char *err, size_t errlen);

#endif
