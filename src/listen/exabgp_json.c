/*
 * exabgp_json.c - decode one line that ExaBGP 4.2 (encoder json) wrote
 * on our stdin into a struct exabgp_msg.
 *
 * Every field we use is type- and range-checked, and the whole line is
 * decoded before the caller sees anything: a line is applied whole or
 * skipped whole. Fields we do not use are not looked at, so ExaBGP
 * adding keys does not break us. See fixtures/exabgp-4.2/README.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "addr.h"
#include "answer.h"
#include "listen.h"
#include "log.h"

#define EXABGP_ERR_SNIPPET	40	/* bytes of JSON error text kept */

static const char *const exabgp_msg_type_names[] = {
	[EXABGP_MSG_IGNORED] = "ignored",
	[EXABGP_MSG_STATE] = "state",
	[EXABGP_MSG_UPDATE] = "update",
	[EXABGP_MSG_EOR] = "eor",
	[EXABGP_MSG_SHUTDOWN] = "shutdown",
	[EXABGP_MSG_DONE] = "done",
	[EXABGP_MSG_ERROR] = "error",
};

static const char *const exabgp_state_names[] = {
	[EXABGP_STATE_CONNECTED] = "connected",
	[EXABGP_STATE_UP] = "up",
	[EXABGP_STATE_DOWN] = "down",
};

static const char *const exabgp_family_names[] = {
	[EXABGP_FAMILY_IPV4] = "ipv4 unicast",
	[EXABGP_FAMILY_IPV6] = "ipv6 unicast",
	[EXABGP_FAMILY_OTHER] = "other",
};

const char *
exabgp_msg_type_name(enum exabgp_msg_type t)
{
	if ((size_t)t >= sizeof(exabgp_msg_type_names) /
	    sizeof(exabgp_msg_type_names[0]))
		return "?";
	return exabgp_msg_type_names[t];
}

const char *
exabgp_state_name(enum exabgp_state s)
{
	if ((size_t)s >= sizeof(exabgp_state_names) /
	    sizeof(exabgp_state_names[0]))
		return "?";
	return exabgp_state_names[s];
}

const char *
exabgp_family_name(enum exabgp_family f)
{
	if ((size_t)f >= sizeof(exabgp_family_names) /
	    sizeof(exabgp_family_names[0]))
		return "?";
	return exabgp_family_names[f];
}

void
exabgp_msg_init(struct exabgp_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = EXABGP_MSG_IGNORED;
}

void
exabgp_msg_free(struct exabgp_msg *m)
{
	free(m->announce);
	free(m->next_hop);
	free(m->withdraw);
	free(m->communities);
	free(m->large);
	exabgp_msg_init(m);
}

/* forget the previous line, keep the arrays for the next one */
void
exabgp_msg_reset(struct exabgp_msg *m)
{
	m->type = EXABGP_MSG_IGNORED;
	m->has_peer = 0;
	memset(&m->peer, 0, sizeof(m->peer));
	m->state = EXABGP_STATE_CONNECTED;
	m->reason[0] = '\0';
	m->family = EXABGP_FAMILY_OTHER;
	m->nannounce = m->nwithdraw = 0;
	m->ncommunities = m->nlarge = 0;
	m->med = m->local_pref = -1;
}

