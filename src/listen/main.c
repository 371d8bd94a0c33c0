/*
 * bgpsd-listen - the consumer side: ExaBGP runs it with "encoder json";
 * it reads BGP updates on stdin, keeps the table, renders Mustache
 * templates into config files and runs their reload commands.
 *
 * stdout is ExaBGP's command channel: the daemon writes only the
 * commands of the table recovery there (recover.c), never a log line.
 * The offline modes (--once --dump, --render) print their output there.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "conf.h"
#include "creds.h"
#include "ev.h"
#include "listen.h"
#include "log.h"
#include "mustache.h"
#include "outq.h"
#include "statusfile.h"

#ifndef BGPSD_VERSION
#define BGPSD_VERSION	"unknown"
#endif

#define LISTEN_READ_CHUNK	65536
#define LISTEN_PREVIEW		LINES_HEAD	/* bytes of a line in the log */

enum listen_opt {
	OPT_ONCE = 256,
	OPT_DUMP,
	OPT_RENDER,
	OPT_DATA,
	OPT_HTML_ESCAPE,
};

static const struct option listen_longopts[] = {
	{ "config",		required_argument,	NULL, 'c' },
	{ "check-config",	no_argument,		NULL, 'n' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "version",		no_argument,		NULL, 'V' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "syslog",		no_argument,		NULL, 's' },
	{ "once",		no_argument,		NULL, OPT_ONCE },
	{ "dump",		no_argument,		NULL, OPT_DUMP },
	{ "render",		required_argument,	NULL, OPT_RENDER },
	{ "data",		required_argument,	NULL, OPT_DATA },
	{ "html-escape",	no_argument,		NULL, OPT_HTML_ESCAPE },
	{ NULL,			0,			NULL, 0 }
};

struct listend {
	struct ev_loop		*loop;
	const char		*conf_path;
	struct bgpsd_conf	*conf;
	struct run_as		 run_as;
	struct rib		*rib;
	struct exabgp_msg	 msg;
	struct render		*render;
	struct statusfile	*sf;
	int			 once;

	/* stdin */
	struct lines		 in;
	int			 eof;
	int			 shutdown;	/* our ExaBGP said so */
	uint64_t		 nbad;

	/* when to render */
	struct ev_timer		 timer;
	struct ev_timer		 later;		/* deferred to the loop */
	uint64_t		 start;
	uint64_t		 first_change;
	int			 dirty;
	int			 first_done;
	int			 force_next;
	uint64_t		 pass_gen;
	uint64_t		 rendered_gen;

	/* what a signal asked for while a pass ran */
	int			 reload_pending;
	int			 exiting;
	int			 bad_argv;	/* no config can ever load */

	/* table recovery at start (recover.c) */
	struct recover		*rec;
	struct ev_timer		 rec_timer;	/* answer silent too long */
	uint64_t		 rec_start;
	struct outq		*out;		/* stdout: commands to ExaBGP */

	/* results for the status file */
	uint64_t		 passes, pass_failures;
	int64_t			 last_pass;
	int64_t			 last_reload;
	const char		*reload_result;	/* "ok", "failed" */
	int			 last_failed;
};

static struct bgpsd_conf	 listen_default_conf;

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

/* printable preview of a line for the log: control bytes become '?' */
static void
listen_preview(char *out, size_t outlen, const char *s, size_t len)
{
	size_t	i, n = 0;
	char	c;

	for (i = 0; i < len && n + 1 < outlen && i < LISTEN_PREVIEW; i++) {
		c = s[i];
		out[n++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	out[n] = '\0';
}

static void	listen_mark(struct listend *);
static uint64_t	listen_ns(double);
static void	listen_try_render(struct listend *, int force);

/* ---- status and metrics ---------------------------------------- */

/*
 * The services of the status: the catalogue and every port with backends,
 * by port, each with its name (catalogue or "port_N") and its backends,
 * counted by the table itself: no template context is built for this.
 */
static json_t *
listen_status_services(const struct listend *l)
{
	const struct service_conf *sc;
	json_t		*arr;
	char		 name[32];
	size_t		 n;
	unsigned	 port;

	arr = json_array();
	for (port = 1; port <= 65535; port++) {
		n = rib_port_backends(l->rib, (uint16_t)port);
		sc = conf_service_by_port(l->conf, (uint16_t)port);
		if (n == 0 && sc == NULL)
			continue;
		snprintf(name, sizeof(name), "port_%u", port);
		json_array_append_new(arr, json_pack("{s:s, s:i, s:I}", "name",
		    sc != NULL ? sc->name : name, "port", (int)port, "backends",
		    (json_int_t)n));
	}
	return arr;
}

static json_t *
listen_status_peers(const struct listend *l)
{
	struct rib_peer_stat	*peers = NULL;
	json_t			*arr;
	char			 a[ADDR_STRLEN];
	size_t			 n, i;

	arr = json_array();
	n = rib_peers(l->rib, &peers);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:I, "
		    "s:b, s:I, s:s, s:b}", "address", addr_fmt(&peers[i].addr,
		    a, sizeof(a)), "state", rib_peer_state_name(peers[i].state),
		    "routes", (json_int_t)peers[i].routes, "refused",
		    (json_int_t)peers[i].refused, "accepted", peers[i].accepted,
		    "ignored", (json_int_t)peers[i].ignored, "ignored_reason",
		    rib_ignore_name(peers[i].ignore_reason), "eor",
		    peers[i].eor));
	free(peers);
	return arr;
}

