/*
 * hook.c - a service's on_change command, run when what its port is to
 * the outside changes (up, down, draining, disabled): the counterpart of
 * exabgp-healthcheck's --execute.
 *
 * The command gets SERVICE, PORT, OLD_STATE and NEW_STATE in its
 * environment, stdin /dev/null, and its stdout and stderr in a pipe of
 * ours (proc.c): it can never write to our stdout, which is ExaBGP's
 * command channel. It is bounded by on_change_timeout (then its process
 * group is killed) and runs as bgpsd.conf's user/group, as exec checks
 * do. A failure is logged with the head of its output; nothing else
 * depends on it.
 *
 * Hooks run one at a time, in the order of the changes, so a receiver
 * never sees "draining -> disabled" before "up -> draining". What waits
 * is a copy (a reload may free the config meanwhile); the queue is
 * bounded, and what does not fit is dropped and counted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "announce.h"
#include "cfg.h"
#include "conf.h"
#include "creds.h"
#include "ev.h"
#include "log.h"
#include "proc.h"

struct hook_job {
	struct hook_job	*next;
	char		**argv;		/* copied */
	int		 shell;
	uint64_t	 timeout;	/* ns */
	char		*name;
	uint16_t	 port;
	enum svc_pub	 old, new;
};

struct hook {
	struct ev_loop	*loop;
	struct hook_job	*head, **tail;	/* head is running when proc set */
	size_t		 queued;	/* the running one included */
	struct proc	*proc;
	uid_t		 uid;
	gid_t		 gid;
	int		 drop;
	struct hook_stats stats;
};

static void	hook_next(struct hook *);

struct hook *
hook_new(struct ev_loop *loop)
{
	struct hook	*h = xcalloc(1, sizeof(*h));

	h->loop = loop;
	h->tail = &h->head;
	h->uid = geteuid();
	h->gid = getegid();
	return h;
}

static void
hook_job_free(struct hook_job *j)
{
	size_t	 i;

	if (j == NULL)
		return;
	for (i = 0; j->argv != NULL && j->argv[i] != NULL; i++)
		free(j->argv[i]);
	free(j->argv);
	free(j->name);
	free(j);
}

void
hook_free(struct hook *h)
{
	struct hook_job	*j;

	if (h == NULL)
		return;
	if (h->proc != NULL) {
		log_warnx("on_change of %s:%u still running at exit: killed",
		    h->head->name, h->head->port);
		proc_cancel(h->proc);
	}
	if (h->queued > (h->proc != NULL ? 1u : 0u))
		log_warnx("%zu on_change commands not run at exit",
		    h->queued - (h->proc != NULL ? 1 : 0));
	while ((j = h->head) != NULL) {
		h->head = j->next;
		hook_job_free(j);
	}
	free(h);
}

int
hook_creds(struct hook *h, const char *user, const char *group)
{
	struct creds	 c;
	char		 err[256];

	h->uid = geteuid();
	h->gid = getegid();
	if (creds_resolve(user, group, 1, &c, err, sizeof(err)) == -1) {
		log_warnx("on_change commands run as ourselves: %s", err);
		h->drop = 0;
		return -1;
	}
	if (c.uid != CREDS_KEEP_UID)
		h->uid = c.uid;
	if (c.gid != CREDS_KEEP_GID)
		h->gid = c.gid;
	/* switching to who we already are needs no privilege: skip it */
	h->drop = h->uid != geteuid() || h->gid != getegid();
	return 0;
}

