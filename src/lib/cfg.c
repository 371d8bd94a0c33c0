/*
 * cfg.c - libconfig loading with "file:line: message" errors, and typed
 * getters with range checks. Only libconfig's public API is used.
 *
 * bgpsd reads the files itself and hands libconfig one text, because
 * libconfig 1.5 (Debian 12) gets three things wrong for a daemon:
 * - an integer literal that does not fit in 32 bits is silently
 *   truncated unless it carries an "L" suffix ("asn = 4200000000;"
 *   reads back as a negative number): the scan below appends the "L"
 *   itself (to every integer of an array that needs one: arrays are
 *   homogeneous);
 * - @include prefixes one directory, the main file's, to every name,
 *   absolute ones included, so nested relative includes and absolute
 *   ones break: here a name is relative to the file that includes it;
 * - it opens what it is given blocking: a FIFO or a device in place of
 *   a configuration file would hang the loop. Every file is opened here
 *   with O_NONBLOCK and refused unless it is a regular file.
 * Included texts are spliced in where their @include stood; a table of
 * spans maps every line of the combined text back to its file and line,
 * so messages name the file that holds the setting. The table hangs off
 * the root setting's hook (config_setting_set_hook).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "log.h"

#define CFG_MAX_SIZE	(16 * 1024 * 1024)	/* all files together */
#define CFG_MAX_DEPTH	10			/* nested @include */
#define CFG_MAX_FILES	64			/* files read in all */

/* lines [first, next span's first) of the combined text are src's from line */
struct cfg_span {
	int		 first;
	size_t		 src;
	int		 line;
};

struct cfg_doc {
	config_t	 cf;
	char		*names[CFG_MAX_FILES];	/* every file read, as shown */
	size_t		 nnames;
	struct cfg_span	*spans;
	size_t		 nspans, capspans;
	char		*text;		/* the combined text, for cfg_line() */
	size_t		 len, cap;
	int		 line;		/* line of the combined text at len */
	size_t		*lines;		/* offset of each line, for cfg_line */
	size_t		 nlines;
};

/* where a literal needs an "L" (rewrite) and where @include stands */
struct cfg_incl_at {
	size_t		 start;		/* the '@' */
	size_t		 end;		/* just past the closing quote */
	size_t		 name, namelen;
	int		 line;
};

struct cfg_fix {
	size_t		*off;		/* offsets just past the literal */
	size_t		 n, cap;
	struct cfg_incl_at *incl;
	size_t		 nincl, capincl;
	int		 syntax_line;	/* a string where none can be */
	int		 bad_line;	/* first out-of-range literal */
	char		 bad_text[32];
};

static int
cfg_is_stdin(const char *path)
{
	return strcmp(path, "-") == 0 || strcmp(path, "/dev/stdin") == 0;
}

static void
cfg_fix_add(struct cfg_fix *fx, size_t off)
{
	if (fx->n == fx->cap) {
		fx->cap = fx->cap ? fx->cap * 2 : 16;
		fx->off = xreallocarray(fx->off, fx->cap, sizeof(*fx->off));
	}
	fx->off[fx->n++] = off;
}

static void
cfg_fix_incl(struct cfg_fix *fx, size_t start, size_t end, size_t name,
    size_t namelen, int line)
{
	struct cfg_incl_at	*in;

	if (fx->nincl == fx->capincl) {
		fx->capincl = fx->capincl ? fx->capincl * 2 : 4;
		fx->incl = xreallocarray(fx->incl, fx->capincl,
		    sizeof(*fx->incl));
	}
	in = &fx->incl[fx->nincl++];
	in->start = start;
	in->end = end;
	in->name = name;
	in->namelen = namelen;
	in->line = line;
}

static void
cfg_fix_free(struct cfg_fix *fx)
{
	free(fx->off);
	free(fx->incl);
}

static int
cfg_name_char(int ch)
{
	return isalnum(ch) || ch == '_' || ch == '-' || ch == '*';
}

/*
 * Does the integer literal text[s..e) (optional sign, decimal or hex, no
 * suffix) fit in a 32-bit int as libconfig 1.5 reads it? 0 yes, 1 it
 * needs "L", -1 it does not even fit in 64 bits.
 */
