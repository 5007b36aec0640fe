/*
 * A HotSpot disassembler plugin for JDK 17 over Debian's libhsdis0-fcml.
 *
 * JDK 13 and later look up decode_instructions_virtual in hsdis-<arch>.so; Debian's FCML build
 * of the plugin exports only the older decode_instructions, so PrintAssembly (and JMH's
 * perfasm profiler) print raw bytes. HotSpot hands the virtual entry a buffer that holds the
 * code at its own address, so the older entry decodes that buffer unchanged.
 *
 * benchmarks/run.sh profile builds this into benchmarks/target/hsdis/ and installs it as
 * $JAVA_HOME/lib/server/hsdis-amd64.so, which HotSpot searches before lib/hsdis-amd64.so (the
 * package's own link). Profiling only; nothing in the product loads it.
 */
#include <dlfcn.h>
#include <stdint.h>

typedef void *(*event_callback)(void *stream, const char *event, void *arg);
typedef int (*printf_callback)(void *stream, const char *format, ...);
typedef void *(*decode_fn)(void *start, void *end, event_callback event, void *event_stream,
                           printf_callback printf_fn, void *printf_stream, const char *options);

static decode_fn decode;

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer,
                                  uintptr_t length, event_callback event, void *event_stream,
                                  printf_callback printf_fn, void *printf_stream,
                                  const char *options, int newline) {
  (void) start_va;
  (void) end_va;
  (void) newline;
  if (decode == 0) {
    void *fcml = dlopen("libhsdis.so.0", RTLD_NOW);
    if (fcml == 0) {
      return 0;
    }
    decode = (decode_fn) dlsym(fcml, "decode_instructions");
    if (decode == 0) {
      return 0;
    }
  }
  return decode(buffer, buffer + length, event, event_stream, printf_fn, printf_stream, options);
}
