/*
 * proc.c - run a command without blocking the loop. The child gets its own
 * process group (so a timeout can kill everything it started), stdin from
 * /dev/null, stdout and stderr into one pipe we read up to a cap, and no
 * other descriptor of ours. exec failures come back through a close-on-exec
 * pipe that is read once the child is reaped, so nothing here waits.
 *
 * Completion is the child's exit as seen by ev_child, not EOF on the pipe:
 * a background grandchild holding the pipe must not hold up the result.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "proc.h"

#define PROC_GRACE_DEFAULT	EV_NSEC
#define PROC_READ_ROUNDS	16	/* reads per wakeup before yielding */

extern char	**environ;

struct proc {
	struct ev_loop	*loop;
	pid_t		 pid;
	int		 outfd;		/* read end, -1 once closed */
	int		 errfd;		/* exec errno, -1 once closed */
	char		*buf;
	size_t		 len;
	size_t		 max;
	uint64_t	 start;
	uint64_t	 grace;
	uint64_t	 timeout;
	struct ev_timer	 timer;
	int		 timed_out;
	int		 kill_group;	/* spec.kill_group */
	int		 in_cb;
	proc_done_cb	 cb;
	void		*arg;
};

pid_t
proc_pid(const struct proc *p)
{
	return p->pid;
}

