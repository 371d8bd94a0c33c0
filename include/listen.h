/*
 * listen.h - bgpsd-listen: the modules of src/listen.
 */
#ifndef BGPSD_LISTEN_H
#define BGPSD_LISTEN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "addr.h"
#include "conf.h"
#include "lines.h"

/* ==================================================================
 * Data: ExaBGP JSON decoding (exabgp_json.c), the table (rib.c), the
 * template context (context.c).
 * ================================================================== */

/*
 * exabgp_json.c - one line from ExaBGP (encoder json) into a plain
 * struct exabgp_msg. The line is decoded and validated completely
 * before anything is returned, so a caller never applies half a line.
 */
enum exabgp_msg_type {
	EXABGP_MSG_IGNORED,	/* open, keepalive, refresh, sent, unknown */
	EXABGP_MSG_STATE,	/* neighbor state change (peer, state) */
	EXABGP_MSG_UPDATE,	/* announce and/or withdraw (may be empty) */
	EXABGP_MSG_EOR,		/* End-of-RIB (peer, family) */
	EXABGP_MSG_SHUTDOWN,	/* our own ExaBGP is stopping */
	EXABGP_MSG_DONE,	/* plain "done": ack of a command */
	EXABGP_MSG_ERROR,	/* plain "error": a command was refused */
};

enum exabgp_state {
	EXABGP_STATE_CONNECTED,
	EXABGP_STATE_UP,
	EXABGP_STATE_DOWN,
};

enum exabgp_family {
	EXABGP_FAMILY_IPV4,	/* ipv4 unicast */
	EXABGP_FAMILY_IPV6,	/* ipv6 unicast */
	EXABGP_FAMILY_OTHER,	/* any other afi/safi (EOR only) */
};

/* a standard community: [asn, value] */
struct exabgp_community {
	uint16_t	asn;
	uint16_t	value;
};

/* a large community: [global, local1, local2] */
struct exabgp_large_community {
	uint32_t	global;
	uint32_t	local1;
	uint32_t	local2;
};

#define EXABGP_REASON_MAX	160	/* state "down" reason kept for logs */

/*
 * One decoded line. Arrays are owned by the message and reused by the
 * next exabgp_decode() on it: init once, decode many, free once.
 * The attributes of an update apply to every announced prefix (one BGP
 * UPDATE has one attribute set, whatever its next-hop groups).
 */
struct exabgp_msg {
	enum exabgp_msg_type	 type;
	int			 has_peer;	/* peer is valid */
	struct addr		 peer;		/* neighbor.address.peer */
	enum exabgp_state	 state;		/* EXABGP_MSG_STATE */
	char			 reason[EXABGP_REASON_MAX]; /* printable only */
	enum exabgp_family	 family;	/* EXABGP_MSG_EOR */
	struct prefix		*announce;	/* ipv4/ipv6 unicast only */
	struct addr		*next_hop;	/* of each announce; family 0:
						 * none ("no-nexthop") */
	size_t			 nannounce;
	struct prefix		*withdraw;
	size_t			 nwithdraw;
	struct exabgp_community	*communities;
	size_t			 ncommunities;
	struct exabgp_large_community *large;
	size_t			 nlarge;
	int64_t			 med;		/* -1: none */
	int64_t			 local_pref;	/* -1: none */
	/* capacities of the arrays above */
	size_t			 cap_announce, cap_next_hop, cap_withdraw;
	size_t			 cap_communities, cap_large;
};

void		 exabgp_msg_init(struct exabgp_msg *);
void		 exabgp_msg_free(struct exabgp_msg *);
/* forget the previous line's contents, keep the arrays for the next */
void		 exabgp_msg_reset(struct exabgp_msg *);
/* append to the message's lists, growing them (exabgp_json.c, adjrib.c) */
void		 exabgp_msg_add_route(struct exabgp_msg *,
		    const struct prefix *, const struct addr *);
void		 exabgp_msg_add_community(struct exabgp_msg *, uint16_t,
		    uint16_t);
void		 exabgp_msg_add_large(struct exabgp_msg *, uint32_t, uint32_t,
		    uint32_t);
/*
 * Decode one line of len bytes (no newline needed; trailing "\r\n" and
 * blanks are fine). JSON objects and the plain text lines "done" /
 * "error" are understood; an empty line is EXABGP_MSG_IGNORED.
 * Returns 0, or -1 with a short reason in err (the line is then to be
 * skipped whole; msg->type is EXABGP_MSG_IGNORED). The caller enforces
 * the maximum line length. Never logs.
 */
