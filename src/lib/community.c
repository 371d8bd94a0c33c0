/*
 * community.c - the metadata of ports in large communities, both ways.
 * See community.h for the encoding.
 */
#include "community.h"

#define COMMUNITY_SCALE	10000	/* local2 = port * 10000 + value */

size_t
community_meta_encode(uint32_t asn, const struct port_meta *pm, size_t n,
    struct large_community *out)
{
	size_t	 i, k = 0;
	uint32_t base;

	for (i = 0; i < n; i++) {
		base = (uint32_t)pm[i].port * COMMUNITY_SCALE;
		if (pm[i].weight != COMMUNITY_WEIGHT_DEFAULT) {
			out[k].global = asn;
			out[k].local1 = COMMUNITY_WEIGHT;
			out[k].local2 = base + (pm[i].weight >
			    COMMUNITY_WEIGHT_MAX ? COMMUNITY_WEIGHT_MAX :
			    pm[i].weight);
			k++;
		}
		if (pm[i].draining) {
			out[k].global = asn;
			out[k].local1 = COMMUNITY_DRAIN;
			out[k].local2 = base;
			k++;
		}
	}
	return k;
}

int
community_meta_decode(uint32_t asn, const struct large_community *lc,
    enum community_kind *kind, uint16_t *port, uint16_t *value)
{
	uint32_t	 p, v;

	if (lc->global != asn || (lc->local1 != COMMUNITY_WEIGHT &&
	    lc->local1 != COMMUNITY_DRAIN))
		return 0;
	p = lc->local2 / COMMUNITY_SCALE;
	v = lc->local2 % COMMUNITY_SCALE;
	if (p == 0 || p > 65535)
		return 0;
	if (lc->local1 == COMMUNITY_DRAIN && v != 0)
		return 0;
	*kind = (enum community_kind)lc->local1;
	*port = (uint16_t)p;
	*value = (uint16_t)v;
	return 1;
}
