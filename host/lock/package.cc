#include "host/lock/package.h"

#include "host/data/dataset.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "base/checked.h"
#include "sim/core/atomic_file.h"
#include "sim/core/capped_read.h"
#include "sim/core/json_depth.h"
#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/keyed_gemm.h"
#include "sim/core/master_key.h"
#include "host/quant/quant_check.h"

namespace keymac {

namespace {

constexpr char kMagic[8] = {'K', 'E', 'Y', 'M', 'A', 'C', 'P', '1'};
constexpr int kFormatVersion = 1;
// Version 2: a DAG or host operators (docs/FORMATS.md); plain chains stay version 1.
constexpr int kDagFormatVersion = 2;

template <typename T>
nlohmann::json put(std::string& blob, const std::vector<T>& v) {
  nlohmann::json j = {{"offset", blob.size()}, {"count", v.size()}};
  blob.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  return j;
}

// Header fields are checked for type and range before any arithmetic: a
// tampered header gets one line naming the field, never a json exception,
// an overflow or a float->int conversion out of range.
[[noreturn]] void bad(const std::string& path, const std::string& field, const std::string& why) {
  throw Error(path + ": package header field '" + field + "' " + why);
}

const nlohmann::json& field(const nlohmann::json& j, const char* name, const std::string& path, const std::string& where) {
  if (!j.is_object()) bad(path, where, "is not an object");
  auto it = j.find(name);
  if (it == j.end()) bad(path, where.empty() ? name : where + "." + name, "is missing");
  return *it;
}

int64_t int_field(const nlohmann::json& j, const char* name, int64_t lo, int64_t hi, const std::string& path,
                  const std::string& where = "") {
  const auto& v = field(j, name, path, where);
  const std::string f = where.empty() ? name : where + "." + name;
  if (!v.is_number_integer()) bad(path, f, "is not an integer");
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi)) bad(path, f, "is out of range");
  const int64_t x = v.get<int64_t>();
  if (x < lo || x > hi) bad(path, f, "is " + std::to_string(x) + ", outside " + std::to_string(lo) + ".." + std::to_string(hi));
  return x;
}

// A finite float; `positive`: > 0 as well.
float float_field(const nlohmann::json& j, const char* name, bool positive, const std::string& path,
                  const std::string& where = "") {
  const auto& v = field(j, name, path, where);
  const std::string f = where.empty() ? name : where + "." + name;
  if (!v.is_number()) bad(path, f, "is not a number");
  const double x = v.get<double>();
  if (!std::isfinite(x) || std::fabs(x) > 3.0e38) bad(path, f, "is not a finite float");
  if (positive && !(x > 0)) bad(path, f, "must be positive (is " + v.dump() + ")");
  return static_cast<float>(x);
}

std::string string_field(const nlohmann::json& j, const char* name, const std::string& path, const std::string& where = "") {
  const auto& v = field(j, name, path, where);
  if (!v.is_string()) bad(path, where.empty() ? name : where + "." + name, "is not a string");
  return v.get<std::string>();
}

bool bool_field(const nlohmann::json& j, const char* name, const std::string& path, const std::string& where) {
  const auto& v = field(j, name, path, where);
  if (!v.is_boolean()) bad(path, where + "." + name, "is not true or false");
  return v.get<bool>();
}

// A shape: 1..8 dimensions, each 1..kMaxPackageElements, product bounded too.
Shape shape_field(const nlohmann::json& j, const char* name, const std::string& path, const std::string& where = "") {
  const auto& v = field(j, name, path, where);
  const std::string f = where.empty() ? name : where + "." + name;
  if (!v.is_array() || v.empty() || v.size() > 8) bad(path, f, "is not a list of 1 to 8 dimensions");
  Shape s;
  for (const auto& d : v) {
    if (!d.is_number_integer() || d.get<int64_t>() < 1 || (d.is_number_unsigned() && d.get<uint64_t>() > (uint64_t(1) << 40)))
      bad(path, f, "has a dimension that is not an integer in 1..2^40");
    s.push_back(d.get<int64_t>());
  }
  if (!checked_numel(s, kMaxPackageElements)) bad(path, f, "has more than " + std::to_string(kMaxPackageElements) + " elements");
  return s;
}

