#include "host/data/idx_dataset.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "sim/core/error.h"

namespace keymac {

namespace {

class GzFile {
 public:
  explicit GzFile(std::string path) : path_(std::move(path)) {
    f_ = gzopen(path_.c_str(), "rb");
    if (!f_) throw Error(path_ + ": cannot open dataset file: " + std::strerror(errno ? errno : ENOENT));
  }
  ~GzFile() {
    if (f_) gzclose(f_);
  }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  void read(void* dst, size_t n) {
    auto* p = static_cast<uint8_t*>(dst);
    while (n > 0) {
      const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n, 1u << 30));
      int got = gzread(f_, p, chunk);
      if (got < 0) {
        int err = 0;
        const char* msg = gzerror(f_, &err);
        throw Error(path_ + ": corrupt gzip data (" + std::string(msg ? msg : "?") + ")");
      }
      if (got == 0) throw Error(path_ + ": truncated dataset file");
      p += got;
      n -= static_cast<size_t>(got);
    }
  }
  uint32_t be32() {
    uint8_t b[4];
    read(b, 4);
    return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  gzFile f_ = nullptr;
};

}  // namespace

ImageSet load_idx(const std::string& dir, const std::string& split, int64_t limit) {
  if (split != "train" && split != "t10k") throw Error("dataset split must be train or t10k, not " + split);
  GzFile img(dir + "/" + split + "-images-idx3-ubyte.gz");
  GzFile lab(dir + "/" + split + "-labels-idx1-ubyte.gz");
  if (img.be32() != 0x00000803) throw Error(img.path() + ": not an IDX image file (bad magic number)");
  if (lab.be32() != 0x00000801) throw Error(lab.path() + ": not an IDX label file (bad magic number)");
  const uint32_t n = img.be32(), rows = img.be32(), cols = img.be32();
  const uint32_t nl = lab.be32();
  if (rows != 28 || cols != 28) throw Error(img.path() + ": images are " + std::to_string(rows) + "x" + std::to_string(cols) + ", expected 28x28");
  if (n != nl) throw Error(img.path() + ": " + std::to_string(n) + " images but " + lab.path() + " has " + std::to_string(nl) + " labels");
  if (n == 0 || n > 10000000) throw Error(img.path() + ": implausible image count " + std::to_string(n));
  ImageSet s;
  s.count = (limit >= 0 && limit < static_cast<int64_t>(n)) ? limit : static_cast<int64_t>(n);
  s.pixels.resize(static_cast<size_t>(s.count) * 784);
  s.labels.resize(static_cast<size_t>(s.count));
  img.read(s.pixels.data(), s.pixels.size());
  lab.read(s.labels.data(), s.labels.size());
  for (int64_t i = 0; i < s.count; ++i)
    if (s.labels[static_cast<size_t>(i)] > 9)
      throw Error(lab.path() + ": label " + std::to_string(s.labels[static_cast<size_t>(i)]) + " at index " + std::to_string(i) + " is out of range 0..9");
  return s;
}

}  // namespace keymac
