/*
 * announce.h - bgpsd-announce: service state (svc.c), desired routes and
 * their ExaBGP lines (route.c), the host's own addresses (ifaddr.c), the
 * ExaBGP process protocol (exabgp.c), the status and metrics files
 * (status.c).
 *
 * Data flow: a check result (sched) -> svc_result() -> on a change of
 * svc_healthy() the service's port is added to / removed from the route of
 * each of its prefixes -> route_want_of() -> exabgp_set(), which compares
 * it with what was written as data -> one line per changed prefix after
 * the batch window (formatted there, once), at most one change per prefix
 * in flight.
 */
#ifndef BGPSD_ANNOUNCE_H
#define BGPSD_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "addr.h"
#include "check.h"
#include "community.h"
#include "conf.h"
#include "ev.h"

/* ---- svc.c: per-service state machine ---- */

enum svc_state {
	SVC_UNKNOWN,	/* no result yet; treated as down, never announced */
	SVC_DOWN,
	SVC_UP,
	SVC_STATE_MAX
};

/*
 * What a service's port is to the outside (on_change's OLD_STATE and
 * NEW_STATE, the status file): derived from the state, the disable files
 * and the drain, by svc_pub().
 */
enum svc_pub {
	SVC_PUB_DOWN,		/* not announced: no result yet, or failing */
	SVC_PUB_UP,		/* announced */
	SVC_PUB_DRAINING,	/* announced with the drain community */
	SVC_PUB_DISABLED,	/* a disable file, drain over: withdrawn */
	SVC_PUB_MAX
};

#define SVC_REASON_MAX	256

struct svc {
	const struct service_conf *conf;	/* into the current config */
	enum svc_state	 state;
	int		 ok_run;	/* consecutive successes */
	int		 fail_run;	/* consecutive failures */
	int		 drained;	/* a disable_file exists */
	int		 draining;	/* announced draining until drain_end */
	int		 stopping;	/* drain_on_stop: draining until exit */
	uint64_t	 drain_end;	/* monotonic ns */
	int		 healthy;	/* UP and not drained, or draining: in
					 * the routes */
	int		 weight;	/* announced: conf weight, lowered by
					 * what the last passing run reported */
	int		 reported;	/* that report, -1: none */
	int		 routed;	/* advert.c: port in its routes */
	uint64_t	 since;		/* monotonic ns of the last change */
	struct timespec	 since_wall;	/* the same, wall clock, for humans */
	/* last failure (kept while up, for the status file) */
	enum check_reason last_reason;
	char		 last_detail[SVC_REASON_MAX];
	int		 failed_once;
	uint64_t	 last_latency;	/* ns, last run */
	int		 last_ok;
	/* counters */
	uint64_t	 nchecks;
	uint64_t	 nfailures;
	uint64_t	 ntransitions;
};

void		 svc_init(struct svc *, const struct service_conf *,
		    uint64_t now);
/*
 * Feed one result. Returns 1 when svc->healthy changed (the routes must
 * follow), else 0. Logs state changes only. global_disable may be NULL.
 */
int		 svc_result(struct svc *, int ok, enum check_reason,
		    const char *detail, uint64_t latency, uint64_t now,
		    const char *global_disable);
/*
 * Re-read the disable files and end a drain whose time is over; returns 1
 * when healthy changed. A disable file that appears while the service is
 * up starts a drain of conf->drain_time (none: withdrawn at once); its
 * removal during the drain ends it (up again).
 */
int		 svc_drain_update(struct svc *, uint64_t now,
		    const char *global_disable);
/* drain_on_stop: an announced service is draining until the exit */
int		 svc_stop_drain(struct svc *);
/*
 * The weight a passing run reported (-1: none, back to the configured
 * one), capped by conf->weight. 1 when the announced weight changed.
 */
int		 svc_weight_update(struct svc *, int reported);
enum svc_pub	 svc_pub(const struct svc *);
const char	*svc_pub_name(enum svc_pub);
/* ns to the next run: fast_interval while rising or falling */
uint64_t	 svc_interval(const struct svc *);
int		 svc_rising(const struct svc *);
int		 svc_falling(const struct svc *);
const char	*svc_state_name(enum svc_state);
/* text of the last failure: the check's detail, else the reason */
const char	*svc_reason(const struct svc *);
/* same name, port and identical checks: its state survives a reload */
int		 svc_conf_same(const struct service_conf *,
		    const struct service_conf *);
/*
 * Build the svc array of a new config, carrying over the state of every
 * service of old that svc_conf_same() matches; the others start afresh.
 * Returns the number carried over.
 */
