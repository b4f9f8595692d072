// File helpers that never leave a partial result behind.
// Contract: write_file_atomic() either leaves `path` holding exactly `data`
// or leaves any previous file untouched (temporary file + fsync + rename);
// errors throw keymac::Error naming the path.
#pragma once
#include <string>

namespace keymac {

// `mode` is the new file's permission bits (0600 for key files).
void write_file_atomic(const std::string& path, const std::string& data, unsigned mode = 0644);
// Reads a whole file; throws keymac::Error "<what> <path>: <reason>".
std::string read_text_file(const std::string& path, const std::string& what);

}  // namespace keymac
