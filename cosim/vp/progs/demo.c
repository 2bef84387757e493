/*
 * demo.c - endless multi-hart demo program for the mcdshm-vp platform.
 *
 * Every hart (up to NHARTS) loops forever calling tick(), which counts in
 * its own slot of the global counter[] array, so a debugger sees the
 * counters move and can break on tick.  Hart 0 also prints a line
 * "hello from hart N: T ticks\n" for every hart that has ticked, every
 * PRINT_EVERY of its own ticks, to the UART at 0x10000000 (a byte store to
 * offset 0 transmits).  Runs on all harts at once; each hart writes only
 * its own counter, hart 0 reads the others and owns the UART.
 */

#include <stdint.h>

#define UART_TX     ((volatile uint8_t *)0x10000000u)
#define NHARTS      8
#define PRINT_EVERY (1u << 16)

volatile uint64_t counter[NHARTS];

/**
 * tick: count one iteration of hart hartid (break here in a debugger).
 * @param hartid: this hart's id, < NHARTS
 * @return nothing
 */
void __attribute__((noinline)) tick(uint64_t hartid)
{
    counter[hartid]++;
}

static void uart_puts(const char *s)
{
    while (*s) {
        *UART_TX = (uint8_t)*s++;
    }
}

static void uart_putu(uint64_t v)
{
    char buf[24];
    int i = (int)sizeof(buf) - 1;

    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    uart_puts(buf + i);
}

static void report(void)
{
    uint64_t h, n;

    for (h = 0; h < NHARTS; h++) {
        n = counter[h];
        if (n != 0) {
            uart_puts("hello from hart ");
            uart_putu(h);
            uart_puts(": ");
            uart_putu(n);
            uart_puts(" ticks\n");
        }
    }
}

/**
 * main: per-hart entry point, called by crt0.S.
 * @param hartid: this hart's mhartid
 * @return never returns
 */
int main(uint64_t hartid)
{
    uint64_t n = 0;

    if (hartid >= NHARTS) {
        return 0;
    }
    for (;;) {
        tick(hartid);
        if (hartid == 0 && (++n % PRINT_EVERY) == 1) {
            report();
        }
    }
}
