/*
 * mustache.c - compile Mustache templates into flat node arrays and
 * render them against jansson values. The rules are in mustache.h.
 *
 * Nodes of one source (the template, or one partial) sit in one array
 * in source order; a section node records the index just past its body,
 * so rendering is a loop over a range with recursion only into section
 * bodies and partials, both bounded.
 *
 * Partial indentation: the spec prepends a standalone partial's
 * indentation to every line of the partial before parsing it. Doing that
 * literally would compile one copy of a partial per indentation, which
 * is unbounded for a recursive partial. Instead each partial is compiled
 * once, and every place where a line of its source starts gets a text
 * node marked bol (possibly empty); the renderer writes the indentation
 * in force before such nodes. Lines removed as standalone carry no mark,
 * which is what parsing the indented text would have given.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mustache.h"

enum tmpl_node_type {
	TN_TEXT,
	TN_VAR,		/* {{x}}: escaped when the render asks for it */
	TN_RAW,		/* {{{x}}} and {{&x}} */
	TN_SECTION,
	TN_INVERTED,
	TN_PARTIAL,
};

/*
 * text: src[off .. off + len), bol if a source line starts there.
 * var, section: the name's parts at pool + off, len of them (0: ".");
 * a section's body is nodes [index + 1, end).
 * partial: units[unit]; a standalone one is indented by src[ioff], ilen.
 */
struct tmpl_node {
	enum tmpl_node_type	 type;
	int			 bol;
	int			 standalone;
	int			 line;
	size_t			 off;
	size_t			 len;
	size_t			 end;
	size_t			 unit;
	size_t			 ioff;
	size_t			 ilen;
};

struct tmpl_unit {
	char			*name;	/* NULL: the template */
	char			*src;	/* NULL: missing partial */
	size_t			 len;
	struct tmpl_node	*nodes;
	size_t			 nnodes;
	size_t			 nodecap;
	char			*pool;	/* names, NUL-separated */
	size_t			 poollen;
	size_t			 poolcap;
};

struct tmpl {
	struct tmpl_unit	**units;	/* [0] is the template */
	size_t			  nunits;
	size_t			  max_output;
	int			  max_depth;
};

struct tmpl_open {
	size_t	 node;		/* index of the section node */
	size_t	 noff;		/* its name, as written, in src */
	size_t	 nlen;
	int	 line;
};

struct tmpl_parser {
	struct tmpl		*t;
	struct tmpl_unit	*u;
	int			(*partial)(void *, const char *, char **,
				    size_t *, char *, size_t);
	void			*partial_arg;
	const char		*file;	/* tmpl_load: template path */
	const char		*dir;	/* tmpl_load: its folder */
	size_t			 total;	/* bytes of all sources */
	size_t			 max_size;
	size_t			 lpos;	/* lpos is on line */
	int			 line;
	char			 otag[TMPL_DELIM_MAX + 1];
	char			 ctag[TMPL_DELIM_MAX + 1];
	size_t			 olen;
	size_t			 clen;
	struct tmpl_open	 open[TMPL_MAX_NEST];
	int			 nopen;
	char			*err;
	size_t			 errlen;
};

struct tmpl_indent {
	const char	*p;
	size_t		 len;
};

struct tmpl_rstate {
	const struct tmpl	*t;
	char			*buf;
	size_t			 len;
	size_t			 cap;
	int			 html;
	int			 depth;	/* partials open */
	int			 level;	/* sections, partials open */
	size_t			 nstack;
	struct tmpl_value	 stack[TMPL_MAX_LEVELS + 1];
	/* the indentation in force is indent[ilo] .. indent[ihi - 1] */
	struct tmpl_indent	 indent[TMPL_MAX_DEPTH + 1];
	int			 ilo;
	int			 ihi;
	char			*err;
	size_t			 errlen;
};

static int
tmpl_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static int
tmpl_line_start(const char *s, size_t pos)
{
	return pos == 0 || s[pos - 1] == '\n';
}

/* 1-based line of pos; positions are mostly increasing, so count on */
static int
tmpl_parse_lineno(struct tmpl_parser *p, size_t pos)
{
	const char	*s = p->u->src;

	if (pos < p->lpos) {
		p->lpos = 0;
		p->line = 1;
	}
	for (; p->lpos < pos; p->lpos++)
		if (s[p->lpos] == '\n')
			p->line++;
	return p->line;
}

static int
tmpl_parse_error(struct tmpl_parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
tmpl_parse_error(struct tmpl_parser *p, size_t pos, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;
	int	 line;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->errlen == 0)
		return -1;
	line = tmpl_parse_lineno(p, pos);
	if (p->file != NULL && p->u->name == NULL)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->file, line, msg);
	else if (p->file != NULL)
		snprintf(p->err, p->errlen, "%s/%s.mustache:%d: %s", p->dir,
		    p->u->name, line, msg);
	else if (p->u->name != NULL)
		snprintf(p->err, p->errlen, "partial '%s': line %d: %s",
		    p->u->name, line, msg);
	else
		snprintf(p->err, p->errlen, "line %d: %s", line, msg);
	return -1;
}

