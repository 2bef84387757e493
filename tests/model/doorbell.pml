/*
 * doorbell.pml - Promela model of the mcdshm doorbell rule (D1/D2 in
 * include/mcdshm/wire.h), both directions of one connection at once.
 *
 * Why a model: the doorbell is a store->load handshake.  Each side stores
 * (the producer its tail, the consumer need_wakeup), fences, then loads what
 * the other side stored.  Without the fence a store can sit in the CPU's
 * store buffer while the following load already reads memory, so both sides
 * can miss each other: the consumer sees no records and sleeps, the producer
 * sees need_wakeup == 0 and does not ring.  That lost wake-up needs a
 * specific interleaving plus a delayed store; tests hit it rarely, a model
 * checker finds it at once.  The model proves the rule with the fences and,
 * with -DNOFENCE_D1 / -DNOFENCE_D2 / -DNOFENCE, shows that it fails without
 * either of them (so the check can actually fail).
 *
 * What is modelled (C name -> model):
 *   struct mcdshm_ring tail, need_wakeup   mem[TAIL(r)], mem[NW(r)]
 *   shm_ring_publish() (P1)                STORE of the tail
 *   shm_ring_avail() (C1)                  plain load of mem[TAIL(r)]
 *   shm_doorbell_ring() (D2)               FENCE; if need_wakeup: ring
 *   eventfd + EPOLLET epoll set            ev[r]: one pending edge
 *   shm_doorbell_wait()                    inline db_wait():
 *     spin()                                 poll, nondeterministic budget end
 *     sleep_once()                           loop of:
 *       shm_doorbell_prepare_sleep() (D1)      STORE nw=1; FENCE; re-check
 *       epoll_wait()                           block until ev[r] or hup[r]
 *       shm_doorbell_woken()                   STORE nw=0; re-check
 *   connection socket hang-up (hup_fd)     hup[r], set when the peer exits
 *   client (libmcdshm)                     proctype client: N requests, at
 *                                          most INFLIGHT unanswered
 *   server (stub, as in tests/shm/         proctype server: wait, answer all
 *           test_conn.c)                   ready requests, ring once
 *
 * Abstractions:
 *   - Memory is TSO (x86-like): every store goes into the issuing CPU's FIFO
 *     store buffer sb[cpu] and reaches mem[] later, when the drain process
 *     of that CPU gets to it; loads read mem[] directly.  FENCE (smp_mb())
 *     waits until the own buffer is empty.  This is exactly the store->load
 *     reordering that D1/D2 exist for; TSO keeps store->store and
 *     load->load order, so P1/C1 (release/acquire) cost nothing here and the
 *     records themselves are not modelled.  Weaker machines (Arm) add more
 *     reorderings, which the release/acquire pairs cover; they are not the
 *     subject of this model.  No process ever loads a location it stores
 *     itself (the producer keeps its tail locally, the consumer never reads
 *     need_wakeup), so store forwarding is not needed.
 *   - Since the drain processes are always enabled while a buffer holds a
 *     store, a state where nothing can move has empty store buffers: every
 *     store eventually becomes visible, as on real hardware.
 *   - Indexes are small counters; heads are local (P2/C2 are irrelevant with
 *     at most INFLIGHT <= nslots records in flight), records are not modelled.
 *   - eventfd + edge-triggered epoll: each write is an edge; edges that arrive
 *     while nobody sleeps stay pending (coalesced into one, as epoll reports
 *     a ready fd once) and make the next epoll_wait() return at once.  A
 *     spurious wake-up is therefore possible and harmless.  The eventfd write
 *     and the wake-up are atomic kernel actions.
 *   - Timeouts are infinite (timeout_ms = -1): with a timeout a lost wake-up
 *     would be a spurious -ETIMEDOUT instead of a hang.
 *   - The bounded spin of the hybrid policy is a nondeterministic choice
 *     between polling again and giving up; that covers busy, hybrid and sleep.
 *   - The server has one connection; the real stub sleeps on all rings at
 *     once (prepare_sleep_all() in qemu-side/stub/server.c), which is the
 *     same rule per ring.
 *
 * Checked properties:
 *   - no invalid end state: both sides asleep (or one asleep, the other
 *     finished) with work pending is a deadlock that spin reports;
 *   - assert: the client got exactly N responses, in order, and the server
 *     answered exactly N requests;
 *   - ltl p_done { <> done }: every fair run finishes (run pan with -a -f).
 *
 * Run: tests/model/run_spin.sh, or by hand:
 *   spin -a doorbell.pml && gcc -O2 -DNOCLAIM -o pan pan.c && ./pan -m100000
 *   spin -a doorbell.pml && gcc -O2 -o pan pan.c && ./pan -m100000 -a -f
 *   spin -a -DNOFENCE_D1 doorbell.pml && gcc -O2 -DNOCLAIM -o pan pan.c \
 *       && ./pan -m100000            (must report errors)
 */

