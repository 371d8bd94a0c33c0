/*
 * checkconf.c - the settings of each check type: parse, print, compare,
 * free, in one table. See checkconf.h.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cfg.h"
#include "checkconf.h"
#include "conf.h"
#include "log.h"
#include "printval.h"

static const char *const tcp_keys[] = {
	"host", "port", "send", "expect", NULL
};
static const char *const http_keys[] = {
	"url", "status", "body", "host", "tls_verify", NULL
};
static const char *const exec_keys[] = { "command", "shell", NULL };

static const config_setting_t *
checkconf_member(const config_setting_t *g, const char *name)
{
	return config_setting_get_member(g, name);
}

static int
checkconf_str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* ---- tcp ---- */

static int
tcp_parse(const config_setting_t *g, const struct service_conf *svc,
    int v6only, struct check_conf *ck, struct cfg_err *err)
{
	const config_setting_t	*s;
	int64_t			 v;

	if ((s = checkconf_member(g, "host")) != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_STRING ||
		    addr_parse(config_setting_get_string(s), &ck->host) == -1)
			return cfg_error(err, s, "tcp check 'host' must be an "
			    "IPv4 or IPv6 address");
		ck->host_set = 1;
	} else if (addr_parse(v6only ? "::1" : "127.0.0.1", &ck->host) == -1)
		fatalx("conf: loopback does not parse");
	if (cfg_get_int(g, "port", svc->port, 1, 65535, &v, err) == -1)
		return -1;
	ck->port = (uint16_t)v;
	if (cfg_get_data(g, "send", &ck->send, err) == -1 ||
	    cfg_get_data(g, "expect", &ck->expect, err) == -1)
		return -1;
	if (ck->expect != NULL && ck->expect[0] == '\0')
		return cfg_error(err, checkconf_member(g, "expect"),
		    "'expect' must not be empty");
	return 0;
}

static void
tcp_print(FILE *fp, const struct check_conf *ck, int d)
{
	char	 buf[ADDR_STRLEN];

	printval_str(fp, "host", addr_fmt(&ck->host, buf, sizeof(buf)), d);
	printval_int(fp, "port", ck->port, d);
	printval_opt_str(fp, "send", ck->send, d);
	printval_opt_str(fp, "expect", ck->expect, d);
}

static int
tcp_same(const struct check_conf *a, const struct check_conf *b)
{
	return a->host_set == b->host_set && addr_cmp(&a->host, &b->host) == 0 &&
	    a->port == b->port && checkconf_str_same(a->send, b->send) &&
	    checkconf_str_same(a->expect, b->expect);
}

static void
tcp_free(struct check_conf *ck)
{
	free(ck->send);
	free(ck->expect);
}

/* ---- http ---- */

/* one status entry: 200, "200", "200-299" */
static int
http_status_one(const config_setting_t *e, struct status_range *r,
    struct cfg_err *err)
{
	const char	*str;
	unsigned int	 lo, hi;
	int64_t		 v;
	int		 n = 0;

	if (config_setting_type(e) == CONFIG_TYPE_INT ||
	    config_setting_type(e) == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(e);
		if (v < 100 || v > 599)
			return cfg_error(err, e, "bad http status %" PRId64
			    " (want 100..599)", v);
		r->lo = r->hi = (uint16_t)v;
		return 0;
	}
	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return cfg_error(err, e, "'status' entries must be integers or "
		    "\"N-M\" strings");
	str = config_setting_get_string(e);
	if (sscanf(str, "%3u-%3u%n", &lo, &hi, &n) == 2 && str[n] == '\0' &&
	    isdigit((unsigned char)str[0]))
		;
	else if (sscanf(str, "%3u%n", &lo, &n) == 1 && str[n] == '\0' &&
	    isdigit((unsigned char)str[0]))
		hi = lo;
	else
		return cfg_error(err, e, "bad http status '%.40s' (want N or "
		    "\"N-M\")", str);
	if (strchr(str, ' ') != NULL || lo < 100 || hi > 599 || lo > hi)
		return cfg_error(err, e, "bad http status range '%.40s' (want "
		    "100..599, low-high)", str);
	r->lo = (uint16_t)lo;
	r->hi = (uint16_t)hi;
	return 0;
}