static json_t *
listen_status_render(const struct listend *l)
{
	const struct render_status *st;
	json_t		*o, *arr;
	size_t		 i;

	o = json_object();
	json_object_set_new(o, "passes", json_integer((json_int_t)l->passes));
	json_object_set_new(o, "failed_passes",
	    json_integer((json_int_t)l->pass_failures));
	json_object_set_new(o, "last", l->last_pass ?
	    json_integer(l->last_pass) : json_null());
	json_object_set_new(o, "last_result", l->last_pass ?
	    json_string(l->last_failed ? "failed" : "ok") : json_null());
	json_object_set_new(o, "waiting_for_eor",
	    json_boolean(!l->first_done));
	arr = json_array();
	for (i = 0; i < render_count(l->render); i++) {
		st = render_status(l->render, i);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:I, s:b}", "source", st->source, "destination",
		    st->destination, "result", writer_result_name(st->result),
		    "detail", st->detail, "time", (json_int_t)st->when,
		    "command_pending", st->command_pending));
	}
	json_object_set_new(o, "templates", arr);
	json_object_set_new(o, "last_command",
	    json_string(render_commands_result(l->render)));
	return o;
}

static char *
listen_status_text(void *arg)
{
	struct listend		*l = arg;
	struct recover_stats	 rs;
	json_t			*j, *o;
	char			*text, *out;
	size_t			 len;

	j = json_object();
	json_object_set_new(j, "version", json_string(BGPSD_VERSION));
	json_object_set_new(j, "pid", json_integer(getpid()));
	json_object_set_new(j, "time", json_integer((json_int_t)time(NULL)));
	json_object_set_new(j, "peers", listen_status_peers(l));
	json_object_set_new(j, "routes",
	    json_integer((json_int_t)rib_nroutes(l->rib)));
	json_object_set_new(j, "routes_ignored",
	    json_integer((json_int_t)rib_nignored(l->rib)));
	json_object_set_new(j, "services", listen_status_services(l));
	o = json_pack("{s:I, s:I, s:I}", "read", (json_int_t)l->in.nlines,
	    "malformed", (json_int_t)l->nbad,
	    "oversized", (json_int_t)l->in.noversized);
	json_object_set_new(j, "lines", o);
	json_object_set_new(j, "render", listen_status_render(l));
	o = json_object();
	json_object_set_new(o, "last", l->last_reload ?
	    json_integer(l->last_reload) : json_null());
	json_object_set_new(o, "result", l->reload_result != NULL ?
	    json_string(l->reload_result) : json_null());
	json_object_set_new(j, "reload", o);
	recover_stats(l->rec, &rs);
	json_object_set_new(j, "recovery", json_pack("{s:s, s:s, s:I, s:I, "
	    "s:I, s:I, s:I}", "state", recover_state_name(rs.state), "detail",
	    rs.detail, "attempts", (json_int_t)rs.attempts, "peers",
	    (json_int_t)rs.peers, "routes", (json_int_t)rs.routes,
	    "superseded", (json_int_t)rs.superseded, "skipped",
	    (json_int_t)rs.skipped));
	if ((text = json_dumps(j, JSON_INDENT(2))) == NULL)
		fatalx("status: out of memory");
	json_decref(j);
	len = strlen(text);
	out = xmalloc(len + 2);
	memcpy(out, text, len);
	memcpy(out + len, "\n", 2);
	free(text);
	return out;
}

