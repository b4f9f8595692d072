// `keymac attack`: the security harness (docs/SECURITY.md).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "host/cli/commands.h"
#include "host/security/attack.h"
#include "host/security/harness.h"
#include "sim/core/atomic_file.h"
#include "sim/core/error.h"

namespace keymac::cli {

namespace {
// NAME.KEY=VALUE; VALUE is JSON if it parses (numbers, true/false), else a string.
void add_option_value(nlohmann::json& opts, const std::string& text) {
  const auto dot = text.find('.'), eq = text.find('=');
  if (dot == std::string::npos || eq == std::string::npos || dot == 0 || eq < dot + 2)
    throw Error("--option: '" + text + "' is not ATTACK.KEY=VALUE");
  const std::string attack = text.substr(0, dot), key = text.substr(dot + 1, eq - dot - 1), value = text.substr(eq + 1);
  make_attack(attack);  // names an attack that exists
  nlohmann::json v;
  try {
    v = nlohmann::json::parse(value);
  } catch (const nlohmann::json::parse_error&) {
    v = value;
  }
  opts[attack][key] = v;
}
}  // namespace

void add_attack(CLI::App& app, Runner& run) {
  struct Opts {
    AttackConfig cfg;
    std::string array, json, nonce;
    std::vector<std::string> options;
  };
  auto o = std::make_shared<Opts>();
  AttackConfig& cfg = o->cfg;
  std::string names;
  for (const auto& n : attack_names()) names += (names.empty() ? "" : ", ") + n;
  auto* c = app.add_subcommand("attack", "Security evaluation: run attacks on a locked model and score the recovered key (docs/SECURITY.md)");
  c->add_option("--model", cfg.model, "ONNX model (locked here with --key) or locked package")->required();
  c->add_option("--array", o->array, "array geometry RxC (default 16x16, or the package's)");
  c->add_option("--key", cfg.key_path, "the true key (seen by the harness only, never by the attacks)")->required();
  c->add_option("--key-mode", cfg.key_mode, "periodic|expanded: insist on the key file's mode (issue 11)");
  c->add_option("--nonce", o->nonce, "expanded key, ONNX model: the lock's public IV nonce, 16 hex digits (default: fresh random)");
  c->add_option("--attack", cfg.attacks, "attack to run (repeatable): " + names)->required();
  c->add_option("--images", cfg.images, "attacker's labelled training images")->capture_default_str();
  c->add_option("--queries", cfg.queries, "attacker's unlabelled inputs (device queries)")->capture_default_str();
  c->add_option("--limit", cfg.limit, "test images used for scoring (default: all 10,000)");
  c->add_option("--seed", cfg.seed, "seed of the attacker's data subsets and of the attacks")->capture_default_str();
  c->add_option("--option", o->options, "per-attack option ATTACK.KEY=VALUE (docs/SECURITY.md), repeatable");
  c->add_option("--calib", cfg.calib, "training images used for int8 calibration (ONNX input)")->capture_default_str();
  c->add_option("--data-dir", cfg.data_dir, "Fashion-MNIST directory (gzip IDX)")->capture_default_str();
  c->add_option("--mean", cfg.preprocess.mean, "input normalisation mean (ONNX input)")->capture_default_str();
  c->add_option("--std", cfg.preprocess.std, "input normalisation std (ONNX input)")->capture_default_str();
  c->add_option("--threads", cfg.threads, "threads (0: all cores)")->capture_default_str();
  c->add_option("--json", o->json, "also write the report as JSON to this file");
  c->add_flag("!--no-progress", cfg.progress, "no progress bar");
  c->callback([o, &run] {
    run = [o] {
      AttackConfig cfg = o->cfg;
      if (!o->array.empty()) cfg.array = Geometry::parse(o->array);
      if (!o->nonce.empty()) {
        if (o->nonce.size() != 16 || o->nonce.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
          throw UsageError("--nonce: must be 16 hex digits");
        cfg.nonce = std::stoull(o->nonce, nullptr, 16);
      }
      for (const auto& t : o->options) add_option_value(cfg.options, t);
      const auto report = attack_job(cfg, &g_stop);
      std::fputs(attack_table(report).c_str(), stdout);
      std::fflush(stdout);
      if (!o->json.empty()) write_file_atomic(o->json, report.dump(2) + "\n");
      return report["complete"].get<bool>() ? 0 : 130;
    };
  });
}

}  // namespace keymac::cli
