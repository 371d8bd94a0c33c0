/*
 * main.c - bgpsd-announce: options, then the daemon under ExaBGP (load,
 * loop, clean up), or --once or -n (offline.c). The daemon's parts: the
 * routes follow the checks (push.c, advert.c), the configuration
 * (reload.c), signals (signals.c), the status files (report.c).
 *
 * Under ExaBGP the process must never crash-loop (ExaBGP gives up on all
 * its sessions after a few deaths of a process within a minute): a bad
 * config at start is logged, again every minute, and the process stays
 * up announcing nothing, reading stdin, until a SIGHUP brings a good one.
 * Signal handlers only set flags (ev.c); the loop does the work.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "announce.h"
#include "check.h"
#include "child.h"
#include "conf.h"
#include "ev.h"
#include "log.h"
#include "sched.h"
#include "statusfile.h"

enum {
	OPT_ONCE = CHILD_OPT_EXTRA,
};

/* besides the options both programs take (child.c) */
static const struct option announce_longopts[] = {
	{ "once",		no_argument,		NULL, OPT_ONCE },
	{ NULL,			0,			NULL, 0 },
};

__attribute__((noreturn)) static void
usage(void)
{
	fprintf(stderr, "usage: bgpsd-announce [-nsVv] [-c file] [--once]\n");
	exit(2);
}

static void
announce_help(void)
{
	printf("usage: bgpsd-announce [options]\n"
	    "  -c, --config FILE     configuration (default %s)\n"
	    "  -n, --check-config    check the configuration and exit\n"
	    "  -v, --verbose         debug logging; with -n print the "
	    "configuration\n"
	    "  -s, --syslog          log to syslog instead of stderr\n"
	    "  -V, --version         print the version and exit\n"
	    "  -h, --help            this text\n"
	    "      --once            run every check once, print the "
	    "ExaBGP commands\n"
	    "                        of the result, exit 0 if all "
	    "services are up\n", CONF_DEFAULT_PATH);
}

static void
announce_opt(int id, const char *arg, void *cookie)
{
	int	*once = cookie;

	if (id == OPT_ONCE)
		*once = 1;
}

static void
announce_cleanup(struct announcer *a)
{
	size_t	 i;

	/* the last word in the status file: what was true at the exit */
	(void)statusfile_write(a->sf);
	statusfile_free(a->sf);
	if (a->sched != NULL)
		sched_free(a->sched);
	advert_free(a->adv);
	if (a->x != NULL)
		exabgp_free(a->x);
	ifaddr_free(a->ifaddr);
	if (a->routes != NULL && a->conf != NULL) {
		for (i = 0; i < a->conf->announce.nprefixes; i++)
			route_clear(&a->routes[i]);
		free(a->routes);
	}
	free(a->svcs);
	if (a->conf != NULL)
		conf_free(a->conf);
	ev_timer_stop(a->loop, &a->nag_timer);
	ev_timer_stop(a->loop, &a->quit_timer);
	ev_free(a->loop);
}

static int
announce_daemon(struct announcer *a)
{
	struct bgpsd_conf	*conf;
	static const int	 sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	size_t			 i;

	a->started = time(NULL);
	if ((a->loop = ev_new()) == NULL)
		fatalx("cannot create the event loop");
	ev_timer_init(&a->nag_timer, announce_nag_cb, a);
	ev_timer_init(&a->quit_timer, announce_quit_cb, a);
	a->sf = statusfile_new(a->loop, announce_status_json_cb,
	    announce_status_metrics_cb, a);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (ev_signal(a->loop, sigs[i], announce_signal_cb, a) == -1)
			fatal("signal %d", sigs[i]);
	a->x = exabgp_new(a->loop, STDIN_FILENO, STDOUT_FILENO,
	    announce_gone_cb, a);
	if (a->x != NULL)
		exabgp_set_notify(a->x, announce_exabgp_notify, a);
	if (a->x == NULL) {
		/* no stdin/stdout to speak of: nothing we could ever do */
		statusfile_free(a->sf);
		ev_free(a->loop);
		return 1;
	}
	a->ifaddr = ifaddr_new(a->loop, announce_ifaddr_cb, a);
	a->adv = advert_new(a->loop, announce_push, a);
	if (a->bad_argv)
		announce_nag_cb(a);
	else if ((conf = conf_load(a->conf_path, a->conf_error,
	    sizeof(a->conf_error))) == NULL || announce_apply(a, conf) == -1)
		announce_nag_cb(a);
	else
		log_info("started (pid %d, ExaBGP acks %s)", (int)getpid(),
		    a->conf->announce.ack ? "on" : "off");

	while (!a->done) {
		if (ev_run_once(a->loop, -1) == -1)
			break;
		if (a->quitting && a->x != NULL && exabgp_idle(a->x))
			a->done = 1;
	}
	announce_cleanup(a);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct announcer	 a;
	struct child_opts	 o;
	int			 once = 0;
	const char		*checksdir;

	memset(&a, 0, sizeof(a));
	memset(&o, 0, sizeof(o));
	o.prog = "bgpsd-announce";
	child_options(&o, argc, argv, announce_longopts, announce_opt,
	    announce_help, &once);
	if (o.version) {
		printf("%s %s\n", o.prog, BGPSD_VERSION);
		return 0;
	}
	a.conf_path = o.conf_path;
	if (o.bad || (o.check && once)) {
		/*
		 * Under ExaBGP (stdin a pipe, no -n/--once) a typo in the run
		 * line must not become a crash loop either: stay up, say so.
		 */
		if (o.check || once || !child_under_exabgp())
			usage();
		a.bad_argv = 1;
		snprintf(a.conf_error, sizeof(a.conf_error), "bad command "
		    "line (usage: bgpsd-announce [-nsVv] [-c file] [--once])");
	}

	/* EPIPE on stdout is handled where it happens: ExaBGP is gone */
	signal(SIGPIPE, SIG_IGN);
	/* ready-made checks elsewhere, e.g. from a source tree */
	if ((checksdir = getenv("BGPSD_CHECKSDIR")) != NULL &&
	    *checksdir != '\0')
		check_set_checksdir(checksdir);
	log_init("bgpsd-announce", o.use_syslog, o.check ? 0 : o.verbose);
	if (o.check)
		return announce_check(a.conf_path, o.verbose);
	if (once)
		return announce_once(a.conf_path);
	return announce_daemon(&a);
}
