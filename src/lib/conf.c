/*
 * conf.c - bgpsd.conf(5): parse and validate the whole file into struct
 * bgpsd_conf, resolving every default and reference once so that the
 * programs never re-derive anything.
 *
 * Order matters: the top level (asn) first, then "announce" (prefix table
 * and timing defaults the services inherit), then "services", then
 * "listen". Every error is "file:line: message" for the offending setting.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cfg.h"
#include "checkconf.h"
#include "community.h"
#include "conf.h"
#include "log.h"


/* where each timing value came from, for messages */
struct timing_src {
	const config_setting_t	*interval, *fast, *timeout, *exec_timeout;
};

struct parse {
	struct cfg_err		 err;
	struct bgpsd_conf	*c;
	size_t			 nlisted;	/* announce.prefixes entries */
	struct timing_src	 ann_src;	/* the announce defaults */
};

static const char *const top_keys[] = {
	"asn", "large_communities", "user", "group", "services", "announce",
	"listen", NULL
};
static const char *const announce_keys[] = {
	"prefixes", "next_hop_ipv4", "next_hop_ipv6", "med",
	"local_preference", "as_path", "static_communities",
	"static_large_communities", "interval", "fast_interval", "timeout",
	"exec_timeout", "rise", "fall", "batch", "ack", "ack_timeout", "splay",
	"max_concurrent", "disable_file", "status_file", "metrics_file",
	"status_interval", "extended_messages", "require_address",
	"drain_on_stop", NULL
};
static const char *const prefix_keys[] = {
	"prefix", "next_hop", "med", "local_preference", "as_path",
	"static_communities", "static_large_communities", "extended_messages",
	"require_address", NULL
};
static const char *const service_keys[] = {
	"name", "port", "checks", "prefixes", "disable_file", "interval",
	"fast_interval", "timeout", "rise", "fall", "weight", "drain_time",
	"on_change", "on_change_timeout", NULL
};
static const char *const check_common_keys[] = { "type", "timeout", NULL };
static const char *const listen_keys[] = {
	"wait_min", "wait_max", "host_routes_only", "max_routes", "max_line",
	"max_template", "html_escape", "accept_prefixes", "accept_peers",
	"status_file", "metrics_file", "status_interval", "templates",
	"recovery_timeout", "stale_time", "peers", NULL
};
static const char *const template_keys[] = {
	"source", "destination", "perms", "owner", "group", "backup", "check",
	"command", "command_timeout", "min_backends", "html_escape",
	"haproxy_socket", NULL
};

static const config_setting_t *
conf_member(const config_setting_t *g, const char *name)
{
	if (g == NULL || !config_setting_is_group(g))
		return NULL;
	return config_setting_get_member(g, name);
}

static int
conf_in_list(const char *const *list, const char *name)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

static int
conf_name_ok(const char *s)
{
	size_t	 n = 0;

	for (; s[n] != '\0'; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '_' &&
		    s[n] != '.' && s[n] != '-')
			return 0;
	return n >= 1 && n <= CONF_NAME_MAX;
}

/* user and group names (or numeric ids) */
static int
conf_unix_name_ok(const char *s)
{
	return s[0] != '-' && strlen(s) <= 32 && conf_name_ok(s);
}

/* an optional printable string: 0 found, 1 absent (*out NULL), -1 error */
static int
conf_get_text(struct parse *p, const config_setting_t *g, const char *name,
    char **out)
{
	return cfg_get_text(g, name, out, &p->err);
}

/* an array or a list (libconfig arrays hold one scalar type only) */
static int
conf_is_seq(const config_setting_t *s)
{
	return config_setting_is_array(s) || config_setting_is_list(s);
}

/* "[ ]" is an array to libconfig, but empty it may stand for "( )" */
static int
conf_empty_array(const config_setting_t *s)
{
	return config_setting_is_array(s) && config_setting_length(s) == 0;
}

static int
conf_int_value(const config_setting_t *s, int64_t *v)
{
	if (config_setting_type(s) == CONFIG_TYPE_INT)
		*v = config_setting_get_int(s);
	else if (config_setting_type(s) == CONFIG_TYPE_INT64)
		*v = config_setting_get_int64(s);
	else
		return -1;
	return 0;
}

/* "A:B" (parts 0..65535) or "A:B:C" (parts 0..4294967295), digits only */
static int
conf_parse_community(const char *s, int nparts, uint32_t *parts)
{
	int		 i, nd;
	uint64_t	 v;
	uint64_t	 max = nparts == 2 ? 65535 : UINT32_MAX;

	for (i = 0; i < nparts; i++) {
		v = 0;
		for (nd = 0; isdigit((unsigned char)*s); s++, nd++) {
			if (nd == 10)
				return -1;
			v = v * 10 + (uint64_t)(*s - '0');
		}
		if (nd == 0 || v > max)
			return -1;
		parts[i] = (uint32_t)v;
		if (i + 1 < nparts) {
			if (*s != ':')
				return -1;
			s++;
		}
	}
	return *s == '\0' ? 0 : -1;
}

/* a community given twice, named in canonical form ("01:2" is "1:2") */
static int
conf_dup_community(struct parse *p, const config_setting_t *e,
    const uint32_t *v, int n)
{
	if (n == 3)
		return cfg_error(&p->err, e, "duplicate community '%" PRIu32
		    ":%" PRIu32 ":%" PRIu32 "'", v[0], v[1], v[2]);
	return cfg_error(&p->err, e, "duplicate community '%" PRIu32 ":%"
	    PRIu32 "'", v[0], v[1]);
}

/*
 * static_communities / static_large_communities of a: validated and kept
 * as numbers ("01:2" is 1:2), which is all a route line is made of.
 */
static int
conf_communities(struct parse *p, const config_setting_t *s, int large,
    struct route_attr *a)
{
	const config_setting_t	*e;
	const char		*name = config_setting_name(s);
	const char		*str;
	uint32_t		 v[3], c;
	int			 i, len;
	size_t			 j;
	struct large_community	 lc;
	enum community_kind	 kind;
	uint16_t		 mport, mval;

	if (!conf_is_seq(s))
		return cfg_error(&p->err, s, "'%s' must be an array of "
		    "strings", name);
	len = config_setting_length(s);
	if (len > CONF_MAX_ATTR)
		return cfg_error(&p->err, s, "'%s' has more than %d entries",
		    name, CONF_MAX_ATTR);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cfg_error(&p->err, e, "'%s' must be an array "
			    "of strings", name);
		str = config_setting_get_string(e);
		if (conf_parse_community(str, large ? 3 : 2, v) == -1)
			return cfg_error(&p->err, e, "bad %s '%.40s' (want "
			    "%s)", large ? "large community" : "community",
			    str, large ? "ASN:N:N, each 0..4294967295" :
			    "A:B, each 0..65535");
		/* the listeners would read these as a port */
		if (!large && !p->c->large && v[0] == p->c->asn && v[1] != 0)
			return cfg_error(&p->err, e, "community '%s' collides "
			    "with the port communities of asn %" PRIu32, str,
			    p->c->asn);
		if (large && p->c->large && v[0] == p->c->asn && v[1] == 0 &&
		    v[2] != 0)
			return cfg_error(&p->err, e, "large community '%s' "
			    "collides with the port communities of asn %"
			    PRIu32, str, p->c->asn);
		/* ... or as a port's weight or drain state */
		lc.global = v[0];
		lc.local1 = v[1];
		lc.local2 = v[2];
		if (large && community_meta_decode(p->c->asn, &lc, &kind,
		    &mport, &mval) == 1)
			return cfg_error(&p->err, e, "large community '%s' "
			    "collides with the weight and drain communities "
			    "of asn %" PRIu32, str, p->c->asn);
		if (large) {
			for (j = 0; j < a->nlarge_communities; j++)
				if (memcmp(&a->large_communities[j], &lc,
				    sizeof(lc)) == 0)
					return conf_dup_community(p, e, v, 3);
			a->large_communities[a->nlarge_communities++] = lc;
		} else {
			c = v[0] << 16 | v[1];
			for (j = 0; j < a->ncommunities; j++)
				if (a->communities[j] == c)
					return conf_dup_community(p, e, v, 2);
			a->communities[a->ncommunities++] = c;
		}
	}
	return 0;
}

