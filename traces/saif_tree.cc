#include "traces/saif_tree.h"

#include <cctype>
#include <ctime>

namespace keymac::traces {

SaifInstance& SaifInstance::child(const std::string& n) {
  for (auto& c : children)
    if (c->name == n) return *c;
  children.push_back(std::make_unique<SaifInstance>());
  children.back()->name = n;
  return *children.back();
}

std::string saif_escape(const std::string& name) {
  std::string out;
  out.reserve(name.size() + 4);
  for (char ch : name) {
    const auto u = static_cast<unsigned char>(ch);
    if (!(std::isalnum(u) || ch == '_' || ch == '$') || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

std::string saif_instance_name(const std::string& name) {
  std::string out;
  out.reserve(name.size() + 4);
  for (char ch : name) {
    const auto u = static_cast<unsigned char>(ch);
    if (!(std::isalnum(u) || ch == '_' || ch == '$' || ch == '.') || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

std::string saif_bit_name(const std::string& bus, int64_t i) {
  return saif_escape(bus) + "\\[" + std::to_string(i) + "\\]";
}

namespace {
void write_instance(std::ostream& os, const SaifInstance& inst, int depth) {
  const std::string ind(static_cast<size_t>(2 * depth), ' ');
  os << ind << "(INSTANCE " << saif_instance_name(inst.name) << "\n";
  if (!inst.nets.empty()) {
    os << ind << "  (NET\n";
    for (const auto& n : inst.nets)
      os << ind << "    (" << n.name << "\n"
         << ind << "      (T0 " << n.t0 << ") (T1 " << n.t1 << ") (TX " << n.tx << ")\n"
         << ind << "      (TC " << n.tc << ") (IG " << n.ig << ")\n"
         << ind << "    )\n";
    os << ind << "  )\n";
  }
  for (const auto& c : inst.children) write_instance(os, *c, depth + 1);
  os << ind << ")\n";
}
}  // namespace

void write_saif(std::ostream& os, const SaifHeader& h, const std::vector<const SaifInstance*>& tops) {
  char date[64] = "";
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  std::strftime(date, sizeof date, "%a %b %d %H:%M:%S %Y", &tm);
  os << "(SAIFILE\n"
     << "(SAIFVERSION \"2.0\")\n"
     << "(DIRECTION \"backward\")\n"
     << "(DESIGN \"" << h.design << "\")\n"
     << "(DATE \"" << date << "\")\n"
     << "(VENDOR \"keymac\")\n"
     << "(PROGRAM_NAME \"" << h.program << "\")\n"
     << "(VERSION \"" << h.version << "\")\n"
     << "(DIVIDER / )\n"
     << "(TIMESCALE " << h.timescale << ")\n"
     << "(DURATION " << h.duration << ")\n";
  for (const auto* t : tops) write_instance(os, *t, 0);
  os << ")\n";
}

}  // namespace keymac::traces