int		 exabgp_decode(struct exabgp_msg *, const char *, size_t,
		    char *err, size_t errlen);
/* the plain text part alone: "done", "error", "" (0), anything else -1 */
int		 exabgp_decode_text(struct exabgp_msg *, const char *, size_t,
		    char *err, size_t errlen);
const char	*exabgp_msg_type_name(enum exabgp_msg_type);
const char	*exabgp_state_name(enum exabgp_state);
const char	*exabgp_family_name(enum exabgp_family);

/*
 * jarena.c - jansson's allocations of one line from one block, reset
 * after the line (exabgp_decode uses it; nothing of the line may outlive
 * jarena_end). Process-wide, single-threaded. Outside begin/end, and
 * for what does not fit, plain malloc/free. BGPSD_JARENA=0 turns it off.
 */
struct jarena_stats {
	size_t		size;		/* bytes of the current block */
	size_t		used;		/* bytes handed out (this or last line) */
	size_t		peak;		/* most bytes one line used */
	long		live;		/* this line's allocations not freed */
	int		enabled;
	uint64_t	lines;		/* begin/end pairs completed */
	uint64_t	allocs;		/* allocations from the block */
	uint64_t	fallbacks;	/* did not fit: malloc */
	uint64_t	resizes;	/* block (re)allocated */
	uint64_t	leaks;		/* lines that ended with live != 0 */
	uint64_t	strays;		/* arena pointers freed after the line */
};

/* make jansson allocate through the arena (idempotent; reads the env) */
void		 jarena_install(void);
/* tests: on or off (off frees the block); ignored inside a line */
void		 jarena_enable(int);
/* before parsing a line of len bytes: 1 if the arena is in use */
int		 jarena_begin(size_t len);
/* after the line's last json value was freed: reset */
void		 jarena_end(void);
int		 jarena_owns(const void *);
void		 jarena_stats(struct jarena_stats *);

/*
 * rib.c - the table: one route per (peer, prefix), each with the
 * communities that can name a port, and the aggregate
 * (port, prefix) -> number of peers announcing it. Applying a message
 * is O(1) per prefix; sorted views are only built when asked.
 */
struct rib;

struct rib_conf {
	uint32_t	asn;		/* the communities' ASN */
	int		large;		/* ASN:0:port large communities */
	int		host_routes_only; /* ignore anything but /32, /128 */
	int64_t		max_routes;	/* per peer; <= 0: no limit */
	/*
	 * Accept filters, copied by rib_new/rib_reconf. NULL: accept all
	 * (n is then ignored); else only prefixes inside one of the
	 * networks, only peers whose address is inside one of them.
	 */
	const struct prefix *accept_prefixes;
	size_t		naccept_prefixes;
	const struct prefix *accept_peers;
	size_t		naccept_peers;
	/*
	 * Stale routes: a peer's stale_time is that of the first group
	 * whose match holds its address, else stale_time (0: its routes go
	 * when its session does). A session lost, or up again, makes the
	 * peer's routes stale: the preferred route is a fresh one, a stale
	 * route is fresh again when the peer sends it, and goes when it is
	 * withdrawn or stale_time after the session last changed (not at
	 * End-of-RIB). Copied like the filters.
	 */
	double		stale_time;
	const struct peer_group_conf *peer_groups;
	size_t		npeer_groups;
};

/* fill from the config: asn, large, listen.host_routes_only, max_routes,
 * listen.accept_prefixes, listen.accept_peers (pointers into conf) */
void		 rib_conf_from(struct rib_conf *, const struct bgpsd_conf *);

/*
 * A route the accept filters keep out is still stored (a reload that
 * widens the filters brings it in at once; it counts towards max_routes)
 * but is never a backend. The first time a (peer, prefix) naming a port
 * is ignored it is logged, once: at most RIB_LOGGED_MAX pairs are
 * remembered (then one line says logging stops); the record is emptied
 * when a reload changes the filters.
 */
#define RIB_LOGGED_MAX	1024

enum rib_ignore {
	RIB_IGNORE_PEER,	/* the peer is outside accept_peers */
	RIB_IGNORE_PREFIX,	/* the prefix is outside accept_prefixes */
};
const char	*rib_ignore_name(enum rib_ignore);	/* "peer", "prefix" */

enum rib_peer_state {
	RIB_PEER_IDLE,		/* known, no state message yet */
	RIB_PEER_CONNECTED,
	RIB_PEER_UP,
	RIB_PEER_DOWN,
};

