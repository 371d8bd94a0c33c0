/*
 * ev.c - the one event loop: epoll(7) fd watchers indexed by fd, timers in
 * a binary min-heap of embedded struct ev_timer, signals through a
 * self-pipe, and child exits reaped per registered pid.
 *
 * One iteration: wait in epoll (bounded by the next timer), refresh the
 * cached time, dispatch fd events (the self-pipe among them: signals, then
 * child exits), then run every timer that is due. Callbacks may add or
 * remove any watcher or timer, their own included.
 *
 * epoll refuses regular files and /dev/null (EPERM), which is what stdin
 * is when a program is fed from a file; like poll(2) we treat those as
 * always ready, so such a watcher makes every iteration non-blocking.
 */
#include <sys/epoll.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"

#define EV_BATCH	64

struct ev_io {
	ev_io_cb	 cb;
	void		*arg;
	unsigned int	 events;	/* what the owner asked for */
	uint32_t	 gen;		/* bumped on add/del: stale events */
	uint8_t		 active;
	uint8_t		 in_epoll;	/* muted watchers leave the epoll set */
	uint8_t		 always;	/* epoll refused it: always ready */
};

struct ev_sig {
	ev_signal_cb	 cb;
	void		*arg;
	int		 installed;
	struct sigaction old;
};

struct ev_kid {
	pid_t		 pid;
	ev_child_cb	 cb;		/* NULL: cancelled, reap silently */
	void		*arg;
	int		 status;
};

struct ev_loop {
	int		 epfd;
	int		 brk;
	uint64_t	 now;

	struct ev_io	*io;
	size_t		 niocap;
	size_t		 nalways;	/* watchers epoll cannot take */
	uint64_t	*ready;		/* snapshot of those, fd | gen << 32 */
	size_t		 readycap;

	struct ev_timer	**heap;
	size_t		 nheap;
	size_t		 heapcap;
	int		 expiring;	/* inside the timer phase */

	struct ev_sig	 sigs[NSIG];

	struct ev_kid	*kids;
	size_t		 nkids;
	size_t		 kidcap;
	struct ev_kid	*reaped;	/* exits being dispatched right now */
	size_t		 nreaped;
	size_t		 reapedcap;
	int		 kids_check;	/* waitpid pass needed */
};

/*
 * Signal state is process-wide because handlers have no argument. Only one
 * loop exists per process (ev_new refuses a second one).
 */
static struct ev_loop		*ev_sig_loop;
static int			 ev_sigpipe[2] = { -1, -1 };
static volatile sig_atomic_t	 ev_sig_pending[NSIG];

static void	ev_reap(struct ev_loop *);

uint64_t
ev_monotonic(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (uint64_t)ts.tv_sec * EV_NSEC + (uint64_t)ts.tv_nsec;
}

uint64_t
ev_now(struct ev_loop *loop)
{
	return loop->now;
}

static void
ev_sig_handler(int signo)
{
	int	 saved = errno;
	char	 c = (char)signo;

	if (signo > 0 && signo < NSIG)
		ev_sig_pending[signo] = 1;
	/* a full pipe is fine: the flag is set and a wakeup is pending */
	if (ev_sigpipe[1] != -1)
		(void)!write(ev_sigpipe[1], &c, 1);
	errno = saved;
}

static int
ev_sig_install(struct ev_loop *loop, int signo)
{
	struct sigaction	 sa;

	if (loop->sigs[signo].installed)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ev_sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (signo == SIGCHLD)
		sa.sa_flags |= SA_NOCLDSTOP;
	if (sigaction(signo, &sa, &loop->sigs[signo].old) == -1)
		return -1;
	loop->sigs[signo].installed = 1;
	return 0;
}

static void
ev_sigpipe_cb(int fd, unsigned int events, void *arg)
{
	struct ev_loop	*loop = arg;
	char		 buf[256];
	int		 signo;

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	for (signo = 1; signo < NSIG; signo++) {
		if (!ev_sig_pending[signo])
			continue;
		ev_sig_pending[signo] = 0;
		if (signo == SIGCHLD)
			loop->kids_check = 1;
		else if (loop->sigs[signo].cb != NULL)
			loop->sigs[signo].cb(signo, loop->sigs[signo].arg);
	}
	if (loop->kids_check)
		ev_reap(loop);
}

