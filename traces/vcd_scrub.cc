#include "traces/vcd_scrub.h"

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "base/output_file.h"
#include "sim/core/error.h"

namespace keymac::traces {

const std::set<std::string> kRtlKeyNets = {"key_bit_i", "key_q", "key_o", "wr_bit", "key", "key_i", "neg"};

int scrub_vcd(const std::string& in_path, const std::string& out_path, const std::set<std::string>& names) {
  std::ifstream in(in_path, std::ios::binary);
  if (!in) throw Error(in_path + ": cannot open VCD");
  OutputFile out(out_path);
  std::map<std::string, bool> ids;  // scrubbed id -> its constant 0 was written
  int scrubbed = 0;
  bool header = true;
  std::string line;
  while (std::getline(in, line)) {
    if (header) {
      std::istringstream ls(line);
      std::vector<std::string> t;
      for (std::string w; ls >> w;) t.push_back(w);
      // $var <type> <width> <id> <name> [range] $end
      if (t.size() >= 6 && t[0] == "$var") {
        std::string name = t[4];
        if (const auto b = name.find('['); b != std::string::npos) name = name.substr(0, b);
        if (names.count(name)) {
          ids.emplace(t[3], false);
          ++scrubbed;
        }
      }
      if (line.find("$enddefinitions") != std::string::npos) header = false;
      out.write(line + "\n");
      continue;
    }
    // Value changes: "0!", "1!", "x!", "z!" (scalars), "b0101 !", "r1.5 !" (vectors, reals).
    std::string id;
    if (!line.empty() && (line[0] == 'b' || line[0] == 'B' || line[0] == 'r' || line[0] == 'R')) {
      if (const auto sp = line.find(' '); sp != std::string::npos) id = line.substr(sp + 1);
    } else if (!line.empty() && std::string("01xzXZ").find(line[0]) != std::string::npos) {
      id = line.substr(1);
    }
    while (!id.empty() && (id.back() == '\r' || id.back() == ' ')) id.pop_back();
    if (!id.empty()) {
      auto it = ids.find(id);
      if (it != ids.end()) {
        if (it->second) continue;  // later changes dropped: the net stays 0
        it->second = true;
        out.write(line[0] == 'b' || line[0] == 'B' ? "b0 " + id + "\n" : line[0] == 'r' || line[0] == 'R' ? "r0 " + id + "\n" : "0" + id + "\n");
        continue;
      }
    }
    out.write(line + "\n");
  }
  if (in.bad()) throw Error(in_path + ": read error");
  out.commit();
  return scrubbed;
}

}  // namespace keymac::traces