static struct tmpl_node *
tmpl_parse_node(struct tmpl_parser *p, enum tmpl_node_type type)
{
	struct tmpl_unit	*u = p->u;
	struct tmpl_node	*n;

	if (u->nnodes == u->nodecap) {
		u->nodecap = u->nodecap == 0 ? 64 : u->nodecap * 2;
		u->nodes = xreallocarray(u->nodes, u->nodecap,
		    sizeof(*u->nodes));
	}
	n = &u->nodes[u->nnodes++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	return n;
}

/*
 * Text [a, b) as one node per line piece, each marked bol when a source
 * line starts there. mark_end: a tag that stays in the output follows at
 * b; if a line starts at b, it needs its own (empty) bol node.
 */
static void
tmpl_parse_text(struct tmpl_parser *p, size_t a, size_t b, int mark_end)
{
	const char		*s = p->u->src;
	const char		*nl;
	struct tmpl_node	*n;
	size_t			 e;

	while (a < b) {
		nl = memchr(s + a, '\n', b - a);
		e = nl == NULL ? b : (size_t)(nl - s) + 1;
		n = tmpl_parse_node(p, TN_TEXT);
		n->off = a;
		n->len = e - a;
		/* an empty line gets no indentation: no trailing blanks */
		n->bol = tmpl_line_start(s, a) &&
		    !(e - a == 1 && s[a] == '\n') &&
		    !(e - a == 2 && s[a] == '\r' && s[a + 1] == '\n');
		a = e;
	}
	if (mark_end && tmpl_line_start(s, b)) {
		n = tmpl_parse_node(p, TN_TEXT);
		n->off = b;
		n->bol = 1;
	}
}

static void
tmpl_parse_trim(const char *s, size_t *a, size_t *b)
{
	while (*a < *b && tmpl_isspace((unsigned char)s[*a]))
		(*a)++;
	while (*b > *a && tmpl_isspace((unsigned char)s[*b - 1]))
		(*b)--;
}

static void
tmpl_parse_pool(struct tmpl_parser *p, const char *s, size_t n)
{
	struct tmpl_unit	*u = p->u;

	while (u->poolcap - u->poollen < n + 1) {
		u->poolcap = u->poolcap == 0 ? 256 : u->poolcap * 2;
		u->pool = xreallocarray(u->pool, u->poolcap, 1);
	}
	memcpy(u->pool + u->poollen, s, n);
	u->poollen += n;
	u->pool[u->poollen++] = '\0';
}

/*
 * The name in [a, b) (already trimmed) into the pool as its dotted parts;
 * *off and *nparts describe it, nparts 0 meaning ".".
 */
static int
tmpl_parse_name(struct tmpl_parser *p, size_t ts, size_t a, size_t b,
    size_t *off, size_t *nparts)
{
	const char	*s = p->u->src;
	size_t		 i, start;

	if (a == b)
		return tmpl_parse_error(p, ts, "empty tag");
	for (i = a; i < b; i++)
		if (tmpl_isspace((unsigned char)s[i]) || s[i] == '\0')
			return tmpl_parse_error(p, ts, "bad name '%.*s'",
			    (int)(b - a > 64 ? 64 : b - a), s + a);
	*off = p->u->poollen;
	*nparts = 0;
	if (b - a == 1 && s[a] == '.')
		return 0;
	for (start = a, i = a; i <= b; i++) {
		if (i < b && s[i] != '.')
			continue;
		if (i == start)
			return tmpl_parse_error(p, ts, "bad name '%.*s'",
			    (int)(b - a > 64 ? 64 : b - a), s + a);
		tmpl_parse_pool(p, s + start, i - start);
		(*nparts)++;
		start = i + 1;
	}
	return 0;
}

/* {{=<% %>=}}: content [a, b) between the two '=' */
static int
tmpl_parse_delims(struct tmpl_parser *p, size_t ts, size_t a, size_t b)
{
	const char	*s = p->u->src;
	size_t		 x, y, i;

	tmpl_parse_trim(s, &a, &b);
	for (x = a; x < b && !tmpl_isspace((unsigned char)s[x]); x++)
		;
	for (y = x; y < b && tmpl_isspace((unsigned char)s[y]); y++)
		;
	for (i = y; i < b; i++)
		if (tmpl_isspace((unsigned char)s[i]))
			break;
	if (x == a || y == b || i != b)
		return tmpl_parse_error(p, ts, "bad set-delimiter tag: want "
		    "two delimiters separated by space");
	if (x - a > TMPL_DELIM_MAX || b - y > TMPL_DELIM_MAX)
		return tmpl_parse_error(p, ts, "bad set-delimiter tag: "
		    "delimiter longer than %d bytes", TMPL_DELIM_MAX);
	if (memchr(s + a, '=', x - a) != NULL ||
	    memchr(s + y, '=', b - y) != NULL ||
	    memchr(s + a, '\0', x - a) != NULL ||
	    memchr(s + y, '\0', b - y) != NULL)
		return tmpl_parse_error(p, ts, "bad set-delimiter tag: "
		    "delimiter contains '='");
	memcpy(p->otag, s + a, x - a);
	p->olen = x - a;
	memcpy(p->ctag, s + y, b - y);
	p->clen = b - y;
	return 0;
}

static int
tmpl_parse_partial(struct tmpl_parser *p, size_t ts, size_t a, size_t b,
    int standalone, size_t ws)
{
	struct tmpl		*t = p->t;
	struct tmpl_unit	*pu;
	struct tmpl_node	*n;
	const char		*s = p->u->src;
	char			 name[256], rerr[256];
	char			*text = NULL;
	size_t			 i, len = 0;

	tmpl_parse_trim(s, &a, &b);
	if (a == b)
		return tmpl_parse_error(p, ts, "empty partial name");
	if (b - a >= sizeof(name))
		return tmpl_parse_error(p, ts, "partial name longer than %zu "
		    "bytes", sizeof(name) - 1);
	for (i = a; i < b; i++)
		if (tmpl_isspace((unsigned char)s[i]) || s[i] == '\0')
			return tmpl_parse_error(p, ts, "bad partial name "
			    "'%.*s'", (int)(b - a), s + a);
	memcpy(name, s + a, b - a);
	name[b - a] = '\0';

	for (i = 1; i < t->nunits; i++)
		if (strcmp(t->units[i]->name, name) == 0)
			break;
	if (i == t->nunits) {
		if (t->nunits > TMPL_MAX_PARTIALS)
			return tmpl_parse_error(p, ts, "more than %d partials",
			    TMPL_MAX_PARTIALS);
		rerr[0] = '\0';
		if (p->partial != NULL && p->partial(p->partial_arg, name,
		    &text, &len, rerr, sizeof(rerr)) == -1)
			return tmpl_parse_error(p, ts, "partial '%s': %s", name,
			    rerr);
		if (text != NULL && len > p->max_size - p->total) {
			free(text);
			return tmpl_parse_error(p, ts, "partial '%s': template "
			    "and partials larger than %zu bytes", name,
			    p->max_size);
		}
		p->total += text == NULL ? 0 : len;
		pu = xcalloc(1, sizeof(*pu));
		pu->name = xstrdup(name);
		pu->src = text;
		pu->len = text == NULL ? 0 : len;
		t->units = xreallocarray(t->units, t->nunits + 1,
		    sizeof(*t->units));
		t->units[t->nunits++] = pu;
	}
	n = tmpl_parse_node(p, TN_PARTIAL);
	n->unit = i;
	n->standalone = standalone;
	n->ioff = ws;
	n->ilen = ts - ws;
	n->line = tmpl_parse_lineno(p, ts);
	return 0;
}

/* a tag that may stand alone on its line: removes the line if it does */
static int
tmpl_parse_standalone_kind(int sigil)
{
	return sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!' ||
	    sigil == '>' || sigil == '=';
}

/* {{# name}} or {{^ name}}: a section opens; its close tag will end it */
static int
tmpl_parse_open(struct tmpl_parser *p, size_t ts, size_t a, size_t b,
    int sigil)
{
	struct tmpl_unit	*u = p->u;
	struct tmpl_open	*o;
	struct tmpl_node	*n;
	size_t			 off, nparts;

	tmpl_parse_trim(u->src, &a, &b);
	if (tmpl_parse_name(p, ts, a, b, &off, &nparts) == -1)
		return -1;
	if (p->nopen == TMPL_MAX_NEST)
		return tmpl_parse_error(p, ts, "sections "
		    "nested deeper than %d", TMPL_MAX_NEST);
	o = &p->open[p->nopen++];
	o->node = u->nnodes;
	o->noff = a;
	o->nlen = b - a;
	o->line = tmpl_parse_lineno(p, ts);
	n = tmpl_parse_node(p, sigil == '#' ? TN_SECTION :
	    TN_INVERTED);
	n->off = off;
	n->len = nparts;
	n->line = o->line;
	return 0;
}

/* {{/ name}}: must name the innermost open section */
static int
tmpl_parse_close(struct tmpl_parser *p, size_t ts, size_t a, size_t b)
{
	struct tmpl_unit	*u = p->u;
	struct tmpl_open	*o;
	const char		*s = u->src;

	tmpl_parse_trim(s, &a, &b);
	if (a == b)
		return tmpl_parse_error(p, ts,
		    "empty close tag");
	if (p->nopen == 0)
		return tmpl_parse_error(p, ts, "close tag "
		    "'%.*s' without open section",
		    (int)(b - a > 64 ? 64 : b - a), s + a);
	o = &p->open[p->nopen - 1];
	if (o->nlen != b - a ||
	    memcmp(s + o->noff, s + a, b - a) != 0)
		return tmpl_parse_error(p, ts, "close tag "
		    "'%.*s' does not match section '%.*s' of "
		    "line %d",
		    (int)(b - a > 64 ? 64 : b - a), s + a,
		    (int)(o->nlen > 64 ? 64 : o->nlen),
		    s + o->noff, o->line);
	u->nodes[o->node].end = u->nnodes;
	p->nopen--;
	return 0;
}

/*
 * The tag opening at ts with sigil: finds its closing delimiter. Sets
 * *a to where its name or content starts (after the sigil), *ce to where
 * the closing delimiter starts and *te just past it.
 */
static int
tmpl_parse_tag_end(struct tmpl_parser *p, size_t ts, int sigil, size_t *a,
    size_t *ce, size_t *te)
{
	const char	*s = p->u->src;
	const char	*hit;
	char		 close[TMPL_DELIM_MAX + 2];
	size_t		 len = p->u->len, closelen = 0, e;

	if (sigil == '{')
		close[closelen++] = '}';
	else if (sigil == '=')
		close[closelen++] = '=';
	memcpy(close + closelen, p->ctag, p->clen);
	closelen += p->clen;
	*a = ts + p->olen;
	if (sigil != '\0' && strchr("#^/!>&{=", sigil) != NULL)
		(*a)++;
	hit = *a < len ? memmem(s + *a, len - *a, close, closelen) : NULL;
	if (hit == NULL) {
		/* quote the start of the tag, up to 20 bytes */
		for (e = ts; e < len && e - ts < 20 &&
		    s[e] != '\n' && s[e] != '\r'; e++)
			;
		return tmpl_parse_error(p, ts, "unclosed tag '%.*s'",
		    (int)(e - ts), s + ts);
	}
	*ce = hit - s;
	*te = *ce + closelen;
	return 0;
}

/*
 * Is the tag [ts, te) standalone: only blanks around it on its line(s)?
 * If so *ws is where its line starts (not before pos) and *after just past
 * its line's end, and the line is dropped from the output.
 */
static int
tmpl_parse_standalone(struct tmpl_parser *p, size_t pos, size_t ts,
    size_t te, int sigil, size_t *ws, size_t *after)
{
	const char	*s = p->u->src;
	size_t		 len = p->u->len;

	*ws = ts;
	*after = te;
	if (!tmpl_parse_standalone_kind(sigil))
		return 0;
	while (*ws > pos && (s[*ws - 1] == ' ' || s[*ws - 1] == '\t'))
		(*ws)--;
	while (*after < len && (s[*after] == ' ' || s[*after] == '\t'))
		(*after)++;
	if (!tmpl_line_start(s, *ws))
		return 0;
	if (*after == len)
		return 1;
	if (s[*after] == '\n') {
		(*after)++;
		return 1;
	}
	if (s[*after] == '\r' && *after + 1 < len && s[*after + 1] == '\n') {
		*after += 2;
		return 1;
	}
	return 0;
}

/* the tag with sigil at ts, its name or content [a, b): one node or none */
static int
tmpl_parse_tag(struct tmpl_parser *p, int sigil, size_t ts, size_t a,
    size_t b, int standalone, size_t ws)
{
	struct tmpl_node	*n;
	size_t			 off, nparts;

	switch (sigil) {
	case '!':
		return 0;
	case '=':
		return tmpl_parse_delims(p, ts, a, b);
	case '#':
	case '^':
		return tmpl_parse_open(p, ts, a, b, sigil);
	case '/':
		return tmpl_parse_close(p, ts, a, b);
	case '>':
		return tmpl_parse_partial(p, ts, a, b, standalone, ws);
	default:
		tmpl_parse_trim(p->u->src, &a, &b);
		if (tmpl_parse_name(p, ts, a, b, &off, &nparts) == -1)
			return -1;
		n = tmpl_parse_node(p, sigil == '&' || sigil == '{' ?
		    TN_RAW : TN_VAR);
		n->off = off;
		n->len = nparts;
		return 0;
	}
}

static int
tmpl_parse_unit(struct tmpl_parser *p)
{
	struct tmpl_unit	*u = p->u;
	struct tmpl_open	*o;
	const char		*s = u->src;
	const char		*hit;
	size_t			 len = u->len, pos = 0, ts, cs, ce = 0, te = 0;
	size_t			 ws, after, a;
	int			 sigil, standalone;

	memcpy(p->otag, "{{", 3);
	memcpy(p->ctag, "}}", 3);
	p->olen = p->clen = 2;
	p->nopen = 0;
	p->lpos = 0;
	p->line = 1;
	if (s == NULL)
		return 0;

	for (;;) {
		hit = pos < len ? memmem(s + pos, len - pos, p->otag, p->olen) :
		    NULL;
		if (hit == NULL) {
			tmpl_parse_text(p, pos, len, 0);
			break;
		}
		ts = hit - s;
		cs = ts + p->olen;
		sigil = cs < len ? (unsigned char)s[cs] : '\0';
		if (sigil == '<' || sigil == '$')
			return tmpl_parse_error(p, ts, "template inheritance "
			    "('%c' tags) is not supported", sigil);
		if (tmpl_parse_tag_end(p, ts, sigil, &a, &ce, &te) == -1)
			return -1;
		standalone = tmpl_parse_standalone(p, pos, ts, te, sigil, &ws,
		    &after);
		if (standalone) {
			tmpl_parse_text(p, pos, ws, 0);
			pos = after;
		} else {
			tmpl_parse_text(p, pos, ts, 1);
			ws = ts;
			pos = te;
		}
		if (tmpl_parse_tag(p, sigil, ts, a, ce, standalone, ws) == -1)
			return -1;
	}
	if (p->nopen > 0) {
		o = &p->open[p->nopen - 1];
		return tmpl_parse_error(p, o->noff, "unclosed section '%.*s'",
		    (int)(o->nlen > 64 ? 64 : o->nlen), s + o->noff);
	}
	return 0;
}

static void
tmpl_unit_free(struct tmpl_unit *u)
{
	if (u == NULL)
		return;
	free(u->name);
	free(u->src);
	free(u->nodes);
	free(u->pool);
	free(u);
}

void
tmpl_free(struct tmpl *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nunits; i++)
		tmpl_unit_free(t->units[i]);
	free(t->units);
	free(t);
}