struct ev_loop *
ev_new(void)
{
	struct ev_loop	*loop;

	if (ev_sig_loop != NULL) {
		log_warnx("ev_new: only one event loop per process");
		return NULL;
	}
	loop = xcalloc(1, sizeof(*loop));
	loop->epfd = -1;
	if ((loop->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_warn("epoll_create1");
		goto fail;
	}
	if (pipe2(ev_sigpipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		log_warn("pipe2");
		ev_sigpipe[0] = ev_sigpipe[1] = -1;
		goto fail;
	}
	memset((void *)ev_sig_pending, 0, sizeof(ev_sig_pending));
	ev_sig_loop = loop;
	loop->now = ev_monotonic();
	if (ev_io_add(loop, ev_sigpipe[0], EV_READ, ev_sigpipe_cb,
	    loop) == -1) {
		log_warn("ev_new: self-pipe");
		goto fail;
	}
	/* owned here so exec'd children are always reapable (not SIG_IGN) */
	if (ev_sig_install(loop, SIGCHLD) == -1) {
		log_warn("sigaction SIGCHLD");
		goto fail;
	}
	return loop;
fail:
	ev_free(loop);
	return NULL;
}

void
ev_free(struct ev_loop *loop)
{
	size_t	 i;
	int	 signo;

	if (loop == NULL)
		return;
	for (signo = 1; signo < NSIG; signo++)
		if (loop->sigs[signo].installed)
			sigaction(signo, &loop->sigs[signo].old, NULL);
	/* owners may still hold their timers: leave them disarmed */
	for (i = 0; i < loop->nheap; i++)
		loop->heap[i]->slot = EV_TIMER_IDLE;
	if (ev_sig_loop == loop) {
		if (ev_sigpipe[0] != -1)
			close(ev_sigpipe[0]);
		if (ev_sigpipe[1] != -1)
			close(ev_sigpipe[1]);
		ev_sigpipe[0] = ev_sigpipe[1] = -1;
		ev_sig_loop = NULL;
	}
	if (loop->epfd != -1)
		close(loop->epfd);
	free(loop->io);
	free(loop->ready);
	free(loop->heap);
	free(loop->kids);
	free(loop->reaped);
	free(loop);
}

/* fd watchers */

static uint32_t
ev_epoll_events(unsigned int events)
{
	uint32_t	 e = 0;

	if (events & EV_READ)
		e |= EPOLLIN;
	if (events & EV_WRITE)
		e |= EPOLLOUT;
	return e;
}

static int
ev_epoll_set(struct ev_loop *loop, int fd, struct ev_io *w)
{
	struct epoll_event	 ee;
	int			 op;

	if (w->always)
		return 0;
	memset(&ee, 0, sizeof(ee));
	ee.events = ev_epoll_events(w->events);
	ee.data.u64 = ((uint64_t)w->gen << 32) | (uint32_t)fd;
	if (w->events == 0) {
		if (!w->in_epoll)
			return 0;
		op = EPOLL_CTL_DEL;
	} else
		op = w->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(loop->epfd, op, fd, &ee) == -1) {
		if (op != EPOLL_CTL_ADD || errno != EPERM)
			return -1;
		w->always = 1;
		loop->nalways++;
		return 0;
	}
	w->in_epoll = op != EPOLL_CTL_DEL;
	return 0;
}

int
ev_io_add(struct ev_loop *loop, int fd, unsigned int events, ev_io_cb cb,
    void *arg)
{
	struct ev_io	*w;
	size_t		 ncap;

	if (fd < 0 || cb == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)fd >= loop->niocap) {
		ncap = loop->niocap == 0 ? 64 : loop->niocap;
		while (ncap <= (size_t)fd)
			ncap *= 2;
		loop->io = xreallocarray(loop->io, ncap, sizeof(*loop->io));
		memset(loop->io + loop->niocap, 0,
		    (ncap - loop->niocap) * sizeof(*loop->io));
		loop->niocap = ncap;
	}
	w = &loop->io[fd];
	if (w->active) {
		errno = EEXIST;
		return -1;
	}
	w->gen++;
	w->cb = cb;
	w->arg = arg;
	w->events = events & (EV_READ | EV_WRITE);
	w->in_epoll = 0;
	w->always = 0;
	if (ev_epoll_set(loop, fd, w) == -1)
		return -1;
	w->active = 1;
	return 0;
}

