/*
 * test_conf.c - bgpsd.conf parsing, validation and canonical printing,
 * data-driven (run from tests/):
 *
 *   data/conf/bad/NAME.conf   first line "# expect: LINE: SUBSTRING"; the
 *                             load must fail with exactly the prefix
 *                             "data/conf/bad/NAME.conf:LINE: " and the
 *                             message must contain SUBSTRING.
 *   data/conf/good/NAME.conf  must load; conf_print() must equal
 *                             NAME.out byte for byte, and the printed form
 *                             must load again and print identically.
 *
 * After a reviewed change of the canonical form, regenerate the golden
 * files with:   cd tests && BGPSD_REGEN=1 ../build/tests/test_conf
 * (each rewritten .out is reported; review the git diff).
 *
 * test_mutations edits the good configs at random (seeded); a longer
 * run: BGPSD_MUTATIONS=100000,SEED ../build-san/tests/test_conf
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "printconf.h"
#include "testlib.h"

#define BAD_DIR		"data/conf/bad"
#define GOOD_DIR	"data/conf/good"
#define EXAMPLE		"../etc/bgpsd.conf"

static char *
print_to_string(const struct bgpsd_conf *c)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	conf_print(fp, c);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static struct bgpsd_conf *
load_ok(const char *path)
{
	struct bgpsd_conf	*c;
	char			 err[600];

	c = conf_load(path, err, sizeof(err));
	if (c == NULL)
		fail_msg("%s: unexpected error: %s", path, err);
	return c;
}

/* print -> load -> print must be a fixed point */
static void
assert_round_trip(const char *printed)
{
	char	 path[] = "/tmp/test_conf.XXXXXX";
	char	*again;
	int	 fd;
	struct bgpsd_conf *c;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, printed, strlen(printed)),
	    (ssize_t)strlen(printed));
	close(fd);
	c = load_ok(path);
	again = print_to_string(c);
	unlink(path);
	assert_string_equal(printed, again);
	free(again);
	conf_free(c);
}

static void
test_bad(void **state)
{
	const char	*name = *state;
	char		 path[512], err[600], prefix[600], *text, *p, *sub;
	int		 line, off;
	struct bgpsd_conf *c;

	snprintf(path, sizeof(path), "%s/%s", BAD_DIR, name);
	text = tl_slurp(path);
	assert_non_null(text);
	off = 0;
	if (sscanf(text, "# expect: %d: %n", &line, &off) != 1 || off == 0)
		fail_msg("%s: first line must be '# expect: LINE: TEXT'", path);
	sub = text + off;
	if ((p = strchr(sub, '\n')) != NULL)
		*p = '\0';

	c = conf_load(path, err, sizeof(err));
	if (c != NULL) {
		conf_free(c);
		fail_msg("%s: loaded, expected line %d: %s", path, line, sub);
	}
	snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
	if (strncmp(err, prefix, strlen(prefix)) != 0 ||
	    strstr(err + strlen(prefix), sub) == NULL)
		fail_msg("got      '%s'\nexpected '%s...%s...'", err, prefix,
		    sub);
}

static void
test_good(void **state)
{
	const char	*name = *state;
	char		 path[512], out[512], *printed, *golden;
	struct bgpsd_conf *c;
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s", GOOD_DIR, name);
	snprintf(out, sizeof(out), "%.*s.out", (int)strlen(path) - 5, path);
	c = load_ok(path);
	printed = print_to_string(c);
	conf_free(c);
	if (getenv("BGPSD_REGEN") != NULL) {
		fp = fopen(out, "w");
		assert_non_null(fp);
		fputs(printed, fp);
		assert_int_equal(fclose(fp), 0);
		print_message("# regenerated %s\n", out);
	}
	golden = tl_slurp(out);
	if (golden == NULL)
		fail_msg("%s missing: run with BGPSD_REGEN=1", out);
	assert_string_equal(printed, golden);
	assert_round_trip(printed);
	free(printed);
}

static void
test_example(void **state)
{
	struct bgpsd_conf	*c = load_ok(EXAMPLE);
	char			*printed = print_to_string(c);

	/* what the example promises in its comments */
	assert_int_equal(c->asn, 12345);
	assert_int_equal(c->nservices, 3);
	assert_non_null(conf_service_by_port(c, 22));
	assert_int_equal(conf_service_by_port(c, 22)->nchecks, 0);
	assert_int_equal(conf_service_by_port(c, 443)->nchecks, 2);
	assert_int_equal(c->listen.ntemplates, 2);
	assert_true(c->listen.templates[0].check.shell);
	conf_free(c);
	assert_round_trip(printed);
	free(printed);
}