/* compile the template in src (taken over) and every partial it names */
static struct tmpl *
tmpl_build(char *src, size_t len, const struct tmpl_opts *opts,
    struct tmpl_parser *p)
{
	struct tmpl		*t;
	struct tmpl_unit	*u;
	size_t			 i;

	t = xcalloc(1, sizeof(*t));
	t->max_output = TMPL_DEFAULT_MAX_OUTPUT;
	t->max_depth = TMPL_DEFAULT_MAX_DEPTH;
	p->max_size = TMPL_DEFAULT_MAX_SIZE;
	if (opts != NULL) {
		if (opts->max_output > 0)
			t->max_output = opts->max_output;
		if (opts->max_depth > 0)
			t->max_depth = opts->max_depth > TMPL_MAX_DEPTH ?
			    TMPL_MAX_DEPTH : opts->max_depth;
		if (opts->max_size > 0)
			p->max_size = opts->max_size;
	}
	/* the buffer keeps a spare byte for the final NUL */
	if (t->max_output > SIZE_MAX / 4)
		t->max_output = SIZE_MAX / 4;
	u = xcalloc(1, sizeof(*u));
	u->src = src;
	u->len = len;
	t->units = xcalloc(1, sizeof(*t->units));
	t->units[0] = u;
	t->nunits = 1;
	p->t = t;
	p->total = len;
	if (len > p->max_size) {
		if (p->errlen > 0 && p->file != NULL)
			snprintf(p->err, p->errlen, "%s: template larger than "
			    "%zu bytes", p->file, p->max_size);
		else if (p->errlen > 0)
			snprintf(p->err, p->errlen, "template larger than %zu "
			    "bytes", p->max_size);
		goto fail;
	}
	/* partials found while parsing are appended, then parsed in turn */
	for (i = 0; i < t->nunits; i++) {
		p->u = t->units[i];
		if (tmpl_parse_unit(p) == -1)
			goto fail;
	}
	return t;
fail:
	tmpl_free(t);
	return NULL;
}

