/*
 * pace.c - when bgpsd-listen renders: after a change, once the table has
 * been quiet for wait_min, never later than wait_max after the first
 * change; the first time only once the table is whole (the recovery at
 * start is done, and every peer that is up has sent its End-of-RIB, or
 * wait_max passed with something learned); one pass at a time, a change
 * during a pass makes one more after it.
 */
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "ev.h"
#include "listen.h"
#include "log.h"

uint64_t
pace_ns(double seconds)
{
	return (uint64_t)(seconds * (double)EV_NSEC);
}

/* a change: (re)arm quiescence, never beyond wait_max after the first */
void
pace_mark(struct listend *l)
{
	uint64_t	now = ev_monotonic(), when, cap;

	if (l->once || l->exiting)
		return;
	if (!l->dirty) {
		l->dirty = 1;
		l->first_change = now;
	}
	when = now + pace_ns(l->conf->listen.wait_min);
	cap = l->first_change + pace_ns(l->conf->listen.wait_max);
	if (when > cap)
		when = cap;
	ev_timer_at(l->loop, &l->timer, when);
}

static void
pace_timer(void *arg)
{
	pace_render(arg, 0);
}

static void
pace_later(void *arg)
{
	struct listend	*l = arg;

	if (l->reload_pending) {
		if (reload_config(l))
			pace_render(l, 1);
	} else if (l->dirty || l->force_next)
		pace_mark(l);
}

static void
pace_pass_done(int nfailed, void *arg)
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
	report_touch(l);
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
pace_gate(struct listend *l)
{
	uint64_t	now = ev_monotonic();
	uint64_t	limit = l->start + pace_ns(l->conf->listen.wait_max);

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

void
pace_render(struct listend *l, int force)
{
	struct context	 ctx;

	if (l->exiting || l->eof || l->shutdown)
		return;
	if (render_busy(l->render)) {
		/* a pass is running: one more after it */
		if (force)
			l->force_next = 1;
		l->dirty = 1;
		return;
	}
	if (!pace_gate(l))
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
	context_open(&ctx, l->rib, l->conf);
	l->pass_gen = rib_generation(l->rib);
	render_pass(l->render, &ctx, pace_pass_done, l);
	context_close(&ctx);
}

/* stale routes whose stale_time ran out go; the timer follows the next */
static void
pace_stale(void *arg)
{
	struct listend	*l = arg;

	if (rib_expire(l->rib, ev_monotonic()))
		pace_mark(l);
	report_touch(l);
	pace_stale_arm(l);
}

void
pace_stale_arm(struct listend *l)
{
	uint64_t	t;

	if (l->once)		/* a snapshot: no timers, nothing expires */
		return;
	t = rib_next_expiry(l->rib);
	if (t == 0)
		ev_timer_stop(l->loop, &l->stale_timer);
	else
		ev_timer_at(l->loop, &l->stale_timer, t);
}

void
pace_init(struct listend *l)
{
	ev_timer_init(&l->stale_timer, pace_stale, l);
	ev_timer_init(&l->timer, pace_timer, l);
	ev_timer_init(&l->later, pace_later, l);
	l->start = ev_monotonic();
}
