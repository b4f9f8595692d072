#include "host/sweep/sweep_merge.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "host/sweep/result_columns.h"
#include "host/sweep/results_file.h"
#include "sim/core/atomic_file.h"
#include "sim/core/error.h"

namespace keymac {

MergeSummary merge_results(const std::vector<std::string>& inputs, const std::string& out, const std::string& csv,
                           const SweepSpec* spec) {
  MergeSummary s;
  std::map<std::string, int64_t> spec_index;
  if (spec)
    for (const auto& p : spec->points) spec_index[p.id] = p.index;
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& in : inputs) {
    ++s.inputs;
    const ResultsRead r = read_results(in);
    if (r.torn_bytes > 0)
      std::fprintf(stderr, "keymac: %s: ignoring a torn last line (%lld bytes)\n", in.c_str(),
                   static_cast<long long>(r.torn_bytes));
    for (const auto& l : r.lines) {
      ++s.lines;
      const std::string id = l["id"].get<std::string>();
      if (spec && !spec_index.count(id)) {
        ++s.foreign;
        continue;
      }
      if (!by_id.emplace(id, l).second) ++s.duplicates;
    }
  }
  std::vector<nlohmann::json> lines;
  for (auto& [id, l] : by_id) lines.push_back(std::move(l));
  auto key = [&](const nlohmann::json& l) {
    const std::string id = l["id"].get<std::string>();
    const int64_t idx = spec ? spec_index[id] : l.value("index", int64_t{0});
    return std::make_pair(idx, id);
  };
  std::sort(lines.begin(), lines.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  s.points = static_cast<int64_t>(lines.size());
  if (spec)
    for (const auto& p : spec->points)
      if (!by_id.count(p.id)) s.missing.push_back(&p);
  std::string text;
  for (const auto& l : lines) text += l.dump() + "\n";
  write_file_atomic(out, text);
  if (!csv.empty()) write_file_atomic(csv, results_csv(lines));
  return s;
}

}  // namespace keymac