static int
cfg_int_needs_l(const char *text, size_t s, size_t e)
{
	char		 buf[64];
	size_t		 len = e - s;
	const char	*p;
	int		 neg = 0, hex;
	unsigned long long v;
	char		*end;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, text + s, len);
	buf[len] = '\0';
	p = buf;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
	errno = 0;
	v = strtoull(hex ? p + 2 : p, &end, hex ? 16 : 10);
	if (errno != 0 || *end != '\0')
		return -1;
	if (hex)	/* libconfig keeps the bit pattern of hex literals */
		return v > INT32_MAX;
	if (neg)
		return v > (unsigned long long)INT64_MAX + 1 ? -1 :
		    v > (unsigned long long)INT32_MAX + 1;
	return v > INT64_MAX ? -1 : v > INT32_MAX;
}

#define CFG_ARRAY_BIT	((size_t)1 << (sizeof(size_t) * CHAR_BIT - 1))

/* at ']' (or the end): keep the members of the array only if one needs L */
static void
cfg_scan_array_end(struct cfg_fix *fx, size_t first, int needs)
{
	size_t	 j, k = first;

	for (j = first; j < fx->n; j++) {
		if ((fx->off[j] & CFG_ARRAY_BIT) && !needs)
			continue;
		fx->off[k++] = fx->off[j] & ~CFG_ARRAY_BIT;
	}
	fx->n = k;
}

/* @include "file" at text[i] (the '@'); returns the offset after it */
static size_t
cfg_scan_include(const char *text, size_t len, size_t i, int line,
    struct cfg_fix *fx)
{
	size_t	 s = i, name;

	for (i++; i < len && isalpha((unsigned char)text[i]); i++)
		;
	if (i - s != 8 || strncmp(text + s, "@include", 8) != 0)
		return i;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i >= len || text[i] != '"')
		return i;
	name = ++i;
	while (i < len && text[i] != '"' && text[i] != '\n')
		i++;
	if (i < len && text[i] == '"') {
		cfg_fix_incl(fx, s, i + 1, name, i - name, line);
		i++;
	}
	return i;
}

/* where cfg_scan stands in the text, and what it has seen so far */
struct cfg_lex {
	const char	*text;
	size_t		 len;
	size_t		 i;
	int		 line;
	char		 prev;		/* the last token's kind */
	int		 depth;
	char		 stack[64];	/* open brackets, innermost last */
	int		 in_array;
	int		 arr_needs;	/* a member of this array needs "L" */
	size_t		 arr_first;	/* its first member in fx->off */
};

/* a comment at lx->i ("#" or "//" to the end of the line, or a block) */
static void
cfg_lex_comment(struct cfg_lex *lx)
{
	const char	*text = lx->text;
	size_t		 len = lx->len, i = lx->i;

	if (text[i] == '/' && i + 1 < len && text[i + 1] == '*') {
		for (i += 2; i < len && !(text[i] == '*' &&
		    i + 1 < len && text[i + 1] == '/'); i++)
			if (text[i] == '\n')
				lx->line++;
		i += 2;
	} else {
		while (i < len && text[i] != '\n')
			i++;
	}
	lx->i = i;
}

/*
 * A string literal at lx->i: skipped, and noted as a syntax error where
 * the grammar has no place for one.
 */
static void
cfg_lex_string(struct cfg_lex *lx, struct cfg_fix *fx)
{
	const char	*text = lx->text;
	size_t		 len = lx->len, i = lx->i;
	char		 prev = lx->prev;
	int		 in_group;

	in_group = lx->depth == 0 || (lx->depth <= (int)sizeof(lx->stack) &&
	    lx->stack[lx->depth - 1] == '{');
	if (!(prev == '=' || prev == ':' || prev == '(' ||
	    prev == '[' || prev == '"' || (prev == ',' &&
	    !in_group)) && fx->syntax_line == 0)
		fx->syntax_line = lx->line;
	lx->prev = '"';
	for (i++; i < len && text[i] != '"'; i++) {
		if (text[i] == '\\' && i + 1 < len)
			i++;
		if (text[i] == '\n')
			lx->line++;
	}
	lx->i = i + 1;
}