/* the resolved structure, beyond what printing shows */
static void
test_resolution(void **state)
{
	struct bgpsd_conf		*c = load_ok(GOOD_DIR "/full.conf");
	const struct service_conf	*s;
	const struct prefix_conf	*pc;
	char				 buf[PREFIX_STRLEN];

	assert_int_equal(c->asn, 64512);
	assert_int_equal(c->large, 0);
	assert_string_equal(c->user, "nobody");

	/* announce.prefixes first (listed), then those services added */
	assert_int_equal(c->announce.nprefixes, 4);
	pc = &c->announce.prefixes[0];
	assert_string_equal(prefix_fmt(&pc->prefix, buf, sizeof(buf)),
	    "192.0.2.10/32");
	assert_true(pc->listed);
	assert_int_equal(pc->attr.med, 100);
	assert_int_equal(pc->attr.local_pref, -1);
	assert_string_equal(pc->next_hop, "self");
	pc = &c->announce.prefixes[1];
	assert_string_equal(pc->next_hop, "2001:db8::1");
	assert_int_equal(pc->attr.med, 50);
	assert_int_equal(pc->attr.ncommunities, 1);
	assert_int_equal(pc->attr.communities[0], 65000u << 16 | 1);
	assert_int_equal(pc->attr.nas_path, 2);
	pc = &c->announce.prefixes[2];
	assert_string_equal(prefix_fmt(&pc->prefix, buf, sizeof(buf)),
	    "2001:db8::53/128");
	assert_false(pc->listed);
	assert_int_equal(pc->attr.med, 100);	/* announce defaults */
	assert_int_equal(pc->attr.nlarge_communities, 1);
	pc = &c->announce.prefixes[3];
	assert_string_equal(prefix_fmt(&pc->prefix, buf, sizeof(buf)),
	    "198.51.100.7/32");
	assert_false(pc->listed);

	/* no own prefixes: every listed one, none added by services */
	s = conf_service_by_port(c, 80);
	assert_string_equal(s->name, "http");
	assert_false(s->own_prefixes);
	assert_int_equal(s->nprefixes, 2);
	assert_int_equal(s->prefixes[0], 0);
	assert_int_equal(s->prefixes[1], 1);
	assert_string_equal(s->disable_file, "/run/bgpsd/drain-http");
	assert_int_equal(s->checks[0].type, CHECK_TCP);
	assert_int_equal(s->checks[0].port, 80);
	assert_false(s->checks[0].host_set);
	assert_string_equal(s->checks[0].send, "HEAD / HTTP/1.0\r\n\r\n");

	s = conf_service_by_port(c, 443);
	assert_int_equal(s->nchecks, 2);
	assert_true(s->checks[0].timeout == 1.5);
	assert_true(s->checks[1].timeout == 0.25);
	assert_int_equal(s->checks[0].nstatus, 3);
	assert_int_equal(s->checks[0].status[2].lo, 300);
	assert_int_equal(s->checks[0].status[2].hi, 302);
	assert_false(s->checks[0].tls_verify);
	assert_string_equal(s->checks[0].host_header, "www.example.com");
	assert_int_equal(s->timing.rise, 2);
	assert_int_equal(s->timing.fall, 4);

	/* v6-only service: tcp to ::1; exec gets announce exec_timeout */
	s = conf_service_by_port(c, 53);
	assert_true(s->own_prefixes);
	assert_int_equal(s->nprefixes, 1);
	assert_int_equal(s->prefixes[0], 2);
	assert_int_equal(s->checks[0].host.family, AF_INET6);
	assert_true(s->checks[1].timeout == 2.0);
	assert_int_equal(s->checks[1].argc, 4);
	assert_string_equal(s->checks[1].argv[0], "check_dns");
	assert_null(s->checks[1].argv[4]);

	/* a service timeout covers exec checks */
	s = conf_service_by_port(c, 8080);
	assert_true(s->checks[0].shell);
	assert_int_equal(s->checks[0].argc, 1);
	assert_true(s->checks[0].timeout == 0.5);
	assert_int_equal(s->prefixes[0], 0);
	assert_int_equal(s->prefixes[1], 3);

	s = conf_service_by_port(c, 22);
	assert_int_equal(s->nchecks, 0);
	assert_int_equal(s->nprefixes, 0);
	assert_null(conf_service_by_port(c, 21));
	assert_null(conf_service_by_port(c, 65535));

	assert_int_equal(c->listen.templates[0].perms, 0640);
	assert_int_equal(c->listen.templates[1].perms, 0644);
	assert_false(c->listen.templates[0].check.shell);
	assert_string_equal(c->listen.templates[0].check.argv[3], "%s");
	assert_true(c->listen.templates[0].command.shell);
	assert_false(c->listen.templates[0].html_escape);
	assert_true(c->listen.templates[1].html_escape);	/* listen's */
	assert_null(c->listen.templates[1].check.argv);
	assert_true(c->listen.templates[1].command_timeout == 30);
	conf_free(c);
}

