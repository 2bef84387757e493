/*
 * MCD configuration strings (API 5.2): whitespace-separated Key=value
 * pairs, values bare or double-quoted, booleans TRUE/FALSE.  The standard
 * keys and libmcdshm's own (McdShmEndpoint, McdShmPolicy, McdShmTimeoutMs)
 * are parsed into a struct mcdc_config; unknown keys are ignored, as the
 * API asks, but a string that is not well formed is refused with the
 * position of the fault.  Pure functions, no state: any thread.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host-side/lib/client.h"

#define VALUE_MAX 4096

/* One Key=value pair as it appears in the string. */
struct pair {
    const char *key;
    size_t key_len;
    char value[VALUE_MAX];
    size_t pos; /* offset of the key, for messages */
};

static int say(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

void mcdc_config_defaults(struct mcdc_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->host, sizeof(cfg->host), "localhost");
    cfg->policy = SHM_POLICY_HYBRID;
    cfg->timeout_ms = MCDC_DEFAULT_TIMEOUT_MS;
    cfg->window = true;
    cfg->trace_lanes = MCDSHM_TRACE_LANES_DEFAULT;
    cfg->trace_frames = MCDSHM_TRACE_FRAMES_DEFAULT;
    cfg->relay_timeout_ms = MCDSHM_RELAY_DEFAULT_TIMEOUT_MS;
}

/* Read the value at s[*i] into p->value; advances *i past it. */
static int read_value(const char *s, size_t *i, struct pair *p, char *err,
                      size_t errlen)
{
    size_t start = *i, n;
    const char *end;

    if (s[start] == '"') {
        end = strchr(s + start + 1, '"');
        if (!end) {
            return say(err, errlen,
                       "config string: unterminated quoted value of '%.*s' "
                       "starting at position %zu",
                       (int)p->key_len, p->key, start);
        }
        n = (size_t)(end - (s + start + 1));
        *i = (size_t)(end - s) + 1;
        if (s[*i] && !isspace((unsigned char)s[*i])) {
            return say(err, errlen,
                       "config string: '%c' after the closing quote at "
                       "position %zu (a space must separate pairs)",
                       s[*i], *i);
        }
        start++;
    } else {
        while (s[*i] && !isspace((unsigned char)s[*i])) {
            ++*i;
        }
        n = *i - start;
    }
    if (n >= sizeof(p->value)) {
        return say(err, errlen,
                   "config string: the value of '%.*s' at position %zu is "
                   "longer than %zu bytes",
                   (int)p->key_len, p->key, start, sizeof(p->value) - 1);
    }
    memcpy(p->value, s + start, n);
    p->value[n] = '\0';
    return 0;
}

/* Read the pair at s[*i] (no leading space); advances *i past it. */
static int read_pair(const char *s, size_t *i, struct pair *p, char *err,
                     size_t errlen)
{
    p->pos = *i;
    p->key = s + *i;
    while (s[*i] && s[*i] != '=' && !isspace((unsigned char)s[*i]) &&
           s[*i] != '"') {
        ++*i;
    }
    p->key_len = *i - p->pos;
    if (s[*i] != '=') {
        return say(err, errlen,
                   "config string: missing '=' after '%.*s' at position %zu",
                   (int)p->key_len, p->key, p->pos);
    }
    if (p->key_len == 0) {
        return say(err, errlen, "config string: empty key at position %zu",
                   p->pos);
    }
    ++*i;
    return read_value(s, i, p, err, errlen);
}

static bool key_is(const struct pair *p, const char *key)
{
    return strlen(key) == p->key_len &&
           strncasecmp(p->key, key, p->key_len) == 0;
}

/* Copy a string value into a field of @size bytes. */
static int set_str(const struct pair *p, char *field, size_t size, char *err,
                   size_t errlen)
{
    if (strlen(p->value) >= size) {
        return say(err, errlen,
                   "config string: %.*s value '%s' is longer than %zu bytes",
                   (int)p->key_len, p->key, p->value, size - 1);
    }
    snprintf(field, size, "%s", p->value);
    return 0;
}

static int set_bool(const struct pair *p, bool *out, char *err, size_t errlen)
{
    if (strcasecmp(p->value, "TRUE") == 0) {
        *out = true;
    } else if (strcasecmp(p->value, "FALSE") == 0) {
        *out = false;
    } else {
        return say(err, errlen,
                   "config string: %.*s value '%s' is not TRUE or FALSE",
                   (int)p->key_len, p->key, p->value);
    }
    return 0;
}

static int set_timeout(const struct pair *p, int *out, char *err, size_t errlen)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(p->value, &end, 10);
    if (!isdigit((unsigned char)p->value[0]) || *end || errno || v > INT_MAX) {
        return say(err, errlen,
                   "config string: %.*s value '%s' is not a "
                   "number of milliseconds 0..%d (0: no timeout)",
                   (int)p->key_len, p->key, p->value, INT_MAX);
    }
    *out = v == 0 ? -1 : (int)v;
    return 0;
}