template <typename T>
std::vector<T> get(const std::string& path, const std::string& blob, const nlohmann::json& j,
                   size_t expect, const std::string& what) {
  const int64_t max = static_cast<int64_t>(blob.size());
  const size_t off = static_cast<size_t>(int_field(j, "offset", 0, max, path, what));
  const size_t count = static_cast<size_t>(int_field(j, "count", 0, max, path, what));
  if (count != expect)
    throw Error(path + ": " + what + " holds " + std::to_string(count) + " values, expected " + std::to_string(expect));
  if (count * sizeof(T) > blob.size() - off) throw Error(path + ": " + what + " lies outside the data blob");
  std::vector<T> v(count);
  if (count) std::memcpy(v.data(), blob.data() + off, count * sizeof(T));
  return v;
}

nlohmann::json win_json(const Window2d& w) {
  if (w.ceil_b || w.ceil_r || w.count_pad)  // pools with ceil_mode / count_include_pad (issue 12)
    return {w.kh, w.kw, w.sh, w.sw, w.pt, w.pl, w.pb, w.pr, w.dh, w.dw, w.uh, w.uw, w.ceil_b, w.ceil_r, w.count_pad ? 1 : 0};
  if (!w.is_plain()) return {w.kh, w.kw, w.sh, w.sw, w.pt, w.pl, w.pb, w.pr, w.dh, w.dw, w.uh, w.uw};
  return {w.kh, w.kw, w.sh, w.sw, w.pt, w.pl, w.pb, w.pr};
}

Window2d win_from(const nlohmann::json& j, const std::string& path, const std::string& where) {
  Window2d w;
  if (!j.is_array() || (j.size() != 8 && j.size() != 12 && j.size() != 15)) bad(path, where, "must be a list of 8, 12 or 15 integers");
  std::vector<int> v;
  for (const auto& x : j) {
    if (!x.is_number_integer() || x.get<int64_t>() < 0 || x.get<int64_t>() > 65536 ||
        (x.is_number_unsigned() && x.get<uint64_t>() > 65536))
      bad(path, where, "has an entry outside 0..65536");
    v.push_back(static_cast<int>(x.get<int64_t>()));
  }
  w.kh = v[0]; w.kw = v[1]; w.sh = v[2]; w.sw = v[3]; w.pt = v[4]; w.pl = v[5]; w.pb = v[6]; w.pr = v[7];
  if (v.size() >= 12) { w.dh = v[8]; w.dw = v[9]; w.uh = v[10]; w.uw = v[11]; }
  if (v.size() == 15) {
    w.ceil_b = v[12]; w.ceil_r = v[13]; w.count_pad = v[14] != 0;
    if (w.ceil_b > w.pb || w.ceil_r > w.pr || v[14] > 1) bad(path, where, "has a ceil_mode extension larger than its padding or a count_pad flag other than 0/1");
  }
  return w;
}

LayerKind kind_from(const std::string& s, const std::string& path) {
  for (int i = 0; i < kLayerKindCount; ++i)
    if (s == layer_kind_name(static_cast<LayerKind>(i))) return static_cast<LayerKind>(i);
  throw Error(path + ": unknown layer kind '" + s + "'");
}

// A list of at most kMaxPackageElements integers in [lo, hi].
std::vector<int64_t> int_list(const nlohmann::json& j, const char* name, int64_t lo, int64_t hi, const std::string& path,
                              const std::string& where) {
  std::vector<int64_t> v;
  if (!j.contains(name)) return v;
  const auto& a = j.at(name);
  if (!a.is_array() || a.size() > 64) bad(path, where + "." + name, "is not a list of at most 64 integers");
  for (const auto& x : a) {
    if (!x.is_number_integer() || x.get<int64_t>() < lo || x.get<int64_t>() > hi || (x.is_number_unsigned() && x.get<uint64_t>() > static_cast<uint64_t>(hi)))
      bad(path, where + "." + name, "has an entry outside " + std::to_string(lo) + ".." + std::to_string(hi));
    v.push_back(x.get<int64_t>());
  }
  return v;
}

// The host-operator parameters and DAG fields of a version-2 layer.
nlohmann::json dag_json(const QuantLayer& l, std::string& blob) {
  nlohmann::json j;
  if (!l.inputs.empty()) j["inputs"] = l.inputs;
  if (l.groups != 1) j["groups"] = l.groups;
  j["scale"] = l.out_scale;
  const OpParams& p = l.p;
  if (!p.consts.empty()) j["consts_f32"] = put(blob, p.consts);
  if (!p.consts2.empty()) j["consts2_f32"] = put(blob, p.consts2);
  if (!p.const_shape.empty()) j["const_shape"] = p.const_shape;
  if (p.const_first) j["const_first"] = true;
  if (p.alpha != 0.0f) j["alpha"] = p.alpha;
  if (p.beta != 0.0f) j["beta"] = p.beta;
  if (!p.axes.empty()) j["axes"] = p.axes;
  if (!p.starts.empty()) j["starts"] = p.starts;
  if (!p.steps.empty()) j["steps"] = p.steps;
  if (!l.join_mult.empty()) j["join_mult_int32"] = put(blob, l.join_mult);
  return j;
}