static void
test_defaults(void **state)
{
	struct bgpsd_conf	*c = load_ok(GOOD_DIR "/empty.conf");

	assert_int_equal(c->asn, CONF_DEFAULT_ASN);
	assert_false(c->large);
	assert_int_equal(c->nservices, 0);
	assert_false(c->announce.present);
	assert_false(c->listen.present);
	assert_true(c->announce.timing.interval == 2);
	assert_true(c->announce.timing.fast_interval == 1);
	assert_true(c->announce.timing.timeout == 1);
	assert_true(c->announce.timing.exec_timeout == 2);
	assert_int_equal(c->announce.timing.rise, 3);
	assert_int_equal(c->announce.timing.fall, 3);
	assert_true(c->announce.batch == 0.05);
	assert_true(c->announce.ack);
	assert_true(c->announce.ack_timeout == 5);
	assert_true(c->announce.splay);
	assert_int_equal(c->announce.max_concurrent, 1024);
	assert_string_equal(c->announce.next_hop_ipv4, "self");
	assert_string_equal(c->announce.next_hop_ipv6, "self");
	assert_int_equal(c->announce.attr.med, -1);
	assert_true(c->listen.wait_min == 0.5);
	assert_true(c->listen.wait_max == 5);
	assert_true(c->listen.host_routes_only);
	assert_int_equal(c->listen.max_routes, 1000000);
	assert_int_equal(c->listen.max_line, 262144);
	assert_int_equal(c->listen.max_template, 1048576);
	assert_false(c->listen.html_escape);
	assert_null(c->listen.accept_prefixes);	/* accept everything */
	assert_int_equal(c->listen.naccept_prefixes, 0);
	assert_null(c->listen.accept_peers);
	assert_int_equal(c->listen.naccept_peers, 0);
	assert_null(conf_service_by_port(c, 80));
	conf_free(c);

	c = load_ok(GOOD_DIR "/asn32.conf");
	assert_int_equal(c->asn, 4200000000U);
	assert_true(c->large);
	assert_int_equal(c->announce.attr.as_path[2], 4294967295U);
	assert_int_equal(c->announce.attr.med, 4294967295LL);
	conf_free(c);

	c = load_ok(GOOD_DIR "/large16.conf");
	assert_int_equal(c->asn, 65000);
	assert_true(c->large);
	conf_free(c);

	c = load_ok(GOOD_DIR "/timing.conf");
	/* fast_interval follows a smaller interval down */
	assert_true(c->announce.timing.fast_interval == 0.5);
	assert_true(c->services[0].checks[0].timeout == 0.4);
	assert_true(c->services[0].checks[1].timeout == 0.3);
	assert_true(c->services[1].checks[0].timeout == 3);
	assert_true(c->services[2].checks[0].timeout == 1.25);
	assert_false(c->announce.ack);
	conf_free(c);

	assert_string_equal(check_type_name(CHECK_TCP), "tcp");
	assert_string_equal(check_type_name(CHECK_HTTP), "http");
	assert_string_equal(check_type_name(CHECK_EXEC), "exec");
}

/* "-n -v | -n -c /dev/stdin": the printed form read from stdin */
static void
test_stdin(void **state)
{
	struct bgpsd_conf	*c = load_ok(EXAMPLE);
	char			*printed = print_to_string(c), *again;
	char			 path[] = "/tmp/test_conf.XXXXXX";
	int			 fd;

	conf_free(c);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, printed, strlen(printed)),
	    (ssize_t)strlen(printed));
	close(fd);
	assert_non_null(freopen(path, "r", stdin));
	c = load_ok("/dev/stdin");
	unlink(path);
	again = print_to_string(c);
	assert_string_equal(printed, again);
	conf_free(c);
	free(printed);
	free(again);
}

static void
test_missing_file(void **state)
{
	char	 err[600];

	assert_null(conf_load("data/conf/nonexistent.conf", err, sizeof(err)));
	assert_string_equal(err, "data/conf/nonexistent.conf: No such file or "
	    "directory");
}

/*
 * Into fp (then closed): ten thousand tcp services sI on port
 * base + step * I, then the service last (NULL: none)
 */
static void
many_services(FILE *fp, int base, int step, const char *last)
{
	int	 i;

	assert_non_null(fp);
	fputs("announce = { prefixes = ( \"192.0.2.10/32\" ); "
	    "extended_messages = true; };\n"
	    "services = (\n", fp);
	for (i = 0; i < 10000; i++)
		fprintf(fp, "{ name = \"s%d\"; port = %d; checks = ( { type = "
		    "\"tcp\"; } ); }%s\n", i, base + step * i,
		    i < 9999 || last != NULL ? "," : "");
	if (last != NULL)
		fputs(last, fp);
	fputs(");\n", fp);
	fclose(fp);
}

