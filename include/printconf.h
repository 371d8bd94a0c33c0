/*
 * printconf.h - the pieces of bgpsd.conf's canonical form (printconf.c),
 * for the printers of each check type (checkconf.c): "key = value;" at a
 * depth of tabs, in one stable format.
 */
#ifndef BGPSD_PRINTCONF_H
#define BGPSD_PRINTCONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

void	printconf_indent(FILE *, int depth);
/* a libconfig string literal, escaped */
void	printconf_qstr(FILE *, const char *);
void	printconf_str(FILE *, const char *key, const char *, int depth);
/* nothing for NULL */
void	printconf_opt_str(FILE *, const char *key, const char *, int depth);
void	printconf_int(FILE *, const char *key, int64_t, int depth);
void	printconf_bool(FILE *, const char *key, int, int depth);
void	printconf_strs(FILE *, const char *key, char *const *, size_t n,
	    int depth);
/* the shortest text that reads back as the same double, always a float */
void	printconf_duration(FILE *, const char *key, double, int depth);

#endif