struct tmpl *
tmpl_compile(const char *src, size_t len, const struct tmpl_opts *opts,
    char *err, size_t errlen)
{
	struct tmpl_parser	 p;
	char			*copy;

	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	if (opts != NULL) {
		p.partial = opts->partial;
		p.partial_arg = opts->partial_arg;
	}
	copy = xmalloc(len + 1);
	if (len > 0)
		memcpy(copy, src, len);
	copy[len] = '\0';
	return tmpl_build(copy, len, opts, &p);
}

/*
 * Read a regular file of at most max bytes. 0: *text (malloc'd), *len;
 * 1: it does not exist; -1: error in err.
 */
static int
tmpl_read_file(const char *path, size_t max, char **text, size_t *len,
    char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf = NULL, *nb;
	size_t		 n = 0, cap;
	ssize_t		 r;
	int		 fd;

	/* O_NONBLOCK: a FIFO in place of a template must not hang us */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
		goto fail;
	}
	cap = (size_t)st.st_size + 1;
	buf = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			/* the file grew while we read it */
			if (n > max) {
				snprintf(err, errlen, "%s: larger than %zu "
				    "bytes", path, max);
				goto fail;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			nb = xreallocarray(buf, cap, 1);
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
		goto fail;
	}
	close(fd);
	*text = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