/* ten thousand services: duplicates are found by sorting, not n^2 */
static void
test_many_services(void **state)
{
	char			 path[] = "/tmp/test_conf.XXXXXX";
	char			 err[600];
	FILE			*fp;
	int			 fd;
	struct bgpsd_conf	*c;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	many_services(fp, 10000, 1, "{ name = \"last\"; port = 10500; }\n");
	assert_null(conf_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, ":10003: duplicate port 10500: service "
	    "'s500' (line 503)"));

	fp = fopen(path, "w");
	many_services(fp, 60000, -1, NULL);
	c = load_ok(path);
	unlink(path);
	assert_int_equal(c->nservices, 10000);
	assert_string_equal(conf_service_by_port(c, 60000)->name, "s0");
	assert_string_equal(conf_service_by_port(c, 50001)->name, "s9999");
	assert_null(conf_service_by_port(c, 50000));
	conf_free(c);
}

/* the accept filters: as given, canonical; the entry limit both ways */
static void
test_accept(void **state)
{
	struct bgpsd_conf	*c = load_ok(GOOD_DIR "/accept.conf");
	char			 path[] = "/tmp/test_conf.XXXXXX";
	char			 buf[PREFIX_STRLEN], err[600];
	FILE			*fp;
	int			 fd, i, n;

	assert_int_equal(c->listen.naccept_prefixes, 4);
	assert_string_equal(prefix_fmt(&c->listen.accept_prefixes[1], buf,
	    sizeof(buf)), "2001:db8::/32");
	assert_string_equal(prefix_fmt(&c->listen.accept_prefixes[2], buf,
	    sizeof(buf)), "198.51.100.7/32");	/* bare: a host route */
	assert_int_equal(c->listen.naccept_peers, 3);
	assert_string_equal(prefix_fmt(&c->listen.accept_peers[1], buf,
	    sizeof(buf)), "fd00:179::1/128");
	conf_free(c);

	/* CONF_MAX_ACCEPT entries load; one more is refused at the list */
	for (n = CONF_MAX_ACCEPT; n <= CONF_MAX_ACCEPT + 1; n++) {
		fd = mkstemp(path);
		assert_true(fd >= 0);
		fp = fdopen(fd, "w");
		assert_non_null(fp);
		fputs("listen = {\n\taccept_prefixes = [\n", fp);
		for (i = 0; i < n; i++)
			fprintf(fp, "\t\t\"2001:db8:%x:%x::/64\"%s\n", i >> 16,
			    i & 0xffff, i + 1 < n ? "," : "");
		fputs("\t];\n};\n", fp);
		fclose(fp);
		c = conf_load(path, err, sizeof(err));
		unlink(path);
		if (n == CONF_MAX_ACCEPT) {
			if (c == NULL)
				fail_msg("%d entries refused: %s", n, err);
			assert_int_equal(c->listen.naccept_prefixes,
			    CONF_MAX_ACCEPT);
			conf_free(c);
		} else {
			assert_null(c);
			assert_non_null(strstr(err, ":2: 'accept_prefixes' "
			    "has more than 65536 entries"));
		}
		strcpy(path, "/tmp/test_conf.XXXXXX");
	}
}

/* write text to a temporary file and load it; NULL with err on failure */
static struct bgpsd_conf *
load_text(const char *text, char *err, size_t errlen)
{
	char			 path[] = "/tmp/test_conf.XXXXXX";
	struct bgpsd_conf	*c;
	int			 fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	c = conf_load(path, err, errlen);
	unlink(path);
	return c;
}

#define META_TCP	"{ type = \"tcp\"; port = 9; }"
#define META_EXEC	"{ type = \"exec\"; command = [ \"true\" ]; }"
#define META_HTTP	"{ type = \"http\"; url = \"http://127.0.0.1/\"; }"

/*
 * Load "TOP announce = { HEAD prefixes = ( PFX ); }; services = ( n )",
 * each service sN on port N with the keys SVC and the checks CHECK. TOP
 * (NULL: none) is a line of its own: the N-th service is on line N + 3
 * with it, N + 2 without (the errors the tests expect name that line).
 * NULL with the error in err when the load fails.
 */
static struct bgpsd_conf *
services_load(const char *top, const char *head, const char *pfx,
    const char *svc, const char *check, int n, char *err, size_t errlen)
{
	struct bgpsd_conf	*c;
	char			*s = NULL;
	size_t			 len = 0;
	FILE			*fp = open_memstream(&s, &len);
	int			 i;

	assert_non_null(fp);
	if (top != NULL)
		fprintf(fp, "%s\n", top);
	fprintf(fp, "announce = { %s prefixes = ( %s ); };\n"
	    "services = (\n", head, pfx);
	for (i = 1; i <= n; i++)
		fprintf(fp, "{ name = \"s%d\"; port = %d; %s checks = ( %s ); "
		    "}%s\n", i, i, svc, check, i < n ? "," : "");
	fputs(");\n", fp);
	assert_int_equal(fclose(fp), 0);
	c = load_text(s, err, errlen);
	free(s);
	return c;
}