/* route attributes of group g (may be NULL) over the defaults def */
static int
conf_attr(struct parse *p, const config_setting_t *g,
    const struct route_attr *def, struct route_attr *a)
{
	const config_setting_t	*s, *e;
	int64_t			 v;
	int			 i, len;

	*a = *def;
	if (cfg_get_int(g, "med", def->med, 0, UINT32_MAX, &a->med,
	    &p->err) == -1)
		return -1;
	if (cfg_get_int(g, "local_preference", def->local_pref, 0,
	    UINT32_MAX, &a->local_pref, &p->err) == -1)
		return -1;
	if ((s = conf_member(g, "as_path")) != NULL) {
		if (!conf_is_seq(s))
			return cfg_error(&p->err, s, "'as_path' must be an "
			    "array of AS numbers");
		len = config_setting_length(s);
		if (len > CONF_MAX_ATTR)
			return cfg_error(&p->err, s, "'as_path' has more than "
			    "%d entries", CONF_MAX_ATTR);
		a->nas_path = 0;
		for (i = 0; i < len; i++) {
			e = config_setting_get_elem(s, i);
			if (conf_int_value(e, &v) == -1 || v < 1 ||
			    v > UINT32_MAX)
				return cfg_error(&p->err, e, "'as_path' "
				    "entries must be AS numbers "
				    "1..4294967295");
			a->as_path[a->nas_path++] = (uint32_t)v;
		}
	}
	if ((s = conf_member(g, "static_communities")) != NULL) {
		a->ncommunities = 0;
		if (conf_communities(p, s, 0, a) == -1)
			return -1;
	}
	if ((s = conf_member(g, "static_large_communities")) != NULL) {
		a->nlarge_communities = 0;
		if (conf_communities(p, s, 1, a) == -1)
			return -1;
	}
	return 0;
}

