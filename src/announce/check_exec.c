/*
 * check_exec.c - exec check: run an argv (or, opted in, a /bin/sh -c
 * string) through proc_run: own process group, stdin /dev/null, output
 * into a pipe of which the first 4 KiB are kept for the reason, the whole
 * group killed (TERM, then KILL) on timeout, reaped from the loop.
 * Exit 0 = up. A check never has two runs at once: check_start() ignores
 * a start while the previous run (including its kill grace) is alive.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "proc.h"

#define CHECK_EXEC_DEFPATH	"/usr/local/bin:/usr/bin:/bin"

static int
check_exec_is_prog(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

/*
 * argv[0] without a '/': our checks folder first (the ready-made checks),
 * then PATH as execvp(3) would search it. Done per run, not once: a check
 * installed after we started is found without a reload. A few stat(2)
 * calls against the fork that follows.
 */
static int
check_exec_resolve(const char *name, char *buf, size_t len)
{
	const char	*path, *p, *end;
	size_t		 dlen;
	int		 n;

	if (strchr(name, '/') != NULL) {
		n = snprintf(buf, len, "%s", name);
		return n < 0 || (size_t)n >= len ? -1 : 0;
	}
	n = snprintf(buf, len, "%s/%s", check_get_checksdir(), name);
	if (n > 0 && (size_t)n < len && check_exec_is_prog(buf))
		return 0;
	if ((path = getenv("PATH")) == NULL || *path == '\0')
		path = CHECK_EXEC_DEFPATH;
	for (p = path; ; p = end + 1) {
		if ((end = strchr(p, ':')) == NULL)
			end = p + strlen(p);
		dlen = end - p;
		if (dlen == 0)	/* an empty entry is the current folder */
			n = snprintf(buf, len, "./%s", name);
		else
			n = snprintf(buf, len, "%.*s/%s", (int)dlen, p, name);
		if (n > 0 && (size_t)n < len && check_exec_is_prog(buf))
			return 0;
		if (*end == '\0')
			break;
	}
	return -1;
}

static int
check_exec_init(struct check *c)
{
	const struct check_conf	*cf = c->conf;
	struct check_exec	*x = &c->u.exec;
	size_t			 i;

	if (cf->argv == NULL || cf->argv[0] == NULL) {
		log_warnx("line %d: exec check without command", cf->line);
		return -1;
	}
	x->argv = xcalloc(cf->argc + 1, sizeof(*x->argv));
	for (i = 0; i < cf->argc && cf->argv[i] != NULL; i++)
		x->argv[i] = cf->argv[i];
	x->argv[i] = NULL;
	x->path = xmalloc(PATH_MAX);
	/* room for the status line plus the 4 KiB of output */
	c->msg = xmalloc(CHECK_EXEC_DETAIL_MAX);
	c->msg[0] = '\0';
	c->msgsz = CHECK_EXEC_DETAIL_MAX;
	return 0;
}

/* output on one line: control characters become spaces, no trailing blanks */
static void
check_exec_output(char *dst, size_t len, const char *out, size_t outlen)
{
	size_t	 i, n;

	for (i = n = 0; i < outlen && n + 1 < len; i++)
		dst[n++] = ((unsigned char)out[i] < 0x20 || out[i] == 0x7f) ?
		    ' ' : out[i];
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

/* the last "weight=N" line of the raw output, or -1 */
static int
check_exec_weight(const char *out, size_t len)
{
	const char	*p = out, *end = out + len, *eol;
	size_t		 klen = sizeof(CHECK_WEIGHT_LINE) - 1;
	int		 w = -1, v;

	while (p < end) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((size_t)(eol - p) > klen &&
		    strncmp(p, CHECK_WEIGHT_LINE, klen) == 0 &&
		    (v = check_weight_parse(p + klen, (size_t)(eol - p) -
		    klen)) != -1)
			w = v;
		p = eol + 1;
	}
	return w;
}