/* "TOP announce = { HEAD prefixes = ( PFX ); }; services = ( n )", tcp */
static struct bgpsd_conf *
size_load(const char *top, const char *head, const char *pfx, int n,
    char *err, size_t errlen)
{
	return services_load(top, head, pfx, "", META_TCP, n, err, errlen);
}

/*
 * The UPDATE sizes, summed by hand from RFC 4271 4.3 / 4760 / 1997 / 8092
 * for ExaBGP's iBGP encoding. IPv4 with no attributes and no port:
 * header 19 + withdrawn length 2 + attributes length 2 + ORIGIN 4 +
 * empty AS_PATH 3 + NEXT_HOP 7 + LOCAL_PREF 7 + NLRI 5 = 49 bytes.
 */
static void
test_update_size(void **state)
{
	struct bgpsd_conf	*c;
	const struct prefix_conf *v4, *v6;
	char			 err[600];

	c = size_load("asn = 12345;", "", "\"192.0.2.1/32\", "
	    "\"2001:db8::1/128\"", 0, err, sizeof(err));
	assert_non_null(c);
	v4 = &c->announce.prefixes[0];
	v6 = &c->announce.prefixes[1];
	assert_int_equal(conf_update_limit(v4), 4096);
	assert_int_equal(conf_update_size(c, v4, 0), 49);
	/* COMMUNITIES: 3-byte header, 4 bytes a community */
	assert_int_equal(conf_update_size(c, v4, 1), 49 + 3 + 4);
	assert_int_equal(conf_update_size(c, v4, 63), 49 + 3 + 252);
	/* 256 bytes of value: the extended (2-byte) attribute length */
	assert_int_equal(conf_update_size(c, v4, 64), 49 + 4 + 256);
	assert_int_equal(conf_update_size(c, v4, 1010), 4093);
	assert_int_equal(conf_update_size(c, v4, 1011), 4097);
	assert_int_equal(conf_update_max_ports(c, v4), 1010);
	/*
	 * IPv6: no NEXT_HOP, no NLRI field; MP_REACH_NLRI of 3 + AFI 2 +
	 * SAFI 1 + next-hop length 1 + next hop 16 + reserved 1 + /128 17
	 */
	assert_int_equal(conf_update_size(c, v6, 0), 23 + 4 + 3 + 7 + 41);
	assert_int_equal(conf_update_size(c, v6, 1003), 4094);
	assert_int_equal(conf_update_size(c, v6, 1004), 4098);
	assert_int_equal(conf_update_max_ports(c, v6), 1003);
	conf_free(c);

	/* large: 12 bytes a port, ASN:0:port */
	c = size_load("asn = 12345; large_communities = true;", "",
	    "\"192.0.2.1/32\", \"2001:db8::1/128\"", 0, err, sizeof(err));
	assert_non_null(c);
	v4 = &c->announce.prefixes[0];
	v6 = &c->announce.prefixes[1];
	assert_int_equal(conf_update_size(c, v4, 21), 49 + 3 + 252);
	assert_int_equal(conf_update_size(c, v4, 22), 49 + 4 + 264);
	assert_int_equal(conf_update_size(c, v4, 336), 4085);
	assert_int_equal(conf_update_size(c, v4, 337), 4097);
	assert_int_equal(conf_update_max_ports(c, v4), 336);
	assert_int_equal(conf_update_size(c, v6, 334), 4090);
	assert_int_equal(conf_update_size(c, v6, 335), 4102);
	assert_int_equal(conf_update_max_ports(c, v6), 334);
	conf_free(c);

	/*
	 * every attribute: MED 7, AS_PATH 3 + segment 2 + 2 x 4, two static
	 * communities beside the ports, one static large community 3 + 12
	 */
	c = size_load("asn = 12345;", "med = 10; local_preference = 300; "
	    "as_path = [ 65001, 4200000000 ]; static_communities = "
	    "[ \"65000:1\", \"65000:2\" ]; static_large_communities = "
	    "[ \"65000:1:2\" ];", "\"192.0.2.1/32\"", 0, err, sizeof(err));
	assert_non_null(c);
	v4 = &c->announce.prefixes[0];
	assert_int_equal(conf_update_size(c, v4, 0),
	    49 + 7 + 10 + (3 + 8) + (3 + 12));
	assert_int_equal(conf_update_size(c, v4, 5),
	    49 + 7 + 10 + (3 + 28) + (3 + 12));
	/* 4096 - (49 + 7 + 10 + 4 + 15) = 4011 = 4 x (2 + 1000) + 3 */
	assert_int_equal(conf_update_max_ports(c, v4), 1000);
	conf_free(c);

	/* RFC 8654: 65535 */
	c = size_load("asn = 12345;", "extended_messages = true;",
	    "\"192.0.2.1/32\", { prefix = \"2001:db8::1/128\"; "
	    "extended_messages = false; }", 0, err, sizeof(err));
	assert_non_null(c);
	v4 = &c->announce.prefixes[0];
	v6 = &c->announce.prefixes[1];
	assert_int_equal(conf_update_limit(v4), 65535);
	assert_int_equal(conf_update_limit(v6), 4096);
	/* (65535 - 49 - 4) / 4 = 16370.5 */
	assert_int_equal(conf_update_max_ports(c, v4), 16370);
	assert_int_equal(conf_update_max_ports(c, v6), 1003);
	conf_free(c);
}

