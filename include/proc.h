/*
 * proc.h - spawn an argv (no shell unless asked) in its own process group,
 * fds closed above 2, stdin /dev/null, stdout+stderr into one pipe that we
 * read (up to a cap) or /dev/null; never our stdout. A timeout kills the
 * whole group: SIGTERM, then SIGKILL after a grace period.
 */
#ifndef BGPSD_PROC_H
#define BGPSD_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ev_loop;
struct proc;

#define PROC_OUTPUT_MAX	4096	/* bytes of output kept by default */

struct proc_spec {
	const char *const	*argv;		/* argv[0] is the program */
	int			 shell;		/* argv[0] is a /bin/sh -c string */
	const char *const	*env;		/* extra "K=V" entries, or NULL */
	uid_t			 uid;		/* run as, when drop != 0 */
	gid_t			 gid;
	int			 drop;
	size_t			 output_max;	/* 0: PROC_OUTPUT_MAX */
	int			 discard_output;/* stdout/stderr to /dev/null */
	uint64_t		 timeout;	/* ns; 0: none */
	uint64_t		 kill_grace;	/* ns between TERM and KILL; 0: 1 s */
	int			 kill_group;	/* on exit, SIGKILL what is left of
						 * its group (health checks: a
						 * background child must not pile
						 * up, one per run) */
};

/* result handed to the callback */
struct proc_result {
	int		 status;	/* wait(2) status, valid if !timed_out */
	int		 timed_out;
	int		 spawn_errno;	/* exec failed: errno, status is 127 */
	const char	*output;	/* NUL-terminated, first output_max bytes */
	size_t		 outlen;
	uint64_t	 elapsed;	/* ns */
};

typedef void	(*proc_done_cb)(const struct proc_result *, void *arg);

/*
 * Start asynchronously; cb runs from the loop exactly once, after the
 * child was reaped (and, on timeout, after the group was killed).
 * Returns NULL (and logs) if fork/pipe fails.
 */
struct proc	*proc_run(struct ev_loop *, const struct proc_spec *,
		    proc_done_cb, void *arg);
/* kill the group now (SIGKILL), reap in the background, no callback */
void		 proc_cancel(struct proc *);
pid_t		 proc_pid(const struct proc *);

/* fill "exit 2", "signal 9", "timeout" into buf */
const char	*proc_status_str(const struct proc_result *, char *, size_t);

#endif