/* a backend: a prefix announced with a port by >= 1 peer */
struct rib_backend {
	uint16_t	port;
	struct prefix	prefix;
	uint32_t	npeers;		/* peers announcing it with this port */
};

struct rib_peer_stat {
	struct addr		addr;
	enum rib_peer_state	state;
	size_t			routes;		/* routes stored and accepted */
	size_t			stale;		/* ... of them stale */
	double			stale_time;
	int			accepted;	/* passes accept_peers */
	size_t			ignored;	/* routes naming a port that the
						 * filters keep out (now) */
	enum rib_ignore		ignore_reason;	/* why: PEER unless accepted */
	uint64_t		refused;	/* announcements over max_routes */
	int			eor;		/* >= 1 EOR since last up */
	unsigned		eor_families;	/* bit (1 << exabgp_family) */
	uint64_t		ups;		/* times it came up */
};

struct rib	*rib_new(const struct rib_conf *);
void		 rib_free(struct rib *);
/*
 * New rules (SIGHUP). The aggregate is rebuilt from the stored routes,
 * so a new asn / large mode applies at once, and so do new accept
 * filters, both ways: narrower ones take stored routes out of the map,
 * wider ones bring stored ignored routes in. Turning host_routes_only
 * on drops stored non-host routes; turning it off only affects routes
 * announced from then on. Returns 1 if the port map changed.
 */
int		 rib_reconf(struct rib *, const struct rib_conf *);
/*
 * Apply a decoded message (STATE, UPDATE, EOR; other types are no-ops).
 * Withdraws first, then announces, like a BGP UPDATE. Returns 1 if the
 * port map changed, else 0.
 */
int		 rib_apply(struct rib *, const struct exabgp_msg *);
/*
 * Drop the stale routes whose stale_time ran out by now (monotonic ns);
 * 1 if the port map changed. rib_next_expiry: when that is next due (0:
 * nothing is stale).
 */
int		 rib_expire(struct rib *, uint64_t now);
uint64_t	 rib_next_expiry(const struct rib *);
/*
 * A peer that was up, with its whole table sent, before we started
 * (recover.c): up and End-of-RIB received, its routes kept.
 */
void		 rib_restore_peer(struct rib *, const struct addr *);
/* all peers down (our ExaBGP stops): drop every route. 1 if changed */
int		 rib_clear(struct rib *);
/* incremented on every change of the port map (skip re-renders) */
uint64_t	 rib_generation(const struct rib *);
/*
 * End-of-RIB gating for the first render: 1 when at least one peer is
 * up and every peer that is up has sent at least one EOR since it last
 * came up (ExaBGP sends its whole table, then one EOR per family).
 * Peers outside accept_peers do not count: their routes are ignored.
 */
int		 rib_all_eor(const struct rib *);
size_t		 rib_peers_up(const struct rib *);	/* accepted ones */
/* backends (prefixes) announced with port, O(1) */
size_t		 rib_port_backends(const struct rib *, uint16_t port);
size_t		 rib_nroutes(const struct rib *);	/* accepted, all peers */
size_t		 rib_nignored(const struct rib *);	/* ignored, naming a port */
size_t		 rib_nstale(const struct rib *);	/* stale, all peers */
size_t		 rib_nbackends(const struct rib *);	/* (port, prefix) pairs */

/*
 * A view of the backends for one render: every port with backends,
 * ascending, and each port's destinations in prefix order (IPv4 first,
 * then numeric address). Built in one pass over the table; it points
 * into the table, so it is read before the table changes again (a render
 * is synchronous) and freed after.
 */
struct rib_dest;
struct rib_view {
	struct rib		 *rib;
	uint16_t		 *ports;
	size_t			  nports;
	uint32_t		 *start;	/* [nports + 1]: into dests */
	const struct rib_dest	**dests;
};
#define RIB_VIEW_NONE		((size_t)-1)
#define RIB_VIEW_COUNT(v, pi)	((size_t)((v)->start[(pi) + 1] - \
				    (v)->start[(pi)]))

void		 rib_view(struct rib *, struct rib_view *);
void		 rib_view_free(struct rib_view *);
/* the index of port in the view, RIB_VIEW_NONE if it has no backend */
size_t		 rib_view_port(const struct rib_view *, uint16_t port);