/* A number in lo..hi; with @pow2, a power of two (or 0 when lo is 0). */
static int set_count(const struct pair *p, uint32_t *out, unsigned long lo,
                     unsigned long hi, bool pow2, char *err, size_t errlen)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(p->value, &end, 10);
    if (!isdigit((unsigned char)p->value[0]) || *end || errno || v < lo ||
        v > hi || (pow2 && v && (v & (v - 1)))) {
        return say(err, errlen,
                   "config string: %.*s value '%s' is not a number%s in "
                   "%lu..%lu",
                   (int)p->key_len, p->key, p->value,
                   pow2 ? " (a power of two)" : "", lo, hi);
    }
    *out = (uint32_t)v;
    return 0;
}

/* The keys whose value is a string kept as it is. */
#define STR_KEY(k, bit, field)                       \
    {                                                \
        k, bit, offsetof(struct mcdc_config, field), \
            sizeof(((struct mcdc_config *)0)->field) \
    }
static const struct {
    const char *key;
    unsigned bit;
    size_t off;
    size_t size;
} str_keys[] = {
    STR_KEY("McdHostName", MCDC_CFG_HOST, host),
    STR_KEY("McdServerName", MCDC_CFG_SERVER, server_name),
    STR_KEY("McdSystemInstance", MCDC_CFG_INSTANCE, system_instance),
    STR_KEY("McdServerKey", MCDC_CFG_KEY, server_key),
    STR_KEY("McdShmEndpoint", MCDC_CFG_ENDPOINT, endpoint),
    STR_KEY("McdShmRelay", MCDC_CFG_RELAY, relay),
    STR_KEY("McdShmRelayKey", MCDC_CFG_RELAY_KEY, relay_key),
};

static int set_policy(const struct pair *p, enum shm_policy *out, char *err,
                      size_t errlen)
{
    char lower[16];
    size_t i;

    for (i = 0; i + 1 < sizeof(lower) && p->value[i]; i++) {
        lower[i] = (char)tolower((unsigned char)p->value[i]);
    }
    lower[i] = '\0';
    if (p->value[i] || shm_policy_parse(lower, out) < 0) {
        return say(err, errlen,
                   "config string: McdShmPolicy value '%s' is not busy, "
                   "hybrid or sleep",
                   p->value);
    }
    return 0;
}

/* Apply a known key; unknown keys are ignored. */
static int apply(const struct pair *p, struct mcdc_config *cfg, char *err,
                 size_t errlen)
{
    size_t i;

    for (i = 0; i < sizeof(str_keys) / sizeof(str_keys[0]); i++) {
        if (key_is(p, str_keys[i].key)) {
            cfg->set |= str_keys[i].bit;
            return set_str(p, (char *)cfg + str_keys[i].off, str_keys[i].size,
                           err, errlen);
        }
    }
    if (key_is(p, "McdExitIfLastClient")) {
        cfg->set |= MCDC_CFG_EXIT;
        return set_bool(p, &cfg->exit_if_last_client, err, errlen);
    }
    if (key_is(p, "McdShmPolicy")) {
        cfg->set |= MCDC_CFG_POLICY;
        return set_policy(p, &cfg->policy, err, errlen);
    }
    if (key_is(p, "McdShmTimeoutMs")) {
        cfg->set |= MCDC_CFG_TIMEOUT;
        return set_timeout(p, &cfg->timeout_ms, err, errlen);
    }
    if (key_is(p, "McdShmWindow")) {
        cfg->set |= MCDC_CFG_WINDOW;
        return set_bool(p, &cfg->window, err, errlen);
    }
    if (key_is(p, "McdShmTraceLanes")) {
        cfg->set |= MCDC_CFG_TRACE;
        return set_count(p, &cfg->trace_lanes, 0, MCDSHM_TRACE_LANES_MAX,
                         false, err, errlen);
    }
    if (key_is(p, "McdShmTraceFrames")) {
        cfg->set |= MCDC_CFG_TRACE;
        return set_count(p, &cfg->trace_frames, MCDSHM_TRACE_FRAMES_MIN,
                         MCDSHM_TRACE_FRAMES_MAX, true, err, errlen);
    }
    if (key_is(p, "McdShmRelayPlain")) {
        cfg->set |= MCDC_CFG_RELAY_PLAIN;
        return set_bool(p, &cfg->relay_plain, err, errlen);
    }
    if (key_is(p, "McdShmRelayTimeoutMs")) {
        cfg->set |= MCDC_CFG_RELAY_TIMEOUT;
        return set_timeout(p, &cfg->relay_timeout_ms, err, errlen);
    }
    return 0;
}

int mcdc_config_parse(const char *s, struct mcdc_config *cfg, char *err,
                      size_t errlen)
{
    struct pair *p;
    size_t i = 0;
    int r = 0;

    if (!s) {
        return 0;
    }
    p = malloc(sizeof(*p));
    if (!p) {
        snprintf(err, errlen, "config string: out of memory");
        return -ENOMEM;
    }
    for (;;) {
        while (isspace((unsigned char)s[i])) {
            i++;
        }
        if (!s[i]) {
            break;
        }
        r = read_pair(s, &i, p, err, errlen);
        if (r == 0) {
            r = apply(p, cfg, err, errlen);
        }
        if (r < 0) {
            break;
        }
    }
    free(p);
    return r;
}