static void
hook_done(const struct proc_result *r, void *arg)
{
	struct hook	*h = arg;
	struct hook_job	*j = h->head;
	char		 st[64], out[256];
	size_t		 i, n;

	h->proc = NULL;
	if (r->spawn_errno == 0 && !r->timed_out && r->status != -1 &&
	    WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0) {
		log_debug("on_change of %s:%u (%s -> %s): ok", j->name,
		    j->port, svc_pub_name(j->old), svc_pub_name(j->new));
	} else {
		h->stats.failures++;
		/* the head of its output, on one line */
		for (i = n = 0; r->output != NULL && i < r->outlen &&
		    n + 1 < sizeof(out); i++)
			out[n++] = (unsigned char)r->output[i] < 0x20 ||
			    r->output[i] == 0x7f ? ' ' : r->output[i];
		while (n > 0 && out[n - 1] == ' ')
			n--;
		out[n] = '\0';
		if (r->spawn_errno != 0)
			snprintf(st, sizeof(st), "%s",
			    strerror(r->spawn_errno));
		else
			(void)proc_status_str(r, st, sizeof(st));
		log_warnx("on_change of %s:%u (%s -> %s) failed: %s%s%s",
		    j->name, j->port, svc_pub_name(j->old),
		    svc_pub_name(j->new), st, out[0] != '\0' ? ": " : "", out);
	}
	h->head = j->next;
	if (h->head == NULL)
		h->tail = &h->head;
	h->queued--;
	hook_job_free(j);
	hook_next(h);
}

/* start the job at the head, if any and none runs */
static void
hook_next(struct hook *h)
{
	struct hook_job		*j;
	struct proc_spec	 spec;
	char			 e_svc[CONF_NAME_MAX + 16], e_port[16];
	char			 e_old[32], e_new[32];
	const char		*env[5];

	while (h->proc == NULL && (j = h->head) != NULL) {
		snprintf(e_svc, sizeof(e_svc), "SERVICE=%s", j->name);
		snprintf(e_port, sizeof(e_port), "PORT=%u", j->port);
		snprintf(e_old, sizeof(e_old), "OLD_STATE=%s",
		    svc_pub_name(j->old));
		snprintf(e_new, sizeof(e_new), "NEW_STATE=%s",
		    svc_pub_name(j->new));
		env[0] = e_svc;
		env[1] = e_port;
		env[2] = e_old;
		env[3] = e_new;
		env[4] = NULL;
		memset(&spec, 0, sizeof(spec));
		spec.argv = (const char *const *)j->argv;
		spec.shell = j->shell;
		spec.env = env;
		spec.uid = h->uid;
		spec.gid = h->gid;
		spec.drop = h->drop;
		spec.output_max = 1024;
		spec.timeout = j->timeout;
		spec.kill_group = 1;
		h->stats.runs++;
		if ((h->proc = proc_run(h->loop, &spec, hook_done, h)) != NULL)
			return;
		/* proc_run logged why */
		h->stats.failures++;
		h->head = j->next;
		if (h->head == NULL)
			h->tail = &h->head;
		h->queued--;
		hook_job_free(j);
	}
}

int
hook_change(struct hook *h, const struct service_conf *sc, enum svc_pub old,
    enum svc_pub new)
{
	struct hook_job	*j;
	size_t		 n, i;

	if (h == NULL || sc->on_change.argv == NULL || old == new)
		return 0;
	if (h->queued >= HOOK_QUEUE_MAX) {
		h->stats.dropped++;
		log_warnx("on_change of %s:%u (%s -> %s) dropped: %d "
		    "commands already wait", sc->name, sc->port,
		    svc_pub_name(old), svc_pub_name(new), HOOK_QUEUE_MAX);
		return 0;
	}
	j = xcalloc(1, sizeof(*j));
	for (n = 0; sc->on_change.argv[n] != NULL; n++)
		;
	j->argv = xcalloc(n + 1, sizeof(*j->argv));
	for (i = 0; i < n; i++)
		j->argv[i] = xstrdup(sc->on_change.argv[i]);
	j->shell = sc->on_change.shell;
	j->timeout = (uint64_t)(sc->on_change_timeout * EV_NSEC);
	if (j->timeout == 0)
		j->timeout = EV_NSEC;
	j->name = xstrdup(sc->name);
	j->port = sc->port;
	j->old = old;
	j->new = new;
	*h->tail = j;
	h->tail = &j->next;
	h->queued++;
	hook_next(h);
	return 1;
}

size_t
hook_pending(const struct hook *h)
{
	return h != NULL ? h->queued : 0;
}

void
hook_get_stats(const struct hook *h, struct hook_stats *st)
{
	if (h == NULL)
		memset(st, 0, sizeof(*st));
	else
		*st = h->stats;
}