size_t		 svc_reload(struct svc *nsvc, const struct bgpsd_conf *nconf,
		    const struct svc *osvc, size_t nold, uint64_t now);

/* ---- route.c: desired route per prefix, its want and ExaBGP line ---- */

struct route_port {
	uint16_t	 port;
	uint16_t	 weight;	/* of its service; default 100 */
	uint8_t		 draining;
	uint32_t	 refs;		/* healthy services with this port */
};

/* whether the prefix's address is on this host (require_address) */
enum route_addr {
	ROUTE_ADDR_UNCHECKED,	/* require_address off: not looked at */
	ROUTE_ADDR_PRESENT,
	ROUTE_ADDR_ABSENT,	/* not on an up interface: withdrawn */
	ROUTE_ADDR_MAX
};

/*
 * The static part of a prefix's route, an own copy of what conf.c
 * validated at load (route_init takes it once per config): compared as
 * data, so that a reload that changes any of it re-announces.
 */
struct route_attrs {
	struct addr	 next_hop;	/* family 0: "self" */
	uint32_t	 asn;
	int		 large;		/* ports as ASN:0:port */
	struct route_attr attr;		/* med, local-pref, as-path, statics */
};

struct route {
	const struct prefix_conf *pc;	/* into the current config */
	struct route_attrs attrs;	/* of pc and its config */
	struct route_port *ports;	/* ascending */
	size_t		 nports;
	size_t		 cap;
	enum route_addr	 addr;		/* ABSENT: withdrawn, ports kept */
};

/*
 * What ExaBGP should have for one prefix: announced with these ports or
 * withdrawn. Self-contained (the config it came from may be freed);
 * formatted into its ExaBGP line only when the line is written.
 */
struct route_want {
	struct prefix	 prefix;
	int		 announce;	/* 0: withdraw, nports 0 */
	struct port_meta *ports;	/* ascending, unique; own copy */
	size_t		 nports;
	size_t		 cap;
	struct route_attrs attrs;
};

/* an empty route of pc (no ports, address unchecked) */
void		 route_init(struct route *, const struct bgpsd_conf *,
		    const struct prefix_conf *);
/* 1 when the set of ports changed, else 0 */
int		 route_port_add(struct route *, uint16_t);
int		 route_port_del(struct route *, uint16_t);
/* weight and drain of a port in the route; 1 when they changed */
int		 route_port_meta(struct route *, uint16_t, uint16_t weight,
		    int draining);
void		 route_clear(struct route *);
const char	*route_addr_name(enum route_addr);

/*
 * The want of a route: its ports, or a withdraw when it has none or its
 * address is absent. w starts zeroed or as a previous want (its ports
 * buffer is reused); route_want_free releases it.
 */
void		 route_want_of(struct route_want *w, const struct route *);
/* the same prefix withdrawn */
void		 route_want_withdraw(struct route_want *);
void		 route_want_copy(struct route_want *dst,
		    const struct route_want *);
void		 route_want_free(struct route_want *);
/* 1 when both give the same ExaBGP line */
int		 route_want_equal(const struct route_want *,
		    const struct route_want *);
/*
 * The line (no '\n'), caller frees:
 *   announce route P next-hop NH [local-preference N] [med N]
 *       [as-path [A B ...]] [community [...]] [large-community [...]]
 *   withdraw route P next-hop NH
 */
char		*route_want_fmt(const struct route_want *);

/* ---- ifaddr.c: the addresses on this host's interfaces ---- */

#define IFADDR_SETTLE	(50 * EV_MSEC)	/* re-read after a notification */
#define IFADDR_RESCAN	(5 * EV_NSEC)	/* periodic re-read */

struct ifaddr_set;
typedef void	(*ifaddr_cb)(void *arg);

/*
 * Read the set now. With a loop, watch it (rtnetlink notifications, a
 * settle timer, a periodic re-read) and call cb after every re-read that
 * changed it; without one (--once, tests), read once. Never NULL: a set
 * that cannot be read is empty and logged.
 */
struct ifaddr_set *ifaddr_new(struct ev_loop *, ifaddr_cb, void *arg);
void		 ifaddr_free(struct ifaddr_set *);
/* 1 when the address is configured on an interface that is up */
int		 ifaddr_has(const struct ifaddr_set *, const struct addr *);
/* re-read now: 1 the set changed, 0 it did not, -1 unreadable (kept) */
int		 ifaddr_refresh(struct ifaddr_set *);
size_t		 ifaddr_count(const struct ifaddr_set *);
int		 ifaddr_watching(const struct ifaddr_set *);	/* netlink on */
uint64_t	 ifaddr_reads(const struct ifaddr_set *);

