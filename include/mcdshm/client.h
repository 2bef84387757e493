/*
 * libmcdshm: the MCD API 1.1 (include/mcd/mcd_api.h) over shared memory,
 * and what the library offers beyond the 54 mcd_*_f functions.
 *
 * The library exports exactly the 54 mcd_*_f functions and
 * mcdshm_version(); everything else is hidden.  A tool links it (or
 * dlopen()s it) like any other MCD implementation.
 *
 * Configuration string of mcd_open_server_f and mcd_set_server_config_f:
 * whitespace-separated Key=value pairs; values are bare words or
 * double-quoted strings (no escapes); booleans TRUE or FALSE in any case;
 * keys match in any case.  A string that is not well formed (a missing
 * '=', an unterminated quote) is MCD_ERR_PARAM naming the position;
 * unknown keys are ignored, as the API prescribes.
 *   McdHostName="localhost"  only this host: "", "localhost", a loopback
 *                            address or this machine's name; any other is
 *                            MCD_ERR_CONNECTION unless McdShmRelay names
 *                            the relay that serves it (then McdHostName
 *                            is only what mcd_server_st's host shows)
 *   McdServerName="vp0"      the endpoint of that name in the endpoint
 *                            directory ($MCDSHM_RUNTIME_DIR, else
 *                            $XDG_RUNTIME_DIR/mcdshm, else
 *                            /tmp/mcdshm-<uid>)
 *   McdSystemInstance, McdServerKey
 *                            passed on to the server in the string
 *   McdExitIfLastClient      accepted and ignored: a server's lifetime is
 *                            the simulator's, not its clients'
 *   McdShmEndpoint="/p.sock" an explicit endpoint socket (wins over
 *                            McdServerName)
 *   McdShmPolicy=hybrid      how the library waits for answers: busy
 *                            (spin, lowest latency, burns a core), hybrid
 *                            (spin ~50 us, then sleep; the default) or
 *                            sleep
 *   McdShmTimeoutMs=60000    per-call timeout (default 60000, 0 = none);
 *                            mcd_receive_msg_f adds its own timeout
 *   McdShmWindow=TRUE        read through the server's direct memory
 *                            window when it offers one (the default): a
 *                            transaction list of plain reads that all fall
 *                            inside it is copied straight from the mapped
 *                            target memory, with no request; FALSE sends
 *                            every read to the server
 *   McdShmTraceLanes=4       trace lanes to ask for (0..16; 0 = none): a
 *                            trace set to PIPE or FIFO mode on this
 *                            connection is streamed through a lane of
 *                            shared memory, and mcd_read_trace_f reads
 *                            its frames with no request; without a free
 *                            lane a trace is read by request
 *   McdShmTraceFrames=65536  frames per lane (a power of two, 1024..4M);
 *                            a trace's size rounds down to a power of two
 *                            that fits (modified is then set)
 *   McdShmRelay="tcp://buildhost:5555"
 *                            a server on another host, through the
 *                            mcdshm-relay listening there (ZeroMQ): the
 *                            same records, every function as locally;
 *                            McdServerName, if given, must be the name of
 *                            the server that relay serves
 *   McdShmRelayKey="/home/me/.mcdshm/dbg.key"
 *                            CURVE encryption and authentication: a key
 *                            file with the relay's public key
 *                            ("relay-public = ...") and optionally our own
 *                            key pair ("public = ...", "secret = ...")
 *   McdShmRelayPlain=TRUE    accept plain TCP (no encryption, no
 *                            authentication); without it or a key a relay
 *                            endpoint is refused
 *   McdShmRelayTimeoutMs=5000
 *                            liveness bound of a relay connection: the
 *                            handshake and ZeroMQ heartbeats; a relay or
 *                            network silent this long turns the call in
 *                            progress and every later one into
 *                            MCD_ERR_CONNECTION (0 = heartbeats off)
 * With neither McdShmEndpoint nor McdServerName, mcd_open_server_f opens
 * the first live endpoint, in name order, that this process has not
 * opened yet, else the first live one.  McdShmPolicy, McdShmTimeoutMs and
 * McdShmWindow may be changed with mcd_set_server_config_f; the other keys
 * cannot (a window is mapped at mcd_open_server_f only).
 * The mcd_server_st's config_string is the string as given, completed
 * with McdServerName of the server it reached when it named none.
 *
 * Behaviour worth knowing:
 * - mcd_initialize_f is answered by the library: API 1.0 and 1.1 are
 *   accepted; the implementation vendor is "mcdshm".  mcd_exit_f closes
 *   every core and server of the process.
 * - mcd_qry_devices_f and mcd_qry_cores_f accept a NULL con_info: it
 *   selects every system (as a con_info with every field empty does).
 *   Systems are gathered from every open server; devices, cores and
 *   mcd_open_core_f go to the first open server that knows the con_info.
 * - mcd_qry_servers_f lists the endpoint directory without connecting:
 *   running = TRUE lists the endpoints with a listening server (read from
 *   /proc/net/unix), FALSE every endpoint found, live or stale.
 * - mcd_qry_error_info_f is answered locally: the error of the last call
 *   on that core, or of the last core-less call (core NULL), as the
 *   server reported it or as the library produced it (connection lost,
 *   timeout, malformed answer, bad argument).  Every failure has a
 *   message.
 * - mcd_qry_input_handle_f gives the connection's socket: it becomes
 *   readable (hang-up) when the server goes away, and never otherwise;
 *   answers travel through shared memory and need no waiting by the tool.
 *   A relay connection has no such descriptor: 0xFFFFFFFF (none).
 * - A library built without ZeroMQ refuses McdShmRelay with
 *   MCD_ERR_CONNECTION and a message that says so.
 * - mcd_qry_max_payload_size_f reports 64 MiB.  mcd_execute_txlist_f
 *   accepts lists of up to MCD_TX_NUM_MAX transactions of any size: it
 *   splits them into requests that fit the connection's slots, splits a
 *   single
 *   transaction larger than a slot into several (the address advances by
 *   the bytes done unless MCD_TX_OPT_NOINCREMENT; the pieces keep
 *   multiples of access_width; registers are split the same way) and keeps
 *   up to one request per slot in flight.  num_tx_ok and num_bytes_ok are
 *   exact.  The list stops at its first failure although it is
 *   pipelined: no further request is sent, and the server skips the
 *   requests already in flight behind the failing one without executing
 *   them (MCDSHM_REQ_F_AFTER_PREV).
 * - Count-then-fetch queries larger than one slot's payload are paged by
 *   the library; the tool sees one call.
 * - A server that dies turns the call in progress and every later call on
 *   its connection into MCD_ERR_CONNECTION "server <name> (pid N) is
 *   gone", within milliseconds; a server that does not answer within the
 *   timeout gives MCD_ERR_TIMED_OUT.  A server that sends a malformed
 *   answer loses its connection (MCD_ERR_CONNECTION "malformed response
 *   from server ...").
 *
 * Thread-safe: calls on one connection are serialized in call order.
 */
