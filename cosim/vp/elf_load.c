/*
 * elf_load - RISC-V ELF64 loader and symbol lookup (see elf_load.h).
 *
 * Owns one file descriptor and one libelf handle for the duration of each
 * call, both released before returning; no global state.  Any thread may
 * call it; the write callback runs on the calling thread.
 */

#define _POSIX_C_SOURCE 200809L

#include "elf_load.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

#define ZERO_CHUNK 4096

/* An open ELF file. */
struct elf_file {
    const char *path;
    int fd;
    Elf *elf;
};

/* Format "path: message" into err (if any) and return code. */
static int __attribute__((format(printf, 5, 6)))
fail(char *err, size_t errlen, int code, const char *path,
     const char *fmt, ...)
{
    va_list ap;
    int n;

    if (!err || errlen == 0) {
        return code;
    }
    n = snprintf(err, errlen, "%s: ", path ? path : "(null)");
    if (n >= 0 && (size_t)n < errlen) {
        va_start(ap, fmt);
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Text for errno e in buf (glibc's GNU or the XSI strerror_r). */
static const char *errno_text(int e, char *buf, size_t len)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(e, buf, len);
#else
    if (strerror_r(e, buf, len) != 0) {
        snprintf(buf, len, "errno %d", e);
    }
    return buf;
#endif
}

/* Human name of an e_machine value, for messages. */
static const char *machine_name(unsigned m)
{
    switch (m) {
    case EM_386:
        return "i386";
    case EM_ARM:
        return "ARM";
    case EM_MIPS:
        return "MIPS";
    case EM_PPC:
        return "PowerPC";
    case EM_PPC64:
        return "PowerPC64";
    case EM_S390:
        return "S/390";
    case EM_X86_64:
        return "x86-64";
    case EM_AARCH64:
        return "AArch64";
    case EM_RISCV:
        return "RISC-V";
    default:
        return "unknown";
    }
}

/* Human name of an e_type value, for messages. */
static const char *type_name(unsigned t)
{
    switch (t) {
    case ET_NONE:
        return "ET_NONE";
    case ET_REL:
        return "ET_REL, a relocatable object";
    case ET_EXEC:
        return "ET_EXEC";
    case ET_DYN:
        return "ET_DYN, a shared object or PIE";
    case ET_CORE:
        return "ET_CORE, a core dump";
    default:
        return "unknown";
    }
}

/* Close what elf_file_open() opened. */
static void elf_file_close(struct elf_file *f)
{
    if (f->elf) {
        elf_end(f->elf);
        f->elf = NULL;
    }
    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
}

/* Open path and check that it is an ELF64 file.  0 or -errno. */
static int elf_file_open(struct elf_file *f, const char *path, char *err,
                         size_t errlen)
{
    char buf[128];
    int e, cls;

    f->path = path;
    f->fd = -1;
    f->elf = NULL;
    if (elf_version(EV_CURRENT) == EV_NONE) {
        return fail(err, errlen, -EIO, path, "libelf initialisation: %s",
                    elf_errmsg(-1));
    }
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0) {
        e = errno;
        return fail(err, errlen, -e, path, "cannot open: %s",
                    errno_text(e, buf, sizeof(buf)));
    }
    f->elf = elf_begin(f->fd, ELF_C_READ, NULL);
    if (!f->elf) {
        e = fail(err, errlen, -EIO, path, "libelf cannot read it: %s",
                 elf_errmsg(-1));
        elf_file_close(f);
        return e;
    }
    if (elf_kind(f->elf) != ELF_K_ELF) {
        elf_file_close(f);
        return fail(err, errlen, -ENOEXEC, path,
                    "not an ELF file (bad magic number)");
    }
    cls = gelf_getclass(f->elf);
    if (cls != ELFCLASS64) {
        elf_file_close(f);
        return fail(err, errlen, -ENOEXEC, path,
                    "ELF class is %d (%s), expected %d (ELF64)", cls,
                    cls == ELFCLASS32 ? "ELF32" : "invalid", ELFCLASS64);
    }
    return 0;
}

/* Check data encoding, machine and type.  0 or -ENOEXEC / -EIO. */
static int check_header(struct elf_file *f, GElf_Ehdr *eh, char *err,
                        size_t errlen)
{
    if (!gelf_getehdr(f->elf, eh)) {
        return fail(err, errlen, -EIO, f->path, "cannot read ELF header: %s",
                    elf_errmsg(-1));
    }
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB) {
        return fail(err, errlen, -ENOEXEC, f->path,
                    "EI_DATA is %u (%s), expected %u (little-endian)",
                    eh->e_ident[EI_DATA],
                    eh->e_ident[EI_DATA] == ELFDATA2MSB ? "big-endian"
                                                        : "invalid",
                    ELFDATA2LSB);
    }
    if (eh->e_machine != EM_RISCV) {
        return fail(err, errlen, -ENOEXEC, f->path,
                    "e_machine is %u (%s), expected %u (RISC-V)",
                    eh->e_machine, machine_name(eh->e_machine), EM_RISCV);
    }
    if (eh->e_type != ET_EXEC) {
        return fail(err, errlen, -ENOEXEC, f->path,
                    "e_type is %u (%s), expected %u (ET_EXEC)",
                    eh->e_type, type_name(eh->e_type), ET_EXEC);
    }
    return 0;
}

