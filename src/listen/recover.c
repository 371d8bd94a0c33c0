/*
 * recover.c - at start, learn the routes ExaBGP already holds.
 *
 * When bgpsd-listen dies and ExaBGP respawns it, the BGP sessions stay up
 * and ExaBGP replays nothing: the new process would only hear of what
 * changes from then on. So at start it writes RECOVER_REQUEST on its
 * stdout and reads the answers (adjrib.c) between the JSON lines:
 *
 *   A  show neighbor summary        the peers established now
 *   D  show adj-rib in extensive    every route each neighbor sent us
 *   B  show neighbor summary        only marks the end of D
 *
 * ExaBGP answers its commands in order, so B's header ends D with or
 * without acks ("done" after each answer when exabgp.api.ack is true;
 * then D must end with its "done"). What ExaBGP 4.2.21 does, seen in the
 * lab and in its code, and what it means here:
 *
 * - D lists every configured neighbor's Adj-RIB-In, also of a session
 *   that went down (it is only cleared when the session comes up again):
 *   only the peers A lists as established are taken.
 * - D is written a few dozen lines per reactor turn, from a copy of one
 *   neighbor's table taken when its turn comes, and live updates are
 *   written in between: a line of D can be older than a JSON update of
 *   the same route read before it. So a (peer, prefix) that a JSON line
 *   touched since we started keeps what the JSON said, and a peer whose
 *   state changed since we started (down, up) is left to the JSON.
 * - A peer A lists is "up with its End-of-RIB" once D is complete; the
 *   JSON after it applies as usual.
 *
 * Nothing here writes or waits: main.c sends the request, bounds the
 * wait, and renders nothing until recover_state() is RECOVER_DONE.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "listen.h"
#include "log.h"

#define RECOVER_HTAB_MIN	64

enum recover_phase {
	RECOVER_P_IDLE,		/* before A */
	RECOVER_P_SUMMARY,	/* reading A */
	RECOVER_P_DUMP,		/* reading D */
	RECOVER_P_COMPLETE,	/* done: answers are ignored */
};

/* an entry of a set: a peer, or a (peer, prefix) */
struct recover_key {
	struct recover_key	*next;
	uint32_t		 hash;
	struct addr		 peer;
	struct prefix		 prefix;	/* 0 in a set of peers */
};

/* a chained hash set; sets of peers hold RECOVER_MAX_PEERS at most */
struct recover_set {
	struct recover_key	**b;
	size_t			  mask, count;
};

struct recover {
	struct rib		*rib;
	enum recover_state	 state;
	enum recover_phase	 phase;
	char			 detail[RECOVER_DETAIL_MAX];
	int			 acks;		/* a "done" closed A */
	int			 dump_done;	/* a "done" closed D */
	int			 have_summary;	/* a whole A read */
	int			 overflow;	/* max_touched hit */
	size_t			 max_touched;
	struct recover_set	 summary;	/* established in A */
	struct recover_set	 changed;	/* state in the JSON */
	struct recover_set	 touched;	/* (peer, prefix) */
	/* D comes peer by peer: the last peer's verdict */
	struct addr		 last_peer;
	int			 last_valid, last_ok;
	struct exabgp_msg	 msg;
	struct adjrib_line	 line;
	struct recover_stats	 st;
};

static const char *const recover_state_names[] = {
	[RECOVER_OFF] = "off",
	[RECOVER_PENDING] = "pending",
	[RECOVER_DONE] = "done",
	[RECOVER_FAILED] = "failed",
};

const char *
recover_state_name(enum recover_state s)
{
	if ((size_t)s >= sizeof(recover_state_names) /
	    sizeof(recover_state_names[0]))
		return "?";
	return recover_state_names[s];
}

/* ---- sets ---- */

static int
recover_addr_eq(const struct addr *a, const struct addr *b)
{
	return addr_cmp(a, b) == 0;
}

static int
recover_prefix_eq(const struct prefix *a, const struct prefix *b)
{
	return a->len == b->len && addr_cmp(&a->addr, &b->addr) == 0;
}

