/*
 * checkconf.h - what bgpsd.conf knows about each check type, in one table
 * (keepalived's checker table is the model): its name and keys, and how
 * to parse, print, compare and free its settings. conf.c parses what all
 * checks share and hands the rest to the type; printconf.c and
 * svc_reload() go through the same table. The running side of a check
 * (connect, curl, exec) is bgpsd-announce's check_*.c.
 */
#ifndef BGPSD_CHECKCONF_H
#define BGPSD_CHECKCONF_H

#include <stdio.h>

#include "cfg.h"
#include "conf.h"

struct check_kind {
	enum check_type		 type;
	const char		*name;
	const char *const	*keys;		/* its own keys, NULL-ended */
	/*
	 * The type's keys of group g into ck; svc is the service (its port
	 * and timing resolved), v6only: every prefix of it is IPv6.
	 * 0, or -1 with "file:line: message" in err.
	 */
	int	(*parse)(const config_setting_t *g,
		    const struct service_conf *svc, int v6only,
		    struct check_conf *ck, struct cfg_err *err);
	/* its keys in canonical form, depth tabs deep */
	void	(*print)(FILE *, const struct check_conf *, int depth);
	/* 1 if a and b (both of this type) check the same thing */
	int	(*same)(const struct check_conf *, const struct check_conf *);
	void	(*free)(struct check_conf *);
};

/* NULL for an unknown name or type */
const struct check_kind	*check_kind_by_name(const char *);
const struct check_kind	*check_kind_of(enum check_type);
/* "tcp, http or exec": every name, for messages */
const char		*check_kind_names(void);
/* 1 if name is a key of some type (a key of another type is a likely
 * mistake, worth its own message) */
int			 check_kind_any_key(const char *name);
/* same type, timeout and type settings: the state survives a reload */
int			 check_conf_same(const struct check_conf *,
			    const struct check_conf *);
void			 check_conf_free(struct check_conf *);

#endif