struct tmpl_files {
	const char	*path;
	const char	*dir;
	size_t		 max_size;
};

static int
tmpl_file_partial(void *arg, const char *name, char **text, size_t *len,
    char *err, size_t errlen)
{
	struct tmpl_files	*f = arg;
	char			 path[PATH_MAX];
	int			 rc;

	*text = NULL;
	*len = 0;
	if (name[0] == '.' || strchr(name, '/') != NULL) {
		snprintf(err, errlen, "bad partial name: it must not start "
		    "with '.' or contain '/'");
		return -1;
	}
	rc = snprintf(path, sizeof(path), "%s/%s.mustache", f->dir, name);
	if (rc < 0 || (size_t)rc >= sizeof(path)) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	rc = tmpl_read_file(path, f->max_size, text, len, err, errlen);
	if (rc == 1) {
		log_warnx("%s: partial '%s' not found (%s), it renders as "
		    "empty", f->path, name, path);
		return 0;
	}
	return rc;
}

struct tmpl *
tmpl_load(const char *path, const struct tmpl_opts *opts, char *err,
    size_t errlen)
{
	struct tmpl_parser	 p;
	struct tmpl_files	 f;
	struct tmpl		*t;
	const char		*slash;
	char			*dir, *text = NULL, rerr[512];
	size_t			 len = 0, max;
	int			 rc;

	max = opts != NULL && opts->max_size > 0 ? opts->max_size :
	    TMPL_DEFAULT_MAX_SIZE;
	rc = tmpl_read_file(path, max, &text, &len, rerr, sizeof(rerr));
	if (rc != 0) {
		if (rc == 1)
			snprintf(err, errlen, "%s: %s", path,
			    strerror(ENOENT));
		else
			snprintf(err, errlen, "%s", rerr);
		return NULL;
	}
	slash = strrchr(path, '/');
	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else {
		dir = xmalloc(slash - path + 1);
		memcpy(dir, path, slash - path);
		dir[slash - path] = '\0';
	}
	f.path = path;
	f.dir = dir;
	f.max_size = max;
	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	p.partial = tmpl_file_partial;
	p.partial_arg = &f;
	p.file = path;
	p.dir = dir;
	t = tmpl_build(text, len, opts, &p);
	free(dir);
	return t;
}

