/*
 * jarena.c - a per-line bump allocator for jansson.
 *
 * Parsing one ExaBGP line with json_loadb() makes some fifty small
 * allocations (every value, every object's hash table and pairs, the
 * lexer's growing string buffer) and frees them all again when the tree
 * is dropped: a quarter of bgpsd-listen's CPU went to malloc/free. While
 * exabgp_decode() parses and walks one line, jansson allocates from one
 * block by bumping a pointer instead, and the whole block is reset when
 * the line is done. Nothing of a line outlives exabgp_decode() (it only
 * borrows references and drops the root), which is what makes the reset
 * safe; the live count below lets the tests prove it.
 *
 * jansson's allocator hooks are process-wide and take no context, so the
 * arena is one static instance: bgpsd-listen is single-threaded. Outside
 * jarena_begin()/jarena_end(), and for anything that does not fit the
 * block, jarena_malloc() is plain malloc(); jarena_free() recognises
 * arena pointers by their address and ignores them, and hands everything
 * else to free(). So json values built elsewhere (the template context,
 * status files, the mustache tests) keep using the system allocator.
 *
 * The block is sized from the line: JARENA_FACTOR bytes per input byte,
 * at least JARENA_MIN. The caller bounds lines by listen.max_line, so
 * the block is bounded by JARENA_FACTOR * max_line; a line that needs
 * more (pathological nesting) gets the rest from malloc(). A block grown
 * for a long line is given back once a line needs a quarter of it.
 *
 * BGPSD_JARENA=0 in the environment turns the arena off (every
 * allocation through malloc), e.g. for valgrind to see each one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "listen.h"

#define JARENA_MIN	(64 * 1024)	/* bytes: most lines are < 1 KB */
#define JARENA_FACTOR	16	/* block bytes per line byte */
#define JARENA_ALIGN	16	/* what malloc() guarantees on x86-64 */
#define JARENA_PAGE	4096

static struct {
	char		*base;		/* the block, or NULL */
	size_t		 size;
	char		*cur;		/* next free byte */
	size_t		 left;		/* bytes after cur; 0 outside a line */
	int		 installed;	/* jansson uses our functions */
	int		 enabled;
	int		 active;	/* between begin and end */
	long		 live;		/* arena allocations not yet freed */
	struct jarena_stats st;
} ja;

static void *
jarena_malloc(size_t n)
{
	size_t	 r;
	void	*p;

	/* outside a line left == 0: nothing fits, plain malloc */
	r = (n + JARENA_ALIGN - 1) & ~(size_t)(JARENA_ALIGN - 1);
	if (r <= ja.left && r >= n) {
		p = ja.cur;
		ja.cur += r;
		ja.left -= r;
		ja.live++;
		ja.st.allocs++;
		return p;
	}
	if (ja.active)
		ja.st.fallbacks++;
	return malloc(n);
}

static void
jarena_free(void *p)
{
	/* one unsigned compare: below base wraps around to a huge offset */
	if ((uintptr_t)p - (uintptr_t)ja.base < (uintptr_t)ja.size) {
		if (ja.active)
			ja.live--;
		else
			ja.st.strays++;	/* freed after its line: a bug */
		return;
	}
	free(p);
}

int
jarena_owns(const void *p)
{
	return (uintptr_t)p - (uintptr_t)ja.base < (uintptr_t)ja.size;
}

void
jarena_install(void)
{
	const char	*e;

	if (ja.installed)
		return;
	e = getenv("BGPSD_JARENA");
	ja.enabled = !(e != NULL && strcmp(e, "0") == 0);
	json_set_alloc_funcs(jarena_malloc, jarena_free);
	ja.installed = 1;
}

void
jarena_enable(int on)
{
	jarena_install();
	if (ja.active)
		return;		/* not in the middle of a line */
	ja.enabled = on != 0;
	if (!ja.enabled) {
		free(ja.base);
		ja.base = NULL;
		ja.size = 0;
	}
}

/* a block of want bytes, from an empty arena; keeps the old on failure */
static void
jarena_resize(size_t want)
{
	char	*b;

	if ((b = malloc(want)) == NULL)
		return;
	free(ja.base);
	ja.base = b;
	ja.size = want;
	ja.st.resizes++;
}

int
jarena_begin(size_t len)
{
	size_t	 want;

	jarena_install();
	if (!ja.enabled || ja.active)
		return 0;
	if (len > (SIZE_MAX - JARENA_PAGE) / JARENA_FACTOR)
		return 0;	/* no caller gets near it: max_line bounds */
	want = len * JARENA_FACTOR;
	if (want < JARENA_MIN)
		want = JARENA_MIN;
	want = (want + JARENA_PAGE - 1) & ~(size_t)(JARENA_PAGE - 1);
	/* grow for a long line; shrink back once lines are short again */
	if (ja.size < want || (ja.size > JARENA_MIN && ja.size / 4 >= want))
		jarena_resize(want);
	if (ja.base == NULL)
		return 0;
	ja.cur = ja.base;
	ja.left = ja.size;
	ja.live = 0;
	ja.active = 1;
	return 1;
}

void
jarena_end(void)
{
	if (!ja.active)
		return;
	ja.active = 0;
	ja.st.lines++;
	ja.st.used = (size_t)(ja.cur - ja.base);
	if (ja.st.used > ja.st.peak)
		ja.st.peak = ja.st.used;
	if (ja.live != 0)
		ja.st.leaks++;	/* a value escaped its line: a bug */
	ja.cur = NULL;
	ja.left = 0;
}

void
jarena_stats(struct jarena_stats *s)
{
	*s = ja.st;
	s->size = ja.size;
	if (ja.active)
		s->used = (size_t)(ja.cur - ja.base);
	s->live = ja.live;
	s->enabled = ja.installed ? ja.enabled : 0;
}
