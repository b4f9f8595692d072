#include "host/tensor/element_codec.h"

#include <cmath>
#include <cstring>

namespace keymac {

int dtype_size(DType t) {
  switch (t) {
    case DType::kU8: case DType::kI8: case DType::kBool: return 1;
    case DType::kF16: case DType::kU16: case DType::kI16: return 2;
    case DType::kF32: case DType::kI32: return 4;
    case DType::kF64: case DType::kI64: return 8;
  }
  return 1;
}

namespace {

template <typename T>
T load(const char* p, bool swap) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap)
    for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(b[i], b[sizeof(T) - 1 - i]);
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

template <typename T>
void store(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

}  // namespace

void decode_elements(const char* src, DType t, int64_t count, bool big_endian, std::vector<double>& out) {
  out.resize(static_cast<size_t>(count));
  const int sz = dtype_size(t);
  const bool swap = big_endian && sz > 1;
  for (int64_t i = 0; i < count; ++i) {
    const char* p = src + i * sz;
    double v = 0;
    switch (t) {
      case DType::kF32: v = load<float>(p, swap); break;
      case DType::kF64: v = load<double>(p, swap); break;
      case DType::kF16: v = half_to_float(load<uint16_t>(p, swap)); break;
      case DType::kU8: v = static_cast<unsigned char>(*p); break;
      case DType::kBool: v = *p != 0; break;
      case DType::kI8: v = static_cast<signed char>(*p); break;
      case DType::kU16: v = load<uint16_t>(p, swap); break;
      case DType::kI16: v = load<int16_t>(p, swap); break;
      case DType::kI32: v = load<int32_t>(p, swap); break;
      case DType::kI64: v = static_cast<double>(load<int64_t>(p, swap)); break;
    }
    out[static_cast<size_t>(i)] = v;
  }
}

std::string encode_elements(const std::vector<double>& data, DType t) {
  std::string out;
  out.reserve(data.size() * static_cast<size_t>(dtype_size(t)));
  for (double v : data) {
    switch (t) {
      case DType::kF32: store(out, static_cast<float>(v)); break;
      case DType::kF64: store(out, v); break;
      case DType::kF16: store(out, float_to_half(static_cast<float>(v))); break;
      case DType::kU8: case DType::kBool: store(out, static_cast<uint8_t>(v)); break;
      case DType::kI8: store(out, static_cast<int8_t>(v)); break;
      case DType::kU16: store(out, static_cast<uint16_t>(v)); break;
      case DType::kI16: store(out, static_cast<int16_t>(v)); break;
      case DType::kI32: store(out, static_cast<int32_t>(v)); break;
      case DType::kI64: store(out, static_cast<int64_t>(v)); break;
    }
  }
  return out;
}

}  // namespace keymac