/*
 * A number at lx->i: an integer without "L" that needs one is noted in
 * fx (in an array, every integer of it, kept at ']' if one needs it).
 */
static void
cfg_lex_number(struct cfg_lex *lx, struct cfg_fix *fx)
{
	const char	*text = lx->text;
	size_t		 len = lx->len, i = lx->i, s = i;
	char		 ch = text[i];
	int		 is_float = ch == '.', r;

	lx->prev = 'v';
	if (ch == '-' || ch == '+')
		i++;
	if (text[i] == '0' && i + 1 < len &&
	    (text[i + 1] == 'x' || text[i + 1] == 'X')) {
		for (i += 2; i < len &&
		    isxdigit((unsigned char)text[i]); i++)
			;
	} else {
		while (i < len && (isdigit((unsigned char)
		    text[i]) || text[i] == '.' ||
		    text[i] == 'e' || text[i] == 'E' ||
		    ((text[i] == '-' || text[i] == '+') &&
		    (text[i - 1] == 'e' || text[i - 1] == 'E')))) {
			if (!isdigit((unsigned char)text[i]))
				is_float = 1;
			i++;
		}
	}
	lx->i = i;
	if (is_float)
		return;
	if (i < len && text[i] == 'L') {
		while (i < len && text[i] == 'L')
			i++;
		lx->i = i;
		return;
	}
	r = cfg_int_needs_l(text, s, i);
	if (r < 0) {
		if (fx->bad_line == 0) {
			fx->bad_line = lx->line;
			snprintf(fx->bad_text,
			    sizeof(fx->bad_text), "%.*s",
			    (int)(i - s), text + s);
		}
	} else if (r > 0) {
		if (lx->in_array)
			lx->arr_needs = 1;
		else
			cfg_fix_add(fx, i);
	}
	if (lx->in_array && r >= 0)
		cfg_fix_add(fx, i | CFG_ARRAY_BIT);
}

/* any other character at lx->i: brackets, punctuation, blanks */
static void
cfg_lex_punct(struct cfg_lex *lx, struct cfg_fix *fx)
{
	char	 ch = lx->text[lx->i];

	if (ch == '[') {
		if (lx->depth < (int)sizeof(lx->stack))
			lx->stack[lx->depth] = '[';
		lx->depth++;
		lx->prev = '[';
		lx->in_array = 1;
		lx->arr_needs = 0;
		lx->arr_first = fx->n;
	} else if (ch == ']') {
		cfg_scan_array_end(fx, lx->arr_first, lx->arr_needs);
		lx->in_array = 0;
		if (lx->depth > 0)
			lx->depth--;
		lx->prev = ']';
	} else {
		if (ch == '{' || ch == '(') {
			if (lx->depth < (int)sizeof(lx->stack))
				lx->stack[lx->depth] = ch;
			lx->depth++;
		} else if ((ch == '}' || ch == ')') && lx->depth > 0)
			lx->depth--;
		if (strchr("{}():=;,", ch) != NULL)
			lx->prev = ch;
		else if (!isspace((unsigned char)ch))
			lx->prev = '?';	/* not libconfig's: an error */
	}
	lx->i++;
}

/*
 * Scan libconfig text for integer literals that need an "L" suffix and
 * for @include directives. Comments, strings and setting names are
 * skipped; numbers with '.' or an exponent are floats and left alone.
 *
 * It also finds one syntax error itself: a string literal where the
 * grammar has no place for one ('"x" = 1;'). libconfig 1.5 leaks that
 * string when it rejects it, and a daemon re-reading a bad file on every
 * SIGHUP should not.
 */
