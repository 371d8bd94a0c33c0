/*
 * printconf.c - bgpsd.conf in canonical form (-n -v), like OpenBGPD's
 * printconf.c: every key in a fixed order, defaults resolved and written
 * out, numbers in one stable format. Loading the output gives a config
 * that prints identically (the golden tests check this round trip).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkconf.h"
#include "conf.h"
#include "printconf.h"
#include "printval.h"

static const char TABS[] = "\t\t\t\t\t\t\t\t";

static void
print_attr(FILE *fp, const struct route_attr *a, int depth)
{
	size_t	 i;

	if (a->med >= 0)
		printval_int(fp, "med", a->med, depth);
	if (a->local_pref >= 0)
		printval_int(fp, "local_preference", a->local_pref, depth);
	fprintf(fp, "%.*sas_path = [", depth, TABS);
	for (i = 0; i < a->nas_path; i++)
		fprintf(fp, "%s%" PRIu32, i == 0 ? " " : ", ", a->as_path[i]);
	fputs(" ];\n", fp);
	fprintf(fp, "%.*sstatic_communities = [", depth, TABS);
	for (i = 0; i < a->ncommunities; i++)
		fprintf(fp, "%s\"%" PRIu32 ":%" PRIu32 "\"", i == 0 ? " " :
		    ", ", a->communities[i] >> 16, a->communities[i] & 0xffff);
	fputs(" ];\n", fp);
	fprintf(fp, "%.*sstatic_large_communities = [", depth, TABS);
	for (i = 0; i < a->nlarge_communities; i++)
		fprintf(fp, "%s\"%" PRIu32 ":%" PRIu32 ":%" PRIu32 "\"",
		    i == 0 ? " " : ", ", a->large_communities[i].global,
		    a->large_communities[i].local1,
		    a->large_communities[i].local2);
	fputs(" ];\n", fp);
}

static void
print_check(FILE *fp, const struct check_conf *ck, int d)
{
	fprintf(fp, "%.*s{\n", d, TABS);
	printval_str(fp, "type", check_type_name(ck->type), d + 1);
	printval_duration(fp, "timeout", ck->timeout, d + 1);
	check_kind_of(ck->type)->print(fp, ck, d + 1);
	fprintf(fp, "%.*s}", d, TABS);
}

static void
print_cmd(FILE *fp, const char *key, const struct cmd_conf *cmd, int d)
{
	size_t	 n;

	if (cmd->argv == NULL)
		return;
	if (cmd->shell) {
		printval_str(fp, key, cmd->argv[0], d);
		return;
	}
	for (n = 0; cmd->argv[n] != NULL; n++)
		;
	printval_strs(fp, key, cmd->argv, n, d);
}

static void
print_service(FILE *fp, const struct bgpsd_conf *c,
    const struct service_conf *svc)
{
	char	 buf[PREFIX_STRLEN];
	size_t	 i;

	fputs("\t{\n", fp);
	printval_str(fp, "name", svc->name, 2);
	printval_int(fp, "port", svc->port, 2);
	if (svc->nchecks > 0) {
		fprintf(fp, "%.*sprefixes = [", 2, TABS);
		for (i = 0; i < svc->nprefixes; i++) {
			fputs(i == 0 ? " " : ", ", fp);
			printval_qstr(fp, prefix_fmt(&c->announce.prefixes[
			    svc->prefixes[i]].prefix, buf, sizeof(buf)));
		}
		fputs(" ];\n", fp);
	}
	printval_opt_str(fp, "disable_file", svc->disable_file, 2);
	if (svc->nchecks > 0) {
		/* a catalogue entry is never checked: no timing to show */
		printval_duration(fp, "interval", svc->timing.interval, 2);
		printval_duration(fp, "fast_interval", svc->timing.fast_interval,
		    2);
		printval_duration(fp, "timeout", svc->timing.timeout, 2);
		printval_int(fp, "rise", svc->timing.rise, 2);
		printval_int(fp, "fall", svc->timing.fall, 2);
		printval_int(fp, "weight", svc->weight, 2);
		printval_duration(fp, "drain_time", svc->drain_time, 2);
		print_cmd(fp, "on_change", &svc->on_change, 2);
		printval_duration(fp, "on_change_timeout",
		    svc->on_change_timeout, 2);
		fprintf(fp, "%.*schecks = (\n", 2, TABS);
		for (i = 0; i < svc->nchecks; i++) {
			print_check(fp, &svc->checks[i], 3);
			fputs(i + 1 < svc->nchecks ? ",\n" : "\n", fp);
		}
		fprintf(fp, "%.*s);\n", 2, TABS);
	}
	fputs("\t}", fp);
}