static char *
listen_metrics_text(void *arg)
{
	struct listend		*l = arg;
	struct rib_peer_stat	*peers = NULL;
	const struct render_status *st;
	const struct service_conf *sc;
	struct buf		 b = BUF_INIT;
	char			 a[ADDR_STRLEN];
	size_t			 n, i;
	unsigned		 port;

	n = rib_peers(l->rib, &peers);
	prom_head(&b, "bgpsd_listen_peer_up", "gauge",
	    "1 if the BGP session is up");
	for (i = 0; i < n; i++)
		buf_printf(&b, "bgpsd_listen_peer_up{peer=\"%s\"} %d\n",
		    addr_fmt(&peers[i].addr, a, sizeof(a)),
		    peers[i].state == RIB_PEER_UP);
	prom_head(&b, "bgpsd_listen_peer_routes", "gauge",
	    "routes stored per peer");
	for (i = 0; i < n; i++)
		buf_printf(&b, "bgpsd_listen_peer_routes{peer=\"%s\"} %zu\n",
		    addr_fmt(&peers[i].addr, a, sizeof(a)), peers[i].routes);
	prom_head(&b, "bgpsd_listen_peer_routes_ignored", "gauge",
	    "routes stored per peer that the accept filters keep out");
	for (i = 0; i < n; i++)
		buf_printf(&b, "bgpsd_listen_peer_routes_ignored{peer=\"%s\","
		    "reason=\"%s\"} %llu\n", addr_fmt(&peers[i].addr, a,
		    sizeof(a)), rib_ignore_name(peers[i].ignore_reason),
		    (unsigned long long)peers[i].ignored);
	free(peers);
	prom_head(&b, "bgpsd_listen_service_backends", "gauge",
	    "backends per service");
	for (port = 1; port <= 65535; port++) {
		n = rib_port_backends(l->rib, (uint16_t)port);
		sc = conf_service_by_port(l->conf, (uint16_t)port);
		if (n == 0 && sc == NULL)
			continue;
		if (sc != NULL)
			buf_printf(&b, "bgpsd_listen_service_backends{service="
			    "\"%s\",port=\"%u\"} %zu\n", sc->name, port, n);
		else
			buf_printf(&b, "bgpsd_listen_service_backends{service="
			    "\"port_%u\",port=\"%u\"} %zu\n", port, port, n);
	}
	prom_head(&b, "bgpsd_listen_lines_total", "counter",
	    "lines read on stdin");
	buf_printf(&b, "bgpsd_listen_lines_total %llu\n",
	    (unsigned long long)l->in.nlines);
	prom_head(&b, "bgpsd_listen_lines_skipped_total", "counter",
	    "lines skipped");
	buf_printf(&b, "bgpsd_listen_lines_skipped_total{reason=\"malformed\"} "
	    "%llu\n", (unsigned long long)l->nbad);
	buf_printf(&b, "bgpsd_listen_lines_skipped_total{reason=\"oversized\"} "
	    "%llu\n", (unsigned long long)l->in.noversized);
	prom_head(&b, "bgpsd_listen_render_passes_total", "counter",
	    "render passes");
	buf_printf(&b, "bgpsd_listen_render_passes_total %llu\n",
	    (unsigned long long)l->passes);
	prom_head(&b, "bgpsd_listen_render_failed_passes_total", "counter",
	    "passes with a failed template or command");
	buf_printf(&b, "bgpsd_listen_render_failed_passes_total %llu\n",
	    (unsigned long long)l->pass_failures);
	prom_head(&b, "bgpsd_listen_last_render_seconds", "gauge",
	    "unix time of the last pass");
	buf_printf(&b, "bgpsd_listen_last_render_seconds %lld\n",
	    (long long)l->last_pass);
	prom_head(&b, "bgpsd_listen_table_recovered", "gauge",
	    "0 while the routes ExaBGP held at start are not known (nothing "
	    "is rendered)");
	buf_printf(&b, "bgpsd_listen_table_recovered %d\n",
	    recover_state(l->rec) == RECOVER_DONE ||
	    recover_state(l->rec) == RECOVER_OFF);
	prom_head(&b, "bgpsd_listen_template_ok", "gauge",
	    "1 if the last write of the file was good (written or unchanged)");
	for (i = 0; i < render_count(l->render); i++) {
		st = render_status(l->render, i);
		buf_printf(&b, "bgpsd_listen_template_ok{destination=\"");
		prom_label(&b, st->destination);
		buf_printf(&b, "\"} %d\n", st->result == WRITER_WRITTEN ||
		    st->result == WRITER_UNCHANGED);
	}
	return b.s;
}

/* something the status shows changed: written within status_interval */
static void
listen_status_touch(struct listend *l)
{
	if (!l->once)
		statusfile_touch(l->sf);
}

/* ---- table recovery at start (recover.c) ------------------------ */

/* ExaBGP is gone (EOF on stdin, EPIPE on stdout): stop reading, exit */
static void
listen_gone(struct listend *l)
{
	l->eof = 1;
	ev_io_del(l->loop, STDIN_FILENO);
	ev_timer_stop(l->loop, &l->timer);
	/* a pass in progress completes (it has a whole table) */
	if (!render_busy(l->render))
		ev_break(l->loop);
}

/* stdout, ExaBGP's command channel, failed for good */
static void
listen_out_error(int err, void *arg)
{
	struct listend	*l = arg;
	char		 why[RECOVER_DETAIL_MAX];

	if (err == EPIPE) {
		log_info("stdout closed: ExaBGP is gone, exiting");
		listen_gone(l);
		return;
	}
	errno = err;
	log_warn("stdout");
	snprintf(why, sizeof(why), "cannot write to ExaBGP: %s",
	    strerror(err));
	recover_fail(l->rec, why);
}

/* text: commands, one per line */
static void
listen_send(struct listend *l, const char *text)
{
	char	*copy, *line, *save;

	copy = xstrdup(text);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		(void)outq_push(l->out, line, 0);
	free(copy);
	outq_flush(l->out);
}

/* ask ExaBGP for the table it holds; the answer is read with the JSON */
static void
listen_recover_ask(struct listend *l)
{
	double	 t = l->conf->listen.recovery_timeout;

	if (t <= 0)
		return;
	log_info("%s ExaBGP for the routes it already holds",
	    recover_state(l->rec) == RECOVER_FAILED ? "asking again" :
	    "asking");
	recover_begin(l->rec);
	l->rec_start = ev_monotonic();
	ev_timer_after(l->loop, &l->rec_timer, listen_ns(t));
	listen_send(l, RECOVER_REQUEST);
}