void dag_from(const nlohmann::json& j, const std::string& blob, const std::string& path, const std::string& where, QuantLayer& l) {
  for (auto t : int_list(j, "inputs", -1, kMaxPackageElements, path, where)) l.inputs.push_back(static_cast<int>(t));
  if (j.contains("groups")) l.groups = int_field(j, "groups", 1, kMaxPackageElements, path, where);
  l.out_scale = float_field(j, "scale", true, path, where);
  OpParams& p = l.p;
  auto floats = [&](const char* name, std::vector<float>& v) {
    if (!j.contains(name)) return;
    const auto& f = j.at(name);
    v = get<float>(path, blob, f, static_cast<size_t>(int_field(f, "count", 0, kMaxPackageElements, path, where)), l.name + " " + name);
    for (float x : v)
      if (!std::isfinite(x)) throw Error(path + ": layer " + l.name + " has a parameter that is not finite");
  };
  floats("consts_f32", p.consts);
  floats("consts2_f32", p.consts2);
  const auto cs = int_list(j, "const_shape", 1, kMaxPackageElements, path, where);
  p.const_shape.assign(cs.begin(), cs.end());
  if (!checked_numel(p.const_shape, kMaxPackageElements)) bad(path, where + ".const_shape", "is too large");
  if (j.contains("const_first")) p.const_first = bool_field(j, "const_first", path, where);
  if (j.contains("alpha")) p.alpha = float_field(j, "alpha", false, path, where);
  if (j.contains("beta")) p.beta = float_field(j, "beta", false, path, where);
  p.axes = int_list(j, "axes", 0, 64, path, where);
  p.starts = int_list(j, "starts", 0, kMaxPackageElements, path, where);
  p.steps = int_list(j, "steps", -kMaxPackageElements, kMaxPackageElements, path, where);
  if (j.contains("join_mult_int32")) {
    const auto& f = j.at("join_mult_int32");
    l.join_mult = get<int32_t>(path, blob, f, static_cast<size_t>(int_field(f, "count", 0, 64, path, where)), l.name + " join multipliers");
    for (auto m : l.join_mult)
      if (m < 0) throw Error(path + ": layer " + l.name + " has a negative join multiplier");
  }
}

}  // namespace

QuantModel lock_model(const QuantModel& model, const Key& key) {
  if (model.locked) throw Error("model is already locked");
  QuantModel q = model;
  for (auto& l : q.layers)
    if (l.is_gemm_like()) lock_weights(l.weight.data(), l.k, l.n, key);
  q.locked = true;
  q.lock_geometry = key.geometry();
  return q;
}

QuantModel unlock_model(const QuantModel& locked, const Key& key) {
  if (!locked.locked) throw Error("model is not locked");
  if (locked.key_mode != "periodic")
    throw Error("the model is locked with an " + locked.key_mode + " key; a periodic key cannot unlock it");
  if (locked.lock_geometry != key.geometry())
    throw Error("key is for a " + key.geometry().str() + " array but the model is locked for " + locked.lock_geometry.str());
  QuantModel q = locked;
  for (auto& l : q.layers)
    if (l.is_gemm_like()) lock_weights(l.weight.data(), l.k, l.n, key);
  q.locked = false;
  return q;
}

namespace {
void check_mode(const QuantModel& m, const KeySource& key, const std::string& what) {
  if (m.lock_geometry != key.geometry())
    throw Error(what + " is for a " + key.geometry().str() + " array but the model is locked for " + m.lock_geometry.str());
  if (m.key_mode != key_mode_name(key.mode()))
    throw Error(what + " is a " + std::string(key_mode_name(key.mode())) + " key but the model is locked with a " + m.key_mode + " key");
  if (key.mode() == KeyMode::kExpanded && static_cast<const ExpandedKeySource&>(key).nonce() != m.key_nonce)
    throw Error(what + ": expanded key source has another nonce than the package records");
}
void relayer(QuantModel& q, const std::function<void(QuantLayer&, int64_t)>& f) {
  int64_t gemm = 0;
  for (auto& l : q.layers)
    if (l.is_gemm_like()) f(l, gemm++);
}
}  // namespace

