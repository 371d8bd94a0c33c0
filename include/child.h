/*
 * child.h - what the two programs share as processes ExaBGP runs: the
 * command line (-c -n -v -V -h -s), and the rule that they never
 * crash-loop. ExaBGP respawns a process that dies and gives up on every
 * session after five deaths within about a minute, so under ExaBGP (stdin
 * a pipe or a socket) a bad command line or a bad configuration keeps the
 * process up, reading stdin, saying so every minute, until a SIGHUP
 * brings a good configuration; a bad reload keeps the running one.
 */
#ifndef BGPSD_CHILD_H
#define BGPSD_CHILD_H

#include <getopt.h>
#include <stdint.h>

#include "ev.h"

#define CHILD_OPT_EXTRA		256	/* first id of a program's options */
#define CHILD_NAG_INTERVAL	(60 * EV_NSEC)

struct child_opts {
	const char	*prog;		/* "bgpsd-announce", for messages */
	const char	*conf_path;	/* -c, else the default */
	int		 conf_given;
	int		 check;		/* -n */
	int		 verbose;	/* -v, counted */
	int		 use_syslog;	/* -s */
	int		 version;	/* -V: print "prog version", exit 0 */
	int		 bad;		/* an unknown option or an argument */
};

/*
 * Parse argv: the common options and the program's extra long options
 * (ids >= CHILD_OPT_EXTRA, NULL-terminated array, handed to opt with
 * their argument). -V sets version (main prints it), -h calls help() and
 * exits 0.
 */
void	child_options(struct child_opts *, int argc, char **argv,
	    const struct option *extra,
	    void (*opt)(int id, const char *arg, void *cookie),
	    void (*help)(void), void *cookie);

/* stdin is a pipe or a socket: ExaBGP runs us */
int	child_under_exabgp(void);

/*
 * A problem that keeps the process from doing its job (no valid
 * configuration, a bad command line): logged now and every
 * CHILD_NAG_INTERVAL until child_nag_stop.
 */
struct child_nag {
	struct ev_loop	*loop;
	struct ev_timer	 timer;
	char		 msg[1024];
};

void	child_nag_start(struct child_nag *, struct ev_loop *,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void	child_nag_stop(struct child_nag *);

#endif