static void
check_exec_done(const struct proc_result *r, void *arg)
{
	struct check		*c = arg;
	struct check_exec	*x = &c->u.exec;
	char			 out[PROC_OUTPUT_MAX + 1];
	char			 what[64];
	enum check_reason	 reason;

	x->proc = NULL;
	check_exec_output(out, sizeof(out), r->output != NULL ? r->output :
	    "", r->output != NULL ? r->outlen : 0);
	if (r->spawn_errno != 0) {
		check_done(c, CHECK_EXEC_SPAWN, "exec: %s: %s", x->path,
		    strerror(r->spawn_errno));
		return;
	}
	if (r->timed_out) {
		reason = CHECK_TIMEOUT;
		snprintf(what, sizeof(what), "timeout");
	} else if (r->status == -1) {	/* waitpid failed: no status */
		reason = CHECK_INTERNAL;
		snprintf(what, sizeof(what), "exec: exit status lost");
	} else if (WIFEXITED(r->status)) {
		if (WEXITSTATUS(r->status) == 0) {
			if (r->output != NULL)
				c->weight = check_exec_weight(r->output,
				    r->outlen);
			check_done(c, CHECK_OK, NULL);
			return;
		}
		reason = CHECK_EXEC_EXIT;
		snprintf(what, sizeof(what), "exec: exit %d",
		    WEXITSTATUS(r->status));
	} else if (WIFSIGNALED(r->status)) {
		reason = CHECK_EXEC_SIGNAL;
		snprintf(what, sizeof(what), "exec: signal %d",
		    WTERMSIG(r->status));
	} else {
		reason = CHECK_EXEC_EXIT;
		snprintf(what, sizeof(what), "exec: status %#x", r->status);
	}
	if (out[0] != '\0')
		check_done(c, reason, "%s: %s", what, out);
	else
		check_done(c, reason, "%s", what);
}

static void
check_exec_start(struct check *c)
{
	const struct check_conf	*cf = c->conf;
	struct check_exec	*x = &c->u.exec;
	struct check_ctx	*ctx = c->ctx;
	struct proc_spec	 spec;

	if (ctx->id_error != NULL) {
		check_done(c, CHECK_EXEC_SPAWN, "exec: %s", ctx->id_error);
		return;
	}
	memset(&spec, 0, sizeof(spec));
	if (cf->shell) {
		snprintf(x->path, PATH_MAX, "/bin/sh");
		x->argv[0] = cf->argv[0];
	} else {
		if (check_exec_resolve(cf->argv[0], x->path, PATH_MAX) == -1) {
			snprintf(x->path, PATH_MAX, "%s", cf->argv[0]);
			check_done(c, CHECK_EXEC_SPAWN, "exec: %s: not found",
			    cf->argv[0]);
			return;
		}
		x->argv[0] = x->path;
	}
	spec.argv = x->argv;
	spec.shell = cf->shell;
	spec.uid = ctx->uid;
	spec.gid = ctx->gid;
	spec.drop = ctx->drop;
	spec.output_max = PROC_OUTPUT_MAX;
	spec.timeout = c->timeout;
	/* a check's background children die with it: none pile up per run */
	spec.kill_group = 1;
	if ((x->proc = proc_run(ctx->loop, &spec, check_exec_done, c)) ==
	    NULL)
		check_done(c, CHECK_EXEC_SPAWN, "exec: cannot spawn %s",
		    x->path);
}

static void
check_exec_cancel(struct check *c)
{
	struct check_exec	*x = &c->u.exec;

	if (x->proc != NULL) {
		proc_cancel(x->proc);
		x->proc = NULL;
	}
}

static void
check_exec_free(struct check *c)
{
	struct check_exec	*x = &c->u.exec;

	check_exec_cancel(c);
	free(x->argv);
	free(x->path);
	x->argv = NULL;
	x->path = NULL;
	/* c->msg is check_fini's */
}

const struct check_ops check_exec_ops = {
	.name = "exec",
	.own_timeout = 1,	/* proc_run kills the group itself */
	.init = check_exec_init,
	.start = check_exec_start,
	.cancel = check_exec_cancel,
	.free = check_exec_free,
};