/* next_hop: "self" or an address of the given family, canonical text */
static int
conf_next_hop(struct parse *p, const config_setting_t *g, const char *name,
    int family, const char *def, char **out)
{
	const config_setting_t	*s;
	struct addr		 a;
	char			 buf[ADDR_STRLEN];
	const char		*str;

	if ((s = conf_member(g, name)) == NULL) {
		*out = xstrdup(def);
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_error(&p->err, s, "'%s' must be a string", name);
	str = config_setting_get_string(s);
	if (strcmp(str, "self") == 0) {
		*out = xstrdup("self");
		return 0;
	}
	if (addr_parse(str, &a) == -1)
		return cfg_error(&p->err, s, "bad %s '%.60s' (want \"self\" "
		    "or an address)", name, str);
	if (a.family != family)
		return cfg_error(&p->err, s, "%s '%s' is not an %s address",
		    name, str, family == AF_INET ? "IPv4" : "IPv6");
	*out = xstrdup(addr_fmt(&a, buf, sizeof(buf)));
	return 0;
}

/* a duration with its own range; records whether it was given */
static int
conf_duration(struct parse *p, const config_setting_t *g, const char *name,
    double def, double min, double max, double *out,
    const config_setting_t **where)
{
	int	 r;

	r = cfg_get_duration(g, name, def, min, max, out, &p->err);
	if (where != NULL)
		*where = r == 0 ? conf_member(g, name) : NULL;
	return r == -1 ? -1 : 0;
}

static int
conf_int(struct parse *p, const config_setting_t *g, const char *name,
    int64_t def, int64_t min, int64_t max, int64_t *out)
{
	return cfg_get_int(g, name, def, min, max, out, &p->err) == -1 ?
	    -1 : 0;
}

static int
conf_bool(struct parse *p, const config_setting_t *g, const char *name,
    int def, int *out)
{
	return cfg_get_bool(g, name, def, out, &p->err) == -1 ? -1 : 0;
}

static int
conf_timing(struct parse *p, const config_setting_t *g,
    const struct timing_conf *def, struct timing_conf *t,
    struct timing_src *src, int is_announce)
{
	int64_t	 v;
	double	 fast_def;

	memset(src, 0, sizeof(*src));
	if (conf_duration(p, g, "interval", def->interval, 0.01, 86400,
	    &t->interval, &src->interval) == -1)
		return -1;
	/* a faster service interval pulls the default fast interval along */
	fast_def = def->fast_interval < t->interval ? def->fast_interval :
	    t->interval;
	if (conf_duration(p, g, "fast_interval", fast_def, 0.01, 86400,
	    &t->fast_interval, &src->fast) == -1)
		return -1;
	if (t->fast_interval > t->interval)
		return cfg_error(&p->err, src->fast != NULL ? src->fast :
		    src->interval, "fast_interval %g must not be greater than "
		    "interval %g", t->fast_interval, t->interval);
	if (conf_duration(p, g, "timeout", def->timeout, 0.001, 3600,
	    &t->timeout, &src->timeout) == -1)
		return -1;
	if (is_announce) {
		if (conf_duration(p, g, "exec_timeout", def->exec_timeout,
		    0.001, 3600, &t->exec_timeout, &src->exec_timeout) == -1)
			return -1;
	} else	/* a service timeout covers its exec checks too */
		t->exec_timeout = src->timeout != NULL ? t->timeout :
		    def->exec_timeout;
	if (conf_int(p, g, "rise", def->rise, 1, 100, &v) == -1)
		return -1;
	t->rise = (int)v;
	if (conf_int(p, g, "fall", def->fall, 1, 100, &v) == -1)
		return -1;
	t->fall = (int)v;
	return 0;
}

/* prefix text to a host route; -1 with an error at s */
static int
conf_host_prefix(struct parse *p, const config_setting_t *s, const char *str,
    struct prefix *pfx)
{
	if (prefix_parse(str, pfx, 1) == -1)
		return cfg_error(&p->err, s, "bad prefix '%.60s'", str);
	if (!prefix_is_host(pfx))
		return cfg_error(&p->err, s, "prefix '%s' is not a host route "
		    "(/32 or /128)", str);
	return 0;
}

static ssize_t
conf_prefix_find(const struct announce_conf *an, const struct prefix *pfx)
{
	size_t	 i;

	for (i = 0; i < an->nprefixes; i++)
		if (prefix_cmp(&an->prefixes[i].prefix, pfx) == 0)
			return (ssize_t)i;
	return -1;
}

/* the array doubles at each power of two: linear over a long list */
static struct prefix_conf *
conf_prefix_add(struct announce_conf *an)
{
	size_t	 n = an->nprefixes;

	if ((n & (n - 1)) == 0)
		an->prefixes = xreallocarray(an->prefixes, n == 0 ? 1 : 2 * n,
		    sizeof(*an->prefixes));
	memset(&an->prefixes[n], 0, sizeof(*an->prefixes));
	return &an->prefixes[an->nprefixes++];
}

static const char *
conf_family_next_hop(const struct announce_conf *an, const struct prefix *pfx)
{
	return pfx->addr.family == AF_INET ? an->next_hop_ipv4 :
	    an->next_hop_ipv6;
}

static int
conf_announce_prefixes(struct parse *p, const config_setting_t *list)
{
	struct announce_conf	*an = &p->c->announce;
	const config_setting_t	*e, *ps, *g;
	struct prefix_conf	*pc;
	struct prefix		 pfx;
	const char		*str;
	char			 buf[PREFIX_STRLEN];
	int			 i;

	if (list == NULL)
		return 0;
	if (!conf_is_seq(list))
		return cfg_error(&p->err, list, "'prefixes' must be a list of "
		    "prefixes");
	for (i = 0; i < config_setting_length(list); i++) {
		e = config_setting_get_elem(list, i);
		g = NULL;
		if (config_setting_type(e) == CONFIG_TYPE_STRING)
			ps = e;
		else if (config_setting_is_group(e)) {
			g = e;
			if (cfg_check_keys(g, prefix_keys, &p->err) == -1)
				return -1;
			if ((ps = conf_member(g, "prefix")) == NULL)
				return cfg_error(&p->err, g, "prefix entry "
				    "without 'prefix'");
			if (config_setting_type(ps) != CONFIG_TYPE_STRING)
				return cfg_error(&p->err, ps, "'prefix' must "
				    "be a string");
		} else
			return cfg_error(&p->err, e, "'prefixes' entries must "
			    "be strings or groups { prefix = ...; }");
		str = config_setting_get_string(ps);
		if (conf_host_prefix(p, ps, str, &pfx) == -1)
			return -1;
		if (conf_prefix_find(an, &pfx) != -1)
			return cfg_error(&p->err, ps, "duplicate prefix %s",
			    prefix_fmt(&pfx, buf, sizeof(buf)));
		pc = conf_prefix_add(an);
		pc->prefix = pfx;
		pc->line = cfg_line(ps);
		pc->listed = 1;
		pc->attr.med = pc->attr.local_pref = -1;
		if (conf_next_hop(p, g, "next_hop", pfx.addr.family,
		    conf_family_next_hop(an, &pfx), &pc->next_hop) == -1)
			return -1;
		if (conf_attr(p, g, &an->attr, &pc->attr) == -1)
			return -1;
		if (conf_bool(p, g, "extended_messages", an->extended_messages,
		    &pc->extended_messages) == -1)
			return -1;
		if (conf_bool(p, g, "require_address", an->require_address,
		    &pc->require_address) == -1)
			return -1;
	}
	p->nlisted = an->nprefixes;
	return 0;
}

static int
conf_announce(struct parse *p, const config_setting_t *g)
{
	struct announce_conf	*an = &p->c->announce;
	struct route_attr	 none;
	static const struct timing_conf tdef = {
		.interval = 2, .fast_interval = 1, .timeout = 1,
		.exec_timeout = 2, .rise = 3, .fall = 3,
	};
	int64_t			 v;

	an->present = g != NULL;
	if (g != NULL && cfg_check_keys(g, announce_keys, &p->err) == -1)
		return -1;
	memset(&none, 0, sizeof(none));
	none.med = none.local_pref = -1;
	if (conf_next_hop(p, g, "next_hop_ipv4", AF_INET, "self",
	    &an->next_hop_ipv4) == -1 ||
	    conf_next_hop(p, g, "next_hop_ipv6", AF_INET6, "self",
	    &an->next_hop_ipv6) == -1)
		return -1;
	if (conf_attr(p, g, &none, &an->attr) == -1)
		return -1;
	if (conf_bool(p, g, "extended_messages", 0,
	    &an->extended_messages) == -1)
		return -1;
	if (conf_bool(p, g, "require_address", 1, &an->require_address) == -1)
		return -1;
	if (conf_timing(p, g, &tdef, &an->timing, &p->ann_src, 1) == -1)
		return -1;
	if (conf_duration(p, g, "batch", 0.05, 0, 10, &an->batch, NULL) == -1)
		return -1;
	if (conf_bool(p, g, "ack", 1, &an->ack) == -1)
		return -1;
	if (conf_duration(p, g, "ack_timeout", 5, 0.1, 3600, &an->ack_timeout,
	    NULL) == -1)
		return -1;
	if (conf_bool(p, g, "splay", 1, &an->splay) == -1)
		return -1;
	if (conf_int(p, g, "max_concurrent", 1024, 1, 1000000, &v) == -1)
		return -1;
	an->max_concurrent = (int)v;
	if (conf_get_text(p, g, "disable_file", &an->disable_file) == -1 ||
	    conf_get_text(p, g, "status_file", &an->status_file) == -1 ||
	    conf_get_text(p, g, "metrics_file", &an->metrics_file) == -1)
		return -1;
	if (conf_duration(p, g, "status_interval", 1, 0.1, 3600,
	    &an->status_interval, NULL) == -1)
		return -1;
	if (conf_duration(p, g, "drain_on_stop", 0, 0, CONF_DRAIN_ON_STOP_MAX,
	    &an->drain_on_stop, NULL) == -1)
		return -1;
	return conf_announce_prefixes(p, conf_member(g, "prefixes"));
}

static int
conf_check(struct parse *p, struct service_conf *svc,
    const struct timing_src *tsrc, const config_setting_t *g,
    struct check_conf *ck)
{
	const struct check_kind	*kind;
	const config_setting_t	*m, *s, *tos;
	const char		*type, *name;
	size_t			 i;
	int			 v6only;
	double			 def;

	if (!config_setting_is_group(g))
		return cfg_error(&p->err, g, "'checks' entries must be groups "
		    "{ type = ...; }");
	ck->line = cfg_line(g);
	if ((s = conf_member(g, "type")) == NULL)
		return cfg_error(&p->err, g, "check without 'type' (%s)",
		    check_kind_names());
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_error(&p->err, s, "'type' must be a string");
	type = config_setting_get_string(s);
	if ((kind = check_kind_by_name(type)) == NULL)
		return cfg_error(&p->err, s, "unknown check type '%.40s' (%s)",
		    type, check_kind_names());
	ck->type = kind->type;

	/* a key of another check type is a likelier mistake than a typo */
	for (i = 0; i < (size_t)config_setting_length(g); i++) {
		m = config_setting_get_elem(g, (unsigned int)i);
		name = config_setting_name(m);
		if (conf_in_list(check_common_keys, name) ||
		    conf_in_list(kind->keys, name))
			continue;
		if (check_kind_any_key(name))
			return cfg_error(&p->err, m, "'%s' is not valid in "
			    "a %s check", name, type);
		return cfg_error(&p->err, m, "unknown key '%s' in a 'checks' "
		    "entry", name);
	}

	def = ck->type == CHECK_EXEC ? svc->timing.exec_timeout :
	    svc->timing.timeout;
	if (conf_duration(p, g, "timeout", def, 0.001, 3600, &ck->timeout,
	    &tos) == -1)
		return -1;
	/* the next run is due before this one could time out */
	if (ck->type == CHECK_EXEC ? ck->timeout > svc->timing.interval :
	    ck->timeout >= svc->timing.interval) {
		/* point at where the offending value came from */
		if ((s = tos) == NULL && (s = tsrc->timeout) == NULL)
			s = ck->type == CHECK_EXEC ? p->ann_src.exec_timeout :
			    p->ann_src.timeout;
		if (s == NULL && (s = tsrc->interval) == NULL &&
		    (s = p->ann_src.interval) == NULL)
			s = g;
		return cfg_error(&p->err, s, "%s check timeout %g must be "
		    "%s the interval %g of service '%s'", type, ck->timeout,
		    ck->type == CHECK_EXEC ? "at most" : "less than",
		    svc->timing.interval, svc->name);
	}
	v6only = 1;
	for (i = 0; i < svc->nprefixes; i++)
		if (p->c->announce.prefixes[svc->prefixes[i]].prefix.addr.family
		    != AF_INET6)
			v6only = 0;
	return kind->parse(g, svc, v6only, ck, &p->err);
}

/* a path attribute: flags, type code, length (2 bytes past 255), value */
static size_t
conf_attr_bytes(size_t value)
{
	return value + (value > 255 ? 4 : 3);
}

/*
 * The UPDATE as ExaBGP 4.2 builds it (RFC 4271 4.3, RFC 4760, RFC 1997,
 * RFC 8092). Of the two session types, iBGP is the larger one: ExaBGP
 * sends LOCAL_PREF there (100 when not configured, 7 bytes) and an empty
 * AS_PATH when none is configured, while towards an eBGP peer it sends no
 * LOCAL_PREF and prepends its own AS (6 bytes) to an empty AS_PATH only.
 */
size_t
conf_update_size(const struct bgpsd_conf *c, const struct prefix_conf *pc,
    size_t nports)
{
	return conf_update_size_meta(c, pc, nports, 0);
}

size_t
conf_service_meta_max(const struct bgpsd_conf *c,
    const struct service_conf *svc)
{
	size_t	 i, n = 0;

	for (i = 0; i < svc->nchecks; i++)
		if (svc->checks[i].type == CHECK_EXEC ||
		    svc->checks[i].type == CHECK_HTTP)
			break;
	if (svc->weight != CONF_WEIGHT_DEFAULT || i < svc->nchecks)
		n++;
	if (svc->drain_time > 0 || c->announce.drain_on_stop > 0)
		n++;
	return n;
}

size_t
conf_update_size_meta(const struct bgpsd_conf *c,
    const struct prefix_conf *pc, size_t nports, size_t nmeta)
{
	const struct route_attr	*a = &pc->attr;
	size_t			 n, ncomm, nlarge;
	int			 large = c->large || c->asn > 65535;

	/* header (marker, length, type), withdrawn and attributes lengths */
	n = 16 + 2 + 1 + 2 + 2;
	n += conf_attr_bytes(1);		/* ORIGIN */
	/* AS_PATH: one AS_SEQUENCE segment of 4-byte AS numbers */
	n += conf_attr_bytes(a->nas_path > 0 ? 2 + 4 * a->nas_path : 0);
	n += conf_attr_bytes(4);		/* LOCAL_PREF */
	if (a->med >= 0)
		n += conf_attr_bytes(4);	/* MULTI_EXIT_DISC */
	ncomm = a->ncommunities + (large ? 0 : nports);
	nlarge = a->nlarge_communities + (large ? nports : 0) + nmeta;
	if (ncomm > 0)
		n += conf_attr_bytes(4 * ncomm);	/* COMMUNITIES */
	if (nlarge > 0)
		n += conf_attr_bytes(12 * nlarge);	/* LARGE_COMMUNITY */
	if (pc->prefix.addr.family == AF_INET)	/* NEXT_HOP, NLRI /32 */
		n += conf_attr_bytes(4) + 1 + 4;
	else	/* MP_REACH_NLRI: AFI, SAFI, next hop, reserved, NLRI /128 */
		n += conf_attr_bytes(2 + 1 + 1 + 16 + 1 + 1 + 16);
	return n;
}

size_t
conf_update_limit(const struct prefix_conf *pc)
{
	return pc->extended_messages ? CONF_BGP_MSG_EXT_MAX : CONF_BGP_MSG_MAX;
}

size_t
conf_update_max_ports(const struct bgpsd_conf *c, const struct prefix_conf *pc)
{
	size_t	 lo = 0, hi = 65536, mid, limit = conf_update_limit(pc);

	if (conf_update_size(c, pc, 0) > limit)
		return 0;
	/* the size grows with nports: the last count that still fits */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (conf_update_size(c, pc, mid) <= limit)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The route of a prefix with every port healthy must fit one UPDATE:
 * ExaBGP acks a bigger one with "done" and then never sends it, so the
 * peers keep a stale route. Counted at the worst: every port up, and each
 * with every weight/drain community it may ever carry. The port that
 * crosses the limit first (in file order) is the line shown.
 */
static int
conf_update_sizes(struct parse *p, const config_setting_t *list)
{
	struct bgpsd_conf	*c = p->c;
	struct announce_conf	*an = &c->announce;
	const struct prefix_conf *pc;
	const struct service_conf *svc;
	const config_setting_t	*g;
	size_t			*count, *meta, *first, i, j, pi, bad, m;
	char			 buf[PREFIX_STRLEN], extra[64];

	if (an->nprefixes == 0)
		return 0;
	count = xcalloc(an->nprefixes, sizeof(*count));
	meta = xcalloc(an->nprefixes, sizeof(*meta));
	first = xcalloc(an->nprefixes, sizeof(*first));
	for (pi = 0; pi < an->nprefixes; pi++)
		first[pi] = SIZE_MAX;
	for (i = 0; i < c->nservices; i++) {
		svc = &c->services[i];
		m = conf_service_meta_max(c, svc);
		for (j = 0; j < svc->nprefixes; j++) {
			pi = svc->prefixes[j];
			count[pi]++;
			meta[pi] += m;
			if (first[pi] == SIZE_MAX && conf_update_size_meta(c,
			    &an->prefixes[pi], count[pi], meta[pi]) >
			    conf_update_limit(&an->prefixes[pi]))
				first[pi] = i;
		}
	}
	bad = SIZE_MAX;
	for (pi = 0; pi < an->nprefixes; pi++)
		if (first[pi] != SIZE_MAX && (bad == SIZE_MAX ||
		    first[pi] < first[bad]))
			bad = pi;
	if (bad != SIZE_MAX) {
		pc = &an->prefixes[bad];
		svc = &c->services[first[bad]];
		extra[0] = '\0';
		if (meta[bad] > 0)
			snprintf(extra, sizeof(extra), ", %zu weight or drain "
			    "communities", meta[bad]);
		g = config_setting_get_elem(list, (unsigned int)first[bad]);
		cfg_error(&p->err, conf_member(g, "port"), "service '%s' "
		    "(port %u) takes the route of %s (line %d) past one BGP "
		    "UPDATE when every port is healthy (%zu bytes, limit %zu, "
		    "%zu ports%s); give some services another prefix, or set "
		    "extended_messages = true (RFC 8654) if every BGP peer "
		    "negotiates it", svc->name, svc->port,
		    prefix_fmt(&pc->prefix, buf, sizeof(buf)), pc->line,
		    conf_update_size_meta(c, pc, count[bad], meta[bad]),
		    conf_update_limit(pc), count[bad], extra);
	}
	free(count);
	free(meta);
	free(first);
	return bad == SIZE_MAX ? 0 : -1;
}

static int
conf_service_prefixes(struct parse *p, struct service_conf *svc,
    const config_setting_t *s)
{
	struct announce_conf	*an = &p->c->announce;
	const config_setting_t	*e;
	struct prefix_conf	*pc;
	struct prefix		 pfx;
	ssize_t			 idx;
	size_t			 j;
	int			 i, len;
	char			 buf[PREFIX_STRLEN];

	if (!conf_is_seq(s))
		return cfg_error(&p->err, s, "'prefixes' must be an array of "
		    "prefix strings");
	len = config_setting_length(s);
	if (len == 0)
		return cfg_error(&p->err, s, "'prefixes' is empty");
	svc->prefixes = xcalloc((size_t)len, sizeof(*svc->prefixes));
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cfg_error(&p->err, e, "'prefixes' must be an "
			    "array of prefix strings");
		if (conf_host_prefix(p, e, config_setting_get_string(e),
		    &pfx) == -1)
			return -1;
		if ((idx = conf_prefix_find(an, &pfx)) == -1) {
			/* not in announce.prefixes: default attributes */
			pc = conf_prefix_add(an);
			pc->prefix = pfx;
			pc->line = cfg_line(e);
			pc->listed = 0;
			pc->next_hop = xstrdup(conf_family_next_hop(an, &pfx));
			pc->attr = an->attr;
			pc->extended_messages = an->extended_messages;
			pc->require_address = an->require_address;
			idx = (ssize_t)an->nprefixes - 1;
		}
		for (j = 0; j < svc->nprefixes; j++)
			if (svc->prefixes[j] == (size_t)idx)
				return cfg_error(&p->err, e, "duplicate prefix "
				    "%s", prefix_fmt(&pfx, buf, sizeof(buf)));
		svc->prefixes[svc->nprefixes++] = (size_t)idx;
	}
	return 0;
}

static int	conf_cmd(struct parse *, const config_setting_t *,
		    const char *, struct cmd_conf *);

static int
conf_service(struct parse *p, const config_setting_t *g,
    struct service_conf *svc)
{
	const config_setting_t	*s, *checks;
	struct timing_src	 tsrc;
	int64_t			 v;
	size_t			 i;
	int			 r, n;

	if (!config_setting_is_group(g))
		return cfg_error(&p->err, g, "'services' entries must be "
		    "groups { name = ...; port = ...; }");
	if (cfg_check_keys(g, service_keys, &p->err) == -1)
		return -1;
	svc->line = cfg_line(g);
	if ((r = cfg_get_string(g, "name", NULL, &svc->name, &p->err)) == -1)
		return -1;
	if (r == 1)
		return cfg_error(&p->err, g, "service without 'name'");
	if (!conf_name_ok(svc->name))
		return cfg_error(&p->err, conf_member(g, "name"), "bad "
		    "service name '%.70s' (1..%d of A-Z a-z 0-9 _ . -)",
		    svc->name, CONF_NAME_MAX);
	if ((r = cfg_get_int(g, "port", 0, 1, 65535, &v, &p->err)) == -1)
		return -1;
	if (r == 1)
		return cfg_error(&p->err, g, "service '%s' without 'port'",
		    svc->name);
	svc->port = (uint16_t)v;
	if (conf_get_text(p, g, "disable_file", &svc->disable_file) == -1)
		return -1;
	if (conf_timing(p, g, &p->c->announce.timing, &svc->timing, &tsrc,
	    0) == -1)
		return -1;
	if (conf_int(p, g, "weight", CONF_WEIGHT_DEFAULT, 1, CONF_WEIGHT_MAX,
	    &v) == -1)
		return -1;
	svc->weight = (int)v;
	if (conf_duration(p, g, "drain_time", 0, 0, CONF_DRAIN_TIME_MAX,
	    &svc->drain_time, NULL) == -1)
		return -1;
	if (conf_cmd(p, g, "on_change", &svc->on_change) == -1)
		return -1;
	if (conf_duration(p, g, "on_change_timeout", 10, 0.1, 3600,
	    &svc->on_change_timeout, NULL) == -1)
		return -1;

	checks = conf_member(g, "checks");
	if ((s = conf_member(g, "prefixes")) != NULL) {
		if (checks == NULL)
			return cfg_error(&p->err, s, "service '%s' has "
			    "'prefixes' but no 'checks' (a catalogue entry "
			    "is never announced)", svc->name);
		svc->own_prefixes = 1;
		if (conf_service_prefixes(p, svc, s) == -1)
			return -1;
	} else if (checks != NULL) {
		svc->prefixes = xcalloc(p->nlisted + 1,
		    sizeof(*svc->prefixes));
		for (i = 0; i < p->nlisted; i++)
			svc->prefixes[i] = i;
		svc->nprefixes = p->nlisted;
	}
	if (checks == NULL)
		return 0;	/* catalogue entry: named, never checked */

	if (!config_setting_is_list(checks))
		return cfg_error(&p->err, checks, "'checks' must be a list "
		    "( { type = ...; }, ... )");
	n = config_setting_length(checks);
	if (n == 0)
		return cfg_error(&p->err, checks, "'checks' is empty (remove "
		    "it to make '%s' a catalogue entry)", svc->name);
	if (n > CONF_MAX_CHECKS)
		return cfg_error(&p->err, checks, "more than %d checks",
		    CONF_MAX_CHECKS);
	if (svc->nprefixes == 0)
		return cfg_error(&p->err, checks, "service '%s' has checks but "
		    "no prefix to announce (set announce.prefixes or its "
		    "own 'prefixes')", svc->name);
	svc->checks = xcalloc((size_t)n, sizeof(*svc->checks));
	for (i = 0; i < (size_t)n; i++) {
		svc->nchecks++;
		svc->checks[i].tls_verify = 1;
		if (conf_check(p, svc, &tsrc, config_setting_get_elem(checks,
		    (unsigned int)i), &svc->checks[i]) == -1)
			return -1;
	}
	return 0;
}

static struct service_conf	*conf_sort_base;

static int
conf_cmp_port(const void *a, const void *b)
{
	const struct service_conf *x = &conf_sort_base[*(const size_t *)a];
	const struct service_conf *y = &conf_sort_base[*(const size_t *)b];

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
conf_cmp_name(const void *a, const void *b)
{
	const struct service_conf *x = &conf_sort_base[*(const size_t *)a];
	const struct service_conf *y = &conf_sort_base[*(const size_t *)b];
	int r = strcmp(x->name, y->name);

	if (r != 0)
		return r;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
conf_services(struct parse *p, const config_setting_t *list)
{
	struct bgpsd_conf	*c = p->c;
	const config_setting_t	*g, *dup;
	size_t			*idx, i, a, b;
	int			 n;

	if (list == NULL || conf_empty_array(list))
		return 0;
	if (!config_setting_is_list(list))
		return cfg_error(&p->err, list, "'services' must be a list "
		    "( { name = ...; port = ...; }, ... )");
	n = config_setting_length(list);
	if (n > CONF_MAX_SERVICES)
		return cfg_error(&p->err, list, "more than %d services",
		    CONF_MAX_SERVICES);
	c->services = xcalloc((size_t)n + 1, sizeof(*c->services));
	for (i = 0; i < (size_t)n; i++) {
		c->nservices++;
		if (conf_service(p, config_setting_get_elem(list,
		    (unsigned int)i), &c->services[i]) == -1)
			return -1;
	}

	/* duplicates: sort indices, the later one in the file is wrong */
	c->port_index = xcalloc(c->nservices + 1, sizeof(*c->port_index));
	idx = xcalloc(c->nservices + 1, sizeof(*idx));
	for (i = 0; i < c->nservices; i++)
		c->port_index[i] = idx[i] = i;
	conf_sort_base = c->services;
	qsort(c->port_index, c->nservices, sizeof(*idx), conf_cmp_port);
	qsort(idx, c->nservices, sizeof(*idx), conf_cmp_name);
	for (i = 1; i < c->nservices; i++) {
		a = c->port_index[i - 1];
		b = c->port_index[i];
		if (c->services[a].port == c->services[b].port) {
			g = config_setting_get_elem(list, (unsigned int)b);
			dup = conf_member(g, "port");
			cfg_error(&p->err, dup, "duplicate port %u: service "
			    "'%s' (line %d) already has it",
			    c->services[b].port, c->services[a].name,
			    c->services[a].line);
			break;
		}
	}
	for (i = 1; i < c->nservices && !p->err.set; i++) {
		a = idx[i - 1];
		b = idx[i];
		if (strcmp(c->services[a].name, c->services[b].name) == 0) {
			g = config_setting_get_elem(list, (unsigned int)b);
			cfg_error(&p->err, conf_member(g, "name"), "duplicate "
			    "service name '%s' (first on line %d)",
			    c->services[b].name, c->services[a].line);
		}
	}
	free(idx);
	if (p->err.set)
		return -1;
	return conf_update_sizes(p, list);
}

/* check/command: a string runs under /bin/sh -c, an array runs as argv */
static int
conf_cmd(struct parse *p, const config_setting_t *g, const char *name,
    struct cmd_conf *cmd)
{
	const config_setting_t	*s;
	size_t			 argc;

	if ((s = conf_member(g, name)) == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (config_setting_get_string(s)[0] == '\0')
			return cfg_error(&p->err, s, "'%s' is empty", name);
		cmd->argv = xcalloc(2, sizeof(*cmd->argv));
		cmd->argv[0] = xstrdup(config_setting_get_string(s));
		cmd->shell = 1;
		return 0;
	}
	if (!conf_is_seq(s))
		return cfg_error(&p->err, s, "'%s' must be a string or an "
		    "array of strings", name);
	return cfg_argv(s, name, &cmd->argv, &argc, &p->err);
}

/*
 * A relative path in a file is relative to that file's directory (as
 * @include is): "templates/x" in /etc/bgpsd/bgpsd.conf is
 * /etc/bgpsd/templates/x. From standard input it stays as written.
 */
static void
conf_relative(char **path, const char *file)
{
	const char	*slash;
	char		*joined;

	if ((*path)[0] == '/' || strcmp(file, "-") == 0 ||
	    strcmp(file, "/dev/stdin") == 0 ||
	    (slash = strrchr(file, '/')) == NULL)
		return;
	if (asprintf(&joined, "%.*s%s", (int)(slash - file + 1), file,
	    *path) == -1)
		fatal("asprintf");
	free(*path);
	*path = joined;
}

static int
conf_template(struct parse *p, const config_setting_t *g,
    struct template_conf *t)
{
	const config_setting_t	*s;
	const char		*str;
	char			*end;
	int64_t			 v;
	unsigned long		 m;
	int			 r;

	if (!config_setting_is_group(g))
		return cfg_error(&p->err, g, "'templates' entries must be "
		    "groups { source = ...; destination = ...; }");
	if (cfg_check_keys(g, template_keys, &p->err) == -1)
		return -1;
	t->line = cfg_line(g);
	t->file = xstrdup(cfg_file(g));
	if ((r = conf_get_text(p, g, "source", &t->source)) == -1)
		return -1;
	if (r == 1)
		return cfg_error(&p->err, g, "template without 'source'");
	t->source_given = xstrdup(t->source);
	conf_relative(&t->source, t->file);
	if ((r = conf_get_text(p, g, "destination", &t->destination)) == -1)
		return -1;
	if (r == 1)
		return cfg_error(&p->err, g, "template without "
		    "'destination'");
	t->perms = 0644;
	if ((s = conf_member(g, "perms")) != NULL) {
		if (conf_int_value(s, &v) == 0) {
			/*
			 * libconfig has no octal literals: 0644 arrives as
			 * decimal 644, so its digits are read as octal
			 */
			char digits[24];

			snprintf(digits, sizeof(digits), "%" PRId64, v);
			errno = 0;
			m = strtoul(digits, &end, 8);
			if (v < 0 || *end != '\0' || m > 07777)
				return cfg_error(&p->err, s, "bad 'perms' %"
				    PRId64 " (want an octal mode like "
				    "\"0644\")", v);
			t->perms = (mode_t)m;
		} else if (config_setting_type(s) == CONFIG_TYPE_STRING) {
			str = config_setting_get_string(s);
			errno = 0;
			m = strtoul(str, &end, 8);
			if (str[0] < '0' || str[0] > '7' || *end != '\0' ||
			    errno != 0 || m > 07777 || strlen(str) > 5)
				return cfg_error(&p->err, s, "bad 'perms' "
				    "'%.20s' (want an octal mode like "
				    "\"0644\")", str);
			t->perms = (mode_t)m;
		} else
			return cfg_error(&p->err, s, "'perms' must be an "
			    "octal string like \"0644\"");
	}
	/* a rendered config feeds a reload as root: never others-writable */
	if ((t->perms & 0002) != 0)
		return cfg_error(&p->err, conf_member(g, "perms"), "'perms' "
		    "%04o is writable by others", (unsigned int)t->perms);
	if (conf_get_text(p, g, "owner", &t->owner) == -1 ||
	    conf_get_text(p, g, "group", &t->group) == -1)
		return -1;
	if (t->owner != NULL && !conf_unix_name_ok(t->owner))
		return cfg_error(&p->err, conf_member(g, "owner"), "bad "
		    "'owner' '%s'", t->owner);
	if (t->group != NULL && !conf_unix_name_ok(t->group))
		return cfg_error(&p->err, conf_member(g, "group"), "bad "
		    "'group' '%s'", t->group);
	if (conf_bool(p, g, "backup", 0, &t->backup) == -1)
		return -1;
	if (conf_cmd(p, g, "check", &t->check) == -1 ||
	    conf_cmd(p, g, "command", &t->command) == -1)
		return -1;
	if (conf_duration(p, g, "command_timeout", 30, 0.1, 86400,
	    &t->command_timeout, NULL) == -1)
		return -1;
	if (conf_int(p, g, "min_backends", 0, 0, 1000000, &v) == -1)
		return -1;
	t->min_backends = (int)v;
	if (conf_bool(p, g, "html_escape", p->c->listen.html_escape,
	    &t->html_escape) == -1)
		return -1;
	if (conf_get_text(p, g, "haproxy_socket", &t->haproxy_socket) == -1)
		return -1;
	/* a UNIX socket path: absolute (we chdir nowhere, haproxy may),
	 * and it must fit sockaddr_un.sun_path with its NUL */
	if (t->haproxy_socket != NULL && (t->haproxy_socket[0] != '/' ||
	    strlen(t->haproxy_socket) >= CONF_SOCKET_PATH_MAX))
		return cfg_error(&p->err, conf_member(g, "haproxy_socket"),
		    "bad 'haproxy_socket' (want an absolute path of at most "
		    "%d bytes)", CONF_SOCKET_PATH_MAX - 1);
	return 0;
}

struct conf_net {
	struct prefix	 pfx;
	unsigned int	 idx;	/* position in the list */
};

static int
conf_net_cmp(const void *a, const void *b)
{
	const struct conf_net	*x = a, *y = b;
	int			 r;

	if ((r = prefix_cmp(&x->pfx, &y->pfx)) != 0)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * accept_prefixes / accept_peers: an array of networks "A/LEN" or bare
 * addresses (host routes). Absent: *out NULL (accept all). Empty,
 * malformed, host bits set, duplicates, too many: errors.
 */
static int
conf_accept(struct parse *p, const config_setting_t *g, const char *name,
    struct prefix **out, size_t *nout)
{
	const config_setting_t	*s, *e;
	struct conf_net		*v = NULL;
	const char		*str;
	char			 buf[PREFIX_STRLEN];
	int			 len, i;

	*out = NULL;
	*nout = 0;
	if ((s = conf_member(g, name)) == NULL)
		return 0;
	if (!conf_is_seq(s))
		return cfg_error(&p->err, s, "'%s' must be an array of "
		    "networks like [ \"192.0.2.0/24\", \"2001:db8::/32\" ]",
		    name);
	if ((len = config_setting_length(s)) == 0 &&
	    strcmp(name, "match") == 0)
		return cfg_error(&p->err, s, "'match' is empty");
	if (len == 0)
		return cfg_error(&p->err, s, "'%s' is empty: leave it out to "
		    "accept every %s", name, strcmp(name, "accept_peers") ==
		    0 ? "peer" : "prefix");
	if (len > CONF_MAX_ACCEPT)
		return cfg_error(&p->err, s, "'%s' has more than %d entries",
		    name, CONF_MAX_ACCEPT);
	v = xcalloc((size_t)len, sizeof(*v));
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			cfg_error(&p->err, e, "'%s' must be an array of "
			    "strings", name);
			goto fail;
		}
		str = config_setting_get_string(e);
		if (prefix_parse(str, &v[i].pfx, 1) == -1) {
			cfg_error(&p->err, e, "bad network '%.60s' in '%s' "
			    "(want an address, or ADDRESS/LENGTH without host "
			    "bits set)", str, name);
			goto fail;
		}
		v[i].idx = (unsigned int)i;
	}
	*out = xcalloc((size_t)len, sizeof(**out));
	for (i = 0; i < len; i++)
		(*out)[i] = v[i].pfx;
	*nout = (size_t)len;
	/* duplicates: sorted, equal neighbours; report the later one */
	qsort(v, (size_t)len, sizeof(*v), conf_net_cmp);
	for (i = 1; i < len; i++) {
		if (prefix_cmp(&v[i - 1].pfx, &v[i].pfx) != 0)
			continue;
		cfg_error(&p->err, config_setting_get_elem(s, v[i].idx),
		    "duplicate network %s in '%s' (first on line %d)",
		    prefix_fmt(&v[i].pfx, buf, sizeof(buf)), name,
		    cfg_line(config_setting_get_elem(s, v[i - 1].idx)));
		goto fail;
	}
	free(v);
	return 0;
 fail:
	free(v);
	return -1;
}

static const char *const peer_group_keys[] = { "match", "stale_time", NULL };

/* listen.peers = ( { match = [ networks ]; stale_time = N; }, ... ) */
static int
conf_peer_groups(struct parse *p, const config_setting_t *g)
{
	struct listen_conf	*l = &p->c->listen;
	struct peer_group_conf	*pg;
	const config_setting_t	*list, *e;
	int			 n, i, r;

	if ((list = conf_member(g, "peers")) == NULL ||
	    conf_empty_array(list))
		return 0;
	if (!config_setting_is_list(list))
		return cfg_error(&p->err, list, "'peers' must be a list "
		    "( { match = [ ... ]; stale_time = ...; }, ... )");
	n = config_setting_length(list);
	if (n > CONF_MAX_PEER_GROUPS)
		return cfg_error(&p->err, list, "'peers' has more than %d "
		    "entries", CONF_MAX_PEER_GROUPS);
	l->peer_groups = xcalloc((size_t)n + 1, sizeof(*l->peer_groups));
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(list, (unsigned int)i);
		pg = &l->peer_groups[l->npeer_groups++];
		if (!config_setting_is_group(e))
			return cfg_error(&p->err, e, "'peers' entries must be "
			    "groups { match = [ ... ]; ... }");
		if (cfg_check_keys(e, peer_group_keys, &p->err) == -1)
			return -1;
		pg->line = cfg_line(e);
		if (conf_accept(p, e, "match", &pg->match, &pg->nmatch) == -1)
			return -1;
		if (pg->match == NULL)
			return cfg_error(&p->err, e, "'peers' entry without "
			    "'match'");
		if ((r = cfg_get_duration(e, "stale_time", l->stale_time, 0,
		    86400, &pg->stale_time, &p->err)) == -1)
			return -1;
	}
	return 0;
}

static int
conf_listen(struct parse *p, const config_setting_t *g)
{
	struct listen_conf	*l = &p->c->listen;
	const config_setting_t	*list, *wmax;
	size_t			 i, j;
	int			 n;

	l->present = g != NULL;
	if (g != NULL && cfg_check_keys(g, listen_keys, &p->err) == -1)
		return -1;
	if (conf_duration(p, g, "wait_min", 0.5, 0, 3600, &l->wait_min,
	    NULL) == -1 ||
	    conf_duration(p, g, "wait_max", 5, 0, 3600, &l->wait_max,
	    &wmax) == -1)
		return -1;
	if (l->wait_min > l->wait_max)
		return cfg_error(&p->err, wmax != NULL ? wmax :
		    conf_member(g, "wait_min"), "wait_min %g must not be "
		    "greater than wait_max %g", l->wait_min, l->wait_max);
	if (conf_bool(p, g, "host_routes_only", 1, &l->host_routes_only) == -1)
		return -1;
	if (conf_duration(p, g, "recovery_timeout", 10, 0, 3600,
	    &l->recovery_timeout, NULL) == -1)
		return -1;
	if (conf_int(p, g, "max_routes", 1000000, 1, 100000000,
	    &l->max_routes) == -1 ||
	    conf_int(p, g, "max_line", 262144, 4096, 67108864,
	    &l->max_line) == -1 ||
	    conf_int(p, g, "max_template", 1048576, 1, 67108864,
	    &l->max_template) == -1)
		return -1;
	if (conf_bool(p, g, "html_escape", 0, &l->html_escape) == -1)
		return -1;
	if (conf_accept(p, g, "accept_prefixes", &l->accept_prefixes,
	    &l->naccept_prefixes) == -1 ||
	    conf_accept(p, g, "accept_peers", &l->accept_peers,
	    &l->naccept_peers) == -1)
		return -1;
	if (conf_duration(p, g, "stale_time", 0, 0, 86400, &l->stale_time,
	    NULL) == -1 || conf_peer_groups(p, g) == -1)
		return -1;
	if (conf_get_text(p, g, "status_file", &l->status_file) == -1 ||
	    conf_get_text(p, g, "metrics_file", &l->metrics_file) == -1)
		return -1;
	if (conf_duration(p, g, "status_interval", 1, 0.1, 3600,
	    &l->status_interval, NULL) == -1)
		return -1;
	if ((list = conf_member(g, "templates")) == NULL ||
	    conf_empty_array(list))
		return 0;
	if (!config_setting_is_list(list))
		return cfg_error(&p->err, list, "'templates' must be a list "
		    "( { source = ...; destination = ...; }, ... )");
	n = config_setting_length(list);
	l->templates = xcalloc((size_t)n + 1, sizeof(*l->templates));
	for (i = 0; i < (size_t)n; i++) {
		l->ntemplates++;
		if (conf_template(p, config_setting_get_elem(list,
		    (unsigned int)i), &l->templates[i]) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(l->templates[j].destination,
			    l->templates[i].destination) == 0)
				return cfg_error(&p->err, conf_member(
				    config_setting_get_elem(list,
				    (unsigned int)i), "destination"),
				    "duplicate destination '%s' (first on "
				    "line %d)", l->templates[i].destination,
				    l->templates[j].line);
	}
	return 0;
}

static int
conf_top(struct parse *p, const config_setting_t *root)
{
	struct bgpsd_conf	*c = p->c;
	int64_t			 v;
	int			 r, large;

	if (cfg_check_keys(root, top_keys, &p->err) == -1)
		return -1;
	if (conf_int(p, root, "asn", CONF_DEFAULT_ASN, 1, UINT32_MAX,
	    &v) == -1)
		return -1;
	c->asn = (uint32_t)v;
	if ((r = cfg_get_bool(root, "large_communities", 0, &large,
	    &p->err)) == -1)
		return -1;
	if (c->asn > 65535 && r == 0 && !large)
		return cfg_error(&p->err, conf_member(root,
		    "large_communities"), "asn %" PRIu32 " does not fit a "
		    "standard community: large_communities must be true",
		    c->asn);
	c->large = large || c->asn > 65535;
	if (conf_get_text(p, root, "user", &c->user) == -1 ||
	    conf_get_text(p, root, "group", &c->group) == -1)
		return -1;
	if (c->user != NULL) {
		c->user_file = xstrdup(cfg_file(conf_member(root, "user")));
		c->user_line = cfg_line(conf_member(root, "user"));
	}
	if (c->group != NULL) {
		c->group_file = xstrdup(cfg_file(conf_member(root, "group")));
		c->group_line = cfg_line(conf_member(root, "group"));
	}
	if (c->user != NULL && !conf_unix_name_ok(c->user))
		return cfg_error(&p->err, conf_member(root, "user"),
		    "bad 'user' '%s'", c->user);
	if (c->group != NULL && !conf_unix_name_ok(c->group))
		return cfg_error(&p->err, conf_member(root, "group"),
		    "bad 'group' '%s'", c->group);
	return 0;
}

struct bgpsd_conf *
conf_load(const char *path, char *err, size_t errlen)
{
	struct parse		 p;
	config_t		*cf;
	const config_setting_t	*root;

	memset(&p, 0, sizeof(p));
	if ((cf = cfg_load(path, &p.err)) == NULL) {
		snprintf(err, errlen, "%s", p.err.msg);
		return NULL;
	}
	p.c = xcalloc(1, sizeof(*p.c));
	p.c->path = xstrdup(path);
	root = config_root_setting(cf);
	if (conf_top(&p, root) == -1 ||
	    conf_announce(&p, conf_member(root, "announce")) == -1 ||
	    conf_services(&p, conf_member(root, "services")) == -1 ||
	    conf_listen(&p, conf_member(root, "listen")) == -1)
		goto fail;
	if (p.c->port_index == NULL)
		p.c->port_index = xcalloc(1, sizeof(*p.c->port_index));
	cfg_free(cf);
	/*
	 * libconfig's tree was ~1 KB per service, in small blocks that
	 * malloc keeps for reuse; give them back now (a daemon loads
	 * once, or on SIGHUP) instead of carrying them as resident.
	 */
	malloc_trim(0);
	return p.c;

fail:
	snprintf(err, errlen, "%s", p.err.set ? p.err.msg : "invalid config");
	cfg_free(cf);
	conf_free(p.c);
	return NULL;
}

static void
conf_cmd_free(struct cmd_conf *cmd)
{
	cfg_strings_free(cmd->argv);
	cmd->argv = NULL;
}

void
conf_free(struct bgpsd_conf *c)
{
	struct service_conf	*svc;
	struct template_conf	*t;
	size_t			 i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nservices; i++) {
		svc = &c->services[i];
		for (j = 0; j < svc->nchecks; j++)
			check_conf_free(&svc->checks[j]);
		free(svc->checks);
		free(svc->name);
		free(svc->disable_file);
		conf_cmd_free(&svc->on_change);
		free(svc->prefixes);
	}
	free(c->services);
	free(c->port_index);
	for (i = 0; i < c->announce.nprefixes; i++)
		free(c->announce.prefixes[i].next_hop);
	free(c->announce.prefixes);
	free(c->announce.next_hop_ipv4);
	free(c->announce.next_hop_ipv6);
	free(c->announce.disable_file);
	free(c->announce.status_file);
	free(c->announce.metrics_file);
	for (i = 0; i < c->listen.ntemplates; i++) {
		t = &c->listen.templates[i];
		free(t->file);
		free(t->source);
		free(t->source_given);
		free(t->destination);
		free(t->owner);
		free(t->group);
		conf_cmd_free(&t->check);
		conf_cmd_free(&t->command);
		free(t->haproxy_socket);
	}
	free(c->listen.templates);
	free(c->listen.accept_prefixes);
	free(c->listen.accept_peers);
	for (i = 0; i < c->listen.npeer_groups; i++)
		free(c->listen.peer_groups[i].match);
	free(c->listen.peer_groups);
	free(c->listen.status_file);
	free(c->listen.metrics_file);
	free(c->user);
	free(c->user_file);
	free(c->group);
	free(c->group_file);
	free(c->path);
	free(c);
}

const struct service_conf *
conf_service_by_port(const struct bgpsd_conf *c, uint16_t port)
{
	size_t	 lo = 0, hi = c->nservices, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->services[c->port_index[mid]].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->nservices && c->services[c->port_index[lo]].port == port)
		return &c->services[c->port_index[lo]];
	return NULL;
}