/* what travels with a backend, from its preferred route (merge rule) */
struct rib_backend_info {
	const struct prefix	*prefix;
	const struct addr	*peer;
	const struct addr	*next_hop;	/* family 0: none */
	int64_t			 med;		/* -1: none */
	int64_t			 local_pref;	/* -1: none */
	uint16_t		 weight;
	int			 draining;
	int			 stale;
	uint32_t		 npeers;	/* routes announcing it */
	/* for the tags: the route's other communities */
	const void		*attr;
	uint32_t		 asn;
	int			 large;
};
/* backend i of the view's port index pi: its prefix alone, or all */
/* a walk over port pi's backends is at i: bring the next ones in */
void		 rib_view_prefetch(const struct rib_view *, size_t pi, size_t i);
const struct prefix *rib_view_prefix(const struct rib_view *, size_t pi,
		    size_t i);
void		 rib_view_backend(const struct rib_view *, size_t pi,
		    size_t i, struct rib_backend_info *);
/*
 * The tags of a backend: the communities of its route that are not
 * bgpsd's (ports, weights, drains of our ASN), standard first, as text
 * "A:B" or "A:B:C"; rib_backend_tag writes the t-th into buf.
 */
size_t		 rib_backend_ntags(const struct rib_backend_info *);
void		 rib_backend_tag(const struct rib_backend_info *, size_t t,
		    char *buf, size_t len);

/* backends sorted by port, then family and numeric address; free() */
size_t		 rib_backends(struct rib *, struct rib_backend **);
/*
 * Peers sorted by address; free(). A peer whose session went down is
 * gone: its routes and its record are dropped at once.
 */
size_t		 rib_peers(const struct rib *, struct rib_peer_stat **);
const char	*rib_peer_state_name(enum rib_peer_state);

/*
 * context.c - what templates are rendered against, read through a view
 * of the table (no tree is built for a render). The schema, as JSON:
 * { "services": [ { "name", "port", "count", "backends": [ { "ip",
 *   "prefix", "family", "index", "first", "last", "host", "ipv4",
 *   "ipv6", "weight", "draining", "peer", "next_hop", "med",
 *   "local_pref", "tags": [ "A:B", "A:B:C" ] } ] } ],
 *   "by_name": { NAME: service }, "by_port": { "PORT": service } }
 * Services by port; backends IPv4 first, then numeric address. Names
 * from the services catalogue (conf may be NULL), else "port_<N>";
 * catalogued services without backends appear with count 0. Only
 * inet_ntop text, our own names and integers reach it.
 */
struct context {
	struct rib_view		 view;
	const struct bgpsd_conf	*conf;
	uint16_t		*ports;		/* catalogue and table, sorted */
	size_t			 nports;
	size_t			*vidx;		/* view port index or NONE */
};

/* valid until the table changes; context_close() before that */
void		 context_open(struct context *, struct rib *,
		    const struct bgpsd_conf *);
void		 context_close(struct context *);
/* backends of a port; backends of all ports (one per port and prefix) */
size_t		 context_count(const struct context *, uint16_t);
size_t		 context_total(const struct context *);
/* the name of the service of c->ports[s], the catalogue's or "port_N",
 * written into buf (returned) */
const char	*context_service_name(const struct context *, size_t s,
		    char *buf, size_t len);
/* the root map, for tmpl_render_view() */
struct tmpl_value;
void		 context_root(const struct context *, struct tmpl_value *);
/* the same data as a JSON tree (--dump, --render, tests) */
json_t		*context_json(const struct context *);
json_t		*context_build(struct rib *, const struct bgpsd_conf *);
/* { "PORT": [ "ip", ... ] }, ports without backends omitted */
json_t		*context_map(struct rib *);
/* JSON text of a context or map, two-space indent, newline; free() */
char		*context_dump(const json_t *);

/* ==================================================================
 * (end of the data section, owned by exabgp_json.c/rib.c/context.c)
 * ================================================================== */

/* ==================================================================
 * Output: mustache, render, write, reload, main (listen-out's section)
 * ================================================================== */

#include <sys/types.h>

struct ev_loop;

/* who checks and commands run as (bgpsd.conf user/group, when root) */
struct run_as {
	uid_t		 uid;
	gid_t		 gid;
	int		 drop;
};

/*
 * writer.c - put one rendered template in place: compare, stage beside
 * the destination, fsync, check, backup, rename, fsync the directory.
 */
enum writer_result {
	WRITER_UNCHANGED,	/* same bytes as the destination: untouched */
	WRITER_WRITTEN,		/* renamed over the destination */
	WRITER_REFUSED,		/* min_backends not met: old file kept */
	WRITER_CHECK_FAILED,	/* check command failed: old file kept */
	WRITER_ERROR,		/* I/O error (ENOSPC, EROFS, ...): old kept */
	WRITER_CANCELLED,	/* writer_cancel() while the check ran */
	WRITER_PENDING,		/* check running: the callback follows */
};