static int
http_status(const config_setting_t *s, struct check_conf *ck,
    struct cfg_err *err)
{
	int	 i, len, seq;

	seq = config_setting_is_array(s) || config_setting_is_list(s);
	len = seq ? config_setting_length(s) : 1;
	if (len == 0)
		return cfg_error(err, s, "'status' is empty");
	if (len > CONF_MAX_STATUS)
		return cfg_error(err, s, "'status' has more than %d entries",
		    CONF_MAX_STATUS);
	ck->status = xcalloc((size_t)len, sizeof(*ck->status));
	for (i = 0; i < len; i++) {
		if (http_status_one(seq ? config_setting_get_elem(s, i) : s,
		    &ck->status[ck->nstatus], err) == -1)
			return -1;
		ck->nstatus++;
	}
	return 0;
}

static int
http_url_ok(const char *url)
{
	const char	*rest;

	if (strncmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		rest = url + 8;
	else
		return 0;
	if (*rest == '\0' || *rest == '/')
		return 0;
	for (; *url != '\0'; url++)
		if ((unsigned char)*url <= 0x20 || *url == 0x7f)
			return 0;
	return 1;
}

static int
http_parse(const config_setting_t *g, const struct service_conf *svc,
    int v6only, struct check_conf *ck, struct cfg_err *err)
{
	const config_setting_t	*s;
	int			 r;

	if ((r = cfg_get_text(g, "url", &ck->url, err)) == -1)
		return -1;
	if (r == 1)
		return cfg_error(err, g, "http check without 'url'");
	if (!http_url_ok(ck->url))
		return cfg_error(err, checkconf_member(g, "url"), "bad url "
		    "'%.80s' (want http://HOST... or https://HOST...)",
		    ck->url);
	if ((s = checkconf_member(g, "status")) != NULL) {
		if (http_status(s, ck, err) == -1)
			return -1;
	} else {
		ck->status = xcalloc(1, sizeof(*ck->status));
		ck->status[0].lo = 200;
		ck->status[0].hi = 399;
		ck->nstatus = 1;
	}
	if (cfg_get_data(g, "body", &ck->body, err) == -1 ||
	    cfg_get_text(g, "host", &ck->host_header, err) == -1)
		return -1;
	if (ck->host_header != NULL && strpbrk(ck->host_header, " \t,;") !=
	    NULL)
		return cfg_error(err, checkconf_member(g, "host"), "bad http "
		    "'host' header '%.60s'", ck->host_header);
	return cfg_get_bool(g, "tls_verify", 1, &ck->tls_verify, err) == -1 ?
	    -1 : 0;
}

static void
http_print(FILE *fp, const struct check_conf *ck, int d)
{
	size_t	 i;

	printval_str(fp, "url", ck->url, d);
	printval_indent(fp, d);
	fputs("status = [", fp);
	for (i = 0; i < ck->nstatus; i++) {
		fputs(i == 0 ? " " : ", ", fp);
		if (ck->status[i].lo == ck->status[i].hi)
			fprintf(fp, "\"%u\"", ck->status[i].lo);
		else
			fprintf(fp, "\"%u-%u\"", ck->status[i].lo,
			    ck->status[i].hi);
	}
	fputs(" ];\n", fp);
	printval_opt_str(fp, "body", ck->body, d);
	printval_opt_str(fp, "host", ck->host_header, d);
	printval_bool(fp, "tls_verify", ck->tls_verify, d);
}

static int
http_same(const struct check_conf *a, const struct check_conf *b)
{
	size_t	 i;

	if (!checkconf_str_same(a->url, b->url) ||
	    !checkconf_str_same(a->host_header, b->host_header) ||
	    !checkconf_str_same(a->body, b->body) ||
	    a->tls_verify != b->tls_verify || a->nstatus != b->nstatus)
		return 0;
	for (i = 0; i < a->nstatus; i++)
		if (a->status[i].lo != b->status[i].lo ||
		    a->status[i].hi != b->status[i].hi)
			return 0;
	return 1;
}

static void
http_free(struct check_conf *ck)
{
	free(ck->url);
	free(ck->host_header);
	free(ck->body);
	free(ck->status);
}

/* ---- exec ---- */

static int
exec_parse(const config_setting_t *g, const struct service_conf *svc,
    int v6only, struct check_conf *ck, struct cfg_err *err)
{
	const config_setting_t	*s;

	if (cfg_get_bool(g, "shell", 0, &ck->shell, err) == -1)
		return -1;
	if ((s = checkconf_member(g, "command")) == NULL)
		return cfg_error(err, g, "exec check without 'command'");
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (!ck->shell)
			return cfg_error(err, s, "'command' is a string: give "
			    "an array [ \"prog\", \"arg\" ], or set shell = "
			    "true");
		if (config_setting_get_string(s)[0] == '\0')
			return cfg_error(err, s, "'command' is empty");
		ck->argv = xcalloc(2, sizeof(*ck->argv));
		ck->argv[0] = xstrdup(config_setting_get_string(s));
		ck->argc = 1;
		return 0;
	}
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cfg_error(err, s, "'command' must be an array of "
		    "strings");
	if (ck->shell)
		return cfg_error(err, s, "with shell = true, 'command' must "
		    "be one string");
	return cfg_argv(s, "command", &ck->argv, &ck->argc, err);
}