/* Validate one PT_LOAD header against the file size.  0 or -ENOEXEC. */
static int check_segment(const struct elf_file *f, size_t i,
                         const GElf_Phdr *ph, size_t fsize, char *err,
                         size_t errlen)
{
    if (ph->p_filesz > ph->p_memsz) {
        return fail(err, errlen, -ENOEXEC, f->path,
                    "segment %zu: p_filesz 0x%llx > p_memsz 0x%llx", i,
                    (unsigned long long)ph->p_filesz,
                    (unsigned long long)ph->p_memsz);
    }
    if (ph->p_offset > fsize || ph->p_filesz > fsize - ph->p_offset) {
        return fail(err, errlen, -ENOEXEC, f->path,
                    "segment %zu: file range 0x%llx+0x%llx is beyond the "
                    "end of the file (%zu bytes)", i,
                    (unsigned long long)ph->p_offset,
                    (unsigned long long)ph->p_filesz, fsize);
    }
    if (ph->p_paddr + ph->p_memsz < ph->p_paddr) {
        return fail(err, errlen, -ENOEXEC, f->path,
                    "segment %zu: address range 0x%llx+0x%llx wraps", i,
                    (unsigned long long)ph->p_paddr,
                    (unsigned long long)ph->p_memsz);
    }
    return 0;
}

/* Write zeros over [addr, addr + len).  0 or the callback's error. */
static int write_zeros(vp_elf_write_fn write, void *opaque, uint64_t addr,
                       uint64_t len)
{
    static const uint8_t zeros[ZERO_CHUNK];
    uint64_t n;
    int r;

    while (len > 0) {
        n = len < ZERO_CHUNK ? len : ZERO_CHUNK;
        r = write(opaque, addr, zeros, n);
        if (r != 0) {
            return r;
        }
        addr += n;
        len -= n;
    }
    return 0;
}

/* Copy one validated segment.  0 or the callback's error. */
static int load_segment(const struct elf_file *f, size_t i,
                        const GElf_Phdr *ph, const char *image,
                        vp_elf_write_fn write, void *opaque, char *err,
                        size_t errlen)
{
    int r = 0;

    if (ph->p_filesz > 0) {
        r = write(opaque, ph->p_paddr, image + ph->p_offset, ph->p_filesz);
    }
    if (r == 0) {
        r = write_zeros(write, opaque, ph->p_paddr + ph->p_filesz,
                        ph->p_memsz - ph->p_filesz);
    }
    if (r != 0) {
        return fail(err, errlen, r < 0 ? r : -EIO, f->path,
                    "segment %zu (0x%llx, 0x%llx bytes): the platform "
                    "refused the write (error %d: %s)", i,
                    (unsigned long long)ph->p_paddr,
                    (unsigned long long)ph->p_memsz, r,
                    r == -EFAULT ? "address outside guest memory"
                                 : "write callback failed");
    }
    return 0;
}

