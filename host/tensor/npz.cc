#include "host/tensor/npz.h"

#include <zlib.h>

#include <algorithm>

#include "base/error.h"
#include "host/tensor/npy.h"
#include "sim/core/capped_read.h"

namespace keymac {

namespace {

uint64_t le(const std::string& b, uint64_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<uint64_t>(i)]);
  return v;
}

struct Member {
  std::string name;
  int method = 0;
  uint32_t crc = 0;
  uint64_t csize = 0, usize = 0, local = 0;
};

std::string inflate_member(const std::string& bytes, uint64_t at, const Member& m, const std::string& where) {
  std::string out(m.usize, '\0');
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw Error(where + ": cannot start inflate");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + at));
  z.avail_in = static_cast<uInt>(m.csize);  // csize <= 1 GiB (checked by the caller)
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(m.usize);
  const int rc = inflate(&z, Z_FINISH);
  const uint64_t produced = z.total_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END || produced != m.usize)
    throw Error(where + ": deflate data is corrupt or does not inflate to the recorded " + std::to_string(m.usize) +
                " bytes");
  return out;
}

}  // namespace

std::vector<std::pair<std::string, Tensor>> parse_npz(const std::string& bytes, const std::string& path) {
  if (bytes.size() > kMaxTensorFileBytes)
    throw Error(path + ": .npz file of " + std::to_string(bytes.size()) + " bytes is over the " +
                std::to_string(kMaxTensorFileBytes) + "-byte cap");
  // End of central directory: the last "PK\5\6" within the final 64 KiB + 22 bytes.
  if (bytes.size() < 22) throw Error(path + ": not a .npz file (too short for a zip archive)");
  uint64_t eocd = UINT64_MAX;
  const uint64_t lo = bytes.size() > 65557 ? bytes.size() - 65557 : 0;
  for (uint64_t i = bytes.size() - 22 + 1; i-- > lo;)
    if (le(bytes, i, 4) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == UINT64_MAX) throw Error(path + ": not a .npz file (no zip end-of-central-directory record)");
  if (le(bytes, eocd + 4, 2) != 0 || le(bytes, eocd + 6, 2) != 0)
    throw Error(path + ": multi-disk zip archives are not supported");
  uint64_t entries = le(bytes, eocd + 10, 2), cd_size = le(bytes, eocd + 12, 4), cd_off = le(bytes, eocd + 16, 4);
  if (entries == 0xffff || cd_off == 0xffffffff || cd_size == 0xffffffff) {
    // zip64: locator (20 bytes) just before the EOCD points at the zip64 EOCD record.
    if (eocd < 20 || le(bytes, eocd - 20, 4) != 0x07064b50) throw Error(path + ": zip64 locator is missing");
    const uint64_t z64 = le(bytes, eocd - 20 + 8, 8);
    if (z64 > bytes.size() || bytes.size() - z64 < 56 || le(bytes, z64, 4) != 0x06064b50)
      throw Error(path + ": zip64 end-of-central-directory record is out of the file");
    entries = le(bytes, z64 + 32, 8);
    cd_size = le(bytes, z64 + 40, 8);
    cd_off = le(bytes, z64 + 48, 8);
  }
  if (entries > kMaxNpzMembers)
    throw Error(path + ": .npz has " + std::to_string(entries) + " members; the cap is " + std::to_string(kMaxNpzMembers));
  if (cd_off > bytes.size() || cd_size > bytes.size() - cd_off)
    throw Error(path + ": zip central directory lies outside the file");
  std::vector<std::pair<std::string, Tensor>> out;
  uint64_t at = cd_off, inflated_total = 0;
  for (uint64_t e = 0; e < entries; ++e) {
    if (cd_off + cd_size - at < 46 || le(bytes, at, 4) != 0x02014b50)
      throw Error(path + ": zip central directory entry " + std::to_string(e) + " is corrupt");
    Member m;
    const uint64_t flags = le(bytes, at + 8, 2);
    m.method = static_cast<int>(le(bytes, at + 10, 2));
    m.crc = static_cast<uint32_t>(le(bytes, at + 16, 4));
    m.csize = le(bytes, at + 20, 4);
    m.usize = le(bytes, at + 24, 4);
    const uint64_t nlen = le(bytes, at + 28, 2), xlen = le(bytes, at + 30, 2), clen = le(bytes, at + 32, 2);
    m.local = le(bytes, at + 42, 4);
    if (cd_off + cd_size - at - 46 < nlen + xlen + clen)
      throw Error(path + ": zip central directory entry " + std::to_string(e) + " is truncated");
    m.name = bytes.substr(at + 46, nlen);
    const std::string where = path + ": member '" + m.name + "'";
    // zip64 extra field (id 1): the 64-bit values of the fields set to 0xffffffff, in order.
    for (uint64_t x = at + 46 + nlen, xend = x + xlen; xend - x >= 4;) {
      const uint64_t id = le(bytes, x, 2), sz = le(bytes, x + 2, 2);
      if (sz > xend - x - 4) throw Error(where + ": zip extra field is truncated");
      if (id == 1) {
        uint64_t p = x + 4;
        auto take = [&](uint64_t& field) {
          if (field != 0xffffffff) return;
          if (p + 8 > x + 4 + sz) throw Error(where + ": zip64 extra field is too short");
          field = le(bytes, p, 8);
          p += 8;
        };
        take(m.usize);
        take(m.csize);
        take(m.local);
      }
      x += 4 + sz;
    }
    at += 46 + nlen + xlen + clen;
    if (flags & 1) throw Error(where + ": encrypted zip members are not supported");
    if (m.method != 0 && m.method != 8)
      throw Error(where + ": zip compression method " + std::to_string(m.method) + " is not supported (stored or deflate)");
    if (m.usize > kMaxTensorFileBytes || (inflated_total += m.usize) > kMaxTensorFileBytes)
      throw Error(where + ": inflated size would pass the " + std::to_string(kMaxTensorFileBytes) + "-byte cap");
    if (m.local > bytes.size() || bytes.size() - m.local < 30 || le(bytes, m.local, 4) != 0x04034b50)
      throw Error(where + ": local zip header lies outside the file or is corrupt");
    const uint64_t data = m.local + 30 + le(bytes, m.local + 26, 2) + le(bytes, m.local + 28, 2);
    if (data > bytes.size() || m.csize > bytes.size() - data) throw Error(where + ": data lies outside the file");
    if (m.method == 0 && m.csize != m.usize) throw Error(where + ": stored member has different sizes");
    // Deflate expands at most 1032:1; a larger recorded size is a lie (and would be allocated).
    if (m.method == 8 && m.usize / 1032 > m.csize + 1)
      throw Error(where + ": recorded size " + std::to_string(m.usize) + " is impossible for " + std::to_string(m.csize) +
                  " deflated bytes");
    const std::string raw = m.method == 0 ? bytes.substr(data, m.usize) : inflate_member(bytes, data, m, where);
    if (crc32(0L, reinterpret_cast<const Bytef*>(raw.data()), static_cast<uInt>(raw.size())) != m.crc)
      throw Error(where + ": CRC-32 mismatch (corrupt archive)");
    std::string name = m.name;
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) name.resize(name.size() - 4);
    out.emplace_back(name, parse_npy(raw, path + ":" + m.name));
  }
  return out;
}

std::vector<std::pair<std::string, Tensor>> read_npz(const std::string& path) {
  return parse_npz(read_file_capped(path, ".npz file", kMaxTensorFileBytes), path);
}

}  // namespace keymac