/* require_address: default true, per prefix, inherited by service prefixes */
static void
test_require_address(void **state)
{
	/* the announce block, then what announce and its 3 prefixes say */
	static const struct {
		const char	*announce;
		int		 global, pfx[3];
	} cases[] = {
		{ "announce = { prefixes = ( \"192.0.2.1/32\", "
		    "{ prefix = \"192.0.2.2/32\"; require_address = false; } ); };",
		    1, { 1, 0, 1 } },
		{ "announce = { require_address = false; prefixes = ( "
		    "\"192.0.2.1/32\", { prefix = \"192.0.2.2/32\"; "
		    "require_address = true; } ); };",
		    0, { 0, 1, 0 } },
	};
	struct bgpsd_conf	*c;
	char			 err[600], text[600];
	size_t			 i, j;

	for (i = 0; i < TL_NITEMS(cases); i++) {
		snprintf(text, sizeof(text), "%s\nservices = ( { name = \"a\"; "
		    "port = 1; prefixes = [ \"192.0.2.9/32\" ];\n checks = ( "
		    "{ type = \"tcp\"; } ); } );\n", cases[i].announce);
		if ((c = load_text(text, err, sizeof(err))) == NULL)
			fail_msg("%s", err);
		assert_int_equal(c->announce.require_address, cases[i].global);
		assert_int_equal(c->announce.nprefixes, 3);
		for (j = 0; j < 3; j++)
			assert_int_equal(c->announce.prefixes[j].require_address,
			    cases[i].pfx[j]);
		conf_free(c);
	}
}

/*
 * The load refuses a prefix whose fully healthy route does not fit and
 * names the port that first crosses the limit (file order, counted per
 * prefix); extended_messages raises the limit of its prefix only.
 */
/* no asn line, one prefix; extra keys in every service, its check type */
static struct bgpsd_conf *
meta_load(const char *head, const char *svc, const char *check, int n,
    char *err, size_t errlen)
{
	return services_load(NULL, head, "\"192.0.2.1/32\"", svc, check, n,
	    err, errlen);
}

/*
 * Weight and drain large communities count in the UPDATE size at their
 * worst: a port with weight 50 carries ASN:1:P*10000+50 (12 bytes) next
 * to ASN:P (4): 49 + (4 + 4n) + (4 + 12n) <= 4096 holds up to n = 252.
 */
static void
test_update_meta(void **state)
{
	struct bgpsd_conf	*c;
	char			 err[600];
	size_t			 i;
	static const struct {
		const char	*head, *svc, *check;
		size_t		 meta;
	} v[] = {
		{ "", "", META_TCP, 0 },
		{ "", "weight = 50;", META_TCP, 1 },
		{ "", "weight = 100;", META_EXEC, 1 },	/* may report */
		{ "", "", META_HTTP, 1 },
		{ "", "drain_time = 1;", META_TCP, 1 },
		{ "drain_on_stop = 1;", "", META_TCP, 1 },
		{ "", "weight = 7; drain_time = 1;", META_TCP, 2 },
	};

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if ((c = meta_load(v[i].head, v[i].svc, v[i].check, 1, err,
		    sizeof(err))) == NULL)
			fail_msg("variant %zu: %s", i, err);
		assert_int_equal(conf_service_meta_max(c, &c->services[0]),
		    v[i].meta);
		conf_free(c);
	}

	c = meta_load("", "weight = 50;", META_TCP, 252, err, sizeof(err));
	if (c == NULL)
		fail_msg("252 weighted ports refused: %s", err);
	assert_int_equal(conf_update_size_meta(c, &c->announce.prefixes[0],
	    252, 252), 49 + 4 + 4 * 252 + 4 + 12 * 252);
	assert_int_equal(conf_update_size_meta(c, &c->announce.prefixes[0],
	    1, 1), 49 + 3 + 4 + 3 + 12);
	/* nmeta 0 is the plain size */
	assert_int_equal(conf_update_size_meta(c, &c->announce.prefixes[0],
	    252, 0), conf_update_size(c, &c->announce.prefixes[0], 252));
	conf_free(c);

	assert_null(meta_load("", "weight = 50;", META_TCP, 253, err,
	    sizeof(err)));
	assert_non_null(strstr(err, ":255: service 's253' (port 253) "
	    "takes the route of 192.0.2.1/32"));
	assert_non_null(strstr(err, "(4105 bytes, limit 4096, 253 ports, "
	    "253 weight or drain communities)"));

	/* the same ports at the default weight and no drain: they fit */
	c = meta_load("", "", META_TCP, 253, err, sizeof(err));
	if (c == NULL)
		fail_msg("253 plain ports refused: %s", err);
	conf_free(c);
}