QuantModel lock_model(const QuantModel& model, const KeySource& key) {
  if (model.locked) throw Error("model is already locked");
  QuantModel q = model;
  relayer(q, [&](QuantLayer& l, int64_t i) { lock_weights(l.weight.data(), l.k, l.n, key, i); });
  q.locked = true;
  q.lock_geometry = key.geometry();
  q.key_mode = key_mode_name(key.mode());
  q.key_nonce = key.mode() == KeyMode::kExpanded ? static_cast<const ExpandedKeySource&>(key).nonce() : 0;
  return q;
}

QuantModel unlock_model(const QuantModel& locked, const KeySource& key) {
  if (!locked.locked) throw Error("model is not locked");
  check_mode(locked, key, "key");
  QuantModel q = locked;
  relayer(q, [&](QuantLayer& l, int64_t i) { lock_weights(l.weight.data(), l.k, l.n, key, i); });
  q.locked = false;
  return q;
}

QuantModel relock_model(const QuantModel& locked, const KeySource& from, const KeySource& to) {
  if (!locked.locked) throw Error("model is not locked");
  check_mode(locked, from, "--from key");
  if (to.geometry() != from.geometry())
    throw Error("--to key is for a " + to.geometry().str() + " array, not " + from.geometry().str());
  QuantModel q = locked;
  relayer(q, [&](QuantLayer& l, int64_t i) { relock_weights(l.weight.data(), l.k, l.n, from, to, i); });
  q.key_mode = key_mode_name(to.mode());
  q.key_nonce = to.mode() == KeyMode::kExpanded ? static_cast<const ExpandedKeySource&>(to).nonce() : 0;
  return q;
}

std::unique_ptr<KeySource> key_source_for(const QuantModel& locked, const std::string& key_path) {
  const std::string text = read_file_capped(key_path, "key file", kMaxKeyFileBytes);
  if (MasterKey::looks_like_master_key(text)) {
    if (locked.key_mode != "expanded")
      throw Error(key_path + ": is a master key (expanded mode) but the package is locked with a " + locked.key_mode + " key");
    return std::make_unique<ExpandedKeySource>(locked.lock_geometry, MasterKey::from_text(text, key_path), locked.key_nonce);
  }
  const Key key = Key::from_text(text, key_path);
  if (locked.key_mode != "periodic")
    throw Error(key_path + ": is a periodic key but the package is locked with an " + locked.key_mode + " key (needs a master key)");
  if (key.geometry() != locked.lock_geometry)
    throw Error(key_path + ": key is for a " + key.geometry().str() + " array but the package is locked for " + locked.lock_geometry.str());
  return std::make_unique<SerialKeySource>(key);
}

void write_package(const std::string& path, const QuantModel& m) {
  if (!m.locked) throw Error(path + ": refusing to write an unlocked model as a package");
  const bool dag = !m.is_plain_chain();
  std::string blob;
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : m.layers) {
    nlohmann::json j = {{"kind", layer_kind_name(l.kind)}, {"name", l.name},
                        {"in_shape", l.in_shape}, {"out_shape", l.out_shape}, {"window", win_json(l.win)}};
    if (dag) j.update(dag_json(l, blob));
    if (is_array_kind(l.kind)) {
      std::vector<int32_t> rq;
      for (const auto& r : l.requant) { rq.push_back(r.multiplier); rq.push_back(r.shift); }
      j["k"] = l.k;
      j["n"] = l.n;
      j["relu"] = l.relu;
      j["output_int32"] = l.output_int32;
      j["out_scale"] = l.out_scale;
      j["weight_int8"] = put(blob, l.weight);
      j["bias_int32"] = put(blob, l.bias);
      j["requant_int32_pairs"] = put(blob, rq);
      j["acc_scale_f32"] = put(blob, l.acc_scale);
    }
    layers.push_back(j);
  }
  nlohmann::json h = {
      {"format", "keymac-locked-model"}, {"version", dag ? kDagFormatVersion : kFormatVersion},
      {"array", m.lock_geometry.str()}, {"source", m.source},
      {"input_shape", m.input_shape}, {"input_scale", m.input_scale},
      {"preprocess", {{"mean", m.preprocess.mean}, {"std", m.preprocess.std}}},
      {"num_outputs", m.num_outputs}, {"layers", layers},
      {"blob_bytes", blob.size()},
      {"blob_crc32", crc32(0L, reinterpret_cast<const Bytef*>(blob.data()), static_cast<uInt>(blob.size()))}};
  if (!m.dataset_mean.empty())  // issue 12: `lock --dataset` preprocessing (docs/DATASETS.md)
    h["dataset_preprocessing"] = {{"scale", m.dataset_scale}, {"mean", m.dataset_mean}, {"std", m.dataset_std}};
  if (m.key_mode != "periodic") {
    char nonce[17];
    std::snprintf(nonce, sizeof nonce, "%016llx", static_cast<unsigned long long>(m.key_nonce));
    h["key_mode"] = m.key_mode;
    h["key_nonce"] = nonce;
  }
  const std::string header = h.dump(1);
  std::string out(kMagic, 8);
  uint64_t len = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  out += header;
  out += blob;
  write_file_atomic(path, out);
}

