// A design-space sweep specification (docs/SWEEP.md): base parameters, axes
// whose cartesian product gives the points, drop_if filters, and a key file
// template. Every parameter is declared once, with its type, range and
// default, in the table in sweep_spec.cc.
//
// Contract: load_sweep_spec() validates the whole spec (unknown or empty axis,
// wrong value type or range, unknown filter parameter, missing model or key
// file) and throws keymac::Error with one line naming the spec file and the
// axis before any point runs. Points come in a fixed order (axes in the order
// written, the last axis varying fastest; dropped points removed), numbered
// 0..n-1; a point's id is a hash of its parameters only, so it is the same on
// every machine and under every shard split.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/runtime/run_job.h"

namespace keymac {

struct SweepPoint {
  int64_t index = 0;       // position among the kept points
  std::string id;          // 16 hex digits, point_id(params)
  nlohmann::json params;   // every parameter of the point, defaults filled in
};

struct SweepSpec {
  std::string path;        // the spec file as given
  std::string dir;         // its directory (relative paths resolve here first)
  std::string name;
  int64_t product = 0;     // points before filtering
  std::vector<SweepPoint> points;
};

SweepSpec load_sweep_spec(const std::string& path);
// Stable id of a parameter set: FNV-1a 64 of its canonical (sorted) JSON.
std::string point_id(const nlohmann::json& params);
// Names of all parameters (axes), for messages and docs.
std::string sweep_parameter_names();

// The run of one point. Paths are resolved (spec directory, then the source
// tree); the key template is expanded.
RunConfig point_config(const SweepSpec& spec, const SweepPoint& p);
// The same run as `keymac run` arguments (for points run in a child process).
std::vector<std::string> point_run_args(const RunConfig& cfg);

}  // namespace keymac
