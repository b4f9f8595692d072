// Yosys synthesis of the keyed and the plain array (rtl/synth/run_synth.sh)
// and the per-geometry cache that `keymac run` reads its area overhead from.
// Contract: synthesize() runs Yosys twice (Keyed = 1 and 0) and returns the
// summary JSON {array, area.keyed|plain|overhead_pct, flops.keyed|plain,
// cells.keyed|plain, key.bits, ...}; it is written atomically to the cache.
// cached_synthesis() returns that JSON if present for the geometry, else null.
// Errors (Yosys missing or failing) throw keymac::Error with one line.
// SynthFlow (docs/RTL.md "Synthesis"): kFlat = `synth -flatten` (ABC across PE
// boundaries; 32x32 does not finish in practical time), kHier = the hierarchy
// kept (each module synthesized once, `stat -top` sums the instances; seconds
// to minutes up to 32x32). The flow is recorded in the summary ("flow") and in
// the cached "area" that `keymac run` reports.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "sim/core/geometry.h"

namespace keymac {

enum class SynthFlow { kFlat, kHier };
SynthFlow parse_synth_flow(const std::string& s);  // "flat" | "hier"; else UsageError naming --flow
const char* synth_flow_name(SynthFlow f);          // "flat" | "hierarchical"

std::string synth_cache_dir();  // $KEYMAC_CACHE or $XDG_CACHE_HOME/keymac or ~/.cache/keymac
nlohmann::json synthesize(Geometry g, const std::string& work_dir, SynthFlow flow = SynthFlow::kFlat);
nlohmann::json cached_synthesis(Geometry g);
// Replaces the cache entry of g with r (`keymac synth --key-mode expanded`
// adds "expanded_array" with its "overhead_pct" over the plain array).
void store_synthesis(Geometry g, const nlohmann::json& r);
// The area `keymac run` reports for a key mode, from the cached synthesis:
// periodic: the cache's "area"; expanded: {keyed = the expanded array's area
// proxy, plain, overhead_pct, flow, unit, mode}, only if the cache has an
// expanded synthesis; else null (no figure rather than the other mode's).
nlohmann::json cached_area(Geometry g, bool expanded);
// Key expansion (ARCHITECTURE.md 11): Yosys on rtl/km_keyexp.sv with Par = C
// (rtl/synth/run_synth_keyexp.sh); returns {par, cells, flops, area_proxy, ...}
// plus "per_pe_key_bits" (2*R*C) and "storage_bits_spec".
nlohmann::json synthesize_keyexp(Geometry g, const std::string& work_dir);
// The whole expanded array: km_array with KeyMode = 1 (key unit, per-PE key
// bits and their skew; rtl/synth/run_synth.sh RxC 1 DIR 1 1), the summary of
// run_synth.sh plus "storage_bits_spec" (expanded_key_storage_bits); with
// kHier also "key_unit": the km_keyexp module's own cells / flops / area.
nlohmann::json synthesize_expanded_array(Geometry g, const std::string& work_dir, SynthFlow flow = SynthFlow::kFlat);

}  // namespace keymac
