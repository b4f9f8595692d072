#include "host/lock/package.h"

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "sim/core/atomic_file.h"
#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/keyed_gemm.h"
#include "sim/core/master_key.h"

namespace keymac {

namespace {

constexpr char kMagic[8] = {'K', 'E', 'Y', 'M', 'A', 'C', 'P', '1'};
constexpr int kFormatVersion = 1;

template <typename T>
nlohmann::json put(std::string& blob, const std::vector<T>& v) {
  nlohmann::json j = {{"offset", blob.size()}, {"count", v.size()}};
  blob.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  return j;
}

template <typename T>
std::vector<T> get(const std::string& path, const std::string& blob, const nlohmann::json& j,
                   size_t expect, const std::string& what) {
  const size_t off = j.at("offset").get<size_t>(), count = j.at("count").get<size_t>();
  if (count != expect)
    throw Error(path + ": " + what + " holds " + std::to_string(count) + " values, expected " + std::to_string(expect));
  if (off > blob.size() || count * sizeof(T) > blob.size() - off) throw Error(path + ": " + what + " lies outside the data blob");
  std::vector<T> v(count);
  std::memcpy(v.data(), blob.data() + off, count * sizeof(T));
  return v;
}

nlohmann::json win_json(const Window2d& w) {
  return {w.kh, w.kw, w.sh, w.sw, w.pt, w.pl, w.pb, w.pr};
}

Window2d win_from(const nlohmann::json& j) {
  Window2d w;
  auto v = j.get<std::vector<int>>();
  if (v.size() != 8) throw Error("window must have 8 entries");
  w.kh = v[0]; w.kw = v[1]; w.sh = v[2]; w.sw = v[3]; w.pt = v[4]; w.pl = v[5]; w.pb = v[6]; w.pr = v[7];
  return w;
}

LayerKind kind_from(const std::string& s, const std::string& path) {
  for (auto k : {LayerKind::kGemm, LayerKind::kConv, LayerKind::kRelu, LayerKind::kMaxPool, LayerKind::kAvgPool, LayerKind::kReshape})
    if (s == layer_kind_name(k)) return k;
  throw Error(path + ": unknown layer kind '" + s + "'");
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
  const std::string text = read_text_file(key_path, "key file");
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
  std::string blob;
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : m.layers) {
    nlohmann::json j = {{"kind", layer_kind_name(l.kind)}, {"name", l.name},
                        {"in_shape", l.in_shape}, {"out_shape", l.out_shape}, {"window", win_json(l.win)}};
    if (l.is_gemm_like()) {
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
      {"format", "keymac-locked-model"}, {"version", kFormatVersion},
      {"array", m.lock_geometry.str()}, {"source", m.source},
      {"input_shape", m.input_shape}, {"input_scale", m.input_scale},
      {"preprocess", {{"mean", m.preprocess.mean}, {"std", m.preprocess.std}}},
      {"num_outputs", m.num_outputs}, {"layers", layers},
      {"blob_bytes", blob.size()},
      {"blob_crc32", crc32(0L, reinterpret_cast<const Bytef*>(blob.data()), static_cast<uInt>(blob.size()))}};
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
  std::ifstream in(path, std::ios::binary);
  char buf[8] = {};
  return in.read(buf, 8) && std::memcmp(buf, kMagic, 8) == 0;
}

QuantModel read_package(const std::string& path) {
  const std::string data = read_text_file(path, "package");
  if (data.size() < 16 || std::memcmp(data.data(), kMagic, 8) != 0)
    throw Error(path + ": not a keymac locked-model package (bad magic)");
  uint64_t len = 0;
  for (int i = 0; i < 8; ++i) len |= uint64_t(static_cast<uint8_t>(data[8 + static_cast<size_t>(i)])) << (8 * i);
  if (len > data.size() - 16) throw Error(path + ": truncated package (header length " + std::to_string(len) + ")");
  const std::string blob = data.substr(16 + len);
  QuantModel m;
  try {
    const auto h = nlohmann::json::parse(data.substr(16, len));
    if (h.at("format") != "keymac-locked-model") throw Error(path + ": not a keymac locked-model package");
    if (h.at("version").get<int>() != kFormatVersion)
      throw Error(path + ": package format version " + std::to_string(h.at("version").get<int>()) + " is not supported (expected " + std::to_string(kFormatVersion) + ")");
    if (h.at("blob_bytes").get<size_t>() != blob.size())
      throw Error(path + ": truncated package (data blob is " + std::to_string(blob.size()) + " bytes, header says " + std::to_string(h.at("blob_bytes").get<size_t>()) + ")");
    if (h.at("blob_crc32").get<uint64_t>() != crc32(0L, reinterpret_cast<const Bytef*>(blob.data()), static_cast<uInt>(blob.size())))
      throw Error(path + ": corrupted package (CRC-32 of the data blob does not match)");
    m.locked = true;
    m.lock_geometry = Geometry::parse(h.at("array").get<std::string>(), path);
    m.source = h.at("source").get<std::string>();
    if (h.contains("key_mode")) {  // absent: periodic (packages before key expansion)
      m.key_mode = h.at("key_mode").get<std::string>();
      if (m.key_mode != "periodic" && m.key_mode != "expanded")
        throw Error(path + ": unknown key_mode '" + m.key_mode + "' (expected periodic or expanded)");
      if (m.key_mode == "expanded") {
        const std::string n = h.at("key_nonce").get<std::string>();
        if (n.size() != 16 || n.find_first_not_of("0123456789abcdef") != std::string::npos)
          throw Error(path + ": key_nonce must be 16 lowercase hex digits");
        m.key_nonce = std::stoull(n, nullptr, 16);
      }
    }
    m.input_shape = h.at("input_shape").get<Shape>();
    m.input_scale = h.at("input_scale").get<float>();
    m.preprocess.mean = h.at("preprocess").at("mean").get<float>();
    m.preprocess.std = h.at("preprocess").at("std").get<float>();
    m.num_outputs = h.at("num_outputs").get<int64_t>();
    for (const auto& j : h.at("layers")) {
      QuantLayer l;
      l.kind = kind_from(j.at("kind").get<std::string>(), path);
      l.name = j.at("name").get<std::string>();
      l.in_shape = j.at("in_shape").get<Shape>();
      l.out_shape = j.at("out_shape").get<Shape>();
      l.win = win_from(j.at("window"));
      if (l.is_gemm_like()) {
        l.k = j.at("k").get<int64_t>();
        l.n = j.at("n").get<int64_t>();
        if (l.k < 1 || l.n < 1 || l.k * l.n > (int64_t(1) << 31)) throw Error(path + ": layer " + l.name + " has an invalid size");
        l.relu = j.at("relu").get<bool>();
        l.output_int32 = j.at("output_int32").get<bool>();
        l.out_scale = j.at("out_scale").get<float>();
        const size_t n = static_cast<size_t>(l.n);
        l.weight = get<int8_t>(path, blob, j.at("weight_int8"), static_cast<size_t>(l.k) * n, l.name + " weights");
        for (auto w : l.weight)
          if (w == -128) throw Error(path + ": layer " + l.name + " has weight -128 (weights must be in [-127, 127])");
        l.bias = get<int32_t>(path, blob, j.at("bias_int32"), n, l.name + " biases");
        auto rq = get<int32_t>(path, blob, j.at("requant_int32_pairs"), l.output_int32 ? 0 : 2 * n, l.name + " requantization");
        for (size_t i = 0; i + 1 < rq.size(); i += 2) {
          if (rq[i + 1] < 1 || rq[i + 1] > 62) throw Error(path + ": layer " + l.name + " has an invalid requantization shift");
          l.requant.push_back(Requant{rq[i], rq[i + 1]});
        }
        l.acc_scale = get<float>(path, blob, j.at("acc_scale_f32"), n, l.name + " scales");
      }
      m.layers.push_back(std::move(l));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": malformed package header (" + std::string(e.what()) + ")");
  }
  if (m.layers.empty()) throw Error(path + ": package has no layers");
  // Shape chain check, so a tampered header cannot make the runtime read out of bounds.
  Shape cur = m.input_shape;
  if (numel(cur) != 784) throw Error(path + ": input shape " + shape_str(cur) + " is not a 28x28 image");
  for (const auto& l : m.layers) {
    if (l.in_shape != cur) throw Error(path + ": layer " + l.name + " input " + shape_str(l.in_shape) + " does not follow " + shape_str(cur));
    bool ok = true;
    switch (l.kind) {
      case LayerKind::kGemm: ok = l.in_shape.size() == 1 && l.in_shape[0] == l.k && l.out_shape == Shape{l.n}; break;
      case LayerKind::kConv:
        ok = l.in_shape.size() == 3 && l.out_shape.size() == 3 && l.k == l.in_shape[0] * l.win.kh * l.win.kw &&
             l.out_shape[0] == l.n && l.win.sh > 0 && l.win.sw > 0 && l.win.pt >= 0 && l.win.pl >= 0 && l.win.pb >= 0 && l.win.pr >= 0 &&
             l.out_shape[1] == l.win.out_h(static_cast<int>(l.in_shape[1])) && l.out_shape[2] == l.win.out_w(static_cast<int>(l.in_shape[2]));
        break;
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool:
        ok = l.in_shape.size() == 3 && l.out_shape.size() == 3 && l.out_shape[0] == l.in_shape[0] && l.win.kh > 0 && l.win.kw > 0 &&
             l.win.pt >= 0 && l.win.pl >= 0 && l.win.pb >= 0 && l.win.pr >= 0 && l.win.pt < l.win.kh && l.win.pb < l.win.kh &&
             l.win.pl < l.win.kw && l.win.pr < l.win.kw &&
             l.win.sh > 0 && l.win.sw > 0 && l.out_shape[1] == l.win.out_h(static_cast<int>(l.in_shape[1])) &&
             l.out_shape[2] == l.win.out_w(static_cast<int>(l.in_shape[2])) && l.out_shape[1] > 0 && l.out_shape[2] > 0;
        break;
      case LayerKind::kRelu:
      case LayerKind::kReshape: ok = numel(l.out_shape) == numel(l.in_shape); break;
    }
    if (!ok) throw Error(path + ": layer " + l.name + " has inconsistent shapes");
    cur = l.out_shape;
  }
  if (numel(cur) != m.num_outputs) throw Error(path + ": output size does not match num_outputs");
  return m;
}

}  // namespace keymac
