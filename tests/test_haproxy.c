/*
 * test_haproxy.c - the haproxy runtime API path: snapshots of a real
 * table (names, weights, drains, the rest), the difference of two
 * (same / runtime / reload), the commands it gives and how they are
 * split into lines, haproxy's answers, and the conversation itself
 * against a fake admin socket on the real event loop: accepted, refused
 * by haproxy, nobody listening, no answer in time; and render passes
 * with haproxy_socket: the runtime path instead of the reload, and the
 * reload when haproxy refuses or is not there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "ev.h"
#include "listen.h"
#include "testlib.h"

#define P1	"169.254.179.1"

/* ---- snapshots made by hand ---- */

static void
two_servers(struct haproxy_snap *sn, uint16_t w1, int d1, uint16_t w2,
    int d2)
{
	memset(sn, 0, sizeof(*sn));
	haproxy_snap_add(sn, "be_web", "192.0.2.1", d1 ? 0 : w1, d1, "80 a");
	haproxy_snap_add(sn, "be_web", "192.0.2.2", d2 ? 0 : w2, d2, "80 b");
}

static void
test_diff(void **state)
{
	struct haproxy_snap	 none, a, b;

	memset(&none, 0, sizeof(none));
	two_servers(&a, 100, 0, 100, 0);

	/* nothing known of the running haproxy: reload */
	two_servers(&b, 100, 0, 100, 0);
	assert_int_equal(haproxy_diff(&none, &b), HAPROXY_RELOAD);
	assert_int_equal(haproxy_diff(&a, &b), HAPROXY_SAME);
	haproxy_snap_free(&b);

	two_servers(&b, 50, 0, 100, 0);
	assert_int_equal(haproxy_diff(&a, &b), HAPROXY_RUNTIME);
	haproxy_snap_free(&b);

	two_servers(&b, 100, 0, 100, 1);
	assert_int_equal(haproxy_diff(&a, &b), HAPROXY_RUNTIME);
	haproxy_snap_free(&b);

	/* haproxy's maximum weight is 256: above, its check decides */
	two_servers(&b, 256, 0, 100, 0);
	assert_int_equal(haproxy_diff(&a, &b), HAPROXY_RUNTIME);
	haproxy_snap_free(&b);
	two_servers(&b, 257, 0, 100, 0);
	assert_int_equal(haproxy_diff(&a, &b), HAPROXY_RELOAD);
	haproxy_snap_free(&b);

	/* a server more */
	two_servers(&b, 100, 0, 100, 0);
	haproxy_snap_add(&b, "be_web", "192.0.2.3", 100, 0, "80 c");
	assert_int_equal(haproxy_diff(&a, &b), HAPROXY_RELOAD);
	haproxy_snap_free(&b);

	/* a server less (and an empty table) */
	memset(&b, 0, sizeof(b));
	haproxy_snap_add(&b, "be_web", "192.0.2.1", 100, 0, "80 a");
	assert_int_equal(haproxy_diff(&a, &b), HAPROXY_RELOAD);
	haproxy_snap_free(&b);

	/* another server in its place */
	memset(&b, 0, sizeof(b));
	haproxy_snap_add(&b, "be_web", "192.0.2.1", 100, 0, "80 a");
	haproxy_snap_add(&b, "be_web", "192.0.2.9", 100, 0, "80 b");
	assert_int_equal(haproxy_diff(&a, &b), HAPROXY_RELOAD);
	haproxy_snap_free(&b);

	/* a weight and a tag at once: the tag needs the template */
	memset(&b, 0, sizeof(b));
	haproxy_snap_add(&b, "be_web", "192.0.2.1", 50, 0, "80 a");
	haproxy_snap_add(&b, "be_web", "192.0.2.2", 100, 0, "80 b 65000:1");
	assert_int_equal(haproxy_diff(&a, &b), HAPROXY_RELOAD);
	haproxy_snap_free(&b);

	haproxy_snap_free(&a);
	assert_string_equal(haproxy_diff_name(HAPROXY_RUNTIME), "runtime");
}

