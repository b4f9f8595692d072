// Sweep results as JSON Lines: one complete line per finished point.
// Contract: ResultsWriter::append() writes the whole line with one write()
// on an O_APPEND descriptor and fsyncs it, so a killed sweep leaves only
// complete lines (plus, after a crash of the machine, at most one torn last
// line, which read_results() reports and ResultsWriter drops on resume).
// Several threads may call append() at once. A writer holds an advisory
// flock on the file for its lifetime: a second writer (another process, or a
// requeued task while the first still runs) fails with one line naming the
// holder's pid, before reading or changing anything.
#pragma once
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace keymac {

struct ResultsRead {
  std::vector<nlohmann::json> lines;  // parsed complete lines, in file order
  int64_t torn_bytes = 0;              // bytes of an unterminated last line
  uint64_t good_bytes = 0;             // length up to the last complete line
};

// Reads a results file; throws keymac::Error naming the file and line when a
// complete line is not a JSON object with an "id".
ResultsRead read_results(const std::string& path);

class ResultsWriter {
 public:
  // resume: keep the file (truncating a torn last line); otherwise the file
  // must not exist unless overwrite is set.
  ResultsWriter(const std::string& path, bool resume, bool overwrite);
  ~ResultsWriter();
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;
  void append(const std::string& line);  // one JSON object, no newline

 private:
  std::string path_;
  int fd_ = -1;
  std::mutex mu_;
};

}  // namespace keymac
