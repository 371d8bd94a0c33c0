/*
 * conf.h - bgpsd.conf(5): the one config file both programs read.
 * Parsed once into these plain structs and validated there (conf.c);
 * printed back in canonical form by conf_print() (printconf.h).
 *
 * Durations are double seconds. Strings are owned (freed by conf_free).
 * Every struct records the config line it came from for later messages.
 */
#ifndef BGPSD_CONF_H
#define BGPSD_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "addr.h"
#include "community.h"

#define CONF_DEFAULT_ASN	12345
#define CONF_NAME_MAX		63	/* service names: [A-Za-z0-9_.-]+ */
#define CONF_MAX_SERVICES	65535
#define CONF_MAX_CHECKS		16	/* per service */
#define CONF_MAX_STATUS		16	/* http status ranges per check */
#define CONF_MAX_ATTR		32	/* as_path / static communities */
#define CONF_MAX_ACCEPT		65536	/* accept_prefixes, accept_peers */
#define CONF_MAX_PEER_GROUPS	256	/* listen.peers */
/* service weight: haproxy's range; checks may report 0..weight */
#define CONF_WEIGHT_DEFAULT	100	/* = COMMUNITY_WEIGHT_DEFAULT */
#define CONF_WEIGHT_MAX		256
#define CONF_DRAIN_TIME_MAX	3600
#define CONF_DRAIN_ON_STOP_MAX	300
/* BGP message size limits: RFC 4271, and RFC 8654 extended messages */
#define CONF_BGP_MSG_MAX	4096
#define CONF_BGP_MSG_EXT_MAX	65535

#ifndef BGPSD_SYSCONFDIR
#define BGPSD_SYSCONFDIR	"/usr/local/etc"
#endif
#ifndef BGPSD_CHECKSDIR
#define BGPSD_CHECKSDIR		"/usr/local/libexec/bgpsd/checks"
#endif
#define CONF_DEFAULT_PATH	BGPSD_SYSCONFDIR "/bgpsd/bgpsd.conf"

enum check_type {
	CHECK_TCP,
	CHECK_HTTP,
	CHECK_EXEC,
};

struct status_range {
	uint16_t	lo, hi;
};

struct check_conf {
	enum check_type	 type;
	int		 line;
	double		 timeout;	/* resolved: check, service, announce */
	/* tcp */
	struct addr	 host;		/* default 127.0.0.1 (::1 v6-only svc) */
	int		 host_set;
	uint16_t	 port;		/* resolved: default the service port */
	char		*send;		/* optional, C escapes \r \n \t \\ done */
	char		*expect;	/* optional substring of the banner */
	/* http */
	char		*url;
	char		*host_header;	/* key "host" in an http check */
	char		*body;		/* optional substring */
	int		 tls_verify;	/* default 1 */
	struct status_range *status;	/* nstatus (<= CONF_MAX_STATUS), http
					 * only: not 64 bytes in every check */
	size_t		 nstatus;	/* default one range 200-399 */
	/* exec */
	char		**argv;		/* NULL-terminated; argv[0] no '/' =
					 * BGPSD_CHECKSDIR then PATH */
	size_t		 argc;
	int		 shell;		/* argv[0] is a /bin/sh -c string */
};

struct timing_conf {
	double		interval;	/* 2 */
	double		fast_interval;	/* 1 */
	double		timeout;	/* 1 (exec checks: exec_timeout, 2) */
	double		exec_timeout;	/* 2 */
	int		rise;		/* 3 */
	int		fall;		/* 3 */
};

struct cmd_conf {
	char		**argv;		/* NULL-terminated; NULL = none */
	int		 shell;		/* given as a string: /bin/sh -c */
};

struct service_conf {
	char		*name;
	uint16_t	 port;
	int		 line;
	struct check_conf *checks;
	size_t		 nchecks;	/* 0 = catalogue entry only */
	struct timing_conf timing;	/* resolved with announce defaults */
	char		*disable_file;	/* optional */
	size_t		*prefixes;	/* indices into announce.prefixes */
	size_t		 nprefixes;	/* resolved: own list, else every
					 * listed announce prefix */
	int		 own_prefixes;	/* had a "prefixes" key */
	int		 weight;	/* 1..CONF_WEIGHT_MAX, default
					 * CONF_WEIGHT_DEFAULT; checks may
					 * lower it, never raise it */
	double		 drain_time;	/* 0: withdrawn at once when drained */
	struct cmd_conf	 on_change;	/* argv NULL: none */
	double		 on_change_timeout;	/* 10 */
};

/* per-prefix route attributes; defaults come from the announce section */
struct route_attr {
	int64_t		 med;		/* -1: none */
	int64_t		 local_pref;	/* -1: none */
	uint32_t	 as_path[CONF_MAX_ATTR];
	size_t		 nas_path;
	uint32_t	 communities[CONF_MAX_ATTR];	/* A << 16 | B */
	size_t		 ncommunities;
	struct large_community large_communities[CONF_MAX_ATTR];
	size_t		 nlarge_communities;
};

struct prefix_conf {
	struct prefix	 prefix;	/* always a host route */
	int		 line;
	char		*next_hop;	/* resolved: "self" or an address */
	struct route_attr attr;
	int		 extended_messages;	/* UPDATE limit 65535, not 4096 */
	int		 require_address;	/* announced only while the
						 * address is on an up local
						 * interface */
	int		 listed;	/* in announce.prefixes (the default
					 * set of services without their own
					 * "prefixes"); 0 = added by a
					 * service's own list */
};

