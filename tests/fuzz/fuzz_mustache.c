/*
 * fuzz_mustache.c - libFuzzer target: tmpl_compile() + tmpl_render()
 * against a fixed context shaped like bgpsd-listen's, with and without
 * HTML escaping.
 *
 * The input is the main template, optionally followed by partials, each
 * after a line "\n@@@\n": partial "pN" is the Nth of them. The resolver
 * also answers "self" with the main template (recursion), "missing" with
 * no partial, "fail" with an error, and any other name with the first
 * partial, or the main template when there is none (recursion again).
 *
 * Oracles beyond the sanitizers: a failed compile or render leaves a
 * NUL-terminated message; a render returns exactly outlen bytes followed
 * by a NUL, at most max_output bytes; rendering twice gives the same
 * bytes; with escaping on, text taken from the context never brings a
 * raw '<' the template does not have.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log.h"
#include "mustache.h"

#define FUZZ_SEP	"\n@@@\n"
#define FUZZ_MAXPART	8
#define FUZZ_MAX_OUTPUT	(256 * 1024)

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static json_t	*ctx;

struct fuzz_src {
	const char	*main;
	size_t		 mainlen;
	const char	*part[FUZZ_MAXPART];
	size_t		 partlen[FUZZ_MAXPART];
	int		 nparts;
	int		 calls;
};

static const char CONTEXT[] =
    "{\"services\": ["
    " {\"name\": \"https\", \"port\": 443, \"count\": 2, \"backends\": ["
    "  {\"ip\": \"192.0.2.10\", \"prefix\": \"192.0.2.10/32\","
    "   \"family\": \"ipv4\", \"index\": 0, \"first\": true,"
    "   \"last\": false, \"host\": \"192.0.2.10\", \"ipv4\": true},"
    "  {\"ip\": \"2001:db8::1\", \"prefix\": \"2001:db8::1/128\","
    "   \"family\": \"ipv6\", \"index\": 1, \"first\": false,"
    "   \"last\": true, \"host\": \"[2001:db8::1]\", \"ipv6\": true}]},"
    " {\"name\": \"dns\", \"port\": 53, \"count\": 0, \"backends\": []}],"
    " \"by_name\": {\"https\": {\"port\": 443}, \"dns\": {\"port\": 53}},"
    " \"by_port\": {\"443\": {\"name\": \"https\"}},"
    " \"a\": {\"b\": {\"c\": {\"d\": \"deep\"}}},"
    " \"list\": [1, 2.5, \"three\", null, false, true, [4, [5]], {\"x\": 6}],"
    " \"html\": \"<b>&\\\"'</b>\", \"empty\": \"\", \"zero\": 0,"
    " \"real\": 1.21, \"big\": 9007199254740993, \"t\": true, \"f\": false,"
    " \"n\": null, \"obj\": {}, \"nested\": [[[[\"x\"]]]]}";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	json_error_t	 je;

	log_init("fuzz", 0, 0);
	ctx = json_loads(CONTEXT, 0, &je);
	if (ctx == NULL)
		abort();
	return 0;
}

static int
fuzz_copy(const char *s, size_t len, char **text, size_t *outlen)
{
	*text = malloc(len + 1);
	if (*text == NULL)
		return -1;
	memcpy(*text, s, len);
	(*text)[len] = '\0';
	*outlen = len;
	return 0;
}

static int
fuzz_partial(void *arg, const char *name, char **text, size_t *len,
    char *err, size_t errlen)
{
	struct fuzz_src	*s = arg;
	int		 n;

	*text = NULL;
	*len = 0;
	s->calls++;
	if (strcmp(name, "missing") == 0)
		return 0;
	if (strcmp(name, "fail") == 0) {
		snprintf(err, errlen, "refused by the resolver");
		return -1;
	}
	if (strcmp(name, "self") == 0)
		return fuzz_copy(s->main, s->mainlen, text, len);
	if (name[0] == 'p' && name[1] >= '0' && name[1] <= '9' &&
	    name[2] == '\0') {
		n = name[1] - '0';
		if (n >= s->nparts)
			return 0;
		return fuzz_copy(s->part[n], s->partlen[n], text, len);
	}
	if (s->nparts > 0)
		return fuzz_copy(s->part[0], s->partlen[0], text, len);
	return fuzz_copy(s->main, s->mainlen, text, len);
}

static void
fuzz_split(struct fuzz_src *s, const char *data, size_t size)
{
	const char	*p = data, *end = data + size, *sep;
	size_t		 seplen = strlen(FUZZ_SEP);

	memset(s, 0, sizeof(*s));
	sep = memmem(p, size, FUZZ_SEP, seplen);
	s->main = p;
	s->mainlen = sep == NULL ? size : (size_t)(sep - p);
	while (sep != NULL && s->nparts < FUZZ_MAXPART) {
		p = sep + seplen;
		sep = memmem(p, (size_t)(end - p), FUZZ_SEP, seplen);
		s->part[s->nparts] = p;
		s->partlen[s->nparts] = sep == NULL ? (size_t)(end - p) :
		    (size_t)(sep - p);
		s->nparts++;
	}
}

/* no way for the template itself to produce '<' or unescaped output */
static int
fuzz_plain(const char *p, size_t len)
{
	return memchr(p, '<', len) == NULL && memchr(p, '&', len) == NULL &&
	    memchr(p, '=', len) == NULL && memmem(p, len, "{{{", 3) == NULL;
}

static int
fuzz_all_plain(const struct fuzz_src *s)
{
	int	 i;

	if (!fuzz_plain(s->main, s->mainlen))
		return 0;
	for (i = 0; i < s->nparts; i++)
		if (!fuzz_plain(s->part[i], s->partlen[i]))
			return 0;
	return 1;
}

static void
fuzz_render(const struct tmpl *t, int esc, const struct fuzz_src *s)
{
	char	*out = NULL, *out2 = NULL, err[256];
	size_t	 outlen = 0, outlen2 = 0;
	int	 rc, rc2;

	err[0] = '\0';
	rc = tmpl_render(t, ctx, esc, &out, &outlen, err, sizeof(err));
	if (rc == -1) {
		if (out != NULL || memchr(err, '\0', sizeof(err)) == NULL ||
		    err[0] == '\0')
			abort();
		return;
	}
	if (out == NULL || out[outlen] != '\0' || outlen > FUZZ_MAX_OUTPUT)
		abort();
	if (esc && fuzz_all_plain(s) && memchr(out, '<', outlen) != NULL)
		abort();
	/* deterministic: same template, same context, same bytes */
	rc2 = tmpl_render(t, ctx, esc, &out2, &outlen2, err, sizeof(err));
	if (rc2 != 0 || outlen2 != outlen || memcmp(out, out2, outlen) != 0)
		abort();
	free(out2);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_src	 s;
	struct tmpl_opts opts;
	struct tmpl	*t;
	char		 err[256];

	fuzz_split(&s, (const char *)data, size);
	memset(&opts, 0, sizeof(opts));
	opts.max_size = 64 * 1024;
	opts.max_output = FUZZ_MAX_OUTPUT;
	opts.max_depth = 8 + (int)(size % 24);
	opts.partial = fuzz_partial;
	opts.partial_arg = &s;
	err[0] = '\0';
	t = tmpl_compile(s.main, s.mainlen, &opts, err, sizeof(err));
	if (t == NULL) {
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			abort();
		return 0;
	}
	if (s.calls > TMPL_MAX_PARTIALS)
		abort();
	fuzz_render(t, 0, &s);
	fuzz_render(t, 1, &s);
	tmpl_free(t);
	return 0;
}