static int
exabgp_fail(struct exabgp_msg *m, char *err, size_t errlen,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
exabgp_fail(struct exabgp_msg *m, char *err, size_t errlen,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	exabgp_msg_reset(m);
	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		/* jansson quotes input bytes: the reason goes to a log line */
		for (p = err; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				*p = '?';
	}
	return -1;
}

/* grow *arr (of elem-sized items, capacity *cap) to hold one more */
static void *
exabgp_grow(void *arr, size_t n, size_t *cap, size_t elem)
{
	if (n < *cap)
		return arr;
	*cap = *cap == 0 ? 8 : *cap * 2;
	return xreallocarray(arr, *cap, elem);
}

void
exabgp_msg_add_route(struct exabgp_msg *m, const struct prefix *p,
    const struct addr *nh)
{
	m->announce = exabgp_grow(m->announce, m->nannounce,
	    &m->cap_announce, sizeof(*m->announce));
	m->next_hop = exabgp_grow(m->next_hop, m->nannounce,
	    &m->cap_next_hop, sizeof(*m->next_hop));
	m->next_hop[m->nannounce] = *nh;
	m->announce[m->nannounce++] = *p;
}

void
exabgp_msg_add_community(struct exabgp_msg *m, uint16_t asn, uint16_t value)
{
	m->communities = exabgp_grow(m->communities, m->ncommunities,
	    &m->cap_communities, sizeof(*m->communities));
	m->communities[m->ncommunities].asn = asn;
	m->communities[m->ncommunities].value = value;
	m->ncommunities++;
}

void
exabgp_msg_add_large(struct exabgp_msg *m, uint32_t global, uint32_t local1,
    uint32_t local2)
{
	m->large = exabgp_grow(m->large, m->nlarge, &m->cap_large,
	    sizeof(*m->large));
	m->large[m->nlarge].global = global;
	m->large[m->nlarge].local1 = local1;
	m->large[m->nlarge].local2 = local2;
	m->nlarge++;
}

/* strip blanks and line ends at both ends */
static void
exabgp_trim(const char **buf, size_t *len)
{
	const char	*s = *buf;
	size_t		 n = *len;

	while (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' ||
	    s[0] == '\n')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	*buf = s;
	*len = n;
}

int
exabgp_decode_text(struct exabgp_msg *m, const char *buf, size_t len,
    char *err, size_t errlen)
{
	exabgp_msg_reset(m);
	exabgp_trim(&buf, &len);
	switch (answer_parse(buf, len)) {
	case ANSWER_EMPTY:
		return 0;
	case ANSWER_DONE:
		m->type = EXABGP_MSG_DONE;
		return 0;
	case ANSWER_ERROR:
		m->type = EXABGP_MSG_ERROR;
		return 0;
	default:
		return exabgp_fail(m, err, errlen, "unexpected text line");
	}
}

/* the free-text reason of a "down" reaches logs only: printable ASCII */
static void
exabgp_copy_reason(char *dst, size_t dstlen, const char *src)
{
	size_t	 i;

	for (i = 0; src[i] != '\0' && i + 1 < dstlen; i++) {
		unsigned char	 c = (unsigned char)src[i];

		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[i] = '\0';
}

/* "neighbor": { "address": { "peer": "A" } } */
static int
exabgp_peer(struct exabgp_msg *m, json_t *neighbor, char *err, size_t errlen)
{
	json_t		*address, *peer;

	address = json_object_get(neighbor, "address");
	if (!json_is_object(address))
		return exabgp_fail(m, err, errlen,
		    "neighbor.address missing or not an object");
	peer = json_object_get(address, "peer");
	if (!json_is_string(peer))
		return exabgp_fail(m, err, errlen,
		    "neighbor.address.peer missing or not a string");
	if (addr_parse(json_string_value(peer), &m->peer) == -1)
		return exabgp_fail(m, err, errlen,
		    "neighbor.address.peer: invalid address");
	m->has_peer = 1;
	return 0;
}

static int
exabgp_state(struct exabgp_msg *m, json_t *neighbor, char *err, size_t errlen)
{
	json_t		*state, *reason;
	const char	*s;

	state = json_object_get(neighbor, "state");
	if (!json_is_string(state))
		return exabgp_fail(m, err, errlen,
		    "neighbor.state missing or not a string");
	s = json_string_value(state);
	if (strcmp(s, "connected") == 0)
		m->state = EXABGP_STATE_CONNECTED;
	else if (strcmp(s, "up") == 0)
		m->state = EXABGP_STATE_UP;
	else if (strcmp(s, "down") == 0)
		m->state = EXABGP_STATE_DOWN;
	else
		return exabgp_fail(m, err, errlen, "unknown neighbor state");
	reason = json_object_get(neighbor, "reason");
	if (json_is_string(reason))
		exabgp_copy_reason(m->reason, sizeof(m->reason),
		    json_string_value(reason));
	m->type = EXABGP_MSG_STATE;
	return 0;
}

/* an integer element of an array, checked against 0..max */
static int
exabgp_uint(json_t *arr, size_t i, json_int_t max, json_int_t *out)
{
	json_t		*v = json_array_get(arr, i);
	json_int_t	 n;

	if (!json_is_integer(v))
		return -1;
	n = json_integer_value(v);
	if (n < 0 || n > max)
		return -1;
	*out = n;
	return 0;
}

/* "community": [ [asn, value], ... ] */
static int
exabgp_communities(struct exabgp_msg *m, json_t *list, char *err,
    size_t errlen)
{
	json_t		*c;
	json_int_t	 a, v;
	size_t		 i;

	if (!json_is_array(list))
		return exabgp_fail(m, err, errlen, "community: not a list");
	json_array_foreach(list, i, c) {
		if (!json_is_array(c) || json_array_size(c) != 2 ||
		    exabgp_uint(c, 0, 65535, &a) == -1 ||
		    exabgp_uint(c, 1, 65535, &v) == -1)
			return exabgp_fail(m, err, errlen,
			    "community %zu: not [0..65535, 0..65535]", i);
		exabgp_msg_add_community(m, (uint16_t)a, (uint16_t)v);
	}
	return 0;
}

/* "large-community": [ [global, local1, local2], ... ] */
static int
exabgp_large(struct exabgp_msg *m, json_t *list, char *err, size_t errlen)
{
	json_t		*c;
	json_int_t	 g, l1, l2;
	size_t		 i;

	if (!json_is_array(list))
		return exabgp_fail(m, err, errlen,
		    "large-community: not a list");
	json_array_foreach(list, i, c) {
		if (!json_is_array(c) || json_array_size(c) != 3 ||
		    exabgp_uint(c, 0, UINT32_MAX, &g) == -1 ||
		    exabgp_uint(c, 1, UINT32_MAX, &l1) == -1 ||
		    exabgp_uint(c, 2, UINT32_MAX, &l2) == -1)
			return exabgp_fail(m, err, errlen,
			    "large-community %zu: not three 0..4294967295", i);
		exabgp_msg_add_large(m, (uint32_t)g, (uint32_t)l1,
		    (uint32_t)l2);
	}
	return 0;
}

/* "med": N, "local-preference": N: absent -1, else 0..4294967295 */
static int
exabgp_attr_u32(struct exabgp_msg *m, json_t *attr, const char *key,
    int64_t *out, char *err, size_t errlen)
{
	json_t		*v = json_object_get(attr, key);
	json_int_t	 n;

	*out = -1;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || (n = json_integer_value(v)) < 0 ||
	    n > UINT32_MAX)
		return exabgp_fail(m, err, errlen, "%s: not 0..4294967295",
		    key);
	*out = n;
	return 0;
}

/* "ipv4 unicast" -> IPV4, "ipv6 unicast" -> IPV6, anything else OTHER */
static enum exabgp_family
exabgp_family_key(const char *key)
{
	if (strcmp(key, "ipv4 unicast") == 0)
		return EXABGP_FAMILY_IPV4;
	if (strcmp(key, "ipv6 unicast") == 0)
		return EXABGP_FAMILY_IPV6;
	return EXABGP_FAMILY_OTHER;
}

/*
 * One NLRI entry: { "nlri": "P", ... } or a plain "P". The prefix
 * must belong to the family it is listed under.
 */
static int
exabgp_nlri(json_t *entry, enum exabgp_family fam, struct prefix *p)
{
	json_t		*s = entry;

	if (json_is_object(entry))
		s = json_object_get(entry, "nlri");
	if (!json_is_string(s))
		return -1;
	if (prefix_parse(json_string_value(s), p, 0) == -1)
		return -1;
	if ((fam == EXABGP_FAMILY_IPV4) != (p->addr.family == AF_INET))
		return -1;
	return 0;
}

/* append every prefix of an NLRI list to arr; nh: their next hop */
static int
exabgp_nlri_list(struct exabgp_msg *m, json_t *list, enum exabgp_family fam,
    const struct addr *nh, char *err, size_t errlen)
{
	int		 announce = nh != NULL;
	json_t		*entry;
	struct prefix	 p;
	size_t		 i;
	const char	*what = announce ? "announce" : "withdraw";

	if (!json_is_array(list))
		return exabgp_fail(m, err, errlen, "%s %s: not a list", what,
		    exabgp_family_name(fam));
	json_array_foreach(list, i, entry) {
		if (exabgp_nlri(entry, fam, &p) == -1)
			return exabgp_fail(m, err, errlen,
			    "%s %s: entry %zu: invalid prefix", what,
			    exabgp_family_name(fam), i);
		if (announce)
			exabgp_msg_add_route(m, &p, nh);
		else {
			m->withdraw = exabgp_grow(m->withdraw, m->nwithdraw,
			    &m->cap_withdraw, sizeof(*m->withdraw));
			m->withdraw[m->nwithdraw++] = p;
		}
	}
	return 0;
}

/* "announce": { "ipv4 unicast": { "<next-hop>": [ NLRI, ... ] } } */
static int
exabgp_announce(struct exabgp_msg *m, json_t *announce, char *err,
    size_t errlen)
{
	const char		*fkey, *nh;
	json_t			*groups, *list;
	struct addr		 hop;
	enum exabgp_family	 fam;

	if (!json_is_object(announce))
		return exabgp_fail(m, err, errlen, "announce: not an object");
	json_object_foreach(announce, fkey, groups) {
		/* other families (flow, vpn, ...) carry no services */
		if ((fam = exabgp_family_key(fkey)) == EXABGP_FAMILY_OTHER)
			continue;
		if (!json_is_object(groups))
			return exabgp_fail(m, err, errlen,
			    "announce %s: not an object", fkey);
		json_object_foreach(groups, nh, list) {
			/* "no-nexthop", or what does not parse: none */
			if (addr_parse(nh, &hop) == -1)
				memset(&hop, 0, sizeof(hop));
			if (exabgp_nlri_list(m, list, fam, &hop, err,
			    errlen) == -1)
				return -1;
		}
	}
	return 0;
}

/* "withdraw": { "ipv4 unicast": [ NLRI, ... ] } */
static int
exabgp_withdraw(struct exabgp_msg *m, json_t *withdraw, char *err,
    size_t errlen)
{
	const char		*fkey;
	json_t			*list;
	enum exabgp_family	 fam;

	if (!json_is_object(withdraw))
		return exabgp_fail(m, err, errlen, "withdraw: not an object");
	json_object_foreach(withdraw, fkey, list) {
		if ((fam = exabgp_family_key(fkey)) == EXABGP_FAMILY_OTHER)
			continue;
		if (exabgp_nlri_list(m, list, fam, NULL, err, errlen) == -1)
			return -1;
	}
	return 0;
}

static int
exabgp_eor(struct exabgp_msg *m, json_t *eor, char *err, size_t errlen)
{
	json_t		*afi, *safi;
	const char	*a, *s;

	if (!json_is_object(eor))
		return exabgp_fail(m, err, errlen, "eor: not an object");
	afi = json_object_get(eor, "afi");
	safi = json_object_get(eor, "safi");
	if (!json_is_string(afi) || !json_is_string(safi))
		return exabgp_fail(m, err, errlen,
		    "eor: afi/safi missing or not strings");
	a = json_string_value(afi);
	s = json_string_value(safi);
	if (strcmp(s, "unicast") == 0 && strcmp(a, "ipv4") == 0)
		m->family = EXABGP_FAMILY_IPV4;
	else if (strcmp(s, "unicast") == 0 && strcmp(a, "ipv6") == 0)
		m->family = EXABGP_FAMILY_IPV6;
	else
		m->family = EXABGP_FAMILY_OTHER;
	m->type = EXABGP_MSG_EOR;
	return 0;
}

static int
exabgp_update(struct exabgp_msg *m, json_t *neighbor, char *err,
    size_t errlen)
{
	json_t		*direction, *message, *eor, *update, *attr, *v;

	/* what our own ExaBGP sent (when subscribed) is not the peer's RIB */
	direction = json_object_get(neighbor, "direction");
	if (json_is_string(direction) &&
	    strcmp(json_string_value(direction), "send") == 0) {
		exabgp_msg_reset(m);
		return 0;
	}
	message = json_object_get(neighbor, "message");
	if (!json_is_object(message))
		return exabgp_fail(m, err, errlen,
		    "update: neighbor.message missing or not an object");
	if ((eor = json_object_get(message, "eor")) != NULL)
		return exabgp_eor(m, eor, err, errlen);
	update = json_object_get(message, "update");
	if (!json_is_object(update))
		return exabgp_fail(m, err, errlen,
		    "update: message.update missing or not an object");

	if ((attr = json_object_get(update, "attribute")) != NULL) {
		if (!json_is_object(attr))
			return exabgp_fail(m, err, errlen,
			    "attribute: not an object");
		if ((v = json_object_get(attr, "community")) != NULL &&
		    exabgp_communities(m, v, err, errlen) == -1)
			return -1;
		if ((v = json_object_get(attr, "large-community")) != NULL &&
		    exabgp_large(m, v, err, errlen) == -1)
			return -1;
		if (exabgp_attr_u32(m, attr, "med", &m->med, err,
		    errlen) == -1 || exabgp_attr_u32(m, attr,
		    "local-preference", &m->local_pref, err, errlen) == -1)
			return -1;
	}
	if ((v = json_object_get(update, "withdraw")) != NULL &&
	    exabgp_withdraw(m, v, err, errlen) == -1)
		return -1;
	if ((v = json_object_get(update, "announce")) != NULL &&
	    exabgp_announce(m, v, err, errlen) == -1)
		return -1;
	/* attributes without NLRI (seen in 4.2): an empty update */
	m->type = EXABGP_MSG_UPDATE;
	return 0;
}

static int
exabgp_decode_json(struct exabgp_msg *m, json_t *root, char *err,
    size_t errlen)
{
	json_t		*type, *neighbor, *notif;
	const char	*t;

	if (!json_is_object(root))
		return exabgp_fail(m, err, errlen, "not a JSON object");
	type = json_object_get(root, "type");
	if (!json_is_string(type))
		return exabgp_fail(m, err, errlen,
		    "type missing or not a string");
	t = json_string_value(type);

	if (strcmp(t, "notification") == 0) {
		/* {"type": "notification", "notification": "shutdown"} */
		notif = json_object_get(root, "notification");
		if (json_is_string(notif) &&
		    strcmp(json_string_value(notif), "shutdown") == 0)
			m->type = EXABGP_MSG_SHUTDOWN;
		/* a peer's NOTIFICATION: the "down" state follows */
		return 0;
	}
	if (strcmp(t, "state") != 0 && strcmp(t, "update") != 0)
		return 0;	/* open, keepalive, refresh, ...: ignored */

	neighbor = json_object_get(root, "neighbor");
	if (!json_is_object(neighbor))
		return exabgp_fail(m, err, errlen,
		    "neighbor missing or not an object");
	if (exabgp_peer(m, neighbor, err, errlen) == -1)
		return -1;
	if (strcmp(t, "state") == 0)
		return exabgp_state(m, neighbor, err, errlen);
	return exabgp_update(m, neighbor, err, errlen);
}

int
exabgp_decode(struct exabgp_msg *m, const char *buf, size_t len, char *err,
    size_t errlen)
{
	json_t		*root;
	json_error_t	 jerr;
	int		 rc;

	exabgp_msg_reset(m);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	/* a NUL cannot be part of a line ExaBGP writes */
	if (memchr(buf, '\0', len) != NULL)
		return exabgp_fail(m, err, errlen, "NUL byte in line");
	exabgp_trim(&buf, &len);
	if (len == 0 || buf[0] != '{')
		return exabgp_decode_text(m, buf, len, err, errlen);

	/*
	 * The whole tree of this line lives in the arena (jarena.c): only
	 * borrowed references are taken below and the root is dropped
	 * before jarena_end(), so nothing points into it afterwards.
	 */
	jarena_begin(len);
	/* duplicate keys would make "which peer?" ambiguous: refuse */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		jarena_end();
		return exabgp_fail(m, err, errlen,
		    "invalid JSON at byte %d: %.*s", jerr.position,
		    EXABGP_ERR_SNIPPET, jerr.text);
	}
	rc = exabgp_decode_json(m, root, err, errlen);
	json_decref(root);
	jarena_end();
	return rc;
}