/* ---- exabgp.c: the process API of ExaBGP ---- */

#define EXABGP_LINE_MAX	8192	/* longest line read from ExaBGP */

struct exabgp;

enum exabgp_gone {
	EXABGP_GONE_EOF,	/* stdin closed */
	EXABGP_GONE_SHUTDOWN,	/* "shutdown" read */
	EXABGP_GONE_EPIPE,	/* stdout closed */
	EXABGP_GONE_IOERR,
	EXABGP_GONE_MAX
};
/* ExaBGP is gone: the caller should exit 0 at once */
typedef void	(*exabgp_gone_cb)(enum exabgp_gone, void *arg);

struct exabgp_stats {
	uint64_t	 lines;		/* route lines queued for stdout */
	uint64_t	 done;		/* answers to route lines */
	uint64_t	 errors;
	uint64_t	 timeouts;	/* lines not answered within ack_timeout */
	uint64_t	 late;		/* of those, answered later */
	uint64_t	 unanswered;	/* lines ExaBGP never answered (re-sent) */
	uint64_t	 syncs;		/* "show neighbor summary" written */
	uint64_t	 stray;		/* answers to no line waiting for one */
	uint64_t	 neighbor;	/* neighbor lines read */
	uint64_t	 unknown;	/* lines read and ignored */
	size_t		 inflight;	/* route lines waiting for an answer */
	size_t		 outbuf;	/* bytes not yet written */
};

/* what bgpsd-announce writes to learn where ExaBGP stands (exabgp.c) */
#define EXABGP_SYNC_LINE	"show neighbor summary"

/*
 * in_fd/out_fd are made nonblocking (their old flags are restored by
 * exabgp_free). They must differ. exabgp_free logs, as one warning, the
 * lines still queued for stdout: they never reached ExaBGP.
 */
struct exabgp	*exabgp_new(struct ev_loop *, int in_fd, int out_fd,
		    exabgp_gone_cb, void *arg);
void		 exabgp_free(struct exabgp *);
void		 exabgp_configure(struct exabgp *, int ack, uint64_t batch_ns,
		    uint64_t ack_timeout_ns);
/*
 * The wanted state of a prefix (copied). Nothing is written when it
 * equals what was last written; else its line goes out when the batch
 * window closes and the prefix has no change in flight.
 */
void		 exabgp_set(struct exabgp *, const struct route_want *);
/* want every known prefix withdrawn, written at once */
void		 exabgp_withdraw_all(struct exabgp *);
/* write what is ready now instead of at the end of the batch window */
void		 exabgp_flush(struct exabgp *);
/* before exiting: also write the lines waiting behind an unanswered one */
void		 exabgp_flush_all(struct exabgp *);
/* nothing to write, nothing in flight, output buffer empty */
int		 exabgp_idle(const struct exabgp *);
/*
 * The state last handed over for a prefix (NULL: none); *acked: its done
 * came; *line (if line is not NULL): its text as written.
 */
const struct route_want *exabgp_current(const struct exabgp *,
		    const struct prefix *, int *acked, const char **line);
/* cb after a line was written or answered (e.g. to refresh the status) */
void		 exabgp_set_notify(struct exabgp *, void (*cb)(void *),
		    void *arg);
void		 exabgp_get_stats(const struct exabgp *, struct exabgp_stats *);
const char	*exabgp_gone_name(enum exabgp_gone);

/* ---- hook.c: on_change commands ---- */

#define HOOK_QUEUE_MAX	1024	/* changes waiting for their command */

struct hook;
struct hook_stats {
	uint64_t	 runs;		/* commands started */
	uint64_t	 failures;	/* exit not 0, signal, timeout, spawn */
	uint64_t	 dropped;	/* the queue was full */
};

struct hook	*hook_new(struct ev_loop *);
/* kills a command still running, drops the queue (both logged) */
void		 hook_free(struct hook *);
/* bgpsd.conf's user and group, as for exec checks; -1 (logged): unknown */
int		 hook_creds(struct hook *, const char *user, const char *group);
/*
 * Queue the on_change command of sc for old -> new (nothing without one,
 * or when old == new); it starts when the ones before it ended. 1 when
 * queued.
 */
int		 hook_change(struct hook *, const struct service_conf *,
		    enum svc_pub old, enum svc_pub new);
size_t		 hook_pending(const struct hook *);	/* running included */
void		 hook_get_stats(const struct hook *, struct hook_stats *);

/* ---- advert.c: service results -> state, routes, hooks ---- */