struct writer;
typedef void	(*writer_done_cb)(enum writer_result, void *arg);

const char	*writer_result_name(enum writer_result);
struct writer	*writer_new(struct ev_loop *, const struct run_as *);
void		 writer_free(struct writer *);
/*
 * Write buf to tc->destination unless it already holds these bytes,
 * owned by owner (NULL or CREDS_KEEP_*: as created). Returns the result,
 * or WRITER_PENDING when tc has a check command: cb then runs once from
 * the loop. One write at a time per writer. Errors are logged here.
 */
struct creds;
enum writer_result writer_write(struct writer *, const struct template_conf *,
		    const struct creds *owner, const char *buf, size_t len,
		    writer_done_cb, void *arg);
/* stop a pending write: kill the check, remove the staged file, no cb */
void		 writer_cancel(struct writer *);
/* human text of the last outcome ("check exit 1: <first line>", ...) */
const char	*writer_detail(const struct writer *);
/* the staged path of a pending write ("" otherwise) */
const char	*writer_staged_path(const struct writer *);
/* remove staged files left beside dest by a killed run; how many */
int		 writer_sweep(const char *dest);

/* commands.c - after a pass, each distinct command once, in order */
struct commands;
typedef void	(*commands_done_cb)(int nfailed, void *arg);

struct commands	*commands_new(struct ev_loop *, const struct run_as *);
void		 commands_free(struct commands *);
/*
 * Queue cmd (argv NULL: ignored) with its %s and %% expanded (path: the
 * destination written); identical expanded argv+shell merged, max timeout.
 */
void		 commands_add(struct commands *, const struct cmd_conf *,
		    double timeout, const char *path);
/*
 * One word of a check or command: "%s" becomes path (single-quoted for
 * /bin/sh when shell), "%%" a literal "%", any other "%" stays. Caller
 * frees.
 */
char		*commands_expand(const char *, const char *path, int shell);
size_t		 commands_count(const struct commands *);
/*
 * Run the queue one after the other (a reload must not race another).
 * 0: started, cb runs once when all are done (from the loop; only when
 * no command could even be spawned, before this returns); 1: queue
 * empty, nothing to do (no cb). The queue is emptied either way.
 */
int		 commands_start(struct commands *, commands_done_cb, void *arg);
/* kill the running one, drop the rest, no cb */
void		 commands_cancel(struct commands *);
/* "exit 0", "exit 1", "timeout" ... of the last finished command, or "" */
const char	*commands_last_result(const struct commands *);
/* each line of a child's output to the log as "who: line" (warn: info) */
void		 commands_log_output(const char *who, const char *out,
		    int warn);

/*
 * render.c - one render pass: every template against one context, each
 * result through the writer, then the commands of the written files
 * (and of files whose command failed before: a reload is retried until
 * it succeeds once).
 */
struct render;
typedef void	(*render_done_cb)(int nfailed, void *arg);

struct render_status {
	const char		*source;
	const char		*destination;
	enum writer_result	 result;	/* of the last pass */
	char			 detail[256];
	int64_t			 when;		/* unix time of that pass */
	int			 command_pending;
	/* ports with backends when the file was last written (or found
	 * unchanged): min_backends guards them even if not catalogued */
	uint16_t		*ports;
	size_t			 nports;
	size_t			 bytes;		/* of the last text made */
};

struct render	*render_new(struct ev_loop *, const struct run_as *);
void		 render_free(struct render *);
/*
 * Compile every template of conf (sizes up to listen.max_template).
 * On any error nothing changes (the previous set stays), -1 is returned
 * and every error is logged. conf must outlive the render or the next
 * render_load(); not while render_busy().
 */
int		 render_load(struct render *, const struct bgpsd_conf *);
/*
 * After a reload: carry the last results and pending commands over, per
 * destination, so that a reload command that failed is still retried.
 */
void		 render_inherit(struct render *to, const struct render *from);
/*
 * One template as the daemon loads it: owner and group resolved, the
 * source (with its partials) read and compiled. -1 with "file:line:
 * template ..." in err (the config line of the template).
 */
struct tmpl;
struct tmpl_opts;
int		 render_template_open(const struct template_conf *,
		    const struct tmpl_opts *, struct tmpl **, struct creds *,
		    char *err, size_t errlen);