static void
test_commands(void **state)
{
	struct haproxy_snap	 a, b;
	struct haproxy_cmds	 hc;

	two_servers(&a, 100, 0, 100, 0);
	two_servers(&b, 50, 0, 100, 1);
	assert_int_equal(haproxy_commands(&a, &b, &hc), 2);
	assert_int_equal(hc.nlines, 1);
	assert_string_equal(hc.lines[0],
	    "set server be_web/192.0.2.1 weight 50;"
	    "set server be_web/192.0.2.2 state drain;"
	    "set server be_web/192.0.2.2 weight 0\n");
	haproxy_cmds_free(&hc);

	/* back from drain: ready first, then the weight */
	assert_int_equal(haproxy_commands(&b, &a, &hc), 2);
	assert_string_equal(hc.lines[0],
	    "set server be_web/192.0.2.1 weight 100;"
	    "set server be_web/192.0.2.2 state ready;"
	    "set server be_web/192.0.2.2 weight 100\n");
	haproxy_cmds_free(&hc);

	/* nothing to say when the diff is not a runtime one */
	assert_int_equal(haproxy_commands(&a, &a, &hc), 0);
	assert_int_equal(hc.nlines, 0);
	haproxy_snap_free(&b);
	two_servers(&b, 300, 0, 100, 0);
	assert_int_equal(haproxy_commands(&a, &b, &hc), 0);
	assert_int_equal(hc.nlines, 0);
	haproxy_snap_free(&a);
	haproxy_snap_free(&b);
}

static void
test_commands_split(void **state)
{
	struct haproxy_snap	 a, b;
	struct haproxy_cmds	 hc;
	char			 ip[32], want[96];
	size_t			 i, n = 600, found = 0, l;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	for (i = 0; i < n; i++) {
		snprintf(ip, sizeof(ip), "198.51.%zu.%zu", i / 250, i % 250);
		haproxy_snap_add(&a, "be_web", ip, 100, 0, "80");
		haproxy_snap_add(&b, "be_web", ip, 1 + (uint16_t)(i % 99),
		    0, "80");
	}
	assert_int_equal(haproxy_commands(&a, &b, &hc), n);
	assert_true(hc.nlines > 1);
	for (l = 0; l < hc.nlines; l++) {
		size_t len = strlen(hc.lines[l]);

		assert_true(len <= HAPROXY_LINE_MAX);
		assert_int_equal(hc.lines[l][len - 1], '\n');
		assert_ptr_equal(strchr(hc.lines[l], '\n'),
		    hc.lines[l] + len - 1);
		assert_int_not_equal(hc.lines[l][0], ';');
	}
	/* every command once, in order, none cut */
	for (i = 0, l = 0; i < n; i++) {
		snprintf(ip, sizeof(ip), "198.51.%zu.%zu", i / 250, i % 250);
		snprintf(want, sizeof(want), "set server be_web/%s weight %u",
		    ip, 1 + (unsigned int)(i % 99));
		while (l < hc.nlines && strstr(hc.lines[l], want) == NULL)
			l++;
		assert_true(l < hc.nlines);
		found++;
	}
	assert_int_equal(found, n);
	haproxy_cmds_free(&hc);
	haproxy_snap_free(&a);
	haproxy_snap_free(&b);
}