#ifndef N
#define N 3            /* requests the client sends */
#endif
#ifndef INFLIGHT
#define INFLIGHT 1     /* unanswered requests at a time (library: 1) */
#endif
#define SBSZ 3         /* store buffer entries per CPU */

#define REQ 0          /* request ring: client produces, server consumes */
#define RESP 1         /* response ring: server produces, client consumes */
#define CLIENT 0       /* CPU ids, index of sb[] */
#define SERVER 1

#define TAIL(r) (2 * (r))
#define NW(r) (2 * (r) + 1)

#ifdef NOFENCE
#define NOFENCE_D1
#define NOFENCE_D2
#endif

byte mem[4];                          /* shared memory: tails, need_wakeup */
chan sb[2] = [SBSZ] of { byte, byte }; /* per-CPU store buffer: (addr, val) */
bool ev[2];                           /* pending doorbell edge per ring */
bool hup[2];                          /* the peer hung up (socket closed) */
bool done;                            /* the client has all its responses */

/* A store leaves the CPU through its store buffer, visible later. */
inline STORE(cpu, addr, val) { sb[cpu]!addr, val }

/* smp_mb(): the own store buffer drains before any later load. */
inline FENCE(cpu) { empty(sb[cpu]) }

/* The memory system: makes one CPU's buffered stores visible, in order,
 * at any time. */
proctype drain(byte cpu)
{
    byte a, v;
end:
    do
    :: atomic { sb[cpu]?a, v -> mem[a] = v }  /* atomic: a store leaves
                                               * the buffer as it lands */
    od
}

/* shm_doorbell_ring() after a publish: D2, then ring if asked to. */
inline db_ring(cpu, r)
{
#ifndef NOFENCE_D2
    FENCE(cpu);
#endif
    if
    :: mem[NW(r)] -> ev[r] = 1          /* write(efd, 1): one edge */
    :: else -> skip
    fi
}

/*
 * shm_doorbell_wait(): returns with t != head (records ready) or, when the
 * peer hung up and nothing is ready, with t == head and hup[r] set.
 */
inline db_wait(cpu, r, head, t)
{
    t = mem[TAIL(r)];                   /* fast path: C1 */
    /* spin(): poll until records arrive or the budget runs out. */
    do
    :: t != head -> break
    :: t == head -> t = mem[TAIL(r)]
    :: t == head -> break
    od;
    /* sleep_once(), repeated while nothing arrived. */
    do
    :: t != head -> break
    :: t == head && hup[r] -> break     /* -EPIPE */
    :: t == head && !hup[r] ->
        /* shm_doorbell_prepare_sleep(): D1 */
        STORE(cpu, NW(r), 1);
#ifndef NOFENCE_D1
        FENCE(cpu);
#endif
        t = mem[TAIL(r)];
        if
        :: t != head -> STORE(cpu, NW(r), 0)
        :: else ->
            /* epoll_wait(): sleep until an edge (consumed: EPOLLET) or a
             * hang-up. */
            atomic {
                (ev[r] || hup[r]);
                ev[r] = 0
            };
            STORE(cpu, NW(r), 0);       /* shm_doorbell_woken() */
            t = mem[TAIL(r)]
        fi
    od
}

proctype client()
{
    byte sent, got, t;

    do
    :: sent < N && sent - got < INFLIGHT ->
        /* write request record; P1 */
        sent++;
        STORE(CLIENT, TAIL(REQ), sent);
        db_ring(CLIENT, REQ)
    :: else ->
        if
        :: got == N -> break
        :: else ->
            db_wait(CLIENT, RESP, got, t);
            assert(t != got);           /* the server never hangs up first */
            assert(t > got && t <= sent); /* responses only for requests */
            got = t                     /* consume them (C2 not modelled) */
        fi
    od;
    assert(got == N);
    done = 1;
    hup[REQ] = 1                        /* close the connection socket */
}

proctype server()
{
    byte head, answered, t;

    do
    :: db_wait(SERVER, REQ, head, t);
        if
        :: t == head -> break           /* hang-up with nothing pending */
        :: else ->
            do                          /* answer every ready request */
            :: head != t ->
                head++;
                answered++;
                STORE(SERVER, TAIL(RESP), answered)
            :: else -> break
            od;
            db_ring(SERVER, RESP)       /* once per batch, as the stub */
        fi
    od;
    assert(answered == N && done)
}

init
{
    atomic {
        run client();
        run server();
        run drain(CLIENT);
        run drain(SERVER)
    }
}

ltl p_done { <> done }
