/*
 * signals.c - SIGTERM and SIGINT (drain_on_stop, then withdraw every
 * prefix and exit), SIGHUP (reload), SIGUSR1 (run every check now), and
 * ExaBGP going away. ev.c calls these from the loop, not from the
 * handlers.
 */
#include <signal.h>
#include <string.h>

#include "announce.h"
#include "ev.h"
#include "log.h"
#include "sched.h"

/* stop checking, withdraw everything, exit once ExaBGP has it */
static void
announce_withdraw_exit(struct announcer *a, const char *why)
{
	log_info("%s: withdrawing every prefix and exiting", why);
	a->quitting = 1;
	a->stop_draining = 0;
	if (a->sched != NULL) {
		sched_free(a->sched);
		a->sched = NULL;
	}
	if (a->x != NULL)
		exabgp_withdraw_all(a->x);
	ev_timer_after(a->loop, &a->quit_timer, ANNOUNCE_QUIT_WAIT);
}

void
announce_quit_cb(void *arg)
{
	struct announcer	*a = arg;

	if (a->stop_draining) {
		announce_withdraw_exit(a, "drain_on_stop over");
		return;
	}
	log_warnx("withdraw not acknowledged within %.0fs; writing what "
	    "still waits for an answer and exiting",
	    (double)ANNOUNCE_QUIT_WAIT / EV_NSEC);
	if (a->x != NULL)
		exabgp_flush_all(a->x);
	a->done = 1;
}

void
announce_signal_cb(int signo, void *arg)
{
	struct announcer	*a = arg;
	uint64_t		 wait;

	switch (signo) {
	case SIGTERM:
	case SIGINT:
		if (a->quitting)
			break;
		/* a second signal cuts the drain short */
		if (!a->stop_draining && (wait = advert_stop_drain(a->adv,
		    strsignal(signo))) > 0) {
			a->stop_draining = 1;
			ev_timer_after(a->loop, &a->quit_timer, wait);
			break;
		}
		announce_withdraw_exit(a, strsignal(signo));
		break;
	case SIGHUP:
		if (!a->quitting && !a->stop_draining)
			announce_reload(a);
		break;
	case SIGUSR1:
		if (a->sched != NULL) {
			log_info("SIGUSR1: running every check now");
			sched_run_now(a->sched);
		}
		break;
	default:
		break;
	}
}

void
announce_gone_cb(enum exabgp_gone why, void *arg)
{
	struct announcer	*a = arg;

	if (why == EXABGP_GONE_IOERR)
		log_warnx("ExaBGP pipe failed: exiting");
	else
		log_info("ExaBGP is gone (%s): exiting", exabgp_gone_name(why));
	a->done = 1;
	ev_break(a->loop);
}