static void
cfg_scan(const char *text, size_t len, struct cfg_fix *fx)
{
	struct cfg_lex	 lx;
	char		 ch;

	memset(&lx, 0, sizeof(lx));
	lx.text = text;
	lx.len = len;
	lx.line = 1;
	while (lx.i < len) {
		ch = text[lx.i];
		if (ch == '\n') {
			lx.line++;
			lx.i++;
		} else if (ch == '#' || (ch == '/' && lx.i + 1 < len &&
		    (text[lx.i + 1] == '/' || text[lx.i + 1] == '*'))) {
			cfg_lex_comment(&lx);
		} else if (ch == '"') {
			cfg_lex_string(&lx, fx);
		} else if (ch == '@') {
			lx.i = cfg_scan_include(text, len, lx.i, lx.line, fx);
		} else if (isalpha((unsigned char)ch) || ch == '*' ||
		    ch == '_') {
			while (lx.i < len &&
			    cfg_name_char((unsigned char)text[lx.i]))
				lx.i++;
			lx.prev = 'n';
		} else if (isdigit((unsigned char)ch) || ((ch == '-' ||
		    ch == '+' || ch == '.') && lx.i + 1 < len &&
		    (isdigit((unsigned char)text[lx.i + 1]) ||
		    text[lx.i + 1] == '.'))) {
			cfg_lex_number(&lx, fx);
		} else
			cfg_lex_punct(&lx, fx);
	}
	if (lx.in_array)	/* unterminated: libconfig will complain */
		cfg_scan_array_end(fx, lx.arr_first, 0);
}

static int
cfg_errf(struct cfg_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
cfg_errf(struct cfg_err *err, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	if (err->set)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* values quoted in messages may hold "\n": keep it one line */
	for (p = err->msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	err->set = 1;
	return -1;
}

/*
 * Read a whole file without ever blocking on it: O_NONBLOCK, and only a
 * regular file (or our standard input) is read. NULL with a message
 * ("what: why") in err on failure.
 */
static char *
cfg_read(const char *path, size_t max, size_t *lenp, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 len = 0, cap = 0;
	ssize_t		 n;
	int		 fd, own = 1;

	if (cfg_is_stdin(path)) {
		fd = STDIN_FILENO;
		own = 0;
	} else if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	} else if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		goto fail;
	} else if ((uintmax_t)st.st_size > max) {
		snprintf(err, errlen, "larger than %zu bytes", max);
		goto fail;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xreallocarray(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			snprintf(err, errlen, "larger than %zu bytes", max);
			goto fail;
		}
	}
	if (own)
		close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
 fail:
	if (own)
		close(fd);
	free(buf);
	return NULL;
}

/* ---- the combined text and its map of lines ---- */

static void
cfg_emit(struct cfg_doc *doc, const char *s, size_t n)
{
	size_t	 i;

	if (doc->cap - doc->len < n + 1) {
		while (doc->cap - doc->len < n + 1)
			doc->cap = doc->cap ? doc->cap * 2 : 8192;
		doc->text = xreallocarray(doc->text, doc->cap, 1);
	}
	memcpy(doc->text + doc->len, s, n);
	doc->len += n;
	doc->text[doc->len] = '\0';
	for (i = 0; i < n; i++)
		if (s[i] == '\n')
			doc->line++;
}

/* from the current line of the combined text on: src's line */
static void
cfg_span(struct cfg_doc *doc, size_t src, int line)
{
	struct cfg_span	*sp;

	if (doc->nspans > 0 && doc->spans[doc->nspans - 1].first == doc->line)
		doc->nspans--;	/* replaced before any of its lines */
	if (doc->nspans == doc->capspans) {
		doc->capspans = doc->capspans ? doc->capspans * 2 : 8;
		doc->spans = xreallocarray(doc->spans, doc->capspans,
		    sizeof(*doc->spans));
	}
	sp = &doc->spans[doc->nspans++];
	sp->first = doc->line;
	sp->src = src;
	sp->line = line;
}

/* the file and line of line l of the combined text; NULL if unknown */
static const char *
cfg_map(const struct cfg_doc *doc, int l, int *line)
{
	size_t	 lo = 0, hi = doc->nspans, mid;

	*line = l;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (doc->spans[mid].first <= l)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || l < 1)
		return NULL;
	*line = doc->spans[lo - 1].line + (l - doc->spans[lo - 1].first);
	return doc->names[doc->spans[lo - 1].src];
}

/* the directory part of path, for names it includes ("" for none) */
static char *
cfg_dirname(const char *path)
{
	const char	*slash;
	char		*dir;

	if (cfg_is_stdin(path) || (slash = strrchr(path, '/')) == NULL)
		return xstrdup("");
	if (slash == path)
		return xstrdup("/");
	dir = xmalloc((size_t)(slash - path) + 2);
	memcpy(dir, path, (size_t)(slash - path) + 1);
	dir[slash - path + 1] = '\0';
	return dir;
}