size_t		 render_count(const struct render *);
const struct render_status *render_status(const struct render *, size_t);
/*
 * For a context given as JSON (--render --data): add to every backend
 * what the live context has and the file may lack: "host" (the IP, IPv6
 * in brackets for "host:port"), "ipv4" and "ipv6" booleans. Idempotent.
 */
void		 render_decorate(json_t *ctx);
/*
 * Render, write and reload. Every text is made from ctx before
 * render_pass returns (ctx may be closed then); the files are written one
 * after the other. cb runs exactly once with the number of templates and
 * commands that failed, from the loop or, when nothing had to wait,
 * before render_pass returns. One pass at a time.
 */
void		 render_pass(struct render *, const struct context *ctx,
		    render_done_cb, void *arg);
/* the last pass: seconds spent making the texts, their total bytes */
void		 render_last(const struct render *, double *, size_t *);
int		 render_busy(const struct render *);
/* stop the pass: kill a check or command, remove staged files, no cb */
void		 render_cancel(struct render *);
const char	*render_commands_result(const struct render *);
/*
 * min_backends: is a service short of min backends in ctx? Guarded are
 * every catalogued service of conf, every port of last[] (those the file
 * was last written with, catalogued or not), and the table as a whole: no
 * backend at all is short too ("(all services)", port 0). Returns 1 and
 * the first short one in *sh, else 0. min <= 0 guards nothing.
 */
struct render_short {
	char		 name[CONF_NAME_MAX + 16];
	uint16_t	 port;
	long long	 count;
};
int		 render_short(const struct bgpsd_conf *, const struct context *,
		    int min, const uint16_t *last, size_t nlast,
		    struct render_short *);

/*
 * haproxy.c - changes of weights and drain states alone through haproxy's
 * runtime API (the template's haproxy_socket), not a reload. A snapshot
 * holds, per server of a rendered file, its name as haproxy knows it
 * ("be_SERVICE/IP"), its weight (0 while draining), its drain state and
 * the rest a template may print; two snapshots give the commands.
 */
#define HAPROXY_WEIGHT_MAX	256	/* haproxy's own limit */
#define HAPROXY_LINE_MAX	4096	/* one connection's commands */

struct haproxy_server {
	char		*name;		/* "be_SERVICE/IP" */
	char		*rest;		/* port, prefix, peer, ... tags */
	uint16_t	 weight;
	int		 draining;
};

struct haproxy_snap {
	struct haproxy_server	*srv;
	size_t			 n, cap;
	int			 valid;	/* taken (even empty) */
};

enum haproxy_diff {
	HAPROXY_SAME,		/* no weight, drain or other change */
	HAPROXY_RUNTIME,	/* only weights and drain states changed */
	HAPROXY_RELOAD,		/* anything else, or no old snapshot */
};

/* lines of commands joined by ';', each ending in "\n" */
struct haproxy_cmds {
	char		**lines;
	size_t		 nlines;
	size_t		 nservers;	/* servers they change */
};

void		 haproxy_snap_take(struct haproxy_snap *,
		    const struct context *);
/* one server by hand (the tests); rest: everything but weight and drain */
void		 haproxy_snap_add(struct haproxy_snap *, const char *backend,
		    const char *server, uint16_t weight, int draining,
		    const char *rest);
void		 haproxy_snap_free(struct haproxy_snap *);
void		 haproxy_snap_move(struct haproxy_snap *to,
		    struct haproxy_snap *from);
enum haproxy_diff haproxy_diff(const struct haproxy_snap *old,
		    const struct haproxy_snap *new);
const char	*haproxy_diff_name(enum haproxy_diff);
/* the commands from old to new when the diff is RUNTIME; servers changed */
size_t		 haproxy_commands(const struct haproxy_snap *old,
		    const struct haproxy_snap *new, struct haproxy_cmds *);
void		 haproxy_cmds_free(struct haproxy_cmds *);
/* an answer of haproxy: 0 if only blank lines, else -1, its first line */
int		 haproxy_reply_ok(const char *, size_t, char *err,
		    size_t errlen);

enum haproxy_result {
	HAPROXY_OK,
	HAPROXY_CONNECT,	/* no socket, nobody listening, backlog full */
	HAPROXY_IO,		/* read or write failed */
	HAPROXY_TIMEOUT,	/* not answered within the timeout */
	HAPROXY_REFUSED,	/* haproxy answered an error */
};
const char	*haproxy_result_name(enum haproxy_result);