/* after anything that may move the recovery on: log, status, render */
static void
listen_recover_moved(struct listend *l, enum recover_state was)
{
	struct recover_stats	 rs;
	enum recover_state	 now = recover_state(l->rec);

	/* silence is what fails: every answer line restarts the bound */
	if (now == RECOVER_PENDING)
		ev_timer_after(l->loop, &l->rec_timer,
		    listen_ns(l->conf->listen.recovery_timeout));
	if (now == was)
		return;
	recover_stats(l->rec, &rs);
	if (now == RECOVER_DONE) {
		ev_timer_stop(l->loop, &l->rec_timer);
		log_info("table recovery done (%s): %zu peer(s) were up "
		    "before we started, %llu route(s) from ExaBGP's "
		    "Adj-RIB-In, %llu older than an update already read "
		    "(skipped), %.2f s", rs.detail,
		    rs.peers, (unsigned long long)rs.routes,
		    (unsigned long long)rs.superseded,
		    (double)(ev_monotonic() - l->rec_start) / (double)EV_NSEC);
		listen_mark(l);
	} else if (now == RECOVER_FAILED) {
		ev_timer_stop(l->loop, &l->rec_timer);
		log_warnx("table recovery failed: %s; every file is kept "
		    "as it is and nothing is rendered until the answer "
		    "comes, every session that was up has restarted, or "
		    "SIGHUP/SIGUSR1 asks again", rs.detail);
	}
	listen_status_touch(l);
}

static void
listen_recover_timer(void *arg)
{
	struct listend	*l = arg;
	char		 why[RECOVER_DETAIL_MAX];

	snprintf(why, sizeof(why), "no answer from ExaBGP within %g s "
	    "(exabgp.api.ack and the process's stdout reach it?)",
	    l->conf->listen.recovery_timeout);
	recover_fail(l->rec, why);
	listen_recover_moved(l, RECOVER_PENDING);
}

/* ---- the table ----------------------------------------------------- */

