#include "host/tensor/tensor.h"

#include <cmath>
#include <cstring>

namespace keymac {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::kF32: return "float32";
    case DType::kF64: return "float64";
    case DType::kF16: return "float16";
    case DType::kU8: return "uint8";
    case DType::kI8: return "int8";
    case DType::kU16: return "uint16";
    case DType::kI16: return "int16";
    case DType::kI32: return "int32";
    case DType::kI64: return "int64";
    case DType::kBool: return "bool";
  }
  return "?";
}

bool dtype_is_integer(DType t) { return t != DType::kF32 && t != DType::kF64 && t != DType::kF16; }

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

float half_to_float(uint16_t h) {
  const int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  float v;
  if (exp == 0) v = std::ldexp(static_cast<float>(man), -24);
  else if (exp == 31) v = man ? NAN : INFINITY;
  else v = std::ldexp(static_cast<float>(man | 0x400), exp - 25);
  return sign ? -v : v;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t ax = x & 0x7fffffff;
  if (ax > 0x7f800000) return sign | 0x7e00;                  // NaN
  if (ax >= 0x477ff000) return sign | 0x7c00;                 // overflow (>= 65520) -> inf
  if (ax < 0x38800000) {                                      // subnormal half (or zero)
    const float a = std::fabs(f) * 16777216.0f;               // in units of 2^-24
    return sign | static_cast<uint16_t>(std::nearbyint(a));  // ties to even (default mode)
  }
  uint32_t m = ax + 0xfff + ((ax >> 13) & 1);                 // round to nearest even
  return sign | static_cast<uint16_t>((m - 0x38000000) >> 13);
}

}  // namespace keymac
