#include "host/tensor/npy.h"

#include <cstring>

#include "base/checked.h"
#include "base/error.h"
#include "base/output_file.h"
#include "host/tensor/element_codec.h"
#include "sim/core/capped_read.h"

namespace keymac {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMaxHeader = 1 << 16;  // NumPy's own limit is 10 KiB by default

struct Header {
  DType dtype = DType::kF32;
  bool big_endian = false;
  std::vector<int64_t> dims;
};

// The value text after "'key':" in the header dict, up to the matching ',' or '}'.
std::string dict_value(const std::string& h, const std::string& key, const std::string& path) {
  const auto k = h.find("'" + key + "'");
  if (k == std::string::npos) throw Error(path + ": .npy header has no '" + key + "' entry");
  auto p = h.find(':', k);
  if (p == std::string::npos) throw Error(path + ": .npy header entry '" + key + "' has no value");
  ++p;
  while (p < h.size() && h[p] == ' ') ++p;
  if (p < h.size() && h[p] == '(') {
    const auto e = h.find(')', p);
    if (e == std::string::npos) throw Error(path + ": .npy header 'shape' is not a closed tuple");
    return h.substr(p, e - p + 1);
  }
  auto e = h.find_first_of(",}", p);
  if (e == std::string::npos) throw Error(path + ": .npy header entry '" + key + "' is not terminated");
  return h.substr(p, e - p);
}

Header parse_header(const std::string& h, const std::string& path) {
  Header r;
  std::string descr = dict_value(h, "descr", path);
  while (!descr.empty() && descr.back() == ' ') descr.pop_back();
  if (descr.size() < 4 || descr.front() != '\'' || descr.back() != '\'')
    throw Error(path + ": .npy dtype " + descr + " is not supported (structured or object arrays)");
  descr = descr.substr(1, descr.size() - 2);
  const char order = descr[0];
  if (order != '<' && order != '>' && order != '|' && order != '=')
    throw Error(path + ": .npy dtype '" + descr + "' has no byte order");
  r.big_endian = order == '>';
  const std::string code = descr.substr(1);
  static const struct { const char* code; DType t; } kCodes[] = {
      {"f4", DType::kF32}, {"f8", DType::kF64}, {"f2", DType::kF16}, {"u1", DType::kU8},
      {"i1", DType::kI8},  {"u2", DType::kU16}, {"i2", DType::kI16}, {"i4", DType::kI32},
      {"i8", DType::kI64}, {"b1", DType::kBool}};
  bool found = false;
  for (const auto& c : kCodes)
    if (code == c.code) r.dtype = c.t, found = true;
  if (!found) throw Error(path + ": .npy dtype '" + descr + "' is not supported (float16/32/64, int8..int64, uint8/16, bool)");
  const std::string fo = dict_value(h, "fortran_order", path);
  if (fo.find("True") != std::string::npos)
    throw Error(path + ": .npy array is in Fortran order; save it C-ordered (np.ascontiguousarray)");
  if (fo.find("False") == std::string::npos) throw Error(path + ": .npy header 'fortran_order' is not True or False");
  const std::string shape = dict_value(h, "shape", path);
  if (shape.size() < 2 || shape.front() != '(') throw Error(path + ": .npy header 'shape' is not a tuple");
  size_t i = 1;
  while (i < shape.size() - 1) {
    while (i < shape.size() - 1 && (shape[i] == ' ' || shape[i] == ',')) ++i;
    if (i >= shape.size() - 1) break;
    int64_t v = 0;
    size_t digits = 0;
    while (i < shape.size() - 1 && shape[i] >= '0' && shape[i] <= '9') {
      auto m = checked_mul(v, 10);
      auto a = m ? checked_add(*m, shape[i] - '0') : std::nullopt;
      if (!a) throw Error(path + ": .npy shape " + shape + " has a dimension that overflows int64");
      v = *a;
      ++i, ++digits;
    }
    if (!digits) throw Error(path + ": .npy shape " + shape + " is not a tuple of non-negative integers");
    if (static_cast<int>(r.dims.size()) == kMaxTensorRank)
      throw Error(path + ": .npy shape " + shape + " has more than " + std::to_string(kMaxTensorRank) + " dimensions");
    r.dims.push_back(v);
  }
  return r;
}

}  // namespace

Tensor parse_npy(const std::string& bytes, const std::string& path) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0)
    throw Error(path + ": not a .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t hlen = 0, hstart = 0;
  if (major == 1) {
    hlen = static_cast<unsigned char>(bytes[8]) | (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    hstart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw Error(path + ": .npy header is truncated");
    for (int b = 3; b >= 0; --b) hlen = (hlen << 8) | static_cast<unsigned char>(bytes[8 + b]);
    hstart = 12;
  } else {
    throw Error(path + ": .npy format version " + std::to_string(major) + " is not supported (1, 2 or 3)");
  }
  if (hlen > kMaxHeader) throw Error(path + ": .npy header of " + std::to_string(hlen) + " bytes is over the 64 KiB cap");
  if (bytes.size() < hstart + hlen) throw Error(path + ": .npy header is truncated");
  const Header h = parse_header(bytes.substr(hstart, hlen), path);
  const auto count = checked_numel(h.dims, kMaxTensorFileElements);
  if (!count)
    throw Error(path + ": .npy shape " + dims_str(h.dims) + " has more than " +
                std::to_string(kMaxTensorFileElements) + " elements (the cap of one tensor file)");
  const uint64_t need = static_cast<uint64_t>(*count) * static_cast<uint64_t>(dtype_size(h.dtype));
  const uint64_t have = bytes.size() - hstart - hlen;
  if (have != need)
    throw Error(path + ": .npy data is " + std::to_string(have) + " bytes; shape " + dims_str(h.dims) + " of " +
                dtype_name(h.dtype) + " needs " + std::to_string(need));
  Tensor t;
  t.dims = h.dims;
  t.dtype = h.dtype;
  decode_elements(bytes.data() + hstart + hlen, h.dtype, *count, h.big_endian, t.data);
  return t;
}

Tensor read_npy(const std::string& path) {
  return parse_npy(read_file_capped(path, ".npy file", kMaxTensorFileBytes), path);
}

std::string npy_bytes(const Tensor& t, bool keep_dtype) {
  const DType dt = keep_dtype ? t.dtype : DType::kF32;
  static const struct { DType t; const char* descr; } kDescr[] = {
      {DType::kF32, "<f4"}, {DType::kF64, "<f8"}, {DType::kF16, "<f2"}, {DType::kU8, "|u1"},
      {DType::kI8, "|i1"},  {DType::kU16, "<u2"}, {DType::kI16, "<i2"}, {DType::kI32, "<i4"},
      {DType::kI64, "<i8"}, {DType::kBool, "|b1"}};
  std::string descr = "<f4";
  for (const auto& d : kDescr)
    if (d.t == dt) descr = d.descr;
  std::string shape = "(";  // NumPy's repr: "()", "(5,)", "(2, 3)"
  for (size_t i = 0; i < t.dims.size(); ++i) shape += (i ? ", " : "") + std::to_string(t.dims[i]);
  shape += t.dims.size() == 1 ? ",)" : ")";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so that the data starts on a 64-byte boundary; end with '\n'.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, 6);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out += encode_elements(t.data, dt);
  return out;
}

void write_npy(const std::string& path, const Tensor& t, bool keep_dtype) {
  write_file_atomic(path, npy_bytes(t, keep_dtype));
}

}  // namespace keymac