/* Validate all program headers, then load the PT_LOAD ones. */
static int load_segments(struct elf_file *f, vp_elf_write_fn write,
                         void *opaque, char *err, size_t errlen)
{
    const char *image;
    size_t nph, i, fsize, nload = 0;
    GElf_Phdr ph;
    int pass, r;

    if (elf_getphdrnum(f->elf, &nph) != 0) {
        return fail(err, errlen, -EIO, f->path,
                    "cannot read program headers: %s", elf_errmsg(-1));
    }
    image = elf_rawfile(f->elf, &fsize);
    if (!image) {
        return fail(err, errlen, -EIO, f->path, "cannot read file: %s",
                    elf_errmsg(-1));
    }
    /* pass 0 checks everything, pass 1 writes */
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < nph; i++) {
            if (!gelf_getphdr(f->elf, (int)i, &ph)) {
                return fail(err, errlen, -EIO, f->path,
                            "cannot read program header %zu: %s", i,
                            elf_errmsg(-1));
            }
            if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
                continue;
            }
            r = pass == 0
                ? check_segment(f, i, &ph, fsize, err, errlen)
                : load_segment(f, i, &ph, image, write, opaque, err, errlen);
            if (r != 0) {
                return r;
            }
            nload += pass == 0;
        }
        if (nload == 0) {
            return fail(err, errlen, -ENOEXEC, f->path,
                        "no loadable (PT_LOAD) segment");
        }
    }
    return 0;
}

int vp_elf_load(const char *path, vp_elf_write_fn write, void *opaque,
                uint64_t *entry, char *err, size_t errlen)
{
    struct elf_file f;
    GElf_Ehdr eh;
    int r;

    if (!path || !write) {
        return fail(err, errlen, -EINVAL, path,
                    "vp_elf_load: NULL path or write callback");
    }
    r = elf_file_open(&f, path, err, errlen);
    if (r != 0) {
        return r;
    }
    r = check_header(&f, &eh, err, errlen);
    if (r == 0) {
        r = load_segments(&f, write, opaque, err, errlen);
    }
    if (r == 0 && entry) {
        *entry = eh.e_entry;
    }
    elf_file_close(&f);
    return r;
}

/* Search one symbol table section.  0, -ENOENT or -EIO. */
static int search_symtab(struct elf_file *f, Elf_Scn *scn,
                         const GElf_Shdr *sh, const char *name,
                         uint64_t *addr, uint64_t *size)
{
    Elf_Data *data = elf_getdata(scn, NULL);
    size_t i, count;
    GElf_Sym sym;
    const char *s;

    if (!data || sh->sh_entsize == 0) {
        return -EIO;
    }
    count = sh->sh_size / sh->sh_entsize;
    for (i = 0; i < count; i++) {
        if (!gelf_getsym(data, (int)i, &sym)) {
            return -EIO;
        }
        if (sym.st_shndx == SHN_UNDEF) {
            continue;
        }
        s = elf_strptr(f->elf, sh->sh_link, sym.st_name);
        if (s && strcmp(s, name) == 0) {
            *addr = sym.st_value;
            if (size) {
                *size = sym.st_size;
            }
            return 0;
        }
    }
    return -ENOENT;
}

int vp_elf_symbol(const char *path, const char *name, uint64_t *addr,
                  uint64_t *size, char *err, size_t errlen)
{
    Elf_Scn *scn = NULL, *dyn = NULL, *tab = NULL;
    GElf_Shdr sh, dynsh, tabsh;
    struct elf_file f;
    int r;

    if (!path || !name || !addr) {
        return fail(err, errlen, -EINVAL, path,
                    "vp_elf_symbol: NULL path, name or addr");
    }
    r = elf_file_open(&f, path, err, errlen);
    if (r != 0) {
        return r;
    }
    while ((scn = elf_nextscn(f.elf, scn)) != NULL) {
        if (!gelf_getshdr(scn, &sh)) {
            continue;
        }
        if (sh.sh_type == SHT_SYMTAB && !tab) {
            tab = scn;
            tabsh = sh;
        } else if (sh.sh_type == SHT_DYNSYM && !dyn) {
            dyn = scn;
            dynsh = sh;
        }
    }
    if (!tab && !dyn) {
        r = fail(err, errlen, -ENOEXEC, path,
                 "no symbol table (stripped?)");
    } else {
        r = tab ? search_symtab(&f, tab, &tabsh, name, addr, size)
                : search_symtab(&f, dyn, &dynsh, name, addr, size);
        if (r == -ENOENT) {
            fail(err, errlen, r, path, "symbol '%s' not found", name);
        } else if (r != 0) {
            fail(err, errlen, r, path, "cannot read symbol table: %s",
                 elf_errmsg(-1));
        }
    }
    elf_file_close(&f);
    return r;
}