static void
print_announce(FILE *fp, const struct announce_conf *an)
{
	const struct prefix_conf	*pc;
	char				 buf[PREFIX_STRLEN];
	size_t				 i, n = 0;

	fputs("announce = {\n", fp);
	fputs("\tprefixes = (\n", fp);
	for (i = 0; i < an->nprefixes; i++)
		if (an->prefixes[i].listed)
			n++;
	for (i = 0; i < an->nprefixes; i++) {
		pc = &an->prefixes[i];
		if (!pc->listed)
			continue;	/* printed in its service */
		fputs("\t\t{\n", fp);
		printval_str(fp, "prefix", prefix_fmt(&pc->prefix, buf,
		    sizeof(buf)), 3);
		printval_str(fp, "next_hop", pc->next_hop, 3);
		print_attr(fp, &pc->attr, 3);
		printval_bool(fp, "extended_messages", pc->extended_messages, 3);
		printval_bool(fp, "require_address", pc->require_address, 3);
		fputs(--n > 0 ? "\t\t},\n" : "\t\t}\n", fp);
	}
	fputs("\t);\n", fp);
	printval_str(fp, "next_hop_ipv4", an->next_hop_ipv4, 1);
	printval_str(fp, "next_hop_ipv6", an->next_hop_ipv6, 1);
	print_attr(fp, &an->attr, 1);
	printval_bool(fp, "extended_messages", an->extended_messages, 1);
	printval_bool(fp, "require_address", an->require_address, 1);
	printval_duration(fp, "interval", an->timing.interval, 1);
	printval_duration(fp, "fast_interval", an->timing.fast_interval, 1);
	printval_duration(fp, "timeout", an->timing.timeout, 1);
	printval_duration(fp, "exec_timeout", an->timing.exec_timeout, 1);
	printval_int(fp, "rise", an->timing.rise, 1);
	printval_int(fp, "fall", an->timing.fall, 1);
	printval_duration(fp, "batch", an->batch, 1);
	printval_bool(fp, "ack", an->ack, 1);
	printval_duration(fp, "ack_timeout", an->ack_timeout, 1);
	printval_bool(fp, "splay", an->splay, 1);
	printval_int(fp, "max_concurrent", an->max_concurrent, 1);
	printval_opt_str(fp, "disable_file", an->disable_file, 1);
	printval_opt_str(fp, "status_file", an->status_file, 1);
	printval_opt_str(fp, "metrics_file", an->metrics_file, 1);
	printval_duration(fp, "status_interval", an->status_interval, 1);
	printval_duration(fp, "drain_on_stop", an->drain_on_stop, 1);
	fputs("};\n", fp);
}

/* an accept list, as given; nothing when absent (accept all) */
static void
print_nets(FILE *fp, const char *key, const struct prefix *v, size_t n,
    int depth)
{
	char	 buf[PREFIX_STRLEN];
	size_t	 i;

	if (v == NULL)
		return;
	fprintf(fp, "%.*s%s = [", depth, TABS, key);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s\"%s\"", i == 0 ? " " : ", ",
		    prefix_fmt(&v[i], buf, sizeof(buf)));
	fputs(" ];\n", fp);
}

static void
print_listen(FILE *fp, const struct listen_conf *l)
{
	const struct template_conf	*t;
	size_t				 i;

	fputs("listen = {\n", fp);
	printval_duration(fp, "wait_min", l->wait_min, 1);
	printval_duration(fp, "wait_max", l->wait_max, 1);
	printval_bool(fp, "host_routes_only", l->host_routes_only, 1);
	printval_duration(fp, "recovery_timeout", l->recovery_timeout, 1);
	printval_int(fp, "max_routes", l->max_routes, 1);
	printval_int(fp, "max_line", l->max_line, 1);
	printval_int(fp, "max_template", l->max_template, 1);
	printval_bool(fp, "html_escape", l->html_escape, 1);
	print_nets(fp, "accept_prefixes", l->accept_prefixes,
	    l->naccept_prefixes, 1);
	print_nets(fp, "accept_peers", l->accept_peers, l->naccept_peers, 1);
	printval_duration(fp, "stale_time", l->stale_time, 1);
	fputs("\tpeers = (\n", fp);
	for (i = 0; i < l->npeer_groups; i++) {
		fputs("\t\t{\n", fp);
		print_nets(fp, "match", l->peer_groups[i].match,
		    l->peer_groups[i].nmatch, 3);
		printval_duration(fp, "stale_time",
		    l->peer_groups[i].stale_time, 3);
		fprintf(fp, "\t\t}%s\n", i + 1 < l->npeer_groups ? "," :
		    "");
	}
	fputs("\t);\n", fp);
	printval_opt_str(fp, "status_file", l->status_file, 1);
	printval_opt_str(fp, "metrics_file", l->metrics_file, 1);
	printval_duration(fp, "status_interval", l->status_interval, 1);
	fputs("\ttemplates = (\n", fp);
	for (i = 0; i < l->ntemplates; i++) {
		t = &l->templates[i];
		fputs("\t\t{\n", fp);
		printval_str(fp, "source", t->source_given, 3);
		printval_str(fp, "destination", t->destination, 3);
		fprintf(fp, "%.*sperms = \"%04o\";\n", 3, TABS,
		    (unsigned int)t->perms);
		printval_opt_str(fp, "owner", t->owner, 3);
		printval_opt_str(fp, "group", t->group, 3);
		printval_bool(fp, "backup", t->backup, 3);
		print_cmd(fp, "check", &t->check, 3);
		print_cmd(fp, "command", &t->command, 3);
		printval_duration(fp, "command_timeout", t->command_timeout, 3);
		printval_int(fp, "min_backends", t->min_backends, 3);
		printval_bool(fp, "html_escape", t->html_escape, 3);
		printval_opt_str(fp, "haproxy_socket", t->haproxy_socket, 3);
		fputs(i + 1 < l->ntemplates ? "\t\t},\n" : "\t\t}\n", fp);
	}
	fputs("\t);\n", fp);
	fputs("};\n", fp);
}

void
conf_print(FILE *fp, const struct bgpsd_conf *c)
{
	size_t	 i;

	fprintf(fp, "asn = %" PRIu32 ";\n", c->asn);
	printval_bool(fp, "large_communities", c->large, 0);
	printval_opt_str(fp, "user", c->user, 0);
	printval_opt_str(fp, "group", c->group, 0);
	fputs("services = (\n", fp);
	for (i = 0; i < c->nservices; i++) {
		print_service(fp, c, &c->services[i]);
		fputs(i + 1 < c->nservices ? ",\n" : "\n", fp);
	}
	fputs(");\n", fp);
	if (c->announce.present)
		print_announce(fp, &c->announce);
	if (c->listen.present)
		print_listen(fp, &c->listen);
}