static void
test_reply(void **state)
{
	char	 err[64];

	assert_int_equal(haproxy_reply_ok("", 0, err, sizeof(err)), 0);
	assert_int_equal(haproxy_reply_ok("\n\n", 2, err, sizeof(err)), 0);
	assert_int_equal(haproxy_reply_ok("\n\n\n\n", 4, err, sizeof(err)),
	    0);
	assert_int_equal(haproxy_reply_ok("No such server.\n\n", 17, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "No such server.");
	/* an error after a good answer still counts */
	assert_int_equal(haproxy_reply_ok("\nUnknown command\x01.\n", 19,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "Unknown command?.");
}

/* ---- snapshots of a real table ---- */

static void
snap_of(struct rib *rib, const struct bgpsd_conf *conf,
    struct haproxy_snap *sn)
{
	struct context	 ctx;

	context_open(&ctx, rib, conf);
	haproxy_snap_take(sn, &ctx);
	context_close(&ctx);
}

static void
test_snap_take(void **state)
{
	struct bgpsd_conf	*conf;
	struct rib_conf		 rc;
	struct rib		*rib;
	struct haproxy_snap	 a, b, c;
	struct haproxy_cmds	 hc;
	char			 err[512];

	exabgp_msg_init(&tl_msg);
	conf = conf_load("data/listen/catalogue.conf", err, sizeof(err));
	if (conf == NULL)
		fail_msg("%s", err);
	memset(&rc, 0, sizeof(rc));
	rc.asn = 12345;
	rc.host_routes_only = 1;
	rib = rib_new(&rc);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));

	tl_announce(rib, P1, "192.0.2.1/32", "[ [ 12345, 443 ] ]", "[ ]");
	tl_announce(rib, P1, "2001:db8::1/128", "[ [ 12345, 443 ] ]", "[ ]");
	snap_of(rib, conf, &a);
	assert_true(a.valid);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.srv[0].name, "be_https/192.0.2.1");
	assert_string_equal(a.srv[1].name, "be_https/2001:db8::1");
	assert_int_equal(a.srv[0].weight, 100);
	assert_int_equal(a.srv[0].draining, 0);

	/* weight 7 for 443 on one, drain on the other: runtime */
	tl_announce(rib, P1, "192.0.2.1/32", "[ [ 12345, 443 ] ]",
	    "[ [ 12345, 1, 4430007 ] ]");
	tl_announce(rib, P1, "2001:db8::1/128", "[ [ 12345, 443 ] ]",
	    "[ [ 12345, 2, 4430000 ] ]");
	snap_of(rib, conf, &b);
	assert_int_equal(b.srv[0].weight, 7);
	assert_int_equal(b.srv[1].weight, 0);
	assert_int_equal(b.srv[1].draining, 1);
	assert_int_equal(haproxy_diff(&a, &b), HAPROXY_RUNTIME);
	assert_int_equal(haproxy_commands(&a, &b, &hc), 2);
	assert_string_equal(hc.lines[0],
	    "set server be_https/192.0.2.1 weight 7;"
	    "set server be_https/2001:db8::1 state drain;"
	    "set server be_https/2001:db8::1 weight 0\n");
	haproxy_cmds_free(&hc);

	/* a tag appears (another community): the template decides */
	tl_announce(rib, P1, "192.0.2.1/32", "[ [ 12345, 443 ], [ 65000, 1 ] ]",
	    "[ [ 12345, 1, 4430007 ] ]");
	snap_of(rib, conf, &c);
	assert_int_equal(haproxy_diff(&b, &c), HAPROXY_RELOAD);
	haproxy_snap_free(&c);

	/* a port not catalogued is port_N, a new server is a reload */
	tl_announce(rib, P1, "192.0.2.2/32", "[ [ 12345, 8080 ] ]", "[ ]");
	snap_of(rib, conf, &c);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.srv[2].name, "be_port_8080/192.0.2.2");
	assert_int_equal(haproxy_diff(&b, &c), HAPROXY_RELOAD);

	haproxy_snap_free(&a);
	haproxy_snap_free(&b);
	haproxy_snap_free(&c);
	rib_free(rib);
	conf_free(conf);
	exabgp_msg_free(&tl_msg);
}

/* ---- the conversation, against a fake admin socket ---- */

enum fake_mode {
	FAKE_OK,	/* answer a blank line per command, close */
	FAKE_ERROR,	/* answer "No such server." */
	FAKE_SILENT,	/* read, never answer */
};

struct fake {
	int		 lfd;
	int		 cfd;
	enum fake_mode	 mode;
	char		 got[8192];	/* every line received */
	size_t		 glen;
	int		 conns;
};

struct result {
	int			 done;
	enum haproxy_result	 res;
	char			 detail[256];
};

static void
fake_client(int fd, unsigned int events, void *arg)
{
	struct fake	*f = arg;
	char		 buf[4096];
	ssize_t		 n;
	const char	*ans;

	n = read(fd, buf, sizeof(buf));
	if (n == -1 && errno == EAGAIN)
		return;
	if (n > 0) {
		assert_true(f->glen + (size_t)n < sizeof(f->got));
		memcpy(f->got + f->glen, buf, (size_t)n);
		f->glen += (size_t)n;
		f->got[f->glen] = '\0';
		if (buf[n - 1] != '\n' || f->mode == FAKE_SILENT)
			return;
	}
	ans = f->mode == FAKE_OK ? "\n\n" : "No such server.\n\n";
	if (n > 0)
		assert_int_equal(write(fd, ans, strlen(ans)),
		    (ssize_t)strlen(ans));
	ev_io_del(tl_loop, fd);
	close(fd);
	f->cfd = -1;
}