int
ev_io_mod(struct ev_loop *loop, int fd, unsigned int events)
{
	struct ev_io	*w;
	unsigned int	 old;

	if (fd < 0 || (size_t)fd >= loop->niocap || !loop->io[fd].active) {
		errno = ENOENT;
		return -1;
	}
	w = &loop->io[fd];
	old = w->events;
	w->events = events & (EV_READ | EV_WRITE);
	if (w->events == old)
		return 0;
	if (ev_epoll_set(loop, fd, w) == -1) {
		w->events = old;
		return -1;
	}
	return 0;
}

void
ev_io_del(struct ev_loop *loop, int fd)
{
	struct ev_io	*w;

	if (fd < 0 || (size_t)fd >= loop->niocap || !loop->io[fd].active)
		return;
	w = &loop->io[fd];
	/* EBADF here means the owner closed first; nothing left to undo */
	if (w->in_epoll)
		(void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	if (w->always)
		loop->nalways--;
	w->in_epoll = 0;
	w->always = 0;
	w->active = 0;
	w->cb = NULL;
	w->arg = NULL;
	w->gen++;
}

/* timers: a binary min-heap on when, each timer knowing its slot */

static void
ev_heap_place(struct ev_loop *loop, size_t i, struct ev_timer *t)
{
	loop->heap[i] = t;
	t->slot = i;
}

static void
ev_heap_up(struct ev_loop *loop, size_t i)
{
	struct ev_timer	*t = loop->heap[i];
	size_t		 parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (loop->heap[parent]->when <= t->when)
			break;
		ev_heap_place(loop, i, loop->heap[parent]);
		i = parent;
	}
	ev_heap_place(loop, i, t);
}

static void
ev_heap_down(struct ev_loop *loop, size_t i)
{
	struct ev_timer	*t = loop->heap[i];
	size_t		 c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= loop->nheap)
			break;
		if (c + 1 < loop->nheap &&
		    loop->heap[c + 1]->when < loop->heap[c]->when)
			c++;
		if (t->when <= loop->heap[c]->when)
			break;
		ev_heap_place(loop, i, loop->heap[c]);
		i = c;
	}
	ev_heap_place(loop, i, t);
}

void
ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *arg)
{
	t->when = 0;
	t->slot = EV_TIMER_IDLE;
	t->cb = cb;
	t->arg = arg;
}

int
ev_timer_armed(const struct ev_timer *t)
{
	return t->slot != EV_TIMER_IDLE;
}

void
ev_timer_at(struct ev_loop *loop, struct ev_timer *t, uint64_t when)
{
	uint64_t	 old;

	/*
	 * Re-armed from a timer callback for "now" or earlier: wait for the
	 * next iteration, or a zero-delay re-arm would spin here forever.
	 */
	if (loop->expiring && when <= loop->now)
		when = loop->now + 1;
	if (t->slot != EV_TIMER_IDLE) {
		old = t->when;
		t->when = when;
		if (when < old)
			ev_heap_up(loop, t->slot);
		else
			ev_heap_down(loop, t->slot);
		return;
	}
	if (loop->nheap == loop->heapcap) {
		loop->heapcap = loop->heapcap == 0 ? 64 : loop->heapcap * 2;
		loop->heap = xreallocarray(loop->heap, loop->heapcap,
		    sizeof(*loop->heap));
	}
	t->when = when;
	loop->heap[loop->nheap] = t;
	t->slot = loop->nheap++;
	ev_heap_up(loop, t->slot);
}

void
ev_timer_after(struct ev_loop *loop, struct ev_timer *t, uint64_t ns)
{
	uint64_t	 now = ev_monotonic();

	/* the real clock, not ev_now: setup code may have run for a while */
	ev_timer_at(loop, t, ns > UINT64_MAX - now ? UINT64_MAX : now + ns);
}

