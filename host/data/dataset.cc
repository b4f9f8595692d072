#include "host/data/dataset.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "sim/core/capped_read.h"
#include "sim/core/json_depth.h"

namespace keymac {

void Preprocessing::check(int64_t channels, const std::string& what) const {
  if (!std::isfinite(scale) || scale == 0) throw Error(what + ": scale must be finite and non-zero");
  for (const auto* v : {&mean, &std}) {
    const char* name = v == &mean ? "mean" : "std";
    if (v->size() != 1 && static_cast<int64_t>(v->size()) != channels)
      throw Error(what + ": " + name + " has " + std::to_string(v->size()) + " values; the data has " +
                  std::to_string(channels) + " channel(s) (give 1 or " + std::to_string(channels) + ")");
    for (double x : *v)
      if (!std::isfinite(x) || (v == &std && !(x > 0))) throw Error(what + ": " + name + " values must be finite" +
                                                                     (v == &std ? " and positive" : ""));
  }
}

std::string Preprocessing::str() const {
  auto list = [](const std::vector<double>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s + "]";
  };
  return "scale " + std::to_string(scale) + ", mean " + list(mean) + ", std " + list(std);
}

std::vector<double> parse_number_list(const std::string& text, const std::string& option) {
  std::vector<double> v;
  size_t a = 0;
  while (a <= text.size()) {
    size_t b = text.find(',', a);
    if (b == std::string::npos) b = text.size();
    const std::string item = text.substr(a, b - a);
    size_t used = 0;
    double x = 0;
    try {
      x = std::stod(item, &used);
    } catch (...) {
      used = 0;
    }
    if (item.empty() || used != item.size() || !std::isfinite(x))
      throw UsageError(option + ": '" + text + "' is not a comma-separated list of finite numbers");
    v.push_back(x);
    if (v.size() > 4096) throw UsageError(option + ": more than 4096 values");
    a = b + 1;
  }
  return v;
}

Preprocessing preprocessing_from_json(const std::string& path, Preprocessing p) {
  const std::string text = read_file_capped(path, "preprocessing JSON", uint64_t(1) << 20);
  if (json_nesting_depth(text) > 8) throw Error(path + ": JSON nested deeper than 8 levels");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  return preprocessing_from_json_value(j, path, p);
}

Preprocessing preprocessing_from_json_value(const nlohmann::json& j, const std::string& path, Preprocessing p) {
  if (!j.is_object()) throw Error(path + ": preprocessing must be a JSON object {\"scale\", \"mean\", \"std\"}");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    auto nums = [&](const nlohmann::json& v) {
      std::vector<double> out;
      if (v.is_number()) out.push_back(v.get<double>());
      else if (v.is_array() && !v.empty() && v.size() <= 4096)
        for (const auto& x : v) {
          if (!x.is_number()) throw Error(path + ": '" + k + "' must be a number or a list of numbers");
          out.push_back(x.get<double>());
        }
      else throw Error(path + ": '" + k + "' must be a number or a list of 1..4096 numbers");
      return out;
    };
    if (k == "scale") {
      if (!it->is_number()) throw Error(path + ": 'scale' must be a number");
      p.scale = it->get<double>();
    } else if (k == "mean") p.mean = nums(*it);
    else if (k == "std") p.std = nums(*it);
    else throw Error(path + ": unknown key '" + k + "' (scale, mean, std)");
  }
  return p;
}

void Dataset::batch(int64_t first, int64_t n, const Preprocessing& p, float* out) const {
  const int64_t per = numel(sample_shape);
  const int64_t channels = sample_shape.size() == 3 ? sample_shape[0] : 1;
  const int64_t plane = per / channels;
  for (int64_t s = 0; s < n; ++s)
    for (int64_t c = 0; c < channels; ++c) {
      const double m = p.mean.size() == 1 ? p.mean[0] : p.mean[static_cast<size_t>(c)];
      const double sd = p.std.size() == 1 ? p.std[0] : p.std[static_cast<size_t>(c)];
      const int64_t base = (first + s) * per + c * plane;
      float* o = out + s * per + c * plane;
      for (int64_t i = 0; i < plane; ++i) {
        const double v = is_bytes() ? pixels[static_cast<size_t>(base + i)] : values[static_cast<size_t>(base + i)];
        o[i] = static_cast<float>((v * p.scale - m) / sd);
      }
    }
}

}  // namespace keymac
