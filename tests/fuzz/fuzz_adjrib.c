/*
 * fuzz_adjrib.c - libFuzzer target: what a respawned bgpsd-listen reads,
 * ExaBGP's plain-text answers (adjrib.c) between JSON lines, through the
 * table recovery (recover.c) into the table, as listen_line() does.
 *
 * Each input is one stream on a fresh table and recovery: lines are cut
 * at '\n'; a line starting with '{' is JSON (exabgp_decode, recover_live,
 * rib_apply), any other goes to recover_text. A control byte 0x01..0x04
 * alone on a line stands for what main.c does: the request sent again,
 * the answer timed out, recovery turned off, a reload of the rules.
 *
 * Oracles beyond the sanitizers: a refused line has a printable reason
 * and leaves the message IGNORED; the state only moves along the edges
 * recover.c allows (DONE and OFF are final); once ready, answer lines
 * no longer change the table; every backend is a host route with a port
 * and >= 1 peer, never more than max_routes per peer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "listen.h"
#include "log.h"

#define FUZZ_MAX_ROUTES	256
#define FUZZ_MAX_TOUCHED	64	/* small: the overflow is reached */

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz", 0, 0);
	return 0;
}

static void
fuzz_check_rib(struct rib *rib, const struct rib_conf *rc)
{
	struct rib_backend	*be;
	struct rib_peer_stat	*ps;
	size_t			 n, i;

	n = rib_backends(rib, &be);
	for (i = 0; i < n; i++)
		if (be[i].port == 0 || be[i].npeers == 0 ||
		    (rc->host_routes_only && !prefix_is_host(&be[i].prefix)))
			abort();
	free(be);
	n = rib_peers(rib, &ps);
	for (i = 0; i < n; i++)
		if (ps[i].routes > (size_t)rc->max_routes)
			abort();
	free(ps);
}

static void
fuzz_printable(const char *s)
{
	if (*s == '\0')
		abort();
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rib_conf		 rc;
	struct rib		*rib;
	struct recover		*rec;
	struct exabgp_msg	 msg;
	struct recover_stats	 st;
	enum recover_state	 was, now;
	const char		*p = (const char *)data, *end = p + size, *nl;
	char			 err[256];
	size_t			 len;
	uint64_t		 gen;
	int			 asked;

	memset(&rc, 0, sizeof(rc));
	rc.asn = 12345;
	rc.large = size > 0 && (data[0] & 1);
	rc.host_routes_only = 1;
	rc.max_routes = FUZZ_MAX_ROUTES;
	rib = rib_new(&rc);
	rec = recover_new(rib, FUZZ_MAX_TOUCHED);
	exabgp_msg_init(&msg);
	recover_begin(rec);

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = (size_t)((nl != NULL ? nl : end) - p);
		was = recover_state(rec);
		gen = rib_generation(rib);
		asked = 0;
		if (len == 1 && *p >= 1 && *p <= 4) {
			switch (*p) {
			case 1:
				recover_begin(rec);
				asked = 1;
				break;
			case 2:
				recover_fail(rec, "fuzz: no answer");
				break;
			case 3:
				recover_cancel(rec, "fuzz: off");
				break;
			default:
				rc.large = !rc.large;
				rib_reconf(rib, &rc);
				gen = rib_generation(rib);
				break;
			}
		} else if (len > 0 && *p == '{') {
			if (exabgp_decode(&msg, p, len, err, sizeof(err)) ==
			    0) {
				recover_live(rec, &msg);
				rib_apply(rib, &msg);
			} else if (msg.type != EXABGP_MSG_IGNORED)
				abort();
		} else {
			if (recover_text(rec, p, len, err, sizeof(err)) == -1)
				fuzz_printable(err);
			/* a finished recovery leaves the table alone */
			if (was == RECOVER_DONE || was == RECOVER_OFF)
				if (rib_generation(rib) != gen)
					abort();
		}
		now = recover_state(rec);
		/* DONE is final; OFF too, but for a new request */
		if ((was == RECOVER_DONE && now != RECOVER_DONE) ||
		    (was == RECOVER_OFF && now != RECOVER_OFF && !asked))
			abort();
		if (recover_ready(rec) != (now == RECOVER_DONE ||
		    now == RECOVER_OFF))
			abort();
		recover_stats(rec, &st);
		if (st.state != now || st.detail == NULL ||
		    (now == RECOVER_FAILED && st.detail[0] == '\0'))
			abort();
		if (now == RECOVER_FAILED)
			fuzz_printable(st.detail);
		p = nl != NULL ? nl + 1 : end;
	}
	fuzz_check_rib(rib, &rc);
	(void)rib_all_eor(rib);
	recover_free(rec);
	exabgp_msg_free(&msg);
	rib_free(rib);
	return 0;
}