static void
exec_print(FILE *fp, const struct check_conf *ck, int d)
{
	if (ck->shell)
		printval_str(fp, "command", ck->argv[0], d);
	else
		printval_strs(fp, "command", ck->argv, ck->argc, d);
	printval_bool(fp, "shell", ck->shell, d);
}

static int
exec_same(const struct check_conf *a, const struct check_conf *b)
{
	size_t	 i;

	if (a->shell != b->shell || a->argc != b->argc)
		return 0;
	for (i = 0; i < a->argc; i++)
		if (!checkconf_str_same(a->argv[i], b->argv[i]))
			return 0;
	return 1;
}

static void
exec_free(struct check_conf *ck)
{
	cfg_strings_free(ck->argv);
}

/* ---- the table ---- */

static const struct check_kind check_kinds[] = {
	{ CHECK_TCP, "tcp", tcp_keys, tcp_parse, tcp_print, tcp_same,
	    tcp_free },
	{ CHECK_HTTP, "http", http_keys, http_parse, http_print, http_same,
	    http_free },
	{ CHECK_EXEC, "exec", exec_keys, exec_parse, exec_print, exec_same,
	    exec_free },
};
#define NKINDS	(sizeof(check_kinds) / sizeof(check_kinds[0]))

const struct check_kind *
check_kind_by_name(const char *name)
{
	size_t	 i;

	for (i = 0; i < NKINDS; i++)
		if (strcmp(check_kinds[i].name, name) == 0)
			return &check_kinds[i];
	return NULL;
}

const struct check_kind *
check_kind_of(enum check_type t)
{
	size_t	 i;

	for (i = 0; i < NKINDS; i++)
		if (check_kinds[i].type == t)
			return &check_kinds[i];
	return NULL;
}

const char *
check_type_name(enum check_type t)
{
	const struct check_kind	*k = check_kind_of(t);

	return k != NULL ? k->name : "unknown";
}

const char *
check_kind_names(void)
{
	return "tcp, http or exec";
}

int
check_kind_any_key(const char *name)
{
	size_t	 i, j;

	for (i = 0; i < NKINDS; i++)
		for (j = 0; check_kinds[i].keys[j] != NULL; j++)
			if (strcmp(check_kinds[i].keys[j], name) == 0)
				return 1;
	return 0;
}

int
check_conf_same(const struct check_conf *a, const struct check_conf *b)
{
	if (a->type != b->type || a->timeout != b->timeout)
		return 0;
	return check_kind_of(a->type)->same(a, b);
}

void
check_conf_free(struct check_conf *ck)
{
	const struct check_kind	*k = check_kind_of(ck->type);

	if (k != NULL)
		k->free(ck);
}
