/*
 * elf_load - load RISC-V ELF64 executables for the mcdshm-vp platform.
 *
 * Checks that a file is a little-endian ELF64 ET_EXEC for EM_RISCV, copies
 * its PT_LOAD segments (at p_paddr) into guest memory through a callback
 * supplied by the platform, and looks up symbols for tests and demos.
 * Uses libelf; link with -lelf.
 *
 * This module owns nothing beyond the duration of a call: each function
 * opens the file, works, and closes it again.  It keeps no global state of
 * its own (libelf's elf_version() is called on every entry, which only
 * sets libelf's process-wide version to the same value), so different
 * threads may load different files concurrently.  The write callback is
 * called on the calling thread only.
 *
 * Every failure returns a negative errno and, if the caller gives a
 * buffer, writes a one-line message that starts with the file name, e.g.
 * "prog.elf: e_machine is 62 (x86-64), expected 243 (RISC-V)".
 */

#ifndef MCDSHM_VP_ELF_LOAD_H
#define MCDSHM_VP_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * Write len bytes of data at guest physical address addr.  data is never
 * NULL; zero-fill (p_memsz beyond p_filesz) is passed as zero bytes, in
 * chunks.  Return 0, or a negative errno to abort the load (-EFAULT is
 * the natural choice for an address outside the platform's memory).
 */
typedef int (*vp_elf_write_fn)(void *opaque, uint64_t addr, const void *data,
                               uint64_t len);

/**
 * vp_elf_load: load an executable's PT_LOAD segments into guest memory.
 * Segments with p_memsz == 0 are skipped.  Nothing is written unless all
 * header checks pass; a callback failure can leave earlier segments
 * written.
 * @param path: file to load
 * @param write: called for each segment's file bytes and zero fill
 * @param opaque: passed to write
 * @param entry: receives e_entry on success (may be NULL)
 * @param err: buffer for a message on failure (may be NULL)
 * @param errlen: size of err
 * @return 0 on success;
 *         -EINVAL if path or write is NULL;
 *         -errno of open() (e.g. -ENOENT, -EACCES) if the file can't be
 *         opened;
 *         -ENOEXEC if it is not an ELF file, not ELF64, not little-endian,
 *         not EM_RISCV, not ET_EXEC, has no program headers / no PT_LOAD
 *         segment, or a segment is malformed (p_filesz > p_memsz, file
 *         range outside the file, address range wrapping around);
 *         -EIO if libelf fails to read the file;
 *         any negative value returned by write (message names the segment)
 */
int vp_elf_load(const char *path, vp_elf_write_fn write, void *opaque,
                uint64_t *entry, char *err, size_t errlen);

/**
 * vp_elf_symbol: look up a symbol's value (address) in the file's symbol
 * table (.symtab, or .dynsym if there is no .symtab).  Only the ELF64
 * class is checked, not the machine, so this also works on host files.
 * @param path: the ELF file
 * @param name: symbol name, e.g. "counter"
 * @param addr: receives st_value
 * @param size: receives st_size (may be NULL)
 * @param err: buffer for a message on failure (may be NULL)
 * @param errlen: size of err
 * @return 0 on success;
 *         -EINVAL if path, name or addr is NULL;
 *         -errno of open() if the file can't be opened;
 *         -ENOEXEC if it is not an ELF64 file or has no symbol table;
 *         -ENOENT if no defined symbol of that name exists;
 *         -EIO if libelf fails to read the file
 */
int vp_elf_symbol(const char *path, const char *name, uint64_t *addr,
                  uint64_t *size, char *err, size_t errlen);

#endif /* MCDSHM_VP_ELF_LOAD_H */
