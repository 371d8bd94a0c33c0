/*
 * check_types.c - the running side of each check type: which ops table
 * a struct check_conf gets. Above check.c and the types, so that check.c
 * knows no type and no type file knows another.
 */
#include "check.h"
#include "conf.h"

const struct check_ops *
check_ops_of(enum check_type t)
{
	switch (t) {
	case CHECK_TCP:
		return &check_tcp_ops;
	case CHECK_HTTP:
		return &check_http_ops;
	case CHECK_EXEC:
		return &check_exec_ops;
	}
	return NULL;
}

int
check_init(struct check *c, struct check_ctx *ctx,
    const struct check_conf *conf, check_done_cb cb, void *arg)
{
	return check_init_ops(c, ctx, conf, check_ops_of(conf->type), cb,
	    arg);
}