/* a line that cannot be used: counted, logged with a clean preview */
static void
listen_skip(struct listend *l, const char *line, size_t len,
    uint64_t lineno, char *err)
{
	char	 pre[LISTEN_PREVIEW + 1], *p;

	l->nbad++;
	listen_preview(pre, sizeof(pre), line, len);
	/* jansson quotes the offending bytes: clean them as well */
	for (p = err; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	log_warnx("stdin line %llu skipped (%s): %s",
	    (unsigned long long)lineno, err, pre);
}

/* JSON lines start with '{'; the answers to our commands do not */
static int
listen_is_text(const char *line, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return line[i] != '{';
	return 0;
}

static int
listen_line(const char *line, size_t len, uint64_t lineno, void *arg)
{
	struct listend		*l = arg;
	char			 err[256], a[ADDR_STRLEN];
	enum recover_state	 was = recover_state(l->rec);
	int			 changed;
	size_t			 nignored;

	if (listen_is_text(line, len)) {
		if (recover_text(l->rec, line, len, err, sizeof(err)) == -1)
			listen_skip(l, line, len, lineno, err);
		listen_recover_moved(l, was);
		return 0;
	}
	if (exabgp_decode(&l->msg, line, len, err, sizeof(err)) == -1) {
		listen_skip(l, line, len, lineno, err);
		return 0;
	}
	switch (l->msg.type) {
	case EXABGP_MSG_SHUTDOWN:
		log_info("ExaBGP is shutting down");
		l->shutdown = 1;
		return 1;	/* what follows is of no use */
	case EXABGP_MSG_STATE:		/* rib_apply logs the change */
	case EXABGP_MSG_UPDATE:
	case EXABGP_MSG_EOR:
		break;
	default:
		return 0;
	}
	recover_live(l->rec, &l->msg);
	nignored = rib_nignored(l->rib);
	changed = rib_apply(l->rib, &l->msg);
	/* ignored routes change no file: the status still shows them */
	if (rib_nignored(l->rib) != nignored)
		listen_status_touch(l);
	if (l->msg.type == EXABGP_MSG_EOR && l->msg.has_peer)
		log_debug("End-of-RIB %s from %s",
		    exabgp_family_name(l->msg.family),
		    addr_fmt(&l->msg.peer, a, sizeof(a)));
	/* before the first render, an EOR or a state may open the gate */
	if (changed || (!l->first_done && !l->once &&
	    (l->msg.type == EXABGP_MSG_EOR ||
	    l->msg.type == EXABGP_MSG_STATE)))
		listen_mark(l);
	if (recover_state(l->rec) != was)
		listen_recover_moved(l, was);
	else if (l->msg.type == EXABGP_MSG_STATE)
		listen_status_touch(l);
	return 0;
}

static void
listen_oversized(const char *head, size_t len, uint64_t lineno, void *arg)
{
	struct listend	*l = arg;
	char		 pre[LISTEN_PREVIEW + 1];

	listen_preview(pre, sizeof(pre), head, len);
	log_warnx("stdin line %llu skipped: longer than max_line (%zu "
	    "bytes): %s", (unsigned long long)lineno, l->in.max, pre);
}

/* ---- when to render ----------------------------------------------- */

static uint64_t
listen_ns(double seconds)
{
	return (uint64_t)(seconds * (double)EV_NSEC);
}

/* a change: (re)arm quiescence, never beyond wait_max after the first */
static void
listen_mark(struct listend *l)
{
	uint64_t	now = ev_monotonic(), when, cap;

	if (l->once || l->exiting)
		return;
	if (!l->dirty) {
		l->dirty = 1;
		l->first_change = now;
	}
	when = now + listen_ns(l->conf->listen.wait_min);
	cap = l->first_change + listen_ns(l->conf->listen.wait_max);
	if (when > cap)
		when = cap;
	ev_timer_at(l->loop, &l->timer, when);
}

static void
listen_timer(void *arg)
{
	listen_try_render(arg, 0);
}

static void	listen_reload(struct listend *);

static void
listen_later(void *arg)
{
	struct listend	*l = arg;

	if (l->reload_pending)
		listen_reload(l);	/* re-renders by itself */
	else if (l->dirty || l->force_next)
		listen_mark(l);
}

static void
listen_pass_done(int nfailed, void *arg)
{
	struct listend	*l = arg;

	l->first_done = 1;
	l->rendered_gen = l->pass_gen;
	l->passes++;
	l->last_pass = (int64_t)time(NULL);
	l->last_failed = nfailed > 0;
	if (nfailed > 0) {
		l->pass_failures++;
		log_warnx("render pass: %d failure(s); retried at the next "
		    "change or SIGUSR1", nfailed);
	} else
		log_debug("render pass done");
	listen_status_touch(l);
	if (l->once)
		return;
	if (l->exiting || l->eof || l->shutdown) {
		ev_break(l->loop);
		return;
	}
	/*
	 * We run inside the render's own callback chain: anything that
	 * may replace the render (a reload) waits for the next turn.
	 */
	if (l->reload_pending || l->dirty || l->force_next)
		ev_timer_after(l->loop, &l->later, 0);
}

/* 1 when the table may be written for the first time */
static int
listen_gate(struct listend *l)
{
	uint64_t	now = ev_monotonic();
	uint64_t	limit = l->start + listen_ns(l->conf->listen.wait_max);

	/* a table without what ExaBGP held before we started is partial */
	if (!recover_ready(l->rec)) {
		log_debug("the routes ExaBGP already holds are not known yet: "
		    "not rendering");
		return 0;
	}
	if (l->first_done || rib_all_eor(l->rib))
		return 1;
	if (now < limit) {
		log_debug("waiting for End-of-RIB from every peer");
		ev_timer_at(l->loop, &l->timer, limit);
		return 0;
	}
	/* never write an empty table just because we have just started */
	if (rib_nroutes(l->rib) == 0) {
		log_debug("nothing learned yet: not rendering");
		return 0;
	}
	log_info("wait_max passed without End-of-RIB from every peer: "
	    "rendering what was learned");
	return 1;
}

static void
listen_try_render(struct listend *l, int force)
{
	json_t	*ctx;

	if (l->exiting || l->eof || l->shutdown)
		return;
	if (render_busy(l->render)) {
		/* a pass is running: one more after it */
		if (force)
			l->force_next = 1;
		l->dirty = 1;
		return;
	}
	if (!listen_gate(l))
		return;
	force |= l->force_next;
	if (!force && l->first_done &&
	    rib_generation(l->rib) == l->rendered_gen) {
		l->dirty = 0;
		return;
	}
	l->dirty = 0;
	l->force_next = 0;
	ev_timer_stop(l->loop, &l->timer);
	ctx = context_build(l->rib, l->conf);
	render_decorate(ctx);
	l->pass_gen = rib_generation(l->rib);
	render_pass(l->render, ctx, listen_pass_done, l);
	json_decref(ctx);
}

/* ---- config -------------------------------------------------------- */

/* plain: print "file:line: message" alone on stderr (for -n), else log */
static int
listen_run_as(const struct bgpsd_conf *conf, struct run_as *ra, int plain)
{
	struct creds	 c;
	char		 err[256], msg[512];

	memset(ra, 0, sizeof(*ra));
	if (geteuid() != 0 || (conf->user == NULL && conf->group == NULL))
		return 0;
	if (creds_resolve(conf->user, NULL, 1, &c, err, sizeof(err)) == -1) {
		snprintf(msg, sizeof(msg), "%s:%d: %s", conf->user_file,
		    conf->user_line, err);
		goto fail;
	}
	ra->uid = c.uid != CREDS_KEEP_UID ? c.uid : geteuid();
	ra->gid = c.gid != CREDS_KEEP_GID ? c.gid : getegid();
	if (creds_resolve(NULL, conf->group, 0, &c, err, sizeof(err)) == -1) {
		snprintf(msg, sizeof(msg), "%s:%d: %s", conf->group_file,
		    conf->group_line, err);
		goto fail;
	}
	if (c.gid != CREDS_KEEP_GID)
		ra->gid = c.gid;
	ra->drop = 1;
	return 0;
 fail:
	if (plain)
		fprintf(stderr, "%s\n", msg);
	else
		log_warnx("%s", msg);
	return -1;
}

/*
 * plain: -n prints the error as "file:line: message" alone, like
 * bgpsd-announce -n, for editors and scripts that parse it.
 */
static struct bgpsd_conf *
listen_load_conf(const char *path, int plain)
{
	struct bgpsd_conf	*conf;
	char			 err[1024];

	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		if (plain)
			fprintf(stderr, "%s\n", err);
		else
			log_warnx("%s", err);
		return NULL;
	}
	return conf;
}

