// The official eSTREAM Trivium test vectors (profile H3, 80-bit key and IV),
// file "verified.test-vectors" of the eSTREAM Trivium submission, as
// republished in avr-crypto-lib testvectors/trivium-80.80.test-vectors, for
// the C++ cipher (tests/sim/trivium_test.cc) and the RTL key unit
// (tests/rtl/km_keyexp_test.cc). Each vector gives key, IV and the keystream
// bytes stream[from..to]; byte j holds stream bits 8j..8j+7, LSB first.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "sim/core/trivium.h"

namespace keymac::test {

struct TriviumVector {
  const char* name;
  const char* key;
  const char* iv;
  size_t from, to;
  const char* stream;
};

inline const TriviumVector kTriviumVectors[] = {
    {"Set 1, vector# 0, stream[0..63]", "80000000000000000000", "00000000000000000000", 0, 63,
     "38EB86FF730D7A9CAF8DF13A4420540DBB7B651464C87501552041C249F29A64"
     "D2FBF515610921EBE06C8F92CECF7F8098FF20CCCC6A62B97BE8EF7454FC80F9"},
    {"Set 1, vector# 0, stream[192..255]", "80000000000000000000", "00000000000000000000", 192, 255,
     "EAF2625D411F61E41F6BAEEDDD5FE202600BD472F6C9CD1E9134A745D900EF6C"
     "023E4486538F09930CFD37157C0EB57C3EF6C954C42E707D52B743AD83CFF297"},
    {"Set 1, vector# 9, stream[0..63]", "00400000000000000000", "00000000000000000000", 0, 63,
     "61208D286BC1DC431171EDA5CAF79D9560B18ACEF26484417B651A47A3F7A803"
     "53F79AF8656DA4301A5E5A02E04265B182C67F5891220349F8CD1CD06597B77E"},
    {"Set 2, vector# 0, stream[0..63]", "00000000000000000000", "00000000000000000000", 0, 63,
     "FBE0BF265859051B517A2E4E239FC97F563203161907CF2DE7A8790FA1B2E9CD"
     "F75292030268B7382B4C1A759AA2599A285549986E74805903801A4CB5A5D4F2"},
    {"Set 5, vector# 72, stream[0..63]", "00000000000000000000", "00000000000000000080", 0, 63,
     "82E7FCB2193DD7CCBDFB30E4A1BC740E2756EF94676A6D4B01B1DD2F2A335BB6"
     "BCB85B1086D6A36BBA4F98488F2A74B8F85EFBFC8082347BB8C71B1BD8682D1D"},
    {"Set 6, vector# 0, stream[0..63]", "0053A6F94C9FF24598EB", "0D74DB42A91077DE45AC", 0, 63,
     "F4CD954A717F26A7D6930830C4E7CF0819F80E03F25F342C64ADC66ABA7F8A8E"
     "6EAA49F23632AE3CD41A7BD290A0132F81C6D4043B6E397D7388F3A03B5FE358"},
    {"Set 6, vector# 0, stream[65472..65535]", "0053A6F94C9FF24598EB", "0D74DB42A91077DE45AC", 65472, 65535,
     "C04C24A6938C8AF8A491D5E481271E0E601338F01067A86A795CA493AA4FF265"
     "619B8D448B706B7C88EE8395FC79E5B51AB40245BBF7773AE67DF86FCFB71F30"},
    {"Set 6, vector# 3, stream[0..63]", "0F62B5085BAE0154A7FA", "288FF65DC42B92F960C7", 0, 63,
     "A4386C6D7624983FEA8DBE7314E5FE1F9D102004C2CEC99AC3BFBF003A66433F"
     "3089A98FAD8512C49D7AABC0639F90C5FFED06F9D35AA8C86630E76A838E26D7"},
};

// Ten bytes from 20 hex digits (a vector's key or IV).
inline Trivium::Key80 hex10(const std::string& h) {
  Trivium::Key80 out{};
  for (size_t i = 0; i < 10; ++i) out[i] = static_cast<uint8_t>(std::stoi(h.substr(2 * i, 2), nullptr, 16));
  return out;
}

// Bytes from..to of a bit stream (LSB first within each byte) in upper-case hex.
inline std::string stream_bytes_hex(const std::vector<uint8_t>& bits, size_t from, size_t to) {
  std::string s;
  char buf[3];
  for (size_t j = from; j <= to; ++j) {
    int v = 0;
    for (int b = 0; b < 8; ++b) v |= (bits[8 * j + static_cast<size_t>(b)] & 1) << b;
    std::snprintf(buf, sizeof buf, "%02X", v);
    s += buf;
  }
  return s;
}

}  // namespace keymac::test
