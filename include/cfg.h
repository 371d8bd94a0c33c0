/*
 * cfg.h - libconfig loading with "file:line: message" errors and typed
 * getters with range checks. Every getter reports errors into a struct
 * cfg_err (the first error wins) so callers stay linear.
 */
#ifndef BGPSD_CFG_H
#define BGPSD_CFG_H

#include <stddef.h>
#include <stdint.h>
#include <libconfig.h>

struct cfg_err {
	char	msg[512];	/* "file:line: message" */
	int	set;
};

/*
 * Read file (or "-"/"/dev/stdin"); NULL + err on failure. Only regular
 * files are read (a FIFO or a device is refused, never opened blocking).
 * @include "name" is relative to the directory of the file that holds
 * it, an absolute name is used as is; at most 10 deep. Integers beyond
 * 32 bits need no "L" suffix (libconfig 1.5 would truncate them).
 */
config_t	*cfg_load(const char *path, struct cfg_err *);
void		 cfg_free(config_t *);

/* set err from a setting's file:line (first error wins); returns -1 */
int	cfg_error(struct cfg_err *, const config_setting_t *,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Check that every member of group is named in allowed (NULL-terminated).
 * -1 and "file:line: unknown key 'x'" otherwise.
 */
int	cfg_check_keys(const config_setting_t *group,
	    const char *const *allowed, struct cfg_err *);

/*
 * Getters: 0 = found and valid, 1 = absent (*out = def), -1 = error.
 * Integers must be int/int64 settings; durations accept int or float
 * seconds and are returned in seconds as double.
 */
int	cfg_get_int(const config_setting_t *, const char *name, int64_t def,
	    int64_t min, int64_t max, int64_t *out, struct cfg_err *);
int	cfg_get_bool(const config_setting_t *, const char *name, int def,
	    int *out, struct cfg_err *);
int	cfg_get_duration(const config_setting_t *, const char *name,
	    double def, double min, double max, double *out, struct cfg_err *);
/* string, copied (xstrdup) into *out; def may be NULL */
int	cfg_get_string(const config_setting_t *, const char *name,
	    const char *def, char **out, struct cfg_err *);
/*
 * A printable string (a path, a name, a header): not empty, at most
 * CFG_TEXT_MAX bytes, no control character. Absent: *out NULL.
 */
#define CFG_TEXT_MAX	4096
int	cfg_get_text(const config_setting_t *, const char *name, char **out,
	    struct cfg_err *);
/* a string of any bytes (send, expect, body), at most CFG_TEXT_MAX */
int	cfg_get_data(const config_setting_t *, const char *name, char **out,
	    struct cfg_err *);
/* the array of strings s as a NULL-terminated argv (not empty) */
int	cfg_argv(const config_setting_t *s, const char *name, char ***argv,
	    size_t *argc, struct cfg_err *);
/* array or list of strings, NULL-terminated copy in *out */
int	cfg_get_strings(const config_setting_t *, const char *name,
	    char ***out, size_t *n, struct cfg_err *);
void	cfg_strings_free(char **);

/* the line of a setting, list and array members included; 0 unknown */
int	cfg_line(const config_setting_t *);
const char	*cfg_file(const config_setting_t *);

#endif