static void
listen_rib_conf(struct listend *l)
{
	struct rib_conf	rc;

	rib_conf_from(&rc, l->conf);
	if (l->rib == NULL)
		l->rib = rib_new(&rc);
	else
		rib_reconf(l->rib, &rc);
}

static void
listen_reloaded(struct listend *l, int good)
{
	l->last_reload = (int64_t)time(NULL);
	l->reload_result = good ? "ok" : "failed";
	listen_status_touch(l);
}

static void
listen_reload(struct listend *l)
{
	struct bgpsd_conf	*conf, *old;
	struct run_as		 ra;
	struct render		*r;

	if (render_busy(l->render)) {
		l->reload_pending = 1;
		return;
	}
	l->reload_pending = 0;
	if (l->bad_argv) {
		log_warnx("SIGHUP: a bad command line cannot be reloaded; "
		    "fix the process's run line in ExaBGP's configuration");
		listen_reloaded(l, 0);
		return;
	}
	log_info("reloading %s", l->conf_path);
	if ((conf = listen_load_conf(l->conf_path, 0)) == NULL) {
		log_warnx("reload failed: keeping the running configuration");
		listen_reloaded(l, 0);
		return;
	}
	if (listen_run_as(conf, &ra, 0) == -1) {
		log_warnx("reload failed: keeping the running configuration");
		conf_free(conf);
		listen_reloaded(l, 0);
		return;
	}
	/* a fresh render so that the new user applies to checks too */
	r = render_new(l->loop, &ra);
	if (render_load(r, conf) == -1) {
		log_warnx("reload failed: a template does not compile; keeping "
		    "the running configuration and templates");
		render_free(r);
		conf_free(conf);
		listen_reloaded(l, 0);
		return;
	}
	render_inherit(r, l->render);
	render_free(l->render);
	l->render = r;
	old = l->conf;
	l->conf = conf;
	l->run_as = ra;
	if (old != &listen_default_conf)
		conf_free(old);
	listen_rib_conf(l);
	lines_setmax(&l->in, (size_t)conf->listen.max_line);
	statusfile_set(l->sf, conf->listen.status_file,
	    conf->listen.metrics_file, conf->listen.status_interval);
	if (conf->listen.recovery_timeout <= 0 &&
	    (recover_state(l->rec) == RECOVER_PENDING ||
	    recover_state(l->rec) == RECOVER_FAILED)) {
		log_warnx("recovery_timeout = 0: no longer waiting for the "
		    "routes ExaBGP held at start; the table may be partial");
		recover_cancel(l->rec, "given up: recovery_timeout = 0");
		ev_timer_stop(l->loop, &l->rec_timer);
	}
	log_info("configuration reloaded");
	listen_reloaded(l, 1);
	listen_try_render(l, 1);
}

/* ---- the loop ------------------------------------------------------ */

static void
listen_stdin(int fd, unsigned int events, void *arg)
{
	struct listend	*l = arg;
	char		 chunk[LISTEN_READ_CHUNK];
	ssize_t		 n;
	int		 i;

	/* bounded: other events get their turn on a busy pipe */
	for (i = 0; i < 16; i++) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == -1) {
			log_warn("stdin");
			n = 0;
		}
		if (n == 0) {
			lines_eof(&l->in);
			log_info("stdin closed: ExaBGP is gone, exiting");
			l->eof = 1;
			break;
		}
		lines_feed(&l->in, chunk, (size_t)n);
		if (l->shutdown)
			break;
	}
	if (l->eof || l->shutdown) {
		ev_io_del(l->loop, fd);
		ev_timer_stop(l->loop, &l->timer);
		/* a pass in progress completes (it has a whole table) */
		if (!render_busy(l->render))
			ev_break(l->loop);
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
		listen_reload(l);
		if (recover_state(l->rec) == RECOVER_FAILED)
			listen_recover_ask(l);
		break;
	case SIGUSR1:
		if (recover_state(l->rec) == RECOVER_FAILED) {
			log_info("SIGUSR1: the table is not recovered");
			listen_recover_ask(l);
			break;
		}
		log_info("SIGUSR1: rendering now");
		listen_try_render(l, 1);
		break;
	}
}

