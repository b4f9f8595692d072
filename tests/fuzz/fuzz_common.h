// Shared by the libFuzzer harnesses (docs/RELIABILITY.md, "Fuzzing").
// Contract: run_reader() feeds one input to a reader; the reader may accept it
// or throw keymac::Error with a ONE-line message. Anything else is a finding:
// another exception type (e.g. a json or yaml exception leaking out as
// "internal error"), a multi-line message, or (caught by the sanitizers) a
// crash, a memory error, undefined behaviour or an allocation over
// -malloc_limit_mb.
#pragma once
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "sim/core/error.h"

namespace keymac::fuzz {

template <typename F>
void run_reader(F&& reader) {
  try {
    reader();
  } catch (const keymac::Error& e) {
    const std::string msg = e.what();
    if (std::getenv("KEYMAC_FUZZ_VERBOSE")) std::fprintf(stderr, "refused: %s\n", msg.substr(0, 300).c_str());
    if (msg.empty() || msg.find('\n') != std::string::npos) {
      std::fprintf(stderr, "FINDING: error message is not one line: [%s]\n", msg.c_str());
      std::abort();
    }
  }
  // Any other exception propagates: libFuzzer reports it as a crash (uncaught exception).
}

// A per-process scratch file holding the input, for readers that take a path.
inline std::string scratch_file(const uint8_t* data, size_t size, const char* ext) {
  static const std::string path = [&] {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp && *tmp ? tmp : "/tmp") + "/keymac_fuzz_" + std::to_string(::getpid()) + ext;
  }();
  // Registered after `path` is built, so it runs before `path` is destroyed: leave nothing behind.
  static const bool cleanup = (std::atexit([] { ::unlink(path.c_str()); }), true);
  (void)cleanup;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

}  // namespace keymac::fuzz