static uint32_t
recover_hash(const struct addr *peer, const struct prefix *p)
{
	struct prefix	 pp;
	uint32_t	 h;

	memset(&pp, 0, sizeof(pp));
	pp.addr = *peer;
	pp.len = (uint8_t)addr_maxlen(peer);
	h = prefix_hash(&pp);
	if (p != NULL)
		h = h * 31u + prefix_hash(p);
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	return h;
}

/* p NULL: a set of peers */
static struct recover_key *
recover_find(const struct recover_set *s, const struct addr *peer,
    const struct prefix *p)
{
	struct recover_key	*k;
	struct prefix		 zero;
	uint32_t		 h;

	if (s->b == NULL)
		return NULL;
	memset(&zero, 0, sizeof(zero));
	h = recover_hash(peer, p);
	for (k = s->b[h & s->mask]; k != NULL; k = k->next)
		if (k->hash == h && recover_addr_eq(&k->peer, peer) &&
		    recover_prefix_eq(&k->prefix, p != NULL ? p : &zero))
			return k;
	return NULL;
}

static int
recover_has(const struct recover_set *s, const struct addr *peer)
{
	return recover_find(s, peer, NULL) != NULL;
}

static void
recover_grow(struct recover_set *s)
{
	struct recover_key	**nb, *k, *next;
	size_t			  i, nmask = s->mask * 2 + 1;

	nb = xcalloc(nmask + 1, sizeof(*nb));
	for (i = 0; i <= s->mask; i++) {
		for (k = s->b[i]; k != NULL; k = next) {
			next = k->next;
			k->next = nb[k->hash & nmask];
			nb[k->hash & nmask] = k;
		}
	}
	free(s->b);
	s->b = nb;
	s->mask = nmask;
}

/* add (peer, p) unless there; p NULL: a set of peers */
static void
recover_add(struct recover_set *s, const struct addr *peer,
    const struct prefix *p)
{
	struct recover_key	*k;

	if (s->b == NULL) {
		s->b = xcalloc(RECOVER_HTAB_MIN, sizeof(*s->b));
		s->mask = RECOVER_HTAB_MIN - 1;
	}
	if (recover_find(s, peer, p) != NULL)
		return;
	if (s->count > s->mask)
		recover_grow(s);
	k = xcalloc(1, sizeof(*k));
	k->hash = recover_hash(peer, p);
	k->peer = *peer;
	if (p != NULL)
		k->prefix = *p;
	k->next = s->b[k->hash & s->mask];
	s->b[k->hash & s->mask] = k;
	s->count++;
}

/* a set of peers: -1 when it is full */
static int
recover_add_peer(struct recover_set *s, const struct addr *peer)
{
	if (recover_has(s, peer))
		return 0;
	if (s->count >= RECOVER_MAX_PEERS)
		return -1;
	recover_add(s, peer, NULL);
	return 0;
}

static void
recover_set_free(struct recover_set *s)
{
	struct recover_key	*k, *next;
	size_t			 i;

	if (s->b != NULL) {
		for (i = 0; i <= s->mask; i++) {
			for (k = s->b[i]; k != NULL; k = next) {
				next = k->next;
				free(k);
			}
		}
	}
	free(s->b);
	memset(s, 0, sizeof(*s));
}

/* ---- life ---- */

struct recover *
recover_new(struct rib *rib, size_t max_touched)
{
	struct recover	*r;

	r = xcalloc(1, sizeof(*r));
	r->rib = rib;
	r->max_touched = max_touched;
	r->state = RECOVER_OFF;
	r->phase = RECOVER_P_IDLE;
	exabgp_msg_init(&r->msg);
	return r;
}

void
recover_free(struct recover *r)
{
	if (r == NULL)
		return;
	recover_set_free(&r->touched);
	recover_set_free(&r->summary);
	recover_set_free(&r->changed);
	exabgp_msg_free(&r->msg);
	free(r);
}

