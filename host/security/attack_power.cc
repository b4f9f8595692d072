#include "host/security/attack.h"
#include "sim/core/error.h"

namespace keymac {
namespace {
class Stub : public Attack {
 public:
  std::string name() const override { return "power"; }
  std::string threat_model() const override { return "TODO"; }
  AttackOutcome run(const AttackContext&) override { throw Error("attack power: not implemented yet"); }
};
}  // namespace
std::unique_ptr<Attack> make_power_attack() { return std::make_unique<Stub>(); }
}  // namespace keymac