static void
fake_accept(int fd, unsigned int events, void *arg)
{
	struct fake	*f = arg;
	int		 c;

	if ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	f->conns++;
	f->cfd = c;
	assert_int_equal(ev_io_add(tl_loop, c, EV_READ, fake_client, f), 0);
}

static const char *
fake_listen(struct fake *f, enum fake_mode mode)
{
	struct sockaddr_un	 sun;
	const char		*path = tl_path("admin.sock");

	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->cfd = -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sun, sizeof(sun)),
	    0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(ev_io_add(tl_loop, f->lfd, EV_READ, fake_accept, f),
	    0);
	return path;
}

static void
fake_close(struct fake *f)
{
	if (f->cfd != -1) {
		ev_io_del(tl_loop, f->cfd);
		close(f->cfd);
	}
	ev_io_del(tl_loop, f->lfd);
	close(f->lfd);
}

static void
done(enum haproxy_result res, const char *detail, void *arg)
{
	struct result	*r = arg;

	r->done++;
	r->res = res;
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
}

static void
two_lines(struct haproxy_cmds *hc)
{
	memset(hc, 0, sizeof(*hc));
	hc->lines = calloc(2, sizeof(*hc->lines));
	assert_non_null(hc->lines);
	hc->lines[0] = strdup("set server be_web/192.0.2.1 weight 5\n");
	hc->lines[1] = strdup("set server be_web/192.0.2.2 state drain\n");
	hc->nlines = 2;
	hc->nservers = 2;
}

static void
test_send_ok(void **state)
{
	struct haproxy_client	*cl = haproxy_client_new(tl_loop);
	struct haproxy_cmds	 hc;
	struct result		 r = { 0 };
	struct fake		 f;
	const char		*path = fake_listen(&f, FAKE_OK);

	two_lines(&hc);
	haproxy_send(cl, path, &hc, 2, done, &r);
	assert_int_equal(hc.nlines, 0);		/* taken over */
	assert_true(haproxy_busy(cl));
	assert_true(tl_run_until(tl_loop, &r.done, 3 * EV_NSEC));
	assert_int_equal(r.done, 1);
	assert_int_equal(r.res, HAPROXY_OK);
	/* one connection per line, each line whole */
	assert_int_equal(f.conns, 2);
	assert_string_equal(f.got, "set server be_web/192.0.2.1 weight 5\n"
	    "set server be_web/192.0.2.2 state drain\n");
	assert_false(haproxy_busy(cl));
	tl_run_for(tl_loop, 50 * EV_MSEC);
	assert_int_equal(r.done, 1);		/* once */
	fake_close(&f);
	haproxy_client_free(cl);
}

static void
test_send_refused(void **state)
{
	struct haproxy_client	*cl = haproxy_client_new(tl_loop);
	struct haproxy_cmds	 hc;
	struct result		 r = { 0 };
	struct fake		 f;
	const char		*path = fake_listen(&f, FAKE_ERROR);

	two_lines(&hc);
	haproxy_send(cl, path, &hc, 2, done, &r);
	assert_true(tl_run_until(tl_loop, &r.done, 3 * EV_NSEC));
	assert_int_equal(r.res, HAPROXY_REFUSED);
	assert_non_null(strstr(r.detail, "No such server."));
	/* the first failure stops the rest */
	assert_int_equal(f.conns, 1);
	fake_close(&f);
	haproxy_client_free(cl);
}

static void
test_send_nobody(void **state)
{
	struct haproxy_client	*cl = haproxy_client_new(tl_loop);
	struct haproxy_cmds	 hc;
	struct result		 r = { 0 };

	two_lines(&hc);
	haproxy_send(cl, tl_path("no.sock"), &hc, 2, done, &r);
	/* reported from the loop, not from inside haproxy_send */
	assert_int_equal(r.done, 0);
	assert_true(tl_run_until(tl_loop, &r.done, 3 * EV_NSEC));
	assert_int_equal(r.res, HAPROXY_CONNECT);
	assert_non_null(strstr(r.detail, "No such file"));
	haproxy_client_free(cl);
}