struct advert;
/* a route changed: hand the want of prefix pi to ExaBGP */
typedef void	(*advert_push_cb)(size_t pi, void *arg);

struct advert	*advert_new(struct ev_loop *, advert_push_cb, void *arg);
void		 advert_free(struct advert *);
/*
 * A new config is in force (svcs and routes are the caller's arrays for
 * it, routes empty): put every healthy service's port in its routes,
 * with its weight and drain, and re-arm the drain timer. No push.
 */
void		 advert_set(struct advert *, const struct bgpsd_conf *,
		    struct svc *, struct route *);
/*
 * One service run ended (sched's result, weight from sched_weight):
 * state, weight, drain, then the routes of its prefixes and its on_change.
 */
void		 advert_result(struct advert *, size_t svc, int ok,
		    enum check_reason, const char *detail, uint64_t latency,
		    int weight);
/*
 * SIGTERM with drain_on_stop: every announced port marked draining
 * (pushed; why is for the log). ns to wait before the withdraw; 0 when
 * drain_on_stop is off or no port is announced.
 */
uint64_t	 advert_stop_drain(struct advert *, const char *why);
struct hook	*advert_hook(struct advert *);

/* ==================================================================
 * The daemon: main.c, push.c, reload.c, signals.c, report.c, offline.c
 * ================================================================== */

#define ANNOUNCE_NAG_INTERVAL	(60 * EV_NSEC)	/* bad config reminder */
#define ANNOUNCE_QUIT_WAIT	(2 * EV_NSEC)	/* withdraw on SIGTERM */

struct sched;
struct statusfile;

struct announcer {
	struct ev_loop		*loop;
	const char		*conf_path;
	struct bgpsd_conf	*conf;		/* NULL: no valid config */
	struct svc		*svcs;		/* conf->nservices */
	struct route		*routes;	/* conf->announce.nprefixes */
	struct sched		*sched;
	struct exabgp		*x;
	struct ifaddr_set	*ifaddr;	/* this host's addresses */
	char			 conf_error[1024];
	struct ev_timer		 nag_timer;
	struct statusfile	*sf;
	struct ev_timer		 quit_timer;
	struct advert		*adv;		/* results -> routes, hooks */
	int			 stop_draining;	/* drain_on_stop running */
	int			 quitting;
	int			 done;
	int			 bad_argv;	/* no config can ever load */
	time_t			 started;
	uint64_t		 reloads;
	uint64_t		 reload_failures;
};

/* push.c: check results and the host's addresses move the routes */
/* the want of prefix pi to the exabgp layer (an advert_push_cb) */
void		 announce_push(size_t pi, void *announcer);
enum route_addr	 announce_addr_of(const struct ifaddr_set *,
		    const struct prefix_conf *);
void		 announce_addr_absent_log(const struct route *,
		    const char *when);
void		 announce_ifaddr_cb(void *announcer);
void		 announce_result_cb(size_t i, int ok, enum check_reason,
		    const char *detail, uint64_t latency, void *announcer);
uint64_t	 announce_interval_cb(size_t i, void *announcer);

/* reload.c: the configuration at start and on SIGHUP */
int		 announce_apply(struct announcer *, struct bgpsd_conf *);
void		 announce_nag_cb(void *announcer);
void		 announce_reload(struct announcer *);

/* signals.c: signals and ExaBGP going away */
void		 announce_quit_cb(void *announcer);
void		 announce_signal_cb(int signo, void *announcer);
void		 announce_gone_cb(enum exabgp_gone, void *announcer);

/* report.c: the status and metrics files (statusfile callbacks) */
char		*announce_status_json_cb(void *announcer);
char		*announce_status_metrics_cb(void *announcer);
/* something they show changed */
void		 announce_status_touch(struct announcer *);
void		 announce_exabgp_notify(void *announcer);

/* offline.c: --once and -n */
int		 announce_once(const char *path);
int		 announce_check(const char *path, int verbose);

/* ---- status.c: status file (JSON) and metrics file (Prometheus) ---- */

struct status_view {
	const struct bgpsd_conf	*conf;	/* NULL: no valid config */
	const struct svc	*svcs;
	const struct route	*routes;
	const struct exabgp	*exabgp;	/* may be NULL */
	const char		*conf_error;	/* set when conf is NULL */
	time_t			 started;
	uint64_t		 reloads;
	uint64_t		 reload_failures;
};

/* NUL-terminated text, caller frees; NULL on error (logged) */
char		*status_json(const struct status_view *);
char		*status_metrics(const struct status_view *);

#endif
