// The SystemC backend's memory parameters: JSON parsing and validation
// (docs/SYSTEMC.md "Memory configuration").
//
// Contract:
//  * memory_options_from_json(j, origin) starts from MemoryOptions' defaults
//    and overrides every key present in the JSON object j. The keys, types
//    and ranges are the settings registry's json_key entries
//    (host/backend/settings.h; docs/SYSTEMC.md "Settings"). An unknown key, a
//    wrong type or a value out of range throws keymac::Error "<origin>: ..."
//    naming the key.
//  * validate_memory_options(m, g) throws keymac::Error naming the parameter
//    when a value cannot work on geometry g (zero or negative bandwidth, a
//    buffer smaller than one tile when !ideal, ...). The SystemC backend calls
//    it in its constructor; the CLI may call it earlier.
//  * to_memory_config(m) converts to the plain-C++ core's MemoryConfig.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <string>

#include "host/backend/backend_options.h"
#include "sim/core/geometry.h"
#include "sim/core/memory_system.h"

namespace keymac {

MemoryOptions memory_options_from_json(const nlohmann::json& j, const std::string& origin);
void validate_memory_options(const MemoryOptions& m, Geometry g);
MemoryConfig to_memory_config(const MemoryOptions& m);
nlohmann::json memory_options_to_json(const MemoryOptions& m);

}  // namespace keymac