#ifndef MCDSHM_CLIENT_H
#define MCDSHM_CLIENT_H

#ifdef __cplusplus
extern "C" {
#endif

/* Version of libmcdshm (not the wire layout version MCDSHM_VERSION). */
#define MCDSHM_VERSION_MAJOR 0
#define MCDSHM_VERSION_MINOR 1
#define MCDSHM_VERSION_PATCH 0
#define MCDSHM_VERSION_STRING "0.1.0"

#ifndef MCDSHM_EXPORT
#define MCDSHM_EXPORT __attribute__((visibility("default")))
#endif

/*
 * A memory space's mem_type flag, the seed QEMU's name for the first custom
 * bit (MCD_MEM_SPACE_CUSTOM_LO): the space's accesses are secure
 * transactions (Arm TrustZone's secure world; x86's SMM).
 */
#define MCD_MEM_SPACE_IS_SECURE MCD_MEM_SPACE_CUSTOM_LO

/**
 * mcdshm_version() - the library's version, "MAJOR.MINOR.PATCH".
 *
 * Return: a static string; compare with MCDSHM_VERSION_STRING to detect a
 * tool built against another version of this header.
 */
MCDSHM_EXPORT const char *mcdshm_version(void);

#ifdef __cplusplus
}
#endif

#endif /* MCDSHM_CLIENT_H */