struct haproxy_client;
typedef void	(*haproxy_done_cb)(enum haproxy_result, const char *detail,
		    void *arg);
struct haproxy_client *haproxy_client_new(struct ev_loop *);
void		 haproxy_client_free(struct haproxy_client *);
/*
 * Send every line of cmds (taken over, emptied) to the socket at path,
 * one connection per line, in order, stopping at the first failure, all
 * within timeout seconds. cb runs once, always from the loop.
 */
void		 haproxy_send(struct haproxy_client *, const char *path,
		    struct haproxy_cmds *, double timeout, haproxy_done_cb,
		    void *arg);
int		 haproxy_busy(const struct haproxy_client *);
/* close, drop the rest, no cb */
void		 haproxy_cancel(struct haproxy_client *);

/* ==================================================================
 * Recovery at start: adjrib.c, recover.c
 * ================================================================== */

/*
 * adjrib.c - one plain-text line of ExaBGP's answers to "show neighbor
 * summary" and "show adj-rib in extensive". Untrusted input: understood
 * whole or refused whole. Never logs.
 */
enum adjrib_type {
	ADJRIB_EMPTY,		/* blank line */
	ADJRIB_DONE,		/* "done" */
	ADJRIB_ERROR,		/* "error" */
	ADJRIB_HEADER,		/* "Peer AS up/down state | #sent #recvd" */
	ADJRIB_PEER,		/* a summary line */
	ADJRIB_ROUTE,		/* a route of a neighbor's Adj-RIB-In */
};

struct adjrib_line {
	enum adjrib_type	 type;
	struct addr		 peer;		/* PEER, ROUTE */
	int			 established;	/* PEER: state established */
	int			 unicast;	/* ROUTE: ipv4/ipv6 unicast */
};

/*
 * Parse one line (no newline needed). For a unicast ROUTE, msg becomes
 * an EXABGP_MSG_UPDATE announcing the one prefix with its communities,
 * as rib_apply() takes it; otherwise msg is EXABGP_MSG_IGNORED. msg is
 * reused as exabgp_decode() reuses it. Returns 0, or -1 with a short
 * reason in err (printable: no input bytes are quoted).
 */
int		 adjrib_parse(struct adjrib_line *, struct exabgp_msg *,
		    const char *, size_t, char *err, size_t errlen);
const char	*adjrib_type_name(enum adjrib_type);

/*
 * recover.c - the routes ExaBGP already holds when we start (a respawn
 * with the sessions up): RECOVER_REQUEST is written to ExaBGP, the
 * answers (recover_text) and the JSON (recover_live) are read as they
 * come, and the table is whole when recover_state() is RECOVER_DONE.
 * See recover.c for what ExaBGP does and why it is read this way.
 */
#define RECOVER_REQUEST	"show neighbor summary\n" \
			"show adj-rib in extensive\n" \
			"show neighbor summary\n"
#define RECOVER_MAX_PEERS	65536	/* established peers in one answer */
#define RECOVER_DETAIL_MAX	160

enum recover_state {
	RECOVER_OFF,		/* not asked (disabled, or not started) */
	RECOVER_PENDING,	/* asked, the answer is not complete */
	RECOVER_DONE,		/* the table is whole */
	RECOVER_FAILED,		/* no usable answer (yet): render nothing */
};

struct recover_stats {
	enum recover_state	 state;
	const char		*detail;	/* why failed; how done */
	unsigned		 attempts;	/* requests sent */
	size_t			 peers;		/* restored: up, End-of-RIB */
	uint64_t		 routes;	/* of the answer, applied */
	uint64_t		 superseded;	/* older than the JSON: skipped */
	uint64_t		 skipped;	/* of peers not established */
	uint64_t		 lines;		/* answer lines read */
	size_t			 touched;	/* (peer, prefix) the JSON changed */
};

/*
 * max_touched bounds what is remembered of the JSON while the answer is
 * awaited (listen.max_routes): beyond it the recovery fails for good.
 */
struct recover	*recover_new(struct rib *, size_t max_touched);
void		 recover_free(struct recover *);
/* the request was (re)sent: PENDING (no-op once DONE) */
void		 recover_begin(struct recover *);
/* no answer in time (main's timer): PENDING -> FAILED */
void		 recover_fail(struct recover *, const char *reason);
/* give up (recovery turned off): OFF, answers are ignored from now */
void		 recover_cancel(struct recover *, const char *why);
/*
 * A decoded JSON message (STATE, UPDATE) that is applied to the table:
 * it wins over the answer for what it touches. Call for every one.
 */
