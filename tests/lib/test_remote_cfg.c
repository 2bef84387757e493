/*
 * Tests of the remote transport's configuration, without a network: the
 * config-string keys (McdShmRelay, McdShmRelayKey, McdShmRelayPlain,
 * McdShmRelayTimeoutMs), the CURVE key-file reader, and the library built
 * without ZeroMQ (this executable compiles host-side/lib/ with
 * MCDSHM_HAVE_ZMQ unset, whatever the build found), which must refuse a
 * remote endpoint with MCD_ERR_CONNECTION and say why.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host-side/lib/client.h"
#include "host-side/lib/remote.h"

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/mcdshm-rcfg-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
}

TestSuite(remote_cfg, .init = make_dir, .fini = remove_dir, .timeout = 30);

Test(remote_cfg, relay_keys_parse)
{
    struct mcdc_config c;
    char err[256];

    mcdc_config_defaults(&c);
    cr_assert_eq(c.relay_timeout_ms, MCDSHM_RELAY_DEFAULT_TIMEOUT_MS);
    cr_assert_eq(mcdc_config_parse("McdHostName=\"build7\" "
                                   "McdShmRelay=\"tcp://build7:5555\" "
                                   "mcdshmrelaykey=/k/dbg.key "
                                   "McdShmRelayPlain=true "
                                   "McdShmRelayTimeoutMs=250",
                                   &c, err, sizeof(err)),
                 0, "%s", err);
    cr_assert_str_eq(c.relay, "tcp://build7:5555");
    cr_assert_str_eq(c.relay_key, "/k/dbg.key");
    cr_assert(c.relay_plain);
    cr_assert_eq(c.relay_timeout_ms, 250);
    cr_assert_eq(c.set & (MCDC_CFG_RELAY | MCDC_CFG_RELAY_KEY |
                          MCDC_CFG_RELAY_PLAIN | MCDC_CFG_RELAY_TIMEOUT),
                 MCDC_CFG_RELAY | MCDC_CFG_RELAY_KEY | MCDC_CFG_RELAY_PLAIN |
                     MCDC_CFG_RELAY_TIMEOUT);
}

Test(remote_cfg, bad_relay_values_name_the_key)
{
    struct mcdc_config c;
    char err[256];

    mcdc_config_defaults(&c);
    cr_assert_eq(
        mcdc_config_parse("McdShmRelayTimeoutMs=soon", &c, err, sizeof(err)),
        -EINVAL);
    cr_assert_not_null(strstr(err, "McdShmRelayTimeoutMs value 'soon'"), "%s",
                       err);
    cr_assert_eq(
        mcdc_config_parse("McdShmRelayPlain=maybe", &c, err, sizeof(err)),
        -EINVAL);
    cr_assert_not_null(strstr(err, "McdShmRelayPlain"), "%s", err);
}

static void write_key(const char *name, const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static int load(const char *name, struct mcdshm_keys *k, char *err)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return mcdshm_keys_load(path, k, err, 256);
}

#define KEY40 "0123456789abcdefghijABCDEFGHIJ.-:+=^!/*?"

Test(remote_cfg, key_files)
{
    struct mcdshm_keys k;
    char err[256];

    write_key("good", "# comment\n\n  relay-public = " KEY40 "  \n"
                      "public=" KEY40 "\nsecret =" KEY40 "\n");
    cr_assert_eq(load("good", &k, err), 0, "%s", err);
    cr_assert_str_eq(k.relay_public, KEY40);
    cr_assert_str_eq(k.public_key, KEY40);
    cr_assert_str_eq(k.secret_key, KEY40);

    write_key("noeq", "public abc\n");
    cr_assert_eq(load("noeq", &k, err), -EINVAL);
    cr_assert_not_null(strstr(err, "noeq:1: not 'name = value'"), "%s", err);
    write_key("name", "\nprivate = " KEY40 "\n");
    cr_assert_eq(load("name", &k, err), -EINVAL);
    cr_assert_not_null(strstr(err, "name:2: unknown name 'private'"), "%s",
                       err);
    write_key("short", "secret = abc\n");
    cr_assert_eq(load("short", &k, err), -EINVAL);
    cr_assert_not_null(strstr(err, "secret is 3 characters"), "%s", err);
    cr_assert_eq(load("absent", &k, err), -ENOENT);
    cr_assert_not_null(strstr(err, "absent"), "%s", err);
}

Test(remote_cfg, without_zeromq_remote_endpoints_say_why)
{
    mcd_server_st *srv = NULL;
    mcd_error_info_st e;

    cr_assert_eq(mcdc_remote_available, 0);
    cr_assert_eq(mcd_open_server_f("",
                                   "McdShmRelay=\"tcp://127.0.0.1:5555\" "
                                   "McdShmRelayPlain=TRUE",
                                   &srv),
                 MCD_RET_ACT_HANDLE_ERROR);
    cr_assert_null(srv);
    mcd_qry_error_info_f(NULL, &e);
    cr_assert_eq(e.error_code, MCD_ERR_CONNECTION);
    cr_assert_not_null(strstr(e.error_str, "built without ZeroMQ"), "%s",
                       e.error_str);
}