/* rendering */

static int
tmpl_render_error(struct tmpl_rstate *r, const struct tmpl_unit *u, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
tmpl_render_error(struct tmpl_rstate *r, const struct tmpl_unit *u, int line,
    const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->errlen == 0)
		return -1;
	if (u != NULL && u->name != NULL)
		snprintf(r->err, r->errlen, "partial '%s': line %d: %s",
		    u->name, line, msg);
	else if (u != NULL)
		snprintf(r->err, r->errlen, "line %d: %s", line, msg);
	else
		snprintf(r->err, r->errlen, "%s", msg);
	return -1;
}

/* room for need more bytes plus the final NUL */
static int
tmpl_render_grow(struct tmpl_rstate *r, size_t need)
{
	size_t	 want, cap;
	char	*nb;

	if (need > r->t->max_output - r->len)
		return tmpl_render_error(r, NULL, 0, "output larger than "
		    "%zu bytes", r->t->max_output);
	want = r->len + need + 1;
	if (want <= r->cap)
		return 0;
	cap = r->cap == 0 ? 4096 : r->cap;
	while (cap < want)
		cap *= 2;
	if (cap > r->t->max_output + 1)
		cap = r->t->max_output + 1;
	if ((nb = realloc(r->buf, cap)) == NULL)
		return tmpl_render_error(r, NULL, 0, "out of memory");
	r->buf = nb;
	r->cap = cap;
	return 0;
}

static int
tmpl_render_append(struct tmpl_rstate *r, const char *s, size_t n)
{
	if (n >= r->cap - r->len && tmpl_render_grow(r, n) == -1)
		return -1;
	if (n > 0)
		memcpy(r->buf + r->len, s, n);
	r->len += n;
	return 0;
}

static int
tmpl_render_escaped(struct tmpl_rstate *r, const char *s, size_t n)
{
	const char	*rep;
	size_t		 i, start = 0;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		default:
			continue;
		}
		if (tmpl_render_append(r, s + start, i - start) == -1 ||
		    tmpl_render_append(r, rep, strlen(rep)) == -1)
			return -1;
		start = i + 1;
	}
	return tmpl_render_append(r, s + start, n - start);
}

/* an integer in decimal, by hand: a port per backend adds up */
static int
tmpl_render_int(struct tmpl_rstate *r, int64_t i)
{
	char		 num[24], *p = num + sizeof(num);
	uint64_t	 u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (i < 0)
		*--p = '-';
	return tmpl_render_append(r, p, (size_t)(num + sizeof(num) - p));
}

/* the shortest of %.15g, %.16g, %.17g that reads back as d */
static void
tmpl_render_real(double d, char *buf, size_t size)
{
	int	 prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
	snprintf(buf, size, "%.17g", d);
}

/* ---- values: jansson's, and the scalar helpers for other classes ---- */

static int	tmpl_json_get(const struct tmpl_value *, const char *,
		    struct tmpl_value *);
static size_t	tmpl_json_len(const struct tmpl_value *);
static void	tmpl_json_at(const struct tmpl_value *, size_t,
		    struct tmpl_value *);

static const struct tmpl_class tmpl_json_class = {
	tmpl_json_get, tmpl_json_len, tmpl_json_at
};