bool is_package_file(const std::string& path) {
  // A .kmpkg file is read as a package even when damaged, so it gets the package's own message.
  if (path.size() > 6 && path.compare(path.size() - 6, 6, ".kmpkg") == 0) return true;
  std::ifstream in(path, std::ios::binary);
  char buf[8] = {};
  return in.read(buf, 8) && std::memcmp(buf, kMagic, 8) == 0;
}

QuantModel read_package(const std::string& path) {
  return read_package_bytes(read_file_capped(path, "package", kMaxPackageBytes), path);
}

QuantModel read_package_bytes(const std::string& data, const std::string& path) {
  if (data.empty()) throw Error(path + ": empty file, not a keymac locked-model package");
  if (std::memcmp(data.data(), kMagic, std::min<size_t>(data.size(), 8)) != 0)
    throw Error(path + ": not a keymac locked-model package (bad magic)");
  if (data.size() < 16) throw Error(path + ": truncated package (" + std::to_string(data.size()) + " bytes, no header)");
  uint64_t len = 0;
  for (int i = 0; i < 8; ++i) len |= uint64_t(static_cast<uint8_t>(data[8 + static_cast<size_t>(i)])) << (8 * i);
  if (len > data.size() - 16) throw Error(path + ": truncated package (header length " + std::to_string(len) + ")");
  const std::string blob = data.substr(16 + len);
  QuantModel m;
  bool v1 = true;
  try {
    const std::string header = data.substr(16, len);
    if (json_nesting_depth(header) > 64) throw Error(path + ": malformed package header (nested deeper than 64 levels)");
    const auto h = nlohmann::json::parse(header);
    if (!h.is_object()) throw Error(path + ": malformed package header (not a JSON object)");
    if (string_field(h, "format", path) != "keymac-locked-model") throw Error(path + ": not a keymac locked-model package");
    const int64_t version = int_field(h, "version", INT64_MIN, INT64_MAX, path);
    v1 = version == kFormatVersion;
    if (version != kFormatVersion && version != kDagFormatVersion)
      throw Error(path + ": package format version " + std::to_string(version) + " is not supported (expected " + std::to_string(kFormatVersion) + " or " + std::to_string(kDagFormatVersion) + ")");
    const int64_t blob_bytes = int_field(h, "blob_bytes", 0, INT64_MAX, path);
    if (static_cast<uint64_t>(blob_bytes) != blob.size())
      throw Error(path + ": truncated package (data blob is " + std::to_string(blob.size()) + " bytes, header says " + std::to_string(blob_bytes) + ")");
    if (int_field(h, "blob_crc32", 0, 0xffffffffll, path) !=
        static_cast<int64_t>(crc32(0L, reinterpret_cast<const Bytef*>(blob.data()), static_cast<uInt>(blob.size()))))
      throw Error(path + ": corrupted package (CRC-32 of the data blob does not match)");
    m.locked = true;
    m.lock_geometry = Geometry::parse(string_field(h, "array", path), path + ": package header field 'array'");
    m.source = string_field(h, "source", path);
    if (h.contains("key_mode")) {  // absent: periodic (packages before key expansion)
      m.key_mode = string_field(h, "key_mode", path);
      if (m.key_mode != "periodic" && m.key_mode != "expanded")
        throw Error(path + ": unknown key_mode '" + m.key_mode + "' (expected periodic or expanded)");
      if (m.key_mode == "expanded") {
        const std::string n = string_field(h, "key_nonce", path);
        if (n.size() != 16 || n.find_first_not_of("0123456789abcdef") != std::string::npos)
          throw Error(path + ": key_nonce must be 16 lowercase hex digits");
        m.key_nonce = std::stoull(n, nullptr, 16);
      }
    }
    m.input_shape = shape_field(h, "input_shape", path);
    m.input_scale = float_field(h, "input_scale", true, path);
    m.preprocess.mean = float_field(field(h, "preprocess", path, ""), "mean", false, path, "preprocess");
    m.preprocess.std = float_field(field(h, "preprocess", path, ""), "std", true, path, "preprocess");
    if (h.contains("dataset_preprocessing")) {  // issue 12: absent in packages locked on Fashion-MNIST
      const Preprocessing p = preprocessing_from_json_value(h["dataset_preprocessing"], path + ": dataset_preprocessing", {});
      p.check(m.input_shape.size() == 3 ? m.input_shape[0] : 1, path + ": dataset_preprocessing");
      m.dataset_scale = p.scale;
      m.dataset_mean = p.mean;
      m.dataset_std = p.std;
    }
    m.num_outputs = int_field(h, "num_outputs", 1, kMaxPackageElements, path);
    const auto& layers = field(h, "layers", path, "");
    if (!layers.is_array()) bad(path, "layers", "is not a list");
    for (size_t li = 0; li < layers.size(); ++li) {
      const auto& j = layers[li];
      const std::string where = "layers[" + std::to_string(li) + "]";
      QuantLayer l;
      l.kind = kind_from(string_field(j, "kind", path, where), path);
      l.name = string_field(j, "name", path, where);
      l.in_shape = shape_field(j, "in_shape", path, where);
      l.out_shape = shape_field(j, "out_shape", path, where);
      l.win = win_from(field(j, "window", path, where), path, where + ".window");
      if (version == kDagFormatVersion) dag_from(j, blob, path, where, l);
      if (is_array_kind(l.kind)) {
        const bool act = l.kind == LayerKind::kMatMulAct;  // no weights; one scale
        l.k = int_field(j, "k", 1, kMaxPackageElements, path, where);
        l.n = int_field(j, "n", 1, kMaxPackageElements, path, where);
        if (!checked_mul(l.k, l.n) || l.k * l.n > kMaxPackageElements)
          throw Error(path + ": layer " + l.name + " has an invalid size (k*n over " + std::to_string(kMaxPackageElements) + ")");
        l.relu = bool_field(j, "relu", path, where);
        l.output_int32 = bool_field(j, "output_int32", path, where);
        l.out_scale = float_field(j, "out_scale", true, path, where);
        const size_t n = static_cast<size_t>(l.n);
        l.weight = get<int8_t>(path, blob, field(j, "weight_int8", path, where), act ? 0 : static_cast<size_t>(l.k) * n, l.name + " weights");
        for (auto w : l.weight)
          if (w == -128) throw Error(path + ": layer " + l.name + " has weight -128 (weights must be in [-127, 127])");
        l.bias = get<int32_t>(path, blob, field(j, "bias_int32", path, where), act ? 0 : n, l.name + " biases");
        auto rq = get<int32_t>(path, blob, field(j, "requant_int32_pairs", path, where), l.output_int32 ? 0 : 2 * (act ? 1 : n), l.name + " requantization");
        for (size_t i = 0; i + 1 < rq.size(); i += 2) {
          if (rq[i + 1] < 1 || rq[i + 1] > 62) throw Error(path + ": layer " + l.name + " has an invalid requantization shift");
          l.requant.push_back(Requant{rq[i], rq[i + 1]});
        }
        l.acc_scale = get<float>(path, blob, field(j, "acc_scale_f32", path, where), act ? 1 : n, l.name + " scales");
        for (auto v : l.acc_scale)
          if (!std::isfinite(v) || !(v > 0)) throw Error(path + ": layer " + l.name + " has a scale that is not a positive finite number");
      }
      m.layers.push_back(std::move(l));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": malformed package header (" + std::string(e.what()) + ")");
  }
  // Structure check, so a tampered header cannot make the runtime read out of bounds.
  check_quant_model(m, path);
  // Version 1 records scales on Gemm/Conv only; the layers after one keep its scale.
  for (size_t i = 0; i < m.layers.size(); ++i)
    if (v1 && !is_array_kind(m.layers[i].kind)) m.layers[i].out_scale = m.tensor_scale(m.inputs_of(i)[0]);
  return m;
}

}  // namespace keymac
