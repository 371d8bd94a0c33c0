/*
 * child.c - the command line of both programs, and their reminder of a
 * problem that keeps them idle. See child.h.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "conf.h"
#include "log.h"

static const struct option child_common[] = {
	{ "config",		required_argument,	NULL, 'c' },
	{ "check-config",	no_argument,		NULL, 'n' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "version",		no_argument,		NULL, 'V' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "syslog",		no_argument,		NULL, 's' },
};
#define CHILD_NCOMMON	(sizeof(child_common) / sizeof(child_common[0]))

void
child_options(struct child_opts *o, int argc, char **argv,
    const struct option *extra, void (*opt)(int, const char *, void *),
    void (*help)(void), void *cookie)
{
	struct option	*all;
	size_t		 n = 0;
	int		 ch;

	if (o->conf_path == NULL)
		o->conf_path = CONF_DEFAULT_PATH;
	while (extra != NULL && extra[n].name != NULL)
		n++;
	all = xcalloc(CHILD_NCOMMON + n + 1, sizeof(*all));
	memcpy(all, child_common, sizeof(child_common));
	if (n > 0)
		memcpy(all + CHILD_NCOMMON, extra, n * sizeof(*all));
	while (!o->version &&
	    (ch = getopt_long(argc, argv, "c:nvVhs", all, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->conf_path = optarg;
			o->conf_given = 1;
			break;
		case 'n':
			o->check = 1;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'V':	/* printed by main: stdout is not ours here */
			o->version = 1;
			break;
		case 'h':
			help();
			free(all);
			exit(0);
		case 's':
			o->use_syslog = 1;
			break;
		default:
			if (ch >= CHILD_OPT_EXTRA && opt != NULL)
				opt(ch, optarg, cookie);
			else
				o->bad = 1;
			break;
		}
	}
	if (optind != argc)
		o->bad = 1;
	free(all);
}

int
child_under_exabgp(void)
{
	struct stat	 st;

	return fstat(STDIN_FILENO, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

static void
child_nag_cb(void *arg)
{
	struct child_nag	*n = arg;

	log_warnx("%s", n->msg);
	ev_timer_after(n->loop, &n->timer, CHILD_NAG_INTERVAL);
}

void
child_nag_start(struct child_nag *n, struct ev_loop *loop, const char *fmt,
    ...)
{
	va_list	 ap;

	if (n->loop != NULL)
		ev_timer_stop(n->loop, &n->timer);
	n->loop = loop;
	ev_timer_init(&n->timer, child_nag_cb, n);
	va_start(ap, fmt);
	vsnprintf(n->msg, sizeof(n->msg), fmt, ap);
	va_end(ap);
	child_nag_cb(n);
}

void
child_nag_stop(struct child_nag *n)
{
	if (n->loop != NULL)
		ev_timer_stop(n->loop, &n->timer);
}
