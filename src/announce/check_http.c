/*
 * check_http.c - http(s) check through libcurl's multi interface, driven
 * by our event loop (curl's docs/examples/multi-event.c is the pattern):
 * curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when
 * to call it back (CURLMOPT_TIMERFUNCTION); we hand events back with
 * curl_multi_socket_action(). One CURLM for all http checks of a context,
 * one easy handle per check, configured once and reused for every run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "check.h"
#include "log.h"

#ifndef BGPSD_VERSION
#define BGPSD_VERSION	"0"
#endif

struct check_http_multi {
	CURLM			*multi;
	struct check_ctx	*ctx;
	struct ev_timer		 timer;
	int			 running;
};

static int	check_http_global_done;

static void	check_http_info(struct check_http_multi *);

static void
check_http_io(int fd, unsigned int events, void *arg)
{
	struct check_http_multi	*m = arg;
	int			 flags = 0;

	if (events & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (events & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	if (events & EV_ERROR)
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(m->multi, fd, flags, &m->running);
	check_http_info(m);
}

static void
check_http_timeout(void *arg)
{
	struct check_http_multi	*m = arg;

	curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0,
	    &m->running);
	check_http_info(m);
}

/* curl: watch s for what (or stop watching it) */
static int
check_http_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct check_http_multi	*m = userp;
	struct ev_loop		*loop = m->ctx->loop;
	unsigned int		 events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (socketp != NULL) {
			ev_io_del(loop, s);
			curl_multi_assign(m->multi, s, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EV_READ;
	if (what & CURL_POLL_OUT)
		events |= EV_WRITE;
	if (socketp == NULL) {
		if (ev_io_add(loop, s, events, check_http_io, m) == -1) {
			log_warnx("http check: cannot watch socket %d", s);
			return -1;
		}
		/* any non-NULL pointer marks "known to ev" */
		curl_multi_assign(m->multi, s, m);
	} else if (ev_io_mod(loop, s, events) == -1) {
		log_warnx("http check: cannot watch socket %d", s);
		return -1;
	}
	return 0;
}

/* curl: call me back in timeout_ms (-1: never) */
static int
check_http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct check_http_multi	*m = userp;

	ev_timer_stop(m->ctx->loop, &m->timer);
	if (timeout_ms >= 0)
		ev_timer_after(m->ctx->loop, &m->timer,
		    (uint64_t)timeout_ms * EV_MSEC);
	return 0;
}

/*
 * Every run opens a fresh connection that curl closes at the end; close
 * it with a RST (SO_LINGER 0) to stay out of TIME_WAIT, as in check_tcp.c.
 */
static int
check_http_sockopt_cb(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	struct linger	 l = { 1, 0 };

	if (purpose == CURLSOCKTYPE_IPCXN)
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	return CURL_SOCKOPT_OK;
}

static void	check_http_ctx_free(struct check_ctx *);

static struct check_http_multi *
check_http_multi(struct check_ctx *ctx)
{
	struct check_http_multi	*m;

	if (ctx->http != NULL)
		return ctx->http;
	if (!check_http_global_done) {
		/* once per process: curl's global state is not ours to drop */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			log_warnx("curl_global_init failed");
			return NULL;
		}
		check_http_global_done = 1;
	}
	m = xcalloc(1, sizeof(*m));
	m->ctx = ctx;
	if ((m->multi = curl_multi_init()) == NULL) {
		log_warnx("curl_multi_init failed");
		free(m);
		return NULL;
	}
	ev_timer_init(&m->timer, check_http_timeout, m);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION,
	    check_http_socket_cb);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION,
	    check_http_timer_cb);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
	ctx->http = m;
	ctx->http_free = check_http_ctx_free;
	return m;
}

static void
check_http_ctx_free(struct check_ctx *ctx)
{
	struct check_http_multi	*m = ctx->http;

	if (m == NULL)
		return;
	ev_timer_stop(ctx->loop, &m->timer);
	curl_multi_cleanup(m->multi);
	free(m);
	ctx->http = NULL;
}

/*
 * Body data: never to stdout. Without a body check nothing is needed
 * past the status line, so stop right there; with one, look for the
 * substring in the first CHECK_HTTP_BODY_MAX bytes as they stream by
 * (check_scan: no copy of the body is kept) and stop once it was seen.
 * Returning less than given makes curl end the transfer
 * (CURLE_WRITE_ERROR, recognised through bodydone).
 */
static size_t
check_http_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct check		*c = arg;
	struct check_http	*h = &c->u.http;
	size_t			 len = size * nmemb;

	if (h->scan.want == NULL) {
		h->bodydone = 1;
		return 0;
	}
	if (len > CHECK_HTTP_BODY_MAX - h->scan.seen)
		len = CHECK_HTTP_BODY_MAX - h->scan.seen;
	if (check_scan(&h->scan, data, len)) {
		h->bodyfound = 1;
		h->bodydone = 1;
		return 0;
	}
	if (h->scan.seen == CHECK_HTTP_BODY_MAX) {
		h->bodydone = 1;
		return 0;
	}
	return size * nmemb;
}

/* headers: only X-Bgpsd-Weight is looked at (the last one counts) */
static size_t
check_http_header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct check	*c = arg;
	size_t		 len = size * nmemb;
	size_t		 klen = sizeof(CHECK_WEIGHT_HEADER) - 1;
	int		 v;

	if (len > klen && strncasecmp(data, CHECK_WEIGHT_HEADER, klen) == 0 &&
	    (v = check_weight_parse(data + klen, len - klen)) != -1)
		c->weight = v;
	return len;
}