void
tmpl_value_json(struct tmpl_value *v, json_t *j)
{
	v->cls = NULL;
	v->obj = j;
	if (j == NULL) {
		v->type = TMPL_NULL;
		return;
	}
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		v->type = TMPL_MAP;
		v->cls = &tmpl_json_class;
		break;
	case JSON_ARRAY:
		v->type = TMPL_LIST;
		v->cls = &tmpl_json_class;
		break;
	case JSON_STRING:
		v->type = TMPL_STR;
		v->s = json_string_value(j);
		v->len = json_string_length(j);
		break;
	case JSON_INTEGER:
		v->type = TMPL_INT;
		v->i = json_integer_value(j);
		break;
	case JSON_REAL:
		v->type = TMPL_REAL;
		v->d = json_real_value(j);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		v->type = TMPL_BOOL;
		v->i = json_is_true(j);
		break;
	case JSON_NULL:
		v->type = TMPL_NULL;
		break;
	}
}

static int
tmpl_json_get(const struct tmpl_value *map, const char *key,
    struct tmpl_value *out)
{
	json_t	*j = json_object_get(map->obj, key);

	if (j == NULL)
		return -1;
	tmpl_value_json(out, j);
	return 0;
}

static size_t
tmpl_json_len(const struct tmpl_value *list)
{
	return json_array_size(list->obj);
}

static void
tmpl_json_at(const struct tmpl_value *list, size_t i, struct tmpl_value *out)
{
	tmpl_value_json(out, json_array_get(list->obj, i));
}

void
tmpl_value_str(struct tmpl_value *v, const char *s)
{
	v->type = TMPL_STR;
	v->s = s;
	v->len = strlen(s);
}

void
tmpl_value_int(struct tmpl_value *v, int64_t i)
{
	v->type = TMPL_INT;
	v->i = i;
}

void
tmpl_value_bool(struct tmpl_value *v, int b)
{
	v->type = TMPL_BOOL;
	v->i = b != 0;
}

/* a copy that keeps a string held in the value's own buf valid */
static void
tmpl_value_copy(struct tmpl_value *dst, const struct tmpl_value *src)
{
	int	 own = src->type == TMPL_STR && src->s == src->buf;

	*dst = *src;
	if (own)
		dst->s = dst->buf;
}

static int
tmpl_render_value(struct tmpl_rstate *r, const struct tmpl_value *v,
    int escape)
{
	char	 num[64];
	char	*dump;
	int	 rc;

	switch (v->type) {
	case TMPL_STR:
		if (escape)
			return tmpl_render_escaped(r, v->s, v->len);
		return tmpl_render_append(r, v->s, v->len);
	case TMPL_INT:
		return tmpl_render_int(r, v->i);
	case TMPL_REAL:
		tmpl_render_real(v->d, num, sizeof(num));
		return tmpl_render_append(r, num, strlen(num));
	case TMPL_BOOL:
		return v->i ? tmpl_render_append(r, "true", 4) :
		    tmpl_render_append(r, "false", 5);
	case TMPL_NULL:
		return 0;
	case TMPL_MAP:
	case TMPL_LIST:
		if (v->cls != &tmpl_json_class)
			return 0;
		dump = json_dumps(v->obj, JSON_COMPACT | JSON_ENCODE_ANY);
		if (dump == NULL)
			return tmpl_render_error(r, NULL, 0, "out of memory");
		rc = escape ? tmpl_render_escaped(r, dump, strlen(dump)) :
		    tmpl_render_append(r, dump, strlen(dump));
		free(dump);
		return rc;
	}
	return 0;
}

static int
tmpl_truthy(const struct tmpl_value *v)
{
	switch (v->type) {
	case TMPL_MAP:
		return 1;
	case TMPL_BOOL:
	case TMPL_INT:
		return v->i != 0;
	case TMPL_REAL:
		return v->d != 0.0;
	case TMPL_LIST:
		return v->cls->len(v) > 0;
	case TMPL_STR:
		return v->len > 0;
	case TMPL_NULL:
		return 0;
	}
	return 0;
}

/*
 * The spec's name resolution: the first part up the stack, the rest
 * down. Missing: a null in *v.
 */
static void
tmpl_render_lookup(const struct tmpl_rstate *r, const struct tmpl_unit *u,
    const struct tmpl_node *n, struct tmpl_value *v)
{
	struct tmpl_value	 next;
	const char		*key;
	size_t			 i, part;
	int			 found = 0;

	if (n->len == 0) {
		tmpl_value_copy(v, &r->stack[r->nstack - 1]);
		return;
	}
	key = u->pool + n->off;
	for (i = r->nstack; i-- > 0;)
		if (r->stack[i].type == TMPL_MAP &&
		    r->stack[i].cls->get(&r->stack[i], key, v) == 0) {
			found = 1;
			break;
		}
	for (part = 1; found && part < n->len; part++) {
		key += strlen(key) + 1;
		found = v->type == TMPL_MAP && v->cls->get(v, key, &next) == 0;
		if (found)
			tmpl_value_copy(v, &next);
	}
	if (!found)
		v->type = TMPL_NULL;
}

static int	tmpl_render_nodes(struct tmpl_rstate *,
		    const struct tmpl_unit *, size_t, size_t);

static int
tmpl_render_enter(struct tmpl_rstate *r, const struct tmpl_unit *u,
    const struct tmpl_node *n)
{
	if (r->level >= TMPL_MAX_LEVELS)
		return tmpl_render_error(r, u, n->line, "sections and partials "
		    "nested deeper than %d", TMPL_MAX_LEVELS);
	r->level++;
	return 0;
}