/* read what is there, keep up to max bytes, drop the rest */
static void
proc_read(struct proc *p, int rounds)
{
	char	 scratch[4096];
	ssize_t	 n;
	size_t	 room;

	while (p->outfd != -1 && rounds-- > 0) {
		room = p->max - p->len;
		if (room > 0)
			n = read(p->outfd, p->buf + p->len, room);
		else
			n = read(p->outfd, scratch, sizeof(scratch));
		if (n > 0) {
			if (room > 0)
				p->len += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		/* EOF or error: nothing more will come */
		ev_io_del(p->loop, p->outfd);
		close(p->outfd);
		p->outfd = -1;
	}
}

static void
proc_out_cb(int fd, unsigned int events, void *arg)
{
	proc_read(arg, PROC_READ_ROUNDS);
}

static void
proc_close(struct proc *p)
{
	ev_timer_stop(p->loop, &p->timer);
	if (p->outfd != -1) {
		ev_io_del(p->loop, p->outfd);
		close(p->outfd);
		p->outfd = -1;
	}
	if (p->errfd != -1) {
		close(p->errfd);
		p->errfd = -1;
	}
}

static void
proc_free(struct proc *p)
{
	proc_close(p);
	free(p->buf);
	free(p);
}

static void
proc_timer_cb(void *arg)
{
	struct proc	*p = arg;

	if (!p->timed_out) {
		p->timed_out = 1;
		log_debug("pid %ld: timed out, SIGTERM to its group",
		    (long)p->pid);
		if (kill(-p->pid, SIGTERM) == -1 && errno != ESRCH)
			log_warn("kill -TERM -%ld", (long)p->pid);
		ev_timer_after(p->loop, &p->timer, p->grace);
		return;
	}
	log_debug("pid %ld: still there after the grace period, SIGKILL",
	    (long)p->pid);
	if (kill(-p->pid, SIGKILL) == -1 && errno != ESRCH)
		log_warn("kill -KILL -%ld", (long)p->pid);
}

static void
proc_child_cb(pid_t pid, int status, void *arg)
{
	struct proc		*p = arg;
	struct proc_result	 res;
	int			 e;
	ssize_t			 n;

	memset(&res, 0, sizeof(res));
	res.status = status;
	res.timed_out = p->timed_out;
	res.elapsed = ev_monotonic() - p->start;
	/* whatever it wrote before exiting is in the pipe by now */
	proc_read(p, 64);
	p->buf[p->len] = '\0';
	if (p->errfd != -1) {
		do
			n = read(p->errfd, &e, sizeof(e));
		while (n == -1 && errno == EINTR);
		if (n == (ssize_t)sizeof(e))
			res.spawn_errno = e;
	}
	/* after a timeout, nothing it started may outlive it */
	if (p->timed_out || p->kill_group)
		(void)kill(-pid, SIGKILL);
	proc_close(p);
	res.output = p->buf;
	res.outlen = p->len;
	if (p->cb != NULL) {
		p->in_cb = 1;
		p->cb(&res, p->arg);
	}
	proc_free(p);
}

void
proc_cancel(struct proc *p)
{
	/* from its own callback the proc is done already; freed on return */
	if (p == NULL || p->in_cb)
		return;
	if (kill(-p->pid, SIGKILL) == -1 && errno != ESRCH)
		log_warn("kill -KILL -%ld", (long)p->pid);
	/* the loop still reaps it, silently */
	ev_child_cancel(p->loop, p->pid);
	proc_free(p);
}

const char *
proc_status_str(const struct proc_result *r, char *buf, size_t len)
{
	if (r->spawn_errno != 0)
		snprintf(buf, len, "exec: %s", strerror(r->spawn_errno));
	else if (r->timed_out)
		snprintf(buf, len, "timeout");
	else if (r->status == -1)
		snprintf(buf, len, "lost");
	else if (WIFEXITED(r->status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(r->status));
	else if (WIFSIGNALED(r->status))
		snprintf(buf, len, "signal %d", WTERMSIG(r->status));
	else
		snprintf(buf, len, "status 0x%x", (unsigned int)r->status);
	return buf;
}

/* environ with the extras added, extras replacing same-named entries */
static char **
proc_envp(const char *const *extra)
{
	char	**envp;
	size_t	 ne = 0, nx = 0, i, j, k, klen;
	int	 replaced;

	while (environ != NULL && environ[ne] != NULL)
		ne++;
	while (extra != NULL && extra[nx] != NULL)
		nx++;
	envp = xcalloc(ne + nx + 1, sizeof(*envp));
	k = 0;
	for (i = 0; i < ne; i++) {
		replaced = 0;
		for (j = 0; j < nx && !replaced; j++) {
			klen = strcspn(extra[j], "=");
			if (strncmp(environ[i], extra[j], klen) == 0 &&
			    environ[i][klen] == '=')
				replaced = 1;
		}
		if (!replaced)
			envp[k++] = environ[i];
	}
	for (j = 0; j < nx; j++)
		envp[k++] = (char *)(uintptr_t)extra[j];
	envp[k] = NULL;
	return envp;
}

static char **
proc_argv(const struct proc_spec *spec)
{
	char	**argv;
	size_t	 n = 0, i;

	while (spec->argv[n] != NULL)
		n++;
	if (!spec->shell) {
		argv = xcalloc(n + 1, sizeof(*argv));
		for (i = 0; i < n; i++)
			argv[i] = (char *)(uintptr_t)spec->argv[i];
		return argv;
	}
	/* /bin/sh -c argv[0] [argv[1] as $0, argv[2] as $1, ...] */
	argv = xcalloc(n + 3, sizeof(*argv));
	argv[0] = (char *)"/bin/sh";
	argv[1] = (char *)"-c";
	for (i = 0; i < n; i++)
		argv[i + 2] = (char *)(uintptr_t)spec->argv[i];
	return argv;
}

/* only async-signal-safe calls from here on: the parent may have threads */
__attribute__((noreturn)) static void
proc_child(const struct proc_spec *spec, char **argv, char **envp,
    int outw, int errw)
{
	struct sigaction	 sa;
	int			 fd, e, signo;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (signo = 1; signo < NSIG; signo++)
		(void)sigaction(signo, &sa, NULL);
	(void)setpgid(0, 0);

	if ((fd = open("/dev/null", O_RDWR)) == -1)
		goto fail;
	if (dup2(fd, STDIN_FILENO) == -1)
		goto fail;
	if (outw == -1)
		outw = fd;
	if (dup2(outw, STDOUT_FILENO) == -1 ||
	    dup2(outw, STDERR_FILENO) == -1)
		goto fail;
	/* errw is close-on-exec, so marking everything so is what we want */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == -1) {
		long	 max = sysconf(_SC_OPEN_MAX);

		if (max < 0 || max > 65536)
			max = 65536;
		for (fd = 3; fd < max; fd++)
			if (fd != errw)
				(void)close(fd);
	}

	if (spec->drop) {
		gid_t	 g = spec->gid;

		if (setgroups(1, &g) == -1 || setgid(spec->gid) == -1 ||
		    setuid(spec->uid) == -1)
			goto fail;
	}
	/* a clean mask: the exec'd program must see TERM from a timeout */
	sigemptyset(&sa.sa_mask);
	sigprocmask(SIG_SETMASK, &sa.sa_mask, NULL);
	execvpe(argv[0], argv, envp);
fail:
	e = errno;
	(void)!write(errw, &e, sizeof(e));
	_exit(127);
}

struct proc *
proc_run(struct ev_loop *loop, const struct proc_spec *spec,
    proc_done_cb cb, void *arg)
{
	struct proc	*p;
	char		**argv = NULL, **envp = NULL;
	int		 out[2] = { -1, -1 }, err[2] = { -1, -1 };
	sigset_t	 all, old;
	pid_t		 pid;

	if (spec->argv == NULL || spec->argv[0] == NULL) {
		log_warnx("proc_run: empty command");
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->loop = loop;
	p->outfd = p->errfd = -1;
	p->max = spec->output_max != 0 ? spec->output_max : PROC_OUTPUT_MAX;
	p->buf = xmalloc(p->max + 1);
	p->buf[0] = '\0';
	p->grace = spec->kill_grace != 0 ? spec->kill_grace :
	    PROC_GRACE_DEFAULT;
	p->timeout = spec->timeout;
	p->kill_group = spec->kill_group;
	p->cb = cb;
	p->arg = arg;
	ev_timer_init(&p->timer, proc_timer_cb, p);

	if (!spec->discard_output && pipe2(out, O_CLOEXEC) == -1) {
		log_warn("proc_run: pipe");
		goto fail;
	}
	if (pipe2(err, O_CLOEXEC) == -1) {
		log_warn("proc_run: pipe");
		goto fail;
	}
	/* everything the child needs is built before fork: no malloc after */
	argv = proc_argv(spec);
	envp = proc_envp(spec->env);

	/* no handler of ours may run in the child between fork and exec */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		proc_child(spec, argv, envp, out[1], err[1]);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		log_warn("proc_run: fork");
		goto fail;
	}
	/* also here: a TERM sent before the child ran must hit its group */
	(void)setpgid(pid, pid);
	p->pid = pid;
	p->start = ev_monotonic();
	free(argv);
	free(envp);
	argv = envp = NULL;

	close(err[1]);
	p->errfd = err[0];
	(void)fcntl(p->errfd, F_SETFL, O_NONBLOCK);
	if (out[0] != -1) {
		close(out[1]);
		p->outfd = out[0];
		(void)fcntl(p->outfd, F_SETFL, O_NONBLOCK);
		if (ev_io_add(loop, p->outfd, EV_READ, proc_out_cb, p) == -1) {
			log_warn("proc_run: watching output of pid %ld",
			    (long)pid);
			close(p->outfd);
			p->outfd = -1;
		}
	}
	if (ev_child(loop, pid, proc_child_cb, p) == -1)
		fatal("ev_child");
	if (p->timeout != 0)
		ev_timer_after(loop, &p->timer, p->timeout);
	log_debug("pid %ld: started %s", (long)pid, spec->argv[0]);
	return p;
fail:
	free(argv);
	free(envp);
	if (out[0] != -1) {
		close(out[0]);
		close(out[1]);
	}
	if (err[0] != -1) {
		close(err[0]);
		close(err[1]);
	}
	free(p->buf);
	free(p);
	return NULL;
}
