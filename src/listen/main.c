/*
 * bgpsd-listen - the consumer side: ExaBGP runs it with "encoder json";
 * it reads BGP updates on stdin, keeps the table, renders Mustache
 * templates into config files and runs their reload commands.
 *
 * The steps, one file each: input.c reads ExaBGP (and asks it for the
 * table at start, recover.c), rib.c keeps the table, pace.c decides when
 * to render, render.c renders (context.c, mustache.c), writes (writer.c)
 * and reloads (commands.c), report.c says how it goes, reload.c loads
 * the configuration, offline.c is -n, --once and --render.
 *
 * stdout is ExaBGP's command channel: the daemon writes only the
 * commands of the table recovery there, never a log line. The offline
 * modes print their output there.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "conf.h"
#include "ev.h"
#include "listen.h"
#include "log.h"
#include "mustache.h"
#include "outq.h"
#include "statusfile.h"

/* blocks from this size up are mapped on their own (see main) */
#define LISTEN_MMAP_THRESHOLD	(256 * 1024)

enum listen_opt {
	OPT_ONCE = CHILD_OPT_EXTRA,
	OPT_DUMP,
	OPT_RENDER,
	OPT_DATA,
	OPT_HTML_ESCAPE,
};

static const struct option listen_longopts[] = {
	{ "once",		no_argument,		NULL, OPT_ONCE },
	{ "dump",		no_argument,		NULL, OPT_DUMP },
	{ "render",		required_argument,	NULL, OPT_RENDER },
	{ "data",		required_argument,	NULL, OPT_DATA },
	{ "html-escape",	no_argument,		NULL, OPT_HTML_ESCAPE },
	{ NULL,			0,			NULL, 0 }
};

/* the offline modes asked for on the command line */
struct listen_modes {
	int		 once, dump, html_escape;
	const char	*render_path, *data;
};

__attribute__((noreturn)) static void
usage(void)
{
	fprintf(stderr,
	    "usage: bgpsd-listen [-nsVv] [-c file] [--once [--dump]]\n"
	    "       bgpsd-listen [-c file] --render template "
	    "[--data file.json] [--html-escape]\n");
	exit(1);
}

static void
listen_help(void)
{
	printf("usage: bgpsd-listen [options]\n"
	    "  -c, --config FILE     configuration (default %s)\n"
	    "  -n, --check-config    check configuration and templates, "
	    "exit\n"
	    "  -v, --verbose         debug logging; with -n print the "
	    "configuration\n"
	    "  -s, --syslog          log to syslog instead of stderr\n"
	    "  -V, --version         print the version and exit\n"
	    "  -h, --help            this text\n"
	    "      --once            read stdin to EOF, render every "
	    "template once, exit\n"
	    "      --dump            with --once: print the template context "
	    "instead\n"
	    "      --render TEMPLATE render one template on stdout\n"
	    "      --data FILE       with --render: context from a JSON "
	    "file\n"
	    "      --html-escape     with --render: HTML-escape {{name}}\n",
	    CONF_DEFAULT_PATH);
}

static void
listen_opt(int id, const char *arg, void *cookie)
{
	struct listen_modes	*m = cookie;

	switch (id) {
	case OPT_ONCE:
		m->once = 1;
		break;
	case OPT_DUMP:
		m->dump = 1;
		break;
	case OPT_RENDER:
		m->render_path = arg;
		break;
	case OPT_DATA:
		m->data = arg;
		break;
	case OPT_HTML_ESCAPE:
		m->html_escape = 1;
		break;
	}
}

static void
listen_signal(int signo, void *arg)
{
	struct listend	*l = arg;

	switch (signo) {
	case SIGTERM:
	case SIGINT:
		log_info("%s: exiting", strsignal(signo));
		l->exiting = 1;
		render_cancel(l->render);
		ev_break(l->loop);
		break;
	case SIGHUP:
		if (reload_config(l))
			pace_render(l, 1);
		if (recover_state(l->rec) == RECOVER_FAILED)
			input_recover_ask(l);
		break;
	case SIGUSR1:
		if (recover_state(l->rec) == RECOVER_FAILED) {
			log_info("SIGUSR1: the table is not recovered");
			input_recover_ask(l);
			break;
		}
		log_info("SIGUSR1: rendering now");
		pace_render(l, 1);
		break;
	}
}

static int
listen_daemon(struct listend *l)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	size_t		 i;
	int		 rc;

	if (input_start(l) == -1)
		return 1;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (ev_signal(l->loop, sigs[i], listen_signal, l) == -1) {
			log_warnx("cannot set up the event loop");
			return 1;
		}
	pace_init(l);
	log_info("started, %zu template(s)", render_count(l->render));
	l->sf = statusfile_new(l->loop, report_status, report_metrics, l);
	statusfile_set(l->sf, l->conf->listen.status_file,
	    l->conf->listen.metrics_file, l->conf->listen.status_interval);
	/* a bad command line never renders: nothing to recover for */
	if (!l->bad_argv)
		input_recover_ask(l);
	rc = ev_run(l->loop) == -1 ? 1 : 0;
	render_cancel(l->render);
	/* the last word in the status file: the state at the exit */
	(void)statusfile_write(l->sf);
	statusfile_free(l->sf);
	l->sf = NULL;
	return rc;
}

