/*
 * commands.c - the reload commands of one render pass. Several templates
 * often share one command (two haproxy snippets, one reload), so
 * identical commands run once, in config order, one after the other:
 * two reloads of one service racing each other help nobody.
 *
 * Their output goes to the log: our stdout is ExaBGP's command channel.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "listen.h"
#include "log.h"
#include "proc.h"

#define COMMANDS_NAME_MAX	120

struct command_entry {
	char		**argv;	/* deep copy: a reload may free conf */
	int		  shell;
	double		  timeout;
	char		  name[COMMANDS_NAME_MAX];
};

struct commands {
	struct ev_loop		*loop;
	struct run_as		 run_as;
	struct command_entry	*q;
	size_t			 n, cap;
	size_t			 next;		/* the next one to start */
	struct proc		*proc;		/* the running one */
	int			 nfailed;
	commands_done_cb	 cb;
	void			*arg;
	char			 last[64];
};

struct commands *
commands_new(struct ev_loop *loop, const struct run_as *ra)
{
	struct commands	*c;

	c = xcalloc(1, sizeof(*c));
	c->loop = loop;
	if (ra != NULL)
		c->run_as = *ra;
	return c;
}

static void
commands_clear(struct commands *c)
{
	size_t	i, j;

	for (i = 0; i < c->n; i++) {
		for (j = 0; c->q[i].argv[j] != NULL; j++)
			free(c->q[i].argv[j]);
		free(c->q[i].argv);
	}
	c->n = 0;
	c->next = 0;
}

void
commands_free(struct commands *c)
{
	if (c == NULL)
		return;
	commands_cancel(c);
	free(c->q);
	free(c);
}

static int
commands_same(const struct command_entry *e, char *const *argv, int shell)
{
	size_t	i;

	if (e->shell != shell)
		return 0;
	for (i = 0; e->argv[i] != NULL && argv[i] != NULL; i++)
		if (strcmp(e->argv[i], argv[i]) != 0)
			return 0;
	return e->argv[i] == NULL && argv[i] == NULL;
}

/* "argv0 arg1 ..." shortened, for log lines */
static void
commands_name(char *buf, size_t len, char *const *argv)
{
	size_t	i, off = 0;
	int	n;

	buf[0] = '\0';
	for (i = 0; argv[i] != NULL && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%s", i ? " " : "",
		    argv[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (off >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

char *
commands_expand(const char *s, const char *path, int shell)
{
	size_t		 cap, len = 0, plen, i;
	char		*out;
	const char	*p;

	plen = strlen(path);
	cap = strlen(s) + 1;
	for (p = s; (p = strstr(p, "%s")) != NULL; p += 2)
		cap += 4 * plen + 2;
	out = xmalloc(cap);
	while (*s != '\0') {
		if (s[0] == '%' && s[1] == '%') {
			out[len++] = '%';
			s += 2;
		} else if (s[0] == '%' && s[1] == 's') {
			if (!shell) {
				memcpy(out + len, path, plen);
				len += plen;
			} else {
				/* 'a'\''b': close, escaped quote, reopen */
				out[len++] = '\'';
				for (i = 0; i < plen; i++) {
					if (path[i] == '\'') {
						memcpy(out + len, "'\\''", 4);
						len += 4;
					} else
						out[len++] = path[i];
				}
				out[len++] = '\'';
			}
			s += 2;
		} else
			out[len++] = *s++;
	}
	out[len] = '\0';
	return out;
}

void
commands_add(struct commands *c, const struct cmd_conf *cmd, double timeout,
    const char *path)
{
	struct command_entry	*e;
	char			**argv;
	size_t			 i, n;

	if (cmd == NULL || cmd->argv == NULL || cmd->argv[0] == NULL)
		return;
	for (n = 0; cmd->argv[n] != NULL; n++)
		;
	argv = xcalloc(n + 1, sizeof(*argv));
	for (i = 0; i < n; i++)
		argv[i] = commands_expand(cmd->argv[i], path, cmd->shell);
	for (i = 0; i < c->n; i++) {
		if (commands_same(&c->q[i], argv, cmd->shell)) {
			if (timeout > c->q[i].timeout)
				c->q[i].timeout = timeout;
			for (n = 0; argv[n] != NULL; n++)
				free(argv[n]);
			free(argv);
			return;
		}
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4;
		c->q = xreallocarray(c->q, c->cap, sizeof(*c->q));
	}
	e = &c->q[c->n++];
	e->argv = argv;
	e->shell = cmd->shell;
	e->timeout = timeout;
	commands_name(e->name, sizeof(e->name), e->argv);
}

size_t
commands_count(const struct commands *c)
{
	return c->n - c->next;
}

const char *
commands_last_result(const struct commands *c)
{
	return c->last;
}

void
commands_log_output(const char *who, const char *out, int warn)
{
	const char	*p, *nl;
	size_t		 n;

	for (p = out; p != NULL && *p != '\0'; p = nl) {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0) {
			if (warn)
				log_info("%s: %.*s", who, (int)n, p);
			else
				log_debug("%s: %.*s", who, (int)n, p);
		}
		if (nl == NULL)
			break;
		nl++;
	}
}

static void	commands_next(struct commands *);

static void
commands_done(const struct proc_result *res, void *arg)
{
	struct commands		*c = arg;
	struct command_entry	*e = &c->q[c->next - 1];
	int			 ok;

	c->proc = NULL;
	proc_status_str(res, c->last, sizeof(c->last));
	ok = !res->timed_out && res->spawn_errno == 0 &&
	    WIFEXITED(res->status) && WEXITSTATUS(res->status) == 0;
	/* a reload's own words matter even when it worked */
	commands_log_output(e->name, res->output, 1);
	if (ok)
		log_info("command '%s': %s", e->name, c->last);
	else {
		log_warnx("command '%s' failed: %s", e->name, c->last);
		c->nfailed++;
	}
	commands_next(c);
}

/* start the next queued command; after the last, report */
static void
commands_next(struct commands *c)
{
	struct proc_spec	 spec;
	struct command_entry	*e;
	commands_done_cb	 cb;
	void			*arg;
	int			 nfailed;

	while (c->next < c->n) {
		e = &c->q[c->next++];
		memset(&spec, 0, sizeof(spec));
		spec.argv = (const char *const *)e->argv;
		spec.shell = e->shell;
		spec.uid = c->run_as.uid;
		spec.gid = c->run_as.gid;
		spec.drop = c->run_as.drop;
		spec.timeout = (uint64_t)(e->timeout * (double)EV_NSEC);
		log_debug("command '%s': starting", e->name);
		if ((c->proc = proc_run(c->loop, &spec, commands_done, c)) !=
		    NULL)
			return;
		snprintf(c->last, sizeof(c->last), "spawn failed");
		c->nfailed++;
	}
	cb = c->cb;
	arg = c->arg;
	nfailed = c->nfailed;
	commands_clear(c);
	c->cb = NULL;
	if (cb != NULL)
		cb(nfailed, arg);
}

int
commands_start(struct commands *c, commands_done_cb cb, void *arg)
{
	if (c->proc != NULL)
		fatalx("commands_start: already running");
	if (c->next >= c->n) {
		commands_clear(c);
		return 1;
	}
	c->cb = cb;
	c->arg = arg;
	c->nfailed = 0;
	commands_next(c);
	return 0;
}

void
commands_cancel(struct commands *c)
{
	if (c->proc != NULL) {
		proc_cancel(c->proc);
		c->proc = NULL;
	}
	c->cb = NULL;
	commands_clear(c);
}
