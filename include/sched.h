/*
 * sched.h - the check scheduler of bgpsd-announce. Runs the checks of
 * every service on its own drift-free schedule (monotonic clock), caps the
 * number of checks in flight, and reports one result per service run.
 *
 * Services are indexed as in conf->services; those with nchecks == 0 are
 * never scheduled. A service run starts all its checks concurrently; it is
 * ok when all passed, else it carries the reason and detail of its first
 * failing check (in config order). The next run is due at the previous
 * slot + the interval the caller returns (missed slots are skipped, never
 * run in a burst). Runs that would exceed the cap wait in a FIFO queue;
 * none is dropped. A run still in progress at its next slot is not
 * stacked: the next slot is computed after its result.
 */
#ifndef BGPSD_SCHED_H
#define BGPSD_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "conf.h"
#include "ev.h"

struct sched;

/*
 * One service run ended. detail is valid during the call only ("ok" when
 * ok). latency_ns is that of the slowest check of the run. The callback
 * may call sched_run_now but must not free the scheduler.
 */
typedef void	(*sched_result_cb)(size_t svc, int ok, enum check_reason,
		    const char *detail, uint64_t latency_ns, void *arg);
/*
 * ns from the slot of the run just reported to the next one, asked after
 * each result (so the caller's state machine picks fast_interval while
 * rising/falling). NULL: the service's timing.interval.
 */
typedef uint64_t	(*sched_interval_cb)(size_t svc, void *arg);

/*
 * Prepare the checks of conf (which must outlive the scheduler). Raises
 * RLIMIT_NOFILE's soft limit up to the hard one and lowers the cap below
 * announce.max_concurrent if the fds would not suffice (logged). NULL
 * (logged) if a check cannot be set up.
 */
struct sched	*sched_new(struct ev_loop *, const struct bgpsd_conf *,
		    sched_result_cb, sched_interval_cb, void *arg);
/*
 * First run of each service at a random splay within its interval when
 * announce.splay, else right away (on the next loop iteration).
 */
void		 sched_start(struct sched *);
/* SIGUSR1: every service not already running or queued runs now */
void		 sched_run_now(struct sched *);
/* cancels every check in flight (killing exec checks); no callbacks */
void		 sched_free(struct sched *);

/*
 * --once: run every check of every service once, concurrently within
 * max_concurrent, on loop until all are done; the callback sees each
 * service once. 0, or -1 (logged) if the checks could not be set up or
 * the loop failed.
 */
int		 sched_once(struct ev_loop *, const struct bgpsd_conf *,
		    sched_result_cb, void *arg);

/*
 * The weight the last run of svc reported (the lowest of its checks'),
 * -1 when none did: valid in the result callback and until the next run.
 */
int		 sched_weight(const struct sched *, size_t svc);
/* figures for logs, status and tests */
size_t		 sched_max_concurrent(const struct sched *);	/* effective */
size_t		 sched_inflight(const struct sched *);	/* checks running */
size_t		 sched_queued(const struct sched *);	/* services waiting */

#endif
