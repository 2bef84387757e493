/*
 * The five ordering primitives of mcdshm, over C11 <stdatomic.h>.
 *
 * Shared-memory fields are plain uint32_t in the wire contract (uapi style);
 * these macros view them as _Atomic objects of the same size, which is why
 * the size and lock-freedom asserts below must hold: an atomic that needed a
 * lock would not be atomic across two processes.  Nothing else in the tree
 * touches memory ordering; every use names its partner (see the pairing table
 * at the top of include/mcdshm/wire.h).
 */
#ifndef MCDSHM_SHM_BARRIER_H
#define MCDSHM_SHM_BARRIER_H

#include <stdatomic.h>
#include <stdint.h>

_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t),
               "atomic u32 has the size of u32");
_Static_assert(sizeof(_Atomic uint64_t) == sizeof(uint64_t),
               "atomic u64 has the size of u64");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2,
               "cross-process atomics must be lock-free (address-free)");

/* A single, untorn access with no ordering. */
#define READ_ONCE(x) \
    atomic_load_explicit((_Atomic __typeof__(x) *)&(x), memory_order_relaxed)
#define WRITE_ONCE(x, v)                                      \
    atomic_store_explicit((_Atomic __typeof__(x) *)&(x), (v), \
                          memory_order_relaxed)

/* Later accesses are not moved before this load. */
#define load_acquire(p) \
    atomic_load_explicit((_Atomic __typeof__(*(p)) *)(p), memory_order_acquire)

/* Earlier accesses are not moved after this store. */
#define store_release(p, v)                                     \
    atomic_store_explicit((_Atomic __typeof__(*(p)) *)(p), (v), \
                          memory_order_release)

#if defined(__SANITIZE_THREAD__)
#define MCDSHM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MCDSHM_TSAN 1
#endif
#endif

/* Full fence: orders earlier stores against later loads too. */
#ifndef MCDSHM_TSAN
#define smp_mb() atomic_thread_fence(memory_order_seq_cst)
#else
/*
 * ThreadSanitizer does not model standalone fences (GCC refuses them with
 * -fsanitize=thread).  A sequentially consistent read-modify-write is a
 * full barrier on the hardware we run on (a locked instruction on x86) and
 * is understood by TSan; it is used only in TSan builds.
 */
static _Atomic uint32_t mcdshm__tsan_fence __attribute__((unused));
#define smp_mb()                                                          \
    ((void)atomic_fetch_add_explicit(&mcdshm__tsan_fence, 0,              \
                                     memory_order_seq_cst))
#endif

/*
 * Read fence: loads before it are done before loads after it (the
 * sequence-lock read of a FIFO trace lane).  An acquire fence in C11
 * terms; in TSan builds the full barrier above, which implies it.
 */
#ifndef MCDSHM_TSAN
#define smp_rmb() atomic_thread_fence(memory_order_acquire)
#else
#define smp_rmb() smp_mb()
#endif

/* Spin-wait hint to the CPU. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

#endif /* MCDSHM_SHM_BARRIER_H */