static int	cfg_expand(struct cfg_doc *, const char *, const char *, int,
		    int, struct cfg_err *);

/*
 * Append source src (its text read) to the combined text: the "L" fixes
 * applied, each @include replaced by the included file's text, on lines
 * of its own.
 */
static int
cfg_splice(struct cfg_doc *doc, size_t src, char *text, size_t len,
    int depth, struct cfg_err *err)
{
	const char	*path = doc->names[src];
	struct cfg_fix	 fx;
	struct cfg_incl_at *in;
	char		*dir, *name;
	size_t		 pos = 0, k = 0, j, upto;
	int		 rc = -1;

	memset(&fx, 0, sizeof(fx));
	if (memchr(text, '\0', len) != NULL) {
		cfg_errf(err, "%s: contains a NUL byte", path);
		goto out;
	}
	cfg_scan(text, len, &fx);
	if (fx.syntax_line != 0 && (fx.bad_line == 0 ||
	    fx.syntax_line <= fx.bad_line)) {
		cfg_errf(err, "%s:%d: syntax error", path, fx.syntax_line);
		goto out;
	}
	if (fx.bad_line != 0) {
		cfg_errf(err, "%s:%d: integer %s out of range", path,
		    fx.bad_line, fx.bad_text);
		goto out;
	}
	dir = cfg_dirname(path);
	cfg_span(doc, src, 1);
	for (j = 0; j <= fx.nincl; j++) {
		in = j < fx.nincl ? &fx.incl[j] : NULL;
		upto = in != NULL ? in->start : len;
		/* the text before the directive, with its L suffixes */
		for (; k < fx.n && fx.off[k] <= upto; k++) {
			cfg_emit(doc, text + pos, fx.off[k] - pos);
			cfg_emit(doc, "L", 1);
			pos = fx.off[k];
		}
		cfg_emit(doc, text + pos, upto - pos);
		if (in == NULL)
			break;
		if (text[in->name] == '/' || dir[0] == '\0') {
			if (asprintf(&name, "%.*s", (int)in->namelen,
			    text + in->name) == -1)
				fatal("asprintf");
		} else if (asprintf(&name, "%s%.*s", dir, (int)in->namelen,
		    text + in->name) == -1)
			fatal("asprintf");
		if (doc->len > 0 && doc->text[doc->len - 1] != '\n')
			cfg_emit(doc, "\n", 1);
		if (cfg_expand(doc, name, path, in->line, depth + 1,
		    err) == -1) {
			free(name);
			free(dir);
			goto out;
		}
		free(name);
		/* the rest of the directive's line is the includer's again */
		if (doc->len > 0 && doc->text[doc->len - 1] != '\n')
			cfg_emit(doc, "\n", 1);
		cfg_span(doc, src, in->line);
		pos = in->end;
	}
	free(dir);
	rc = 0;
 out:
	cfg_fix_free(&fx);
	return rc;
}

/* read path and splice it in; from: the including file, or NULL */
static int
cfg_expand(struct cfg_doc *doc, const char *path, const char *from,
    int from_line, int depth, struct cfg_err *err)
{
	char		*text, why[256];
	size_t		 len, src;
	int		 rc;

	if (depth > CFG_MAX_DEPTH)
		return cfg_errf(err, "%s:%d: includes nested more than %d "
		    "deep", from, from_line, CFG_MAX_DEPTH);
	if (doc->nnames == CFG_MAX_FILES)
		return cfg_errf(err, "%s:%d: more than %d files included",
		    from, from_line, CFG_MAX_FILES);
	if (doc->len >= CFG_MAX_SIZE)
		return cfg_errf(err, "%s:%d: files larger than %d bytes in all",
		    from, from_line, CFG_MAX_SIZE);
	if ((text = cfg_read(path, CFG_MAX_SIZE - doc->len, &len, why,
	    sizeof(why))) == NULL) {
		if (from == NULL)
			return cfg_errf(err, "%s: %s", path, why);
		return cfg_errf(err, "%s:%d: cannot open include file %s: %s",
		    from, from_line, path, why);
	}
	src = doc->nnames;
	doc->names[doc->nnames++] = xstrdup(path);
	rc = cfg_splice(doc, src, text, len, depth, err);
	free(text);
	return rc;
}