static void
test_send_timeout(void **state)
{
	struct haproxy_client	*cl = haproxy_client_new(tl_loop);
	struct haproxy_cmds	 hc;
	struct result		 r = { 0 };
	struct fake		 f;
	const char		*path = fake_listen(&f, FAKE_SILENT);
	uint64_t		 t0 = ev_monotonic(), dt;

	two_lines(&hc);
	haproxy_send(cl, path, &hc, 0.3, done, &r);
	assert_true(tl_run_until(tl_loop, &r.done, 3 * EV_NSEC));
	dt = ev_monotonic() - t0;
	assert_int_equal(r.res, HAPROXY_TIMEOUT);
	assert_true(dt >= 250 * EV_MSEC && dt < 2 * EV_NSEC);
	fake_close(&f);
	haproxy_client_free(cl);
}

static void
test_cancel(void **state)
{
	struct haproxy_client	*cl = haproxy_client_new(tl_loop);
	struct haproxy_cmds	 hc;
	struct result		 r = { 0 };
	struct fake		 f;
	const char		*path = fake_listen(&f, FAKE_SILENT);

	two_lines(&hc);
	haproxy_send(cl, path, &hc, 0.2, done, &r);
	tl_run_for(tl_loop, 50 * EV_MSEC);
	haproxy_cancel(cl);
	assert_false(haproxy_busy(cl));
	tl_run_for(tl_loop, 400 * EV_MSEC);
	assert_int_equal(r.done, 0);		/* no callback after cancel */
	fake_close(&f);
	haproxy_client_free(cl);
}

/* ---- render passes with haproxy_socket ---- */

static const char tmpl_h[] =
    "{{#services}}{{#backends}}server {{ip}} weight {{weight}}"
    "{{#draining}} drain{{/draining}}\n{{/backends}}{{/services}}";

/* lines in the counter file: how many times the reload command ran */
static size_t
runs(void)
{
	const char	*s = tl_slurp(tl_path("counter"));

	return s == NULL ? 0 : tl_count(s, "\n");
}

/* one pass over the table as it is now, the loop run until its end */
static int
pass(struct render *r, struct rib *rib, const struct bgpsd_conf *conf)
{
	struct tl_done	 d = { 0, -1 };
	struct context	 ctx;

	context_open(&ctx, rib, conf);
	render_pass(r, &ctx, tl_done_cb, &d);
	context_close(&ctx);
	tl_run_until(tl_loop, &d.called, 5 * EV_NSEC);
	if (d.called != 1)
		fail_msg("render pass callback ran %d times", d.called);
	return d.nfailed;
}