static int
check_http_status_ok(const struct check_conf *cf, long status)
{
	size_t	 i;

	if (cf->nstatus == 0)
		return status >= 200 && status <= 399;
	for (i = 0; i < cf->nstatus; i++)
		if (status >= cf->status[i].lo && status <= cf->status[i].hi)
			return 1;
	return 0;
}

static void
check_http_result(struct check *c, CURLcode res)
{
	struct check_http	*h = &c->u.http;
	long			 status = 0, oserr = 0;

	if (res == CURLE_WRITE_ERROR && h->bodydone)
		res = CURLE_OK;
	if (res == CURLE_OPERATION_TIMEDOUT) {
		check_done(c, CHECK_TIMEOUT, NULL);
		return;
	}
	if (res == CURLE_COULDNT_CONNECT &&
	    curl_easy_getinfo(h->easy, CURLINFO_OS_ERRNO, &oserr) ==
	    CURLE_OK && oserr != 0) {
		/* curl only says "Couldn't connect": say why, as tcp does */
		if (oserr == ECONNREFUSED)
			check_done(c, CHECK_HTTP_ERROR,
			    "http: connection refused");
		else
			check_done(c, CHECK_HTTP_ERROR, "http: %s",
			    strerror((int)oserr));
		return;
	}
	if (res != CURLE_OK) {
		check_done(c, CHECK_HTTP_ERROR, "http: %s", h->errbuf[0] !=
		    '\0' ? h->errbuf : curl_easy_strerror(res));
		return;
	}
	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
	if (!check_http_status_ok(c->conf, status)) {
		check_done(c, CHECK_HTTP_STATUS, "http: status %ld", status);
		return;
	}
	if (h->scan.wantlen > 0 && !h->bodyfound) {
		check_done(c, CHECK_HTTP_BODY, NULL);
		return;
	}
	check_done(c, CHECK_OK, NULL);
}

static void
check_http_info(struct check_http_multi *m)
{
	CURLMsg		*msg;
	struct check	*c;
	CURL		*easy;
	CURLcode	 res;
	int		 left;

	while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		res = msg->data.result;
		c = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
		curl_multi_remove_handle(m->multi, easy);
		if (c == NULL)
			continue;
		c->u.http.added = 0;
		check_http_result(c, res);
	}
}

static void	check_http_free(struct check *);

static int
check_http_init(struct check *c)
{
	const struct check_conf	*cf = c->conf;
	struct check_http	*h = &c->u.http;
	struct curl_slist	*hl;
	char			*line;
	size_t			 len;
	long			 ms;
	CURL			*e;

	if (cf->url == NULL) {
		log_warnx("line %d: http check without url", cf->line);
		return -1;
	}
	if (check_http_multi(c->ctx) == NULL)
		return -1;
	if ((e = h->easy = curl_easy_init()) == NULL) {
		log_warnx("line %d: curl_easy_init failed", cf->line);
		return -1;
	}
	ms = (long)(c->timeout / EV_MSEC);
	if (ms < 1)
		ms = 1;
	check_scan_init(&h->scan, cf->body);
	h->errbuf = xmalloc(CURL_ERROR_SIZE);
	h->errbuf[0] = '\0';
	if (cf->host_header != NULL) {
		len = strlen(cf->host_header) + sizeof("Host: ");
		line = xmalloc(len);
		snprintf(line, len, "Host: %s", cf->host_header);
		hl = curl_slist_append(NULL, line);
		free(line);
		if (hl == NULL)
			fatalx("out of memory");
		h->headers = hl;
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	}
	if (curl_easy_setopt(e, CURLOPT_URL, cf->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK) {
		log_warnx("line %d: curl rejects url %s", cf->line, cf->url);
		goto fail;
	}
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, check_http_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->errbuf);
	/* a check must not raise SIGALRM nor follow anybody elsewhere */
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, cf->tls_verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, cf->tls_verify ? 2L : 0L);
	/* a pooled connection would hide a listener that stopped accepting */
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, check_http_sockopt_cb);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, check_http_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "bgpsd-announce/" BGPSD_VERSION);
	return 0;
 fail:
	check_http_free(c);	/* not added to the multi handle yet */
	return -1;
}

static void
check_http_start(struct check *c)
{
	struct check_http	*h = &c->u.http;
	struct check_http_multi	*m = c->ctx->http;
	CURLMcode		 rc;

	check_scan_reset(&h->scan);
	h->bodydone = 0;
	h->bodyfound = 0;
	h->errbuf[0] = '\0';
	if ((rc = curl_multi_add_handle(m->multi, h->easy)) != CURLM_OK) {
		check_done(c, CHECK_INTERNAL, "http: %s",
		    curl_multi_strerror(rc));
		return;
	}
	h->added = 1;
}

static void
check_http_cancel(struct check *c)
{
	struct check_http	*h = &c->u.http;

	if (h->added) {
		curl_multi_remove_handle(c->ctx->http->multi, h->easy);
		h->added = 0;
	}
}

static void
check_http_free(struct check *c)
{
	struct check_http	*h = &c->u.http;

	check_http_cancel(c);
	if (h->easy != NULL)
		curl_easy_cleanup(h->easy);
	h->easy = NULL;
	curl_slist_free_all(h->headers);
	h->headers = NULL;
	free(h->errbuf);
	h->errbuf = NULL;
	check_scan_free(&h->scan);
}

const struct check_ops check_http_ops = {
	.name = "http",
	.own_timeout = 1,	/* CURLOPT_TIMEOUT_MS */
	.init = check_http_init,
	.start = check_http_start,
	.cancel = check_http_cancel,
	.free = check_http_free,
};