static struct cfg_doc *
cfg_doc_of(const config_setting_t *s)
{
	while (s != NULL && config_setting_parent(s) != NULL)
		s = config_setting_parent(s);
	return s == NULL ? NULL : config_setting_get_hook(s);
}

static void
cfg_doc_free(struct cfg_doc *doc)
{
	size_t	 i;

	config_destroy(&doc->cf);
	for (i = 0; i < doc->nnames; i++)
		free(doc->names[i]);
	free(doc->spans);
	free(doc->text);
	free(doc->lines);
	free(doc);
}

config_t *
cfg_load(const char *path, struct cfg_err *err)
{
	struct cfg_doc	*doc;
	const char	*file;
	size_t		 i;
	int		 line;

	memset(err, 0, sizeof(err[0]));
	doc = xcalloc(1, sizeof(*doc));
	config_init(&doc->cf);
	doc->line = 1;
	if (cfg_expand(doc, path, NULL, 0, 0, err) == -1)
		goto fail;
	if (config_read_string(&doc->cf, doc->text) != CONFIG_TRUE) {
		line = config_error_line(&doc->cf);
		if (line > 0 && (file = cfg_map(doc, line, &line)) != NULL)
			cfg_errf(err, "%s:%d: %s", file, line,
			    config_error_text(&doc->cf));
		else
			cfg_errf(err, "%s: %s", path,
			    config_error_text(&doc->cf));
		goto fail;
	}
	/* line offsets of the combined text, for cfg_line() */
	doc->lines = xcalloc((size_t)doc->line + 1, sizeof(*doc->lines));
	doc->nlines = 1;
	for (i = 0; i < doc->len; i++)
		if (doc->text[i] == '\n')
			doc->lines[doc->nlines++] = i + 1;
	config_setting_set_hook(config_root_setting(&doc->cf), doc);
	return &doc->cf;

 fail:
	cfg_doc_free(doc);
	return NULL;
}

void
cfg_free(config_t *cf)
{
	struct cfg_doc	*doc;

	if (cf == NULL)
		return;
	if ((doc = cfg_doc_of(config_root_setting(cf))) != NULL)
		cfg_doc_free(doc);
}

/* does line l (1-based) of the combined text contain needle? */
static int
cfg_text_line_has(const struct cfg_doc *doc, int l, const char *needle)
{
	const char	*start, *end;
	size_t		 nl = strlen(needle);

	if (l < 1 || (size_t)l > doc->nlines)
		return 0;
	start = doc->text + doc->lines[l - 1];
	end = strchr(start, '\n');
	if (end == NULL)
		end = start + strlen(start);
	for (; start + nl <= end; start++)
		if (memcmp(start, needle, nl) == 0)
			return 1;
	return 0;
}

/*
 * libconfig 1.5 numbers a member of an array or list after reading the
 * token that follows it: in
 *	prefixes = (
 *		"192.0.2.300/32"
 *	);
 * the string is said to be on the line of ")". Messages must point at
 * the value itself, so look back (a few lines, never before the previous
 * member) for the line that holds it. The result is a line of the
 * combined text.
 */
static int
cfg_text_line(const struct cfg_doc *doc, const config_setting_t *s)
{
	const config_setting_t	*prev, *parent;
	const char		*v, *p;
	char			 needle[80];
	int			 line, lo, l, idx;

	line = (int)config_setting_source_line(s);
	parent = config_setting_parent(s);
	if (config_setting_name(s) != NULL || parent == NULL || line <= 1)
		return line;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		v = config_setting_get_string(s);
		for (p = v; *p != '\0'; p++)
			if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
				return line;	/* escaped in the source */
		if (strlen(v) + 3 > sizeof(needle))
			return line;
		snprintf(needle, sizeof(needle), "\"%s\"", v);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(needle, sizeof(needle), "%lld",
		    config_setting_get_int64(s));
		break;
	default:
		return line;
	}
	lo = line - 10;
	idx = config_setting_index(s);
	if (idx > 0 && (prev = config_setting_get_elem(parent,
	    (unsigned int)idx - 1)) != NULL &&
	    (int)config_setting_source_line(prev) > lo)
		lo = (int)config_setting_source_line(prev);
	for (l = line; l >= lo && l >= 1; l--)
		if (cfg_text_line_has(doc, l, needle))
			return l;
	return line;
}