static void
test_render_runtime(void **state)
{
	struct bgpsd_conf	*conf;
	struct render		*r;
	struct rib_conf		 rc;
	struct rib		*rib;
	struct fake		 f;
	const char		*sock, *dest = tl_path("h.cfg"), *path;
	char			 text[2048], err[512];

	exabgp_msg_init(&tl_msg);
	sock = fake_listen(&f, FAKE_OK);
	tl_put("h.mustache", tmpl_h);
	snprintf(text, sizeof(text),
	    "services = ( { name = \"web\"; port = 80; } );\n"
	    "listen = { templates = ( {\n"
	    "\tsource = \"%s/h.mustache\"; destination = \"%s\";\n"
	    "\tcommand = \"echo run >> '%s'\"; command_timeout = 2;\n"
	    "\thaproxy_socket = \"%s\";\n} ); };\n",
	    tl_tmpdir, dest, tl_path("counter"), sock);
	path = tl_put("h.conf", text);
	if ((conf = conf_load(path, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	memset(&rc, 0, sizeof(rc));
	rc.asn = 12345;
	rib = rib_new(&rc);
	r = render_new(tl_loop, NULL);
	assert_int_equal(render_load(r, conf), 0);
	tl_announce(rib, P1, "192.0.2.1/32", "[ [ 12345, 80 ] ]", "[ ]");
	tl_announce(rib, P1, "192.0.2.2/32", "[ [ 12345, 80 ] ]", "[ ]");

	/* the first pass: nothing known of haproxy, the reload */
	assert_int_equal(pass(r, rib, conf), 0);
	assert_int_equal(runs(), 1);
	assert_int_equal(f.conns, 0);

	/* a weight: the file and the socket, no reload */
	tl_announce(rib, P1, "192.0.2.1/32", "[ [ 12345, 80 ] ]",
	    "[ [ 12345, 1, 800007 ] ]");
	assert_int_equal(pass(r, rib, conf), 0);
	assert_string_equal(tl_slurp(dest), "server 192.0.2.1 weight 7\n"
	    "server 192.0.2.2 weight 100\n");
	assert_int_equal(runs(), 1);
	assert_int_equal(f.conns, 1);
	assert_string_equal(f.got, "set server be_web/192.0.2.1 weight 7\n");
	assert_int_equal(render_status(r, 0)->command_pending, 0);
	assert_string_equal(render_status(r, 0)->detail,
	    "runtime API: 1 server(s) changed, no reload");

	/* a drain that haproxy refuses: the file, then the reload */
	f.mode = FAKE_ERROR;
	f.glen = 0;
	tl_announce(rib, P1, "192.0.2.2/32", "[ [ 12345, 80 ] ]",
	    "[ [ 12345, 2, 800000 ] ]");
	assert_int_equal(pass(r, rib, conf), 0);
	assert_string_equal(tl_slurp(dest), "server 192.0.2.1 weight 7\n"
	    "server 192.0.2.2 weight 0 drain\n");
	assert_int_equal(f.conns, 2);
	assert_string_equal(f.got, "set server be_web/192.0.2.2 state drain;"
	    "set server be_web/192.0.2.2 weight 0\n");
	assert_int_equal(runs(), 2);
	assert_string_equal(render_status(r, 0)->detail,
	    "runtime API failed (refused), reloaded");

	/* nobody at the socket: the reload */
	fake_close(&f);
	unlink(sock);
	tl_announce(rib, P1, "192.0.2.1/32", "[ [ 12345, 80 ] ]",
	    "[ [ 12345, 1, 800008 ] ]");
	assert_int_equal(pass(r, rib, conf), 0);
	assert_int_equal(runs(), 3);

	/* a new server: the reload, the socket not asked */
	sock = fake_listen(&f, FAKE_OK);
	tl_announce(rib, P1, "192.0.2.3/32", "[ [ 12345, 80 ] ]", "[ ]");
	assert_int_equal(pass(r, rib, conf), 0);
	assert_int_equal(runs(), 4);
	assert_int_equal(f.conns, 0);

	/* the same again: nothing */
	assert_int_equal(pass(r, rib, conf), 0);
	assert_int_equal(runs(), 4);
	assert_int_equal(f.conns, 0);

	/* after a load (SIGHUP) nothing is known: a weight reloads */
	assert_int_equal(render_load(r, conf), 0);
	tl_announce(rib, P1, "192.0.2.3/32", "[ [ 12345, 80 ] ]",
	    "[ [ 12345, 1, 800009 ] ]");
	assert_int_equal(pass(r, rib, conf), 0);
	assert_int_equal(runs(), 5);
	assert_int_equal(f.conns, 0);
	/* ... and the next one goes through the socket again */
	tl_announce(rib, P1, "192.0.2.3/32", "[ [ 12345, 80 ] ]",
	    "[ [ 12345, 1, 800010 ] ]");
	assert_int_equal(pass(r, rib, conf), 0);
	assert_int_equal(runs(), 5);
	assert_int_equal(f.conns, 1);

	fake_close(&f);
	render_free(r);
	rib_free(rib);
	conf_free(conf);
	exabgp_msg_free(&tl_msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_commands_split),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_snap_take),
		TL_DIR_LOOP_TEST(test_send_ok),
		TL_DIR_LOOP_TEST(test_send_refused),
		TL_DIR_LOOP_TEST(test_send_nobody),
		TL_DIR_LOOP_TEST(test_send_timeout),
		TL_DIR_LOOP_TEST(test_cancel),
		TL_DIR_LOOP_TEST(test_render_runtime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
