/*
 * printconf.h - bgpsd.conf in canonical form (printconf.c), as -n -v
 * prints it; the pieces it is made of are in printval.h.
 */
#ifndef BGPSD_PRINTCONF_H
#define BGPSD_PRINTCONF_H

#include <stdio.h>

struct bgpsd_conf;

/* canonical form; conf_load(conf_print(x)) == x */
void	conf_print(FILE *, const struct bgpsd_conf *);

#endif