int
cfg_line(const config_setting_t *s)
{
	const struct cfg_doc	*doc;
	int			 line;

	if (s == NULL)
		return 0;
	if ((doc = cfg_doc_of(s)) == NULL)
		return (int)config_setting_source_line(s);
	if (cfg_map(doc, cfg_text_line(doc, s), &line) == NULL)
		return 0;
	return line;
}

const char *
cfg_file(const config_setting_t *s)
{
	const struct cfg_doc	*doc;
	const char		*file;
	int			 line;

	if (s == NULL || (doc = cfg_doc_of(s)) == NULL)
		return "";
	file = cfg_map(doc, cfg_text_line(doc, s), &line);
	return file != NULL ? file : doc->names[0];
}

int
cfg_error(struct cfg_err *err, const config_setting_t *s, const char *fmt,
    ...)
{
	char	 msg[400];
	va_list	 ap;

	if (err->set)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s == NULL)
		return cfg_errf(err, "%s", msg);
	if (cfg_line(s) > 0)
		return cfg_errf(err, "%s:%d: %s", cfg_file(s), cfg_line(s),
		    msg);
	return cfg_errf(err, "%s: %s", cfg_file(s), msg);
}

/* how a group is named in messages: "in 'announce'", "in a 'checks' entry" */
static void
cfg_where(const config_setting_t *group, char *buf, size_t len)
{
	const config_setting_t	*parent;

	buf[0] = '\0';
	if (group == NULL || config_setting_is_root(group))
		return;
	if (config_setting_name(group) != NULL) {
		snprintf(buf, len, " in '%s'", config_setting_name(group));
		return;
	}
	parent = config_setting_parent(group);
	if (parent != NULL && config_setting_name(parent) != NULL)
		snprintf(buf, len, " in a '%s' entry",
		    config_setting_name(parent));
}

int
cfg_check_keys(const config_setting_t *group, const char *const *allowed,
    struct cfg_err *err)
{
	const config_setting_t	*m;
	char			 where[80];
	int			 i, j, found;

	if (group == NULL)
		return 0;
	if (!config_setting_is_group(group))
		return cfg_error(err, group, "'%s' must be a group { ... }",
		    config_setting_name(group) ? config_setting_name(group) :
		    "entry");
	for (i = 0; i < config_setting_length(group); i++) {
		m = config_setting_get_elem(group, i);
		found = 0;
		for (j = 0; allowed[j] != NULL; j++)
			if (strcmp(allowed[j], config_setting_name(m)) == 0)
				found = 1;
		if (!found) {
			cfg_where(group, where, sizeof(where));
			return cfg_error(err, m, "unknown key '%s'%s",
			    config_setting_name(m), where);
		}
	}
	return 0;
}

static const config_setting_t *
cfg_member(const config_setting_t *group, const char *name)
{
	if (group == NULL || !config_setting_is_group(group))
		return NULL;
	return config_setting_get_member(group, name);
}