static int
listen_daemon(struct listend *l)
{
	int	flags, rc;

	if ((flags = fcntl(STDIN_FILENO, F_GETFL)) == -1 ||
	    fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK) == -1) {
		log_warn("stdin");
		return 1;
	}
	/* ExaBGP's command channel: never block on it */
	if ((l->out = outq_new(l->loop, STDOUT_FILENO, NULL,
	    listen_out_error, l)) == NULL)
		return 1;
	if (ev_io_add(l->loop, STDIN_FILENO, EV_READ, listen_stdin, l) ==
	    -1 ||
	    ev_signal(l->loop, SIGTERM, listen_signal, l) == -1 ||
	    ev_signal(l->loop, SIGINT, listen_signal, l) == -1 ||
	    ev_signal(l->loop, SIGHUP, listen_signal, l) == -1 ||
	    ev_signal(l->loop, SIGUSR1, listen_signal, l) == -1) {
		log_warnx("cannot set up the event loop");
		return 1;
	}
	ev_timer_init(&l->timer, listen_timer, l);
	ev_timer_init(&l->later, listen_later, l);
	l->start = ev_monotonic();
	log_info("started, %zu template(s)", render_count(l->render));
	l->sf = statusfile_new(l->loop, listen_status_text,
	    listen_metrics_text, l);
	statusfile_set(l->sf, l->conf->listen.status_file,
	    l->conf->listen.metrics_file, l->conf->listen.status_interval);
	/* a bad command line never renders: nothing to recover for */
	if (!l->bad_argv)
		listen_recover_ask(l);
	rc = ev_run(l->loop) == -1 ? 1 : 0;
	render_cancel(l->render);
	/* the last word in the status file: the state at the exit */
	(void)statusfile_write(l->sf);
	statusfile_free(l->sf);
	l->sf = NULL;
	return rc;
}

/* read stdin to EOF in blocking mode (the offline modes) */
static void
listen_slurp(struct listend *l)
{
	char	chunk[LISTEN_READ_CHUNK];
	ssize_t	n;

	for (;;) {
		n = read(STDIN_FILENO, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("stdin");
			break;
		}
		if (n == 0)
			break;
		if (lines_feed(&l->in, chunk, (size_t)n) != 0)
			return;
	}
	lines_eof(&l->in);
}

static void
listen_once_done(int nfailed, void *arg)
{
	int	*result = arg;

	*result = nfailed;
}