struct announce_conf {
	int		 present;
	struct prefix_conf *prefixes;
	size_t		 nprefixes;
	char		*next_hop_ipv4;	/* "self" */
	char		*next_hop_ipv6;	/* "self" */
	struct route_attr attr;		/* defaults for every prefix */
	int		 extended_messages;	/* default 0, every prefix */
	int		 require_address;	/* default 1, every prefix */
	struct timing_conf timing;	/* defaults for every service */
	double		 batch;		/* 0.05 */
	int		 ack;		/* 1 */
	double		 ack_timeout;	/* 5 */
	int		 splay;		/* 1 */
	int		 max_concurrent;	/* 1024 */
	char		*disable_file;
	char		*status_file;
	char		*metrics_file;
	double		 status_interval;	/* 1 */
	double		 drain_on_stop;	/* SIGTERM: seconds every port is
					 * announced draining before the
					 * withdraw; 0 = withdraw at once */
};

struct template_conf {
	char		*file;		/* the config file that holds it */
	int		 line;
	char		*source;	/* the file read: a relative source is
					 * relative to the directory of file */
	char		*source_given;	/* as written, for conf_print */
	char		*destination;
	mode_t		 perms;		/* 0644 */
	char		*owner;		/* optional */
	char		*group;		/* optional */
	int		 backup;	/* keep destination.bak */
	struct cmd_conf	 check;		/* "%s" / $BGPSD_STAGED = staged file */
	struct cmd_conf	 command;
	double		 command_timeout;	/* 30 */
	int		 min_backends;	/* 0 */
	int		 html_escape;	/* default: listen.html_escape */
	/*
	 * haproxy's admin socket (optional): changes of weights and drain
	 * states alone reach haproxy through its runtime API, no reload
	 */
	char		*haproxy_socket;
};
/* sizeof(sockaddr_un.sun_path) on Linux */
#define CONF_SOCKET_PATH_MAX	108

/* listen.peers: settings of the peers whose address lies in match */
struct peer_group_conf {
	int		 line;
	struct prefix	*match;		/* networks or addresses */
	size_t		 nmatch;
	double		 stale_time;	/* default listen.stale_time */
};

struct listen_conf {
	int		 present;
	double		 wait_min;	/* 0.5 */
	double		 wait_max;	/* 5 */
	int		 host_routes_only;	/* 1 */
	double		 recovery_timeout;	/* 10; 0: no recovery */
	int64_t		 max_routes;	/* 1000000, per peer */
	int64_t		 max_line;	/* 262144 bytes */
	int64_t		 max_template;	/* 1048576 bytes */
	int		 html_escape;	/* 0 */
	/*
	 * Accept filters, as given (canonical spelling, no duplicates).
	 * NULL: accept every prefix / every peer; never empty otherwise.
	 */
	struct prefix	*accept_prefixes;
	size_t		 naccept_prefixes;
	struct prefix	*accept_peers;
	size_t		 naccept_peers;
	double		 stale_time;	/* 0: a peer's routes go at once */
	struct peer_group_conf *peer_groups;	/* first match wins */
	size_t		 npeer_groups;
	char		*status_file;
	char		*metrics_file;
	double		 status_interval;	/* 1 */
	struct template_conf *templates;
	size_t		 ntemplates;
};

struct bgpsd_conf {
	char		*path;
	uint32_t	 asn;		/* 12345; > 65535 forces large */
	int		 large;		/* large_communities, resolved */
	char		*user;		/* optional: exec checks/commands */
	char		*group;
	char		*user_file;	/* where they are, for messages */
	int		 user_line;
	char		*group_file;
	int		 group_line;
	struct service_conf *services;
	size_t		 nservices;
	size_t		*port_index;	/* service indices sorted by port */
	struct announce_conf announce;
	struct listen_conf listen;
};

/*
 * Load and validate. NULL on error with "file:line: message" (or
 * "file: message") in err. Never exits, never logs: callers decide (-n
 * prints it, SIGHUP logs it and keeps the old config).
 */
struct bgpsd_conf	*conf_load(const char *path, char *err, size_t errlen);
void			 conf_free(struct bgpsd_conf *);

/*
 * Bytes of the BGP UPDATE that announces pc with nports port communities,
 * as ExaBGP 4.2 encodes it towards an iBGP peer (the larger case: LOCAL_PREF
 * always sent), 4-byte AS numbers, no ADD-PATH (bgpsd.conf(5) has the sum).
 */
size_t			 conf_update_size(const struct bgpsd_conf *,
			    const struct prefix_conf *, size_t nports);
/* the same with nmeta weight/drain large communities (community.h) */
size_t			 conf_update_size_meta(const struct bgpsd_conf *,
			    const struct prefix_conf *, size_t nports,
			    size_t nmeta);
/*
 * How many weight/drain communities a service's port may carry at most:
 * a weight one if its weight is not the default or a check may report
 * one (exec, http), a drain one if drain_time or drain_on_stop is set.
 */
size_t			 conf_service_meta_max(const struct bgpsd_conf *,
			    const struct service_conf *);
/* CONF_BGP_MSG_MAX, or CONF_BGP_MSG_EXT_MAX with extended_messages */
size_t			 conf_update_limit(const struct prefix_conf *);
/* the most port communities whose UPDATE fits conf_update_limit() */
size_t			 conf_update_max_ports(const struct bgpsd_conf *,
			    const struct prefix_conf *);

const struct service_conf *conf_service_by_port(const struct bgpsd_conf *,
			    uint16_t);
const char		*check_type_name(enum check_type);

#endif