int
cfg_get_int(const config_setting_t *group, const char *name, int64_t def,
    int64_t min, int64_t max, int64_t *out, struct cfg_err *err)
{
	const config_setting_t	*s;
	int64_t			 v;

	*out = def;
	if ((s = cfg_member(group, name)) == NULL)
		return 1;
	if (config_setting_type(s) == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	else if (config_setting_type(s) == CONFIG_TYPE_INT64)
		v = config_setting_get_int64(s);
	else
		return cfg_error(err, s, "'%s' must be an integer", name);
	if (v < min || v > max)
		return cfg_error(err, s, "'%s' must be between %" PRId64
		    " and %" PRId64 ", not %" PRId64, name, min, max, v);
	*out = v;
	return 0;
}

int
cfg_get_bool(const config_setting_t *group, const char *name, int def,
    int *out, struct cfg_err *err)
{
	const config_setting_t	*s;

	*out = def;
	if ((s = cfg_member(group, name)) == NULL)
		return 1;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_error(err, s, "'%s' must be true or false", name);
	*out = config_setting_get_bool(s) ? 1 : 0;
	return 0;
}

int
cfg_get_duration(const config_setting_t *group, const char *name,
    double def, double min, double max, double *out, struct cfg_err *err)
{
	const config_setting_t	*s;
	double			 v;

	*out = def;
	if ((s = cfg_member(group, name)) == NULL)
		return 1;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	default:
		return cfg_error(err, s, "'%s' must be a number of seconds",
		    name);
	}
	if (!(v >= min && v <= max))	/* also catches NaN */
		return cfg_error(err, s, "'%s' must be between %g and %g "
		    "seconds, not %g", name, min, max, v);
	*out = v;
	return 0;
}

int
cfg_get_string(const config_setting_t *group, const char *name,
    const char *def, char **out, struct cfg_err *err)
{
	const config_setting_t	*s;

	*out = NULL;
	if ((s = cfg_member(group, name)) == NULL) {
		if (def != NULL)
			*out = xstrdup(def);
		return 1;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_error(err, s, "'%s' must be a string", name);
	*out = xstrdup(config_setting_get_string(s));
	return 0;
}

/* no control characters: these strings reach logs, paths and headers */
static int
cfg_str_clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int
cfg_get_text(const config_setting_t *group, const char *name, char **out,
    struct cfg_err *err)
{
	const config_setting_t	*s;
	int			 r;

	if ((r = cfg_get_string(group, name, NULL, out, err)) != 0)
		return r;
	s = cfg_member(group, name);
	if ((*out)[0] == '\0')
		return cfg_error(err, s, "'%s' must not be empty", name);
	if (strlen(*out) > CFG_TEXT_MAX)
		return cfg_error(err, s, "'%s' is too long", name);
	if (!cfg_str_clean(*out))
		return cfg_error(err, s, "'%s' contains a control character",
		    name);
	return 0;
}

int
cfg_get_data(const config_setting_t *group, const char *name, char **out,
    struct cfg_err *err)
{
	int	 r;

	if ((r = cfg_get_string(group, name, NULL, out, err)) != 0)
		return r;
	if (strlen(*out) > CFG_TEXT_MAX)
		return cfg_error(err, cfg_member(group, name), "'%s' is "
		    "longer than %d bytes", name, CFG_TEXT_MAX);
	return 0;
}

int
cfg_argv(const config_setting_t *s, const char *name, char ***argv,
    size_t *argc, struct cfg_err *err)
{
	const config_setting_t	*e;
	int			 i, len = config_setting_length(s);

	if (len == 0)
		return cfg_error(err, s, "'%s' is empty", name);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cfg_error(err, e, "'%s' must be a string or an "
			    "array of strings", name);
	}
	if (config_setting_get_string_elem(s, 0)[0] == '\0')
		return cfg_error(err, s, "'%s': empty program name", name);
	*argv = xcalloc((size_t)len + 1, sizeof(**argv));
	for (i = 0; i < len; i++)
		(*argv)[i] = xstrdup(config_setting_get_string_elem(s, i));
	*argc = (size_t)len;
	return 0;
}

int
cfg_get_strings(const config_setting_t *group, const char *name,
    char ***out, size_t *n, struct cfg_err *err)
{
	const config_setting_t	*s, *e;
	char			**v;
	int			 i, len;

	*out = NULL;
	*n = 0;
	if ((s = cfg_member(group, name)) == NULL)
		return 1;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cfg_error(err, s, "'%s' must be an array of strings",
		    name);
	len = config_setting_length(s);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cfg_error(err, e, "'%s' must be an array of "
			    "strings", name);
	}
	v = xcalloc((size_t)len + 1, sizeof(*v));
	for (i = 0; i < len; i++)
		v[i] = xstrdup(config_setting_get_string_elem(s, i));
	*out = v;
	*n = (size_t)len;
	return 0;
}

void
cfg_strings_free(char **v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}