void		 recover_live(struct recover *, const struct exabgp_msg *);
/*
 * A line that is not JSON: an answer line is consumed (0; while the
 * answer is awaited its routes go to the table and the state may
 * change; otherwise it is only counted), anything else is -1 with err.
 * An unreadable line inside the answer also makes the recovery fail.
 */
int		 recover_text(struct recover *, const char *, size_t,
		    char *err, size_t errlen);
enum recover_state recover_state(const struct recover *);
/* OFF or DONE: rendering may go on */
int		 recover_ready(const struct recover *);
void		 recover_stats(const struct recover *, struct recover_stats *);
const char	*recover_state_name(enum recover_state);


/* ==================================================================
 * The daemon: main.c, input.c, pace.c, report.c, reload.c, offline.c
 * ================================================================== */

#include "child.h"
#include "ev.h"

struct outq;
struct statusfile;

struct listend {
	struct ev_loop		*loop;
	const char		*conf_path;
	struct bgpsd_conf	*conf;		/* &defconf while none */
	struct bgpsd_conf	 defconf;
	struct run_as		 run_as;
	struct rib		*rib;
	struct exabgp_msg	 msg;
	struct render		*render;
	struct statusfile	*sf;
	struct child_nag	 nag;		/* no config, bad command line */
	int			 once;

	/* stdin (input.c) */
	struct lines		 in;
	int			 eof;
	int			 shutdown;	/* our ExaBGP said so */
	uint64_t		 nbad;

	/* when to render (pace.c) */
	struct ev_timer		 timer;
	struct ev_timer		 later;		/* deferred to the loop */
	struct ev_timer		 stale_timer;	/* next stale route to go */
	uint64_t		 start;
	uint64_t		 first_change;
	int			 dirty;
	int			 first_done;
	int			 force_next;
	uint64_t		 pass_gen;
	uint64_t		 rendered_gen;

	/* what a signal asked for while a pass ran */
	int			 reload_pending;
	int			 exiting;
	int			 bad_argv;	/* no config can ever load */

	/* table recovery at start (recover.c) */
	struct recover		*rec;
	struct ev_timer		 rec_timer;	/* answer silent too long */
	uint64_t		 rec_start;
	struct outq		*out;		/* stdout: commands to ExaBGP */

	/* results for the status file (report.c) */
	uint64_t		 passes, pass_failures;
	int64_t			 last_pass;
	int64_t			 last_reload;
	const char		*reload_result;	/* "ok", "failed" */
	int			 last_failed;
};

/* input.c: what ExaBGP writes us, and the recovery request */
void		 input_init(struct listend *);
void		 input_free(struct listend *);
/* stdin and stdout nonblocking and on the loop; -1 logged */
int		 input_start(struct listend *);
/* ExaBGP is gone: stop reading, exit once a running pass is done */
void		 input_gone(struct listend *);
/* ask ExaBGP for the routes it holds (at start, and to retry) */
void		 input_recover_ask(struct listend *);

/* pace.c: when to render */
void		 pace_init(struct listend *);
/* (re)arm the timer of the next stale route to expire, after a change */
void		 pace_stale_arm(struct listend *);
uint64_t	 pace_ns(double seconds);
/* the table changed: render after the quiet time */
void		 pace_mark(struct listend *);
/* render now if the gates are open (force: even if unchanged) */
void		 pace_render(struct listend *, int force);

/* report.c: the status and metrics files (statusfile callbacks) */
char		*report_status(void *listend);
char		*report_metrics(void *listend);
/* something they show changed */
void		 report_touch(struct listend *);

/* reload.c: the configuration */
void		 reload_defaults(struct bgpsd_conf *);
/* plain: -n prints "file:line: message" alone; else it is logged */
struct bgpsd_conf *reload_load_conf(const char *path, int plain);
int		 reload_run_as(const struct bgpsd_conf *, struct run_as *,
		    int plain);
void		 reload_rib_conf(struct listend *);
/*
 * SIGHUP: the new configuration, or the running one kept. Returns 1 when
 * the new one is in place (the caller renders with it: pace_render), 0
 * when the old one is kept or the reload waits for the running pass.
 */
int		 reload_config(struct listend *);

/* offline.c: -n, --once, --render */
int		 offline_check(const struct bgpsd_conf *, int verbose);
int		 offline_once(struct listend *, int dump);
int		 offline_render(struct listend *, const char *path,
		    const char *data, int html_escape);

#endif
