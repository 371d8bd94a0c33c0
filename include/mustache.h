/*
 * mustache.h - the Mustache renderer of bgpsd-listen (mustache.c).
 *
 * Implements the core modules of the Mustache spec v1.4: interpolation,
 * sections, inverted sections, comments, partials and set delimiters.
 * Lambdas and the optional inheritance module are not supported
 * ({{<x}} and {{$x}} are compile errors).
 *
 * A template is compiled once, together with every partial it names,
 * into flat node arrays; rendering walks them against a value and
 * appends to one growable buffer, so rendering the same template many
 * times costs no parsing and no allocation per node.
 *
 * The value is either a jansson tree (tmpl_render) or any data of the
 * caller's reached through a small class of callbacks (tmpl_render_view,
 * struct tmpl_class): bgpsd-listen renders straight from its table that
 * way, without building a context tree first.
 *
 * Rules this implementation picks where the spec leaves a choice:
 * - falsey: missing, null, false, [], "", 0 and 0.0; everything else,
 *   including {}, is truthy.
 * - interpolation: strings as is, integers in decimal, reals as the
 *   shortest text that reads back as the same double (1.21 -> "1.21"),
 *   true/false as "true"/"false", null and missing as "", jansson
 *   objects and arrays as compact JSON, maps and lists of a class as "".
 * - HTML escaping (when asked for) replaces & " < > with &amp; &quot;
 *   &lt; &gt;, exactly the spec's set; {{{x}}} and {{&x}} never escape.
 * - a missing partial renders as "" (spec); tmpl_load() logs a warning
 *   for it once, at load time.
 * - names are non-empty; "." is the top of the context stack; dotted
 *   names have no empty part ("a..b", ".a", "a." are compile errors).
 */
#ifndef BGPSD_MUSTACHE_H
#define BGPSD_MUSTACHE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/*
 * Limits. Defaults: template plus partials 1 MiB, output 64 MiB,
 * partials nested 32 deep while rendering (max_depth, at most
 * TMPL_MAX_DEPTH). Fixed: sections nested in one source, distinct
 * partial names, sections and partials open at once while rendering,
 * bytes of one set delimiter.
 */
#define TMPL_DEFAULT_MAX_SIZE	(1024 * 1024)
#define TMPL_DEFAULT_MAX_OUTPUT	(64 * 1024 * 1024)
#define TMPL_DEFAULT_MAX_DEPTH	32
#define TMPL_MAX_DEPTH		256
#define TMPL_MAX_NEST		100
#define TMPL_MAX_PARTIALS	256
#define TMPL_MAX_LEVELS		1024
#define TMPL_DELIM_MAX		16

struct tmpl;

/*
 * Options; a NULL pointer or a zero field means the default.
 *
 * partial is called once per distinct partial name, at compile time. It
 * returns 0 and sets *text to a malloc'd buffer of *len bytes (the
 * compiler frees it), or returns 0 with *text = NULL when there is no
 * such partial (it renders as "", as the spec says), or returns -1 with
 * a message in err to fail the compile. Without a resolver every partial
 * is missing. tmpl_load() ignores this field (it reads files).
 */
struct tmpl_opts {
	size_t	 max_size;	/* bytes of template plus partials */
	size_t	 max_output;	/* bytes of one rendered output */
	int	 max_depth;	/* partials nested while rendering */
	int	(*partial)(void *arg, const char *name, char **text,
		    size_t *len, char *err, size_t errlen);
	void	*partial_arg;
};

/*
 * Compile src (len bytes, need not be NUL-terminated). NULL and a
 * message in err ("line 3: unclosed section 'x'", "partial 'p': line 2:
 * ...") on any error.
 */
struct tmpl	*tmpl_compile(const char *src, size_t len,
		    const struct tmpl_opts *, char *err, size_t errlen);

/*
 * Read and compile the file path. {{> name}} reads name.mustache from
 * the directory of path; a name that is empty, holds a '/' or starts
 * with '.' is an error; a partial that does not exist renders as "" and
 * is logged (log_warnx) here. Errors read "path:3: message" or
 * "path: partial 'p': line 2: message".
 */
struct tmpl	*tmpl_load(const char *path, const struct tmpl_opts *,
		    char *err, size_t errlen);

/*
 * A value as the renderer sees it. Scalars carry themselves: s points
 * at len bytes that stay valid while the value is on the render's stack
 * (buf holds short computed text, e.g. an address); maps and lists carry
 * their class and the class's own handles (obj, idx, aux).
 */
enum tmpl_type {
	TMPL_NULL,
	TMPL_BOOL,		/* i: 0 or 1 */
	TMPL_INT,		/* i */
	TMPL_REAL,		/* d */
	TMPL_STR,		/* s, len */
	TMPL_LIST,		/* cls, obj, idx, aux */
	TMPL_MAP,		/* cls, obj, idx, aux */
};

#define TMPL_VALUE_BUF	64

struct tmpl_class;
struct tmpl_value {
	enum tmpl_type		 type;
	const struct tmpl_class	*cls;
	const void		*obj;
	size_t			 idx;
	size_t			 aux;
	int64_t			 i;
	double			 d;
	const char		*s;
	size_t			 len;
	char			 buf[TMPL_VALUE_BUF];
};

/*
 * How to walk the caller's maps and lists. get: 0 and *out if map has
 * the member key, else -1. len and at: a list's length and its i-th
 * element. A value that out copies from buf must point s at out->buf.
 */
struct tmpl_class {
	int	(*get)(const struct tmpl_value *map, const char *key,
		    struct tmpl_value *out);
	size_t	(*len)(const struct tmpl_value *list);
	void	(*at)(const struct tmpl_value *list, size_t i,
		    struct tmpl_value *out);
};

/* a value from a jansson value (NULL: null); the tree must outlive it */
void		 tmpl_value_json(struct tmpl_value *, json_t *);
/* scalar helpers for classes */
void		 tmpl_value_str(struct tmpl_value *, const char *);
void		 tmpl_value_int(struct tmpl_value *, int64_t);
void		 tmpl_value_bool(struct tmpl_value *, int);

/*
 * Render against ctx (any JSON value; NULL acts as null). html_escape
 * != 0 escapes {{name}} as the spec defines; config files want 0. On
 * success returns 0 and a malloc'd, NUL-terminated *out of *outlen
 * bytes (not counting the NUL); the caller frees it. On error (partial
 * nesting deeper than max_depth, output over max_output, nesting over
 * TMPL_MAX_LEVELS, out of memory) returns -1, *out = NULL, message in err.
 */
int		 tmpl_render(const struct tmpl *, json_t *ctx,
		    int html_escape, char **out, size_t *outlen, char *err,
		    size_t errlen);
/* the same against a value of any class */
int		 tmpl_render_view(const struct tmpl *,
		    const struct tmpl_value *root, int html_escape, char **out,
		    size_t *outlen, char *err, size_t errlen);

void		 tmpl_free(struct tmpl *);

#endif