static void
test_update_refused(void **state)
{
	struct bgpsd_conf	*c;
	char			 err[600];

	/* exactly at the limit: loads */
	c = size_load("asn = 12345;", "", "\"192.0.2.1/32\"", 1010, err,
	    sizeof(err));
	if (c == NULL)
		fail_msg("1010 ports refused: %s", err);
	conf_free(c);

	/* one more: refused at the port of s1011 (line 3 + 1011) */
	assert_null(size_load("asn = 12345;", "", "\"192.0.2.1/32\"", 1011,
	    err, sizeof(err)));
	assert_non_null(strstr(err, ":1014: service 's1011' (port 1011) "
	    "takes the route of 192.0.2.1/32 (line 2) past one BGP UPDATE"));
	assert_non_null(strstr(err, "(4097 bytes, limit 4096, 1011 ports)"));

	/* far over: still the 1011th port, with the full size and count */
	assert_null(size_load("asn = 12345;", "", "\"192.0.2.1/32\"", 1500,
	    err, sizeof(err)));
	assert_non_null(strstr(err, ":1014: service 's1011' (port 1011)"));
	assert_non_null(strstr(err, "(6053 bytes, limit 4096, 1500 ports)"));

	/* a per-prefix extended_messages: the /32 fits, the /128 does not */
	assert_null(size_load("asn = 12345;", "",
	    "{ prefix = \"192.0.2.1/32\"; "
	    "extended_messages = true; }, \"2001:db8::1/128\"", 1004, err,
	    sizeof(err)));
	assert_non_null(strstr(err, ":1007: service 's1004' (port 1004) "
	    "takes the route of 2001:db8::1/128 (line 2)"));
	assert_non_null(strstr(err, "(4098 bytes, limit 4096, 1004 ports)"));

	/* the announce default covers every prefix */
	c = size_load("asn = 12345;", "extended_messages = true;",
	    "\"192.0.2.1/32\", \"2001:db8::1/128\"", 1500, err, sizeof(err));
	if (c == NULL)
		fail_msg("extended_messages = true refused: %s", err);
	assert_true(c->announce.prefixes[0].extended_messages);
	assert_true(c->announce.prefixes[1].extended_messages);
	conf_free(c);

	/* a prefix only named by a service takes the announce default */
	c = load_text("announce = { extended_messages = true; };\n"
	    "services = ( { name = \"a\"; port = 1; prefixes = "
	    "[ \"192.0.2.9/32\" ];\n checks = ( { type = \"tcp\"; } ); } );\n",
	    err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_int_equal(c->announce.nprefixes, 1);
	assert_false(c->announce.prefixes[0].listed);
	assert_true(c->announce.prefixes[0].extended_messages);
	conf_free(c);

	/* 65535 is a limit too: 16371 ports on one /32 */
	assert_null(size_load("asn = 12345;", "extended_messages = true;",
	    "\"192.0.2.1/32\"", 16371, err, sizeof(err)));
	assert_non_null(strstr(err, ":16374: service 's16371'"));
	assert_non_null(strstr(err, "(65537 bytes, limit 65535, 16371 ports)"));
}

/*
 * Seeded random edits of the good configs: every variant must either be
 * refused with a message naming the file, or load and round-trip. This
 * drives the parser, the validators and the printer's quoting far beyond
 * the hand-written cases (and under ASan/valgrind in make check).
 */
static void
test_mutations(void **state)
{
	static const char	 pool[] = "0123456789\"{}()[];:=,.-+eLx#/\\\n\t "
	    "aZ_*@\x01\x7f\xc3";
	static const char *const files[] = {
		GOOD_DIR "/full.conf", GOOD_DIR "/asn32.conf",
		GOOD_DIR "/strings.conf", GOOD_DIR "/timing.conf", EXAMPLE,
	};
	char		 path[] = "/tmp/test_conf.XXXXXX", err[600];
	char		*orig, *buf, *printed;
	size_t		 f, len, pos, nloaded = 0, nrefused = 0;
	unsigned int	 seed = 12345;
	int		 i, k, fd, edits, rounds = 400;
	struct bgpsd_conf *c;

	/* BGPSD_MUTATIONS=N[,SEED] for a longer run */
	if (getenv("BGPSD_MUTATIONS") != NULL)
		sscanf(getenv("BGPSD_MUTATIONS"), "%d,%u", &rounds, &seed);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		orig = tl_slurp(files[f]);
		assert_non_null(orig);
		for (i = 0; i < rounds; i++) {
			len = strlen(orig);
			buf = malloc(len + 16);
			assert_non_null(buf);
			memcpy(buf, orig, len + 1);
			edits = 1 + rand_r(&seed) % 3;
			for (k = 0; k < edits && len > 1; k++) {
				pos = (size_t)rand_r(&seed) % len;
				switch (rand_r(&seed) % 3) {
				case 0:		/* replace */
					buf[pos] = pool[rand_r(&seed) %
					    (sizeof(pool) - 1)];
					break;
				case 1:		/* delete */
					memmove(buf + pos, buf + pos + 1,
					    len - pos);
					len--;
					break;
				default:	/* insert */
					memmove(buf + pos + 1, buf + pos,
					    len - pos + 1);
					buf[pos] = pool[rand_r(&seed) %
					    (sizeof(pool) - 1)];
					len++;
				}
			}
			fd = open(path, O_WRONLY | O_TRUNC);
			assert_true(fd >= 0);
			assert_int_equal(write(fd, buf, len), (ssize_t)len);
			close(fd);
			free(buf);
			c = conf_load(path, err, sizeof(err));
			if (c == NULL) {
				nrefused++;
				assert_int_equal(strncmp(err, path,
				    strlen(path)), 0);
				continue;
			}
			nloaded++;
			printed = print_to_string(c);
			conf_free(c);
			assert_round_trip(printed);
			free(printed);
		}
	}
	unlink(path);
	print_message("# %zu variants loaded, %zu refused\n", nloaded,
	    nrefused);
	/* both outcomes must actually have been exercised */
	assert_true(nloaded > 100);
	assert_true(nrefused > 100);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted *.conf names of a directory */
static char **
list_confs(const char *dir, size_t *n)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL;
	size_t		 len;

	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: cannot open (run from tests/)\n", dir);
		exit(1);
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		v = realloc(v, (*n + 1) * sizeof(*v));
		if (v == NULL || (v[*n] = strdup(de->d_name)) == NULL)
			exit(1);
		(*n)++;
	}
	closedir(d);
	qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

