/*
 * ev.h - the one event loop: epoll(7) fd watchers, monotonic timers in a
 * binary heap, signals as flags through a self-pipe, child-exit events.
 * Single-threaded. Nothing in a callback may block.
 */
#ifndef BGPSD_EV_H
#define BGPSD_EV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EV_READ		0x01
#define EV_WRITE	0x02
#define EV_ERROR	0x04	/* EPOLLERR/EPOLLHUP, reported, never requested */

#define EV_NSEC		1000000000ULL
#define EV_MSEC		1000000ULL

struct ev_loop;

typedef void	(*ev_io_cb)(int fd, unsigned int events, void *arg);
typedef void	(*ev_timer_cb)(void *arg);
typedef void	(*ev_signal_cb)(int signo, void *arg);
typedef void	(*ev_child_cb)(pid_t pid, int status, void *arg);

/* embedded in the owner's struct; no allocation per timer */
struct ev_timer {
	uint64_t	 when;		/* monotonic ns */
	size_t		 slot;		/* heap index; EV_TIMER_IDLE if not armed */
	ev_timer_cb	 cb;
	void		*arg;
};
#define EV_TIMER_IDLE	((size_t)-1)

struct ev_loop	*ev_new(void);
void		 ev_free(struct ev_loop *);

/* one watcher per fd; events is EV_READ|EV_WRITE (0 = keep but mute) */
int		 ev_io_add(struct ev_loop *, int fd, unsigned int events,
		    ev_io_cb, void *arg);
int		 ev_io_mod(struct ev_loop *, int fd, unsigned int events);
void		 ev_io_del(struct ev_loop *, int fd);

void		 ev_timer_init(struct ev_timer *, ev_timer_cb, void *arg);
void		 ev_timer_at(struct ev_loop *, struct ev_timer *, uint64_t when);
void		 ev_timer_after(struct ev_loop *, struct ev_timer *, uint64_t ns);
void		 ev_timer_stop(struct ev_loop *, struct ev_timer *);
int		 ev_timer_armed(const struct ev_timer *);

/*
 * The handler only sets a flag and writes the self-pipe; cb runs from the
 * loop. SIGCHLD is owned by ev itself (see ev_child).
 */
int		 ev_signal(struct ev_loop *, int signo, ev_signal_cb, void *arg);
/* cb runs once when pid exits (reaped with waitpid by the loop) */
int		 ev_child(struct ev_loop *, pid_t, ev_child_cb, void *arg);
void		 ev_child_cancel(struct ev_loop *, pid_t);

/* one iteration: wait at most max_wait_ns (-1: until an event/timer) */
int		 ev_run_once(struct ev_loop *, int64_t max_wait_ns);
/* until ev_break(); returns 0, or -1 on a fatal epoll error */
int		 ev_run(struct ev_loop *);
void		 ev_break(struct ev_loop *);

uint64_t	 ev_now(struct ev_loop *);	/* cached at iteration start */
uint64_t	 ev_monotonic(void);		/* CLOCK_MONOTONIC in ns */

#endif