/* a command line that makes no sense; under ExaBGP: stay up (no loop) */
static int
listen_bad_args(const struct child_opts *o, const struct listen_modes *m)
{
	int	 offline = o->check || m->once || m->dump ||
	    m->render_path != NULL || m->data != NULL || m->html_escape;

	if (!o->bad && !(m->dump && !m->once) &&
	    !(m->data != NULL && m->render_path == NULL) &&
	    !(m->html_escape && m->render_path == NULL) &&
	    !(m->render_path != NULL && (m->once || o->check)) &&
	    !(o->check && m->once))
		return 0;
	if (offline || !child_under_exabgp())
		usage();
	return 1;
}

/* the configuration, or the defaults while there is none to run */
static void
listen_conf(struct listend *l, const struct child_opts *o,
    const struct listen_modes *m, int daemon)
{
	reload_defaults(&l->defconf);
	l->conf = &l->defconf;
	/* --render needs no config file unless one is named */
	if (m->render_path != NULL && !o->conf_given &&
	    (m->data != NULL || access(o->conf_path, F_OK) == -1))
		return;
	if (l->bad_argv) {
		child_nag_start(&l->nag, l->loop, "bad command line (usage: "
		    "bgpsd-listen [-nsVv] [-c file]): reading updates but "
		    "writing nothing; fix the process's run line in ExaBGP's "
		    "configuration");
		return;
	}
	if ((l->conf = reload_load_conf(o->conf_path, o->check)) != NULL)
		return;
	l->conf = &l->defconf;
	if (daemon)
		child_nag_start(&l->nag, l->loop, "no valid configuration: "
		    "reading updates but writing nothing until a SIGHUP "
		    "brings a valid one");
}

int
main(int argc, char *argv[])
{
	struct listend		 l;
	struct child_opts	 o;
	struct listen_modes	 m;
	int			 rc = 1, daemon, ra_ok;

	memset(&l, 0, sizeof(l));
	memset(&o, 0, sizeof(o));
	memset(&m, 0, sizeof(m));
	o.prog = "bgpsd-listen";
	child_options(&o, argc, argv, listen_longopts, listen_opt,
	    listen_help, &m);
	if (o.version) {
		printf("%s %s\n", o.prog, BGPSD_VERSION);
		return 0;
	}
	l.bad_argv = listen_bad_args(&o, &m);
	l.conf_path = o.conf_path;
	log_init("bgpsd-listen", o.use_syslog, o.check ? 0 : o.verbose);
	/*
	 * A pass's text (the whole file, megabytes with a big table) is
	 * made and freed at every change. A fixed threshold keeps such
	 * blocks in their own mappings, given back when freed; glibc's
	 * default raises the threshold after the first free and the next
	 * texts then stay on the heap, resident for good.
	 */
	mallopt(M_MMAP_THRESHOLD, LISTEN_MMAP_THRESHOLD);
	signal(SIGPIPE, SIG_IGN);
	if ((l.loop = ev_new()) == NULL)
		fatalx("cannot create the event loop");
	daemon = !o.check && !m.once && m.render_path == NULL;
	listen_conf(&l, &o, &m, daemon);
	if (l.conf == &l.defconf && !daemon && !l.bad_argv &&
	    (m.render_path == NULL || o.conf_given))
		goto done;
	l.once = m.once || m.render_path != NULL;
	input_init(&l);
	reload_rib_conf(&l);
	/* offline modes ask nothing: answers in a stream are only counted */
	l.rec = recover_new(l.rib, (size_t)l.conf->listen.max_routes);

	if (m.render_path != NULL) {
		rc = offline_render(&l, m.render_path, m.data, m.html_escape);
		goto done;
	}
	if (o.check) {
		rc = offline_check(l.conf, o.verbose);
		goto done;
	}
	ra_ok = reload_run_as(l.conf, &l.run_as, 0) == 0;
	if (!ra_ok && !daemon)
		goto done;
	l.render = render_new(l.loop, &l.run_as);
	/* an unknown user must not mean commands running as root */
	if (!m.dump && (!ra_ok || render_load(l.render, l.conf) == -1)) {
		if (!daemon)
			goto done;
		child_nag_start(&l.nag, l.loop, "templates failed to load: "
		    "writing nothing until a SIGHUP brings good ones");
	}
	rc = m.once ? offline_once(&l, m.dump) : listen_daemon(&l);
 done:
	child_nag_stop(&l.nag);
	render_free(l.render);
	recover_free(l.rec);
	outq_free(l.out);
	rib_free(l.rib);
	input_free(&l);
	ev_free(l.loop);
	if (l.conf != &l.defconf)
		conf_free(l.conf);
	return rc;
}