void
ev_timer_stop(struct ev_loop *loop, struct ev_timer *t)
{
	size_t		 i = t->slot;
	struct ev_timer	*last;

	if (i == EV_TIMER_IDLE)
		return;
	if (i >= loop->nheap || loop->heap[i] != t)
		fatalx("ev_timer_stop: timer not in this loop");
	t->slot = EV_TIMER_IDLE;
	last = loop->heap[--loop->nheap];
	if (last == t)
		return;
	ev_heap_place(loop, i, last);
	if (i > 0 && loop->heap[(i - 1) / 2]->when > last->when)
		ev_heap_up(loop, i);
	else
		ev_heap_down(loop, i);
}

static void
ev_timers_run(struct ev_loop *loop)
{
	struct ev_timer	*t;

	loop->expiring = 1;
	while (loop->nheap > 0 && loop->heap[0]->when <= loop->now) {
		t = loop->heap[0];
		ev_timer_stop(loop, t);
		t->cb(t->arg);
	}
	loop->expiring = 0;
}

/* signals and children */

int
ev_signal(struct ev_loop *loop, int signo, ev_signal_cb cb, void *arg)
{
	if (signo <= 0 || signo >= NSIG || signo == SIGCHLD ||
	    signo == SIGKILL || signo == SIGSTOP || cb == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (ev_sig_install(loop, signo) == -1)
		return -1;
	loop->sigs[signo].cb = cb;
	loop->sigs[signo].arg = arg;
	return 0;
}

int
ev_child(struct ev_loop *loop, pid_t pid, ev_child_cb cb, void *arg)
{
	struct ev_kid	*k;

	if (pid <= 0 || cb == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (loop->nkids == loop->kidcap) {
		loop->kidcap = loop->kidcap == 0 ? 16 : loop->kidcap * 2;
		loop->kids = xreallocarray(loop->kids, loop->kidcap,
		    sizeof(*loop->kids));
	}
	k = &loop->kids[loop->nkids++];
	k->pid = pid;
	k->cb = cb;
	k->arg = arg;
	k->status = 0;
	/* it may have exited, and its SIGCHLD been consumed, already */
	loop->kids_check = 1;
	return 0;
}

void
ev_child_cancel(struct ev_loop *loop, pid_t pid)
{
	size_t	 i;

	/* keep the entry: the loop still reaps it, so no zombie is left */
	for (i = 0; i < loop->nkids; i++)
		if (loop->kids[i].pid == pid)
			loop->kids[i].cb = NULL;
	for (i = 0; i < loop->nreaped; i++)
		if (loop->reaped[i].pid == pid)
			loop->reaped[i].cb = NULL;
}

/*
 * waitpid each registered pid, never -1: children of libraries are theirs
 * to reap. Exits are collected first and dispatched after, so callbacks
 * may register or cancel children freely.
 */
static void
ev_reap(struct ev_loop *loop)
{
	size_t		 i, j;
	pid_t		 r;
	int		 status;

	loop->kids_check = 0;
	loop->nreaped = 0;
	for (i = 0, j = 0; i < loop->nkids; i++) {
		struct ev_kid	*k = &loop->kids[i];

		do
			r = waitpid(k->pid, &status, WNOHANG);
		while (r == -1 && errno == EINTR);
		if (r == 0) {
			loop->kids[j++] = *k;
			continue;
		}
		if (r == -1) {
			log_warn("waitpid %ld", (long)k->pid);
			status = -1;
		}
		if (loop->nreaped == loop->reapedcap) {
			loop->reapedcap = loop->reapedcap == 0 ? 16 :
			    loop->reapedcap * 2;
			loop->reaped = xreallocarray(loop->reaped,
			    loop->reapedcap, sizeof(*loop->reaped));
		}
		loop->reaped[loop->nreaped] = *k;
		loop->reaped[loop->nreaped++].status = status;
	}
	loop->nkids = j;
	for (i = 0; i < loop->nreaped; i++) {
		struct ev_kid	 k = loop->reaped[i];

		if (k.cb != NULL)
			k.cb(k.pid, k.status, k.arg);
	}
	loop->nreaped = 0;
}

/* the loop */

static int
ev_always_pending(struct ev_loop *loop)
{
	size_t	 fd, seen = 0;

	for (fd = 0; fd < loop->niocap && seen < loop->nalways; fd++) {
		if (!loop->io[fd].active || !loop->io[fd].always)
			continue;
		if (loop->io[fd].events != 0)
			return 1;
		seen++;
	}
	return 0;
}

static int
ev_wait_ms(struct ev_loop *loop, int64_t max_wait_ns)
{
	uint64_t	 wait, now;

	if (loop->kids_check || ev_always_pending(loop))
		return 0;
	if (max_wait_ns < 0 && loop->nheap == 0)
		return -1;
	wait = max_wait_ns < 0 ? UINT64_MAX : (uint64_t)max_wait_ns;
	if (loop->nheap > 0) {
		now = ev_monotonic();
		if (loop->heap[0]->when <= now)
			return 0;
		if (loop->heap[0]->when - now < wait)
			wait = loop->heap[0]->when - now;
	}
	/* round up: waking early would only spin until the deadline */
	wait = (wait + EV_MSEC - 1) / EV_MSEC;
	return wait > 24 * 3600 * 1000 ? 24 * 3600 * 1000 : (int)wait;
}

static void
ev_io_dispatch(struct ev_loop *loop, const struct epoll_event *ee)
{
	int		 fd = (int)(uint32_t)ee->data.u64;
	uint32_t	 gen = (uint32_t)(ee->data.u64 >> 32);
	struct ev_io	*w;
	unsigned int	 ev = 0;

	if (fd < 0 || (size_t)fd >= loop->niocap)
		return;
	w = &loop->io[fd];
	/* removed, or removed and re-added, by an earlier callback */
	if (!w->active || w->gen != gen || w->events == 0)
		return;
	if (ee->events & EPOLLIN)
		ev |= EV_READ;
	if (ee->events & EPOLLOUT)
		ev |= EV_WRITE;
	/* so that an owner who only reads still sees EOF or the error */
	if (ee->events & (EPOLLERR | EPOLLHUP))
		ev |= EV_ERROR | w->events;
	ev &= w->events | EV_ERROR;
	if (ev != 0)
		w->cb(fd, ev, w->arg);
}

/* regular files: ready for whatever was asked, every iteration */
static void
ev_always_dispatch(struct ev_loop *loop)
{
	struct ev_io	*w;
	size_t		 fd, n = 0, i;

	/* snapshot first: callbacks may add and remove watchers */
	for (fd = 0; fd < loop->niocap && n < loop->nalways; fd++) {
		w = &loop->io[fd];
		if (!w->active || !w->always)
			continue;
		if (n == loop->readycap) {
			loop->readycap = loop->readycap == 0 ? 8 :
			    loop->readycap * 2;
			loop->ready = xreallocarray(loop->ready,
			    loop->readycap, sizeof(*loop->ready));
		}
		loop->ready[n++] = ((uint64_t)w->gen << 32) | fd;
	}
	for (i = 0; i < n; i++) {
		struct epoll_event	 ee;

		memset(&ee, 0, sizeof(ee));
		ee.events = EPOLLIN | EPOLLOUT;
		ee.data.u64 = loop->ready[i];
		ev_io_dispatch(loop, &ee);
	}
}

int
ev_run_once(struct ev_loop *loop, int64_t max_wait_ns)
{
	struct epoll_event	 ees[EV_BATCH];
	int			 n, i, timeout;

	timeout = ev_wait_ms(loop, max_wait_ns);
	n = epoll_wait(loop->epfd, ees, EV_BATCH, timeout);
	loop->now = ev_monotonic();
	if (n == -1) {
		if (errno != EINTR) {
			log_warn("epoll_wait");
			return -1;
		}
		n = 0;
	}
	for (i = 0; i < n; i++)
		ev_io_dispatch(loop, &ees[i]);
	if (loop->nalways > 0)
		ev_always_dispatch(loop);
	if (loop->kids_check)
		ev_reap(loop);
	ev_timers_run(loop);
	return 0;
}

/* ev_break() takes effect between iterations; the flag is cleared on return */
int
ev_run(struct ev_loop *loop)
{
	int	 rv = 0;

	while (!loop->brk)
		if ((rv = ev_run_once(loop, -1)) == -1)
			break;
	loop->brk = 0;
	return rv;
}

void
ev_break(struct ev_loop *loop)
{
	loop->brk = 1;
}