static void
recover_set_detail(struct recover *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
recover_set_detail(struct recover *r, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	/* parts of it may come from the input: the log gets it */
	for (p = r->detail; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
}

void
recover_begin(struct recover *r)
{
	if (r->state == RECOVER_DONE)
		return;
	r->state = RECOVER_PENDING;
	r->detail[0] = '\0';
	r->st.attempts++;
}

void
recover_fail(struct recover *r, const char *reason)
{
	if (r->state != RECOVER_PENDING)
		return;
	r->state = RECOVER_FAILED;
	recover_set_detail(r, "%s", reason);
}

static int
recover_collecting(const struct recover *r)
{
	return r->state == RECOVER_PENDING || r->state == RECOVER_FAILED;
}

static void
recover_forget(struct recover *r)
{
	r->phase = RECOVER_P_COMPLETE;
	recover_set_free(&r->touched);
	recover_set_free(&r->summary);
	recover_set_free(&r->changed);
	r->last_valid = 0;
}

void
recover_cancel(struct recover *r, const char *why)
{
	if (!recover_collecting(r))
		return;
	r->state = RECOVER_OFF;
	recover_set_detail(r, "%s", why);
	recover_forget(r);
}

/* the table is whole: from the answer, or from the sessions themselves */
static void
recover_finish(struct recover *r, int restore, const char *how)
{
	struct recover_key	*k;
	char			 a[ADDR_STRLEN];
	size_t			 i;

	for (i = 0; restore && r->summary.b != NULL && i <= r->summary.mask;
	    i++) {
		for (k = r->summary.b[i]; k != NULL; k = k->next) {
			if (recover_has(&r->changed, &k->peer))
				continue;
			rib_restore_peer(r->rib, &k->peer);
			log_debug("peer %s: up before we started, table "
			    "recovered", addr_fmt(&k->peer, a, sizeof(a)));
			r->st.peers++;
		}
	}
	if (r->state == RECOVER_FAILED)
		recover_set_detail(r, "%s, after failing", how);
	else
		recover_set_detail(r, "%s", how);
	r->state = RECOVER_DONE;
	recover_forget(r);
}

/* the answer went wrong: this A/D/B is of no use, a later one may be */
static void
recover_abandon(struct recover *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
recover_abandon(struct recover *r, const char *fmt, ...)
{
	va_list	 ap;
	char	 why[RECOVER_DETAIL_MAX];

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	r->phase = RECOVER_P_IDLE;
	r->have_summary = 0;
	recover_set_free(&r->summary);
	r->last_valid = 0;
	if (r->state == RECOVER_PENDING) {
		r->state = RECOVER_FAILED;
		recover_set_detail(r, "%s", why);
	}
}

/* every peer of A has gone down or come up again: D no longer matters */
static void
recover_check_sessions(struct recover *r)
{
	struct recover_key	*k;
	size_t			 i;

	if (r->state != RECOVER_FAILED || !r->have_summary)
		return;
	for (i = 0; r->summary.b != NULL && i <= r->summary.mask; i++)
		for (k = r->summary.b[i]; k != NULL; k = k->next)
			if (!recover_has(&r->changed, &k->peer))
				return;
	recover_finish(r, 0, "every session that was up restarted");
}

/*
 * Remember what the JSON changed, within max_touched: past it, no answer
 * can be trusted any more (what it may contradict is forgotten).
 */
static void
recover_touch(struct recover *r, const struct addr *peer,
    const struct prefix *p)
{
	if (r->touched.count >= r->max_touched &&
	    recover_find(&r->touched, peer, p) == NULL) {
		r->overflow = 1;
		recover_set_free(&r->touched);
		recover_abandon(r, "more than %zu routes changed while "
		    "waiting for the answer (max_routes)", r->max_touched);
		return;
	}
	recover_add(&r->touched, peer, p);
}

void
recover_live(struct recover *r, const struct exabgp_msg *m)
{
	size_t	 i;

	if (!recover_collecting(r) || !m->has_peer)
		return;
	switch (m->type) {
	case EXABGP_MSG_STATE:
		if (recover_add_peer(&r->changed, &m->peer) == -1) {
			recover_abandon(r, "more than %d peers",
			    RECOVER_MAX_PEERS);
			return;
		}
		if (r->last_valid && recover_addr_eq(&r->last_peer, &m->peer))
			r->last_valid = 0;
		recover_check_sessions(r);
		break;
	case EXABGP_MSG_UPDATE:
		for (i = 0; i < m->nwithdraw + m->nannounce && !r->overflow;
		    i++)
			recover_touch(r, &m->peer, i < m->nwithdraw ?
			    &m->withdraw[i] : &m->announce[i - m->nwithdraw]);
		break;
	default:
		break;
	}
}

/* a route of D */
static void
recover_route(struct recover *r)
{
	const struct addr	*peer = &r->line.peer;

	if (!r->line.unicast)
		return;
	if (!r->last_valid || !recover_addr_eq(&r->last_peer, peer)) {
		r->last_peer = *peer;
		r->last_ok = recover_has(&r->summary, peer) &&
		    !recover_has(&r->changed, peer);
		r->last_valid = 1;
	}
	if (!r->last_ok || r->overflow) {
		r->st.skipped++;
		return;
	}
	if (recover_find(&r->touched, peer, &r->msg.announce[0]) != NULL) {
		r->st.superseded++;
		return;
	}
	rib_apply(r->rib, &r->msg);
	r->st.routes++;
}

/* a header: A begins, or B ends D */
static void
recover_header(struct recover *r)
{
	switch (r->phase) {
	case RECOVER_P_SUMMARY:
		/* A then B: acks off and no route at all */
		r->have_summary = 1;
		if (r->overflow) {
			recover_abandon(r, "too many changes while waiting");
			break;
		}
		recover_finish(r, 1, "recovered");
		return;
	case RECOVER_P_DUMP:
		if (r->overflow) {
			recover_abandon(r, "too many changes while waiting");
			break;
		}
		if (r->acks && !r->dump_done) {
			recover_abandon(r, "answer incomplete: the routes "
			    "ended without 'done'");
			break;
		}
		recover_finish(r, 1, "recovered");
		return;
	default:
		break;
	}
	/* a new A */
	r->phase = RECOVER_P_SUMMARY;
	r->acks = 0;
	r->dump_done = 0;
	r->have_summary = 0;
	recover_set_free(&r->summary);
	r->last_valid = 0;
}

int
recover_text(struct recover *r, const char *buf, size_t len, char *err,
    size_t errlen)
{
	if (adjrib_parse(&r->line, &r->msg, buf, len, err, errlen) == -1) {
		if (recover_collecting(r) &&
		    (r->phase == RECOVER_P_SUMMARY ||
		    r->phase == RECOVER_P_DUMP))
			recover_abandon(r, "answer line refused: %s", err);
		return -1;
	}
	if (r->line.type == ADJRIB_EMPTY)
		return 0;
	r->st.lines++;
	if (r->phase == RECOVER_P_COMPLETE || !recover_collecting(r))
		return 0;	/* late or repeated answers */
	switch (r->line.type) {
	case ADJRIB_ERROR:
		recover_abandon(r, "ExaBGP answered 'error' (does it know "
		    "'show adj-rib in extensive'?)");
		break;
	case ADJRIB_DONE:
		if (r->phase == RECOVER_P_SUMMARY) {
			r->acks = 1;
			r->have_summary = 1;
			r->phase = RECOVER_P_DUMP;
		} else if (r->phase == RECOVER_P_DUMP && r->acks)
			r->dump_done = 1;
		break;
	case ADJRIB_HEADER:
		recover_header(r);
		break;
	case ADJRIB_PEER:
		if (r->phase != RECOVER_P_SUMMARY || !r->line.established)
			break;
		if (recover_add_peer(&r->summary, &r->line.peer) == -1)
			recover_abandon(r, "more than %d established peers",
			    RECOVER_MAX_PEERS);
		break;
	case ADJRIB_ROUTE:
		if (r->phase == RECOVER_P_SUMMARY && !r->acks) {
			/* acks off: the first route ends A */
			r->have_summary = 1;
			r->phase = RECOVER_P_DUMP;
		}
		if (r->phase != RECOVER_P_DUMP || r->dump_done) {
			r->st.skipped++;
			break;
		}
		recover_route(r);
		break;
	default:
		break;
	}
	return 0;
}

enum recover_state
recover_state(const struct recover *r)
{
	return r->state;
}

int
recover_ready(const struct recover *r)
{
	return r->state == RECOVER_OFF || r->state == RECOVER_DONE;
}

void
recover_stats(const struct recover *r, struct recover_stats *st)
{
	*st = r->st;
	st->state = r->state;
	st->detail = r->detail;
	st->touched = r->touched.count;
}
