/*
 * printval.h - the pieces of bgpsd.conf's canonical form (printval.c),
 * for printconf.c and the printers of each check type (checkconf.c):
 * "key = value;" at a depth of tabs, in one stable format.
 */
#ifndef BGPSD_PRINTVAL_H
#define BGPSD_PRINTVAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

void	printval_indent(FILE *, int depth);
/* a libconfig string literal, escaped */
void	printval_qstr(FILE *, const char *);
void	printval_str(FILE *, const char *key, const char *, int depth);
/* nothing for NULL */
void	printval_opt_str(FILE *, const char *key, const char *, int depth);
void	printval_int(FILE *, const char *key, int64_t, int depth);
void	printval_bool(FILE *, const char *key, int, int depth);
void	printval_strs(FILE *, const char *key, char *const *, size_t n,
	    int depth);
/* the shortest text that reads back as the same double, always a float */
void	printval_duration(FILE *, const char *key, double, int depth);

#endif