/* a section body with v on top of the context stack */
static int
tmpl_render_body(struct tmpl_rstate *r, const struct tmpl_unit *u, size_t i,
    const struct tmpl_value *v)
{
	const struct tmpl_node	*n = &u->nodes[i];
	int			 rc;

	if (tmpl_render_enter(r, u, n) == -1)
		return -1;
	tmpl_value_copy(&r->stack[r->nstack++], v);
	rc = tmpl_render_nodes(r, u, i + 1, n->end);
	r->nstack--;
	r->level--;
	return rc;
}

static int
tmpl_render_partial(struct tmpl_rstate *r, const struct tmpl_unit *u,
    const struct tmpl_node *n)
{
	const struct tmpl_unit	*pu = r->t->units[n->unit];
	int			 ilo = r->ilo, ihi = r->ihi, rc;

	if (pu->nnodes == 0)
		return 0;
	if (r->depth >= r->t->max_depth)
		return tmpl_render_error(r, u, n->line, "partial '%s' nested "
		    "deeper than %d", pu->name, r->t->max_depth);
	if (tmpl_render_enter(r, u, n) == -1)
		return -1;
	/* standalone: indent more; inline: its lines are not indented */
	if (n->standalone) {
		r->indent[r->ihi].p = u->src + n->ioff;
		r->indent[r->ihi].len = n->ilen;
		r->ihi++;
	} else
		r->ilo = r->ihi;
	r->depth++;
	rc = tmpl_render_nodes(r, pu, 0, pu->nnodes);
	r->depth--;
	r->level--;
	r->ilo = ilo;
	r->ihi = ihi;
	return rc;
}

static int
tmpl_render_nodes(struct tmpl_rstate *r, const struct tmpl_unit *u, size_t i,
    size_t end)
{
	const struct tmpl_node	*n;
	struct tmpl_value	 v, e;
	size_t			 k, size;
	int			 j;

	while (i < end) {
		n = &u->nodes[i];
		switch (n->type) {
		case TN_TEXT:
			for (j = r->ilo; n->bol && j < r->ihi; j++)
				if (tmpl_render_append(r, r->indent[j].p,
				    r->indent[j].len) == -1)
					return -1;
			if (tmpl_render_append(r, u->src + n->off,
			    n->len) == -1)
				return -1;
			i++;
			break;
		case TN_VAR:
		case TN_RAW:
			tmpl_render_lookup(r, u, n, &v);
			if (tmpl_render_value(r, &v,
			    n->type == TN_VAR && r->html) == -1)
				return -1;
			i++;
			break;
		case TN_SECTION:
			tmpl_render_lookup(r, u, n, &v);
			if (v.type == TMPL_LIST) {
				size = v.cls->len(&v);
				for (k = 0; k < size; k++) {
					v.cls->at(&v, k, &e);
					if (tmpl_render_body(r, u, i, &e) == -1)
						return -1;
				}
			} else if (tmpl_truthy(&v)) {
				if (tmpl_render_body(r, u, i, &v) == -1)
					return -1;
			}
			i = n->end;
			break;
		case TN_INVERTED:
			tmpl_render_lookup(r, u, n, &v);
			if (!tmpl_truthy(&v)) {
				if (tmpl_render_enter(r, u, n) == -1)
					return -1;
				if (tmpl_render_nodes(r, u, i + 1,
				    n->end) == -1)
					return -1;
				r->level--;
			}
			i = n->end;
			break;
		case TN_PARTIAL:
			if (tmpl_render_partial(r, u, n) == -1)
				return -1;
			i++;
			break;
		}
	}
	return 0;
}

int
tmpl_render(const struct tmpl *t, json_t *ctx, int html_escape, char **out,
    size_t *outlen, char *err, size_t errlen)
{
	struct tmpl_value	 root;

	memset(&root, 0, sizeof(root));
	tmpl_value_json(&root, ctx);
	return tmpl_render_view(t, &root, html_escape, out, outlen, err,
	    errlen);
}

int
tmpl_render_view(const struct tmpl *t, const struct tmpl_value *root,
    int html_escape, char **out, size_t *outlen, char *err, size_t errlen)
{
	struct tmpl_rstate	*r;
	const struct tmpl_unit	*u = t->units[0];
	int			 rc = -1;

	*out = NULL;
	*outlen = 0;
	/* about 150 KB of stacks: on the heap, renders may nest in callers */
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->t = t;
	r->html = html_escape != 0;
	r->err = err;
	r->errlen = errlen;
	tmpl_value_copy(&r->stack[0], root);
	r->nstack = 1;
	if (tmpl_render_nodes(r, u, 0, u->nnodes) == -1 ||
	    tmpl_render_grow(r, 0) == -1)
		goto done;
	r->buf[r->len] = '\0';
	*out = r->buf;
	*outlen = r->len;
	r->buf = NULL;
	rc = 0;
done:
	free(r->buf);
	free(r);
	return rc;
}
