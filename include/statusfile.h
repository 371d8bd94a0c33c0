/*
 * statusfile.h - a program's status file (JSON) and metrics file
 * (Prometheus text format, for node_exporter's textfile collector).
 *
 * Both are rewritten from a timer: at most once per interval after
 * something changed (statusfile_touch), and at exit. Replaced
 * atomically, so a reader sees a whole file, but never fsync'ed: they
 * describe the running process, are worthless after a crash, and an
 * fsync would stall the event loop. A file that cannot be written is
 * logged once, and again only after a good write.
 */
#ifndef BGPSD_STATUSFILE_H
#define BGPSD_STATUSFILE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct ev_loop;
struct statusfile;

#define STATUSFILE_DEFAULT_INTERVAL	1.0	/* seconds */

/* the text of a file (NUL-terminated, malloc'd); NULL: do not write */
typedef char	*(*statusfile_build_cb)(void *arg);

struct statusfile *statusfile_new(struct ev_loop *, statusfile_build_cb status,
		    statusfile_build_cb metrics, void *arg);
void		 statusfile_free(struct statusfile *);
/*
 * The paths (copied; NULL: none) and the least time between two writes.
 * A changed path is written at the next turn of the loop.
 */
void		 statusfile_set(struct statusfile *, const char *status_path,
		    const char *metrics_path, double interval);
/* something changed: write within the interval */
void		 statusfile_touch(struct statusfile *);
/* write now (at exit); -1 if a file could not be written (logged) */
int		 statusfile_write(struct statusfile *);
/* writes done so far (both files count as one) */
uint64_t	 statusfile_writes(const struct statusfile *);

/* Prometheus text format: "# HELP" and "# TYPE" of a metric */
void		 prom_head(struct buf *, const char *name, const char *type,
		    const char *help);
/* a label value, with \ " and newline escaped */
void		 prom_label(struct buf *, const char *value);

#endif