/*
 * Append to tests[*n] one test a file: "KIND/FILE", fn with the file's
 * name as its state. -1 when out of memory.
 */
static int
add_file_tests(struct CMUnitTest *tests, size_t *n, const char *kind,
    char **files, size_t nfiles, CMUnitTestFunction fn)
{
	char	*name;
	size_t	 i;

	for (i = 0; i < nfiles; i++) {
		if (asprintf(&name, "%s/%s", kind, files[i]) == -1)
			return -1;
		tests[*n].name = name;
		tests[*n].test_func = fn;
		tests[(*n)++].initial_state = files[i];
	}
	return 0;
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_many_services),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_update_size),
		cmocka_unit_test(test_update_refused),
		cmocka_unit_test(test_update_meta),
		cmocka_unit_test(test_require_address),
		cmocka_unit_test(test_mutations),
	};
	struct CMUnitTest	*tests;
	char			**bad, **good;
	size_t			 nbad, ngood, i, n = 0, nfixed;
	int			 rc;

	bad = list_confs(BAD_DIR, &nbad);
	good = list_confs(GOOD_DIR, &ngood);
	nfixed = sizeof(fixed) / sizeof(fixed[0]);
	tests = calloc(nbad + ngood + nfixed, sizeof(*tests));
	if (tests == NULL)
		return 1;
	for (i = 0; i < nfixed; i++)
		tests[n++] = fixed[i];
	if (add_file_tests(tests, &n, "bad", bad, nbad, test_bad) == -1 ||
	    add_file_tests(tests, &n, "good", good, ngood, test_good) == -1)
		return 1;
	rc = _cmocka_run_group_tests("test_conf", tests, n, NULL, NULL);
	for (i = nfixed; i < n; i++)
		free((char *)tests[i].name);
	for (i = 0; i < nbad; i++)
		free(bad[i]);
	for (i = 0; i < ngood; i++)
		free(good[i]);
	free(bad);
	free(good);
	free(tests);
	return rc;
}