static int
listen_once(struct listend *l, int dump)
{
	json_t	*ctx;
	char	*text;
	int	 result = -1;

	listen_slurp(l);
	ctx = context_build(l->rib, l->conf);
	render_decorate(ctx);
	if (dump) {
		text = context_dump(ctx);
		fputs(text, stdout);
		free(text);
		json_decref(ctx);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	render_pass(l->render, ctx, listen_once_done, &result);
	json_decref(ctx);
	/* bounded by the checks' and commands' timeouts */
	while (render_busy(l->render))
		if (ev_run_once(l->loop, -1) == -1)
			return 1;
	return result == 0 ? 0 : 1;
}

static int
listen_render_one(struct listend *l, const char *path, const char *data,
    int html_escape)
{
	struct tmpl_opts opts;
	struct tmpl	*t;
	json_error_t	 jerr;
	json_t		*ctx;
	char		*out, err[1024];
	size_t		 outlen;
	int		 rc = 1;

	memset(&opts, 0, sizeof(opts));
	opts.max_size = (size_t)l->conf->listen.max_template;
	if ((t = tmpl_load(path, &opts, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return 1;
	}
	if (data != NULL) {
		if ((ctx = json_load_file(data, 0, &jerr)) == NULL) {
			log_warnx("%s:%d: %s", data, jerr.line, jerr.text);
			tmpl_free(t);
			return 1;
		}
	} else {
		listen_slurp(l);
		ctx = context_build(l->rib, l->conf);
	}
	render_decorate(ctx);
	if (tmpl_render(t, ctx, html_escape, &out, &outlen, err,
	    sizeof(err)) == -1)
		log_warnx("%s: %s", path, err);
	else {
		if (fwrite(out, 1, outlen, stdout) == outlen &&
		    fflush(stdout) == 0)
			rc = 0;
		else
			log_warn("stdout");
		free(out);
	}
	json_decref(ctx);
	tmpl_free(t);
	return rc;
}

/*
 * -n: the configuration, then what the daemon would refuse at load: an
 * unknown user or group, and every template: its source readable and
 * compiling (with its partials), its owner and group known. Each error
 * is "file:line: message" alone on its line.
 */
static int
listen_check(const struct bgpsd_conf *conf, int verbose)
{
	struct tmpl_opts opts;
	struct tmpl	*t;
	struct creds	 owner;
	struct run_as	 ra;
	char		 err[1024];
	size_t		 i;
	int		 rc = 0;

	if (listen_run_as(conf, &ra, 1) == -1)
		rc = 1;
	memset(&opts, 0, sizeof(opts));
	opts.max_size = (size_t)conf->listen.max_template;
	for (i = 0; i < conf->listen.ntemplates; i++) {
		if (render_template_open(&conf->listen.templates[i], &opts,
		    &t, &owner, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s\n", err);
			rc = 1;
			continue;
		}
		tmpl_free(t);
	}
	if (rc != 0)
		return rc;
	if (verbose)
		conf_print(stdout, conf);
	else
		fprintf(stderr, "configuration OK\n");
	return 0;
}

static void
listen_defaults(struct bgpsd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->asn = CONF_DEFAULT_ASN;
	c->listen.wait_min = 0.5;
	c->listen.wait_max = 5;
	c->listen.host_routes_only = 1;
	c->listen.recovery_timeout = 10;
	c->listen.max_routes = 1000000;
	c->listen.max_line = 262144;
	c->listen.max_template = TMPL_DEFAULT_MAX_SIZE;
	c->listen.status_interval = STATUSFILE_DEFAULT_INTERVAL;
}

int
main(int argc, char *argv[])
{
	struct listend	 l;
	const char	*render_path = NULL, *data = NULL;
	int		 ch, check = 0, verbose = 0, use_syslog = 0;
	int		 once = 0, dump = 0, html_escape = 0, conf_given = 0;
	int		 rc, daemon, bad = 0;
	struct stat	 st;
	int		 ra_ok;

	memset(&l, 0, sizeof(l));
	l.conf_path = CONF_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:nvVhs", listen_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			l.conf_path = optarg;
			conf_given = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("bgpsd-listen %s\n", BGPSD_VERSION);
			return 0;
		case 'h':
			listen_help();
			return 0;
		case 's':
			use_syslog = 1;
			break;
		case OPT_ONCE:
			once = 1;
			break;
		case OPT_DUMP:
			dump = 1;
			break;
		case OPT_RENDER:
			render_path = optarg;
			break;
		case OPT_DATA:
			data = optarg;
			break;
		case OPT_HTML_ESCAPE:
			html_escape = 1;
			break;
		default:
			bad = 1;
			break;
		}
	}
	if (bad || optind != argc || (dump && !once) ||
	    (data != NULL && render_path == NULL) ||
	    (html_escape && render_path == NULL) ||
	    (render_path != NULL && (once || check)) || (check && once)) {
		/*
		 * Under ExaBGP (stdin a pipe, no offline mode asked for) a
		 * typo in the run line must not become a crash loop either:
		 * ExaBGP gives up on every session after a few deaths.
		 */
		if (check || once || dump || render_path != NULL ||
		    data != NULL || html_escape ||
		    fstat(STDIN_FILENO, &st) == -1 ||
		    (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)))
			usage();
		l.bad_argv = 1;
	}

	log_init("bgpsd-listen", use_syslog, check ? 0 : verbose);
	signal(SIGPIPE, SIG_IGN);

	daemon = !check && !once && render_path == NULL;
	listen_defaults(&listen_default_conf);
	/* --render needs no config file unless one is named */
	if (render_path != NULL && !conf_given &&
	    (data != NULL || access(l.conf_path, F_OK) == -1))
		l.conf = &listen_default_conf;
	else if (l.bad_argv) {
		log_warnx("bad command line (usage: bgpsd-listen [-nsVv] "
		    "[-c file]): reading updates but writing nothing; fix "
		    "the process's run line in ExaBGP's configuration");
		l.conf = &listen_default_conf;
	} else if ((l.conf = listen_load_conf(l.conf_path, check)) == NULL) {
		if (!daemon)
			return 1;
		/*
		 * ExaBGP respawns a process that dies and gives up on all
		 * its sessions after a few deaths: a bad file must not
		 * make us crash-loop. Keep draining stdin, write nothing,
		 * and wait for a SIGHUP with a good file.
		 */
		log_warnx("no valid configuration: reading updates but "
		    "writing nothing until a SIGHUP brings a valid one");
		l.conf = &listen_default_conf;
	}
	l.once = once || render_path != NULL;

	rc = 1;
	if ((l.loop = ev_new()) == NULL)
		fatalx("cannot create the event loop");
	exabgp_msg_init(&l.msg);
	lines_init(&l.in, (size_t)l.conf->listen.max_line, listen_line,
	    listen_oversized, &l);
	listen_rib_conf(&l);
	/* offline modes ask nothing: answers in a stream are only counted */
	l.rec = recover_new(l.rib, (size_t)l.conf->listen.max_routes);
	ev_timer_init(&l.rec_timer, listen_recover_timer, &l);

	if (render_path != NULL) {
		rc = listen_render_one(&l, render_path, data, html_escape);
		goto done;
	}
	if (check) {
		rc = listen_check(l.conf, verbose);
		goto done;
	}
	ra_ok = listen_run_as(l.conf, &l.run_as, 0) == 0;
	if (!ra_ok && !daemon)
		goto done;
	l.render = render_new(l.loop, &l.run_as);
	/* an unknown user must not mean commands running as root */
	if (!dump && (!ra_ok || render_load(l.render, l.conf) == -1)) {
		if (!daemon)
			goto done;
		log_warnx("templates failed to load: writing nothing until "
		    "a SIGHUP brings good ones");
	}
	if (once)
		rc = listen_once(&l, dump);
	else
		rc = listen_daemon(&l);
 done:
	render_free(l.render);
	recover_free(l.rec);
	outq_free(l.out);
	rib_free(l.rib);
	exabgp_msg_free(&l.msg);
	lines_free(&l.in);
	ev_free(l.loop);
	if (l.conf != &listen_default_conf)
		conf_free(l.conf);
	return rc;
}
