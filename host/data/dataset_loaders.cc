// The dataset formats of dataset.h: IDX, CIFAR binary, NumPy .npz / .npy.
#include <zlib.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "base/checked.h"
#include "base/error.h"
#include "host/data/dataset.h"
#include "host/tensor/npy.h"
#include "host/tensor/npz.h"

namespace keymac {

namespace {

// A whole file, gunzipped if it is gzip (zlib reads plain files as they are),
// refused past `cap` bytes without reading further.
std::string read_maybe_gzip(const std::string& path, uint64_t cap) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error(path + ": cannot open dataset file: " + std::strerror(errno ? errno : ENOENT));
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const int got = gzread(f, buf, sizeof buf);
    if (got < 0) {
      int err = 0;
      const char* msg = gzerror(f, &err);
      const std::string m = msg ? msg : "?";
      gzclose(f);
      throw Error(path + ": corrupt gzip data (" + m + ")");
    }
    if (got == 0) break;
    if (out.size() + static_cast<uint64_t>(got) > cap) {
      gzclose(f);
      throw Error(path + ": dataset file is larger than " + std::to_string(cap) + " bytes (the cap of one dataset file)");
    }
    out.append(buf, static_cast<size_t>(got));
  }
  gzclose(f);
  return out;
}

constexpr uint64_t kMaxDatasetFileBytes = uint64_t(1) << 31;

uint32_t be32(const std::string& b, size_t at) {
  return (uint32_t(static_cast<unsigned char>(b[at])) << 24) | (uint32_t(static_cast<unsigned char>(b[at + 1])) << 16) |
         (uint32_t(static_cast<unsigned char>(b[at + 2])) << 8) | uint32_t(static_cast<unsigned char>(b[at + 3]));
}

// IDX: 0, 0, type 0x08 (unsigned byte), rank; rank big-endian uint32 dims; data.
std::vector<int64_t> idx_dims(const std::string& b, const std::string& path, int min_rank, int max_rank) {
  if (b.size() < 4 || b[0] != 0 || b[1] != 0) throw Error(path + ": not an IDX file (bad magic number)");
  if (static_cast<unsigned char>(b[2]) != 0x08)
    throw Error(path + ": IDX element type 0x" + std::to_string(static_cast<unsigned char>(b[2])) +
                " is not supported (unsigned byte, 0x08)");
  const int rank = static_cast<unsigned char>(b[3]);
  if (rank < min_rank || rank > max_rank)
    throw Error(path + ": IDX file has " + std::to_string(rank) + " dimensions, expected " + std::to_string(min_rank) +
                (min_rank == max_rank ? "" : ".." + std::to_string(max_rank)));
  if (b.size() < 4 + 4 * static_cast<size_t>(rank)) throw Error(path + ": truncated IDX header");
  std::vector<int64_t> dims;
  for (int i = 0; i < rank; ++i) dims.push_back(be32(b, 4 + 4 * static_cast<size_t>(i)));
  const auto n = checked_numel(dims, kMaxDatasetValues);
  if (!n) throw Error(path + ": IDX dims " + dims_str(dims) + " exceed the cap of " + std::to_string(kMaxDatasetValues) + " values");
  if (b.size() - 4 - 4 * static_cast<size_t>(rank) != static_cast<uint64_t>(*n))
    throw Error(path + ": IDX data is " + std::to_string(b.size() - 4 - 4 * static_cast<size_t>(rank)) +
                " bytes; dims " + dims_str(dims) + " need " + std::to_string(*n));
  return dims;
}

void set_labels(Dataset& d, const std::vector<double>& v, const std::string& path) {
  d.labels.resize(v.size());
  int32_t mx = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!(v[i] >= 0 && v[i] < kMaxClasses) || v[i] != std::floor(v[i]))
      throw Error(path + ": label " + std::to_string(v[i]) + " at sample " + std::to_string(i) + " is not an integer in 0.." +
                  std::to_string(kMaxClasses - 1));
    d.labels[i] = static_cast<int32_t>(v[i]);
    mx = std::max(mx, d.labels[i]);
  }
  d.num_classes = std::max(2, mx + 1);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t a = 0;
  for (;;) {
    const size_t b = s.find(',', a);
    out.push_back(s.substr(a, b == std::string::npos ? std::string::npos : b - a));
    if (b == std::string::npos) return out;
    a = b + 1;
  }
}

// Images tensor + labels tensor (NumPy) into a Dataset.
Dataset from_arrays(const Tensor& x, const Tensor& y, const std::string& xpath, const std::string& ypath) {
  if (x.dims.size() < 2 || x.dims.size() > 4)
    throw Error(xpath + ": images have shape " + dims_str(x.dims) + "; expected [N,F], [N,H,W] or [N,C,H,W]");
  if (y.dims.size() != 1 || y.dims[0] != x.dims[0])
    throw Error(ypath + ": labels have shape " + dims_str(y.dims) + "; expected [" + std::to_string(x.dims[0]) + "]");
  Dataset d;
  d.count = x.dims[0];
  d.sample_shape.assign(x.dims.begin() + 1, x.dims.end());
  if (d.sample_shape.size() == 2) d.sample_shape.insert(d.sample_shape.begin(), 1);  // [H,W] -> [1,H,W]
  if (x.dtype == DType::kU8) {
    d.pixels.assign(x.data.begin(), x.data.end());
  } else {
    d.values.resize(x.data.size());
    for (size_t i = 0; i < x.data.size(); ++i) {
      d.values[i] = static_cast<float>(x.data[i]);
      if (!std::isfinite(d.values[i])) throw Error(xpath + ": images hold a NaN or infinite value at element " + std::to_string(i));
    }
  }
  set_labels(d, y.data, ypath);
  return d;
}

Dataset load_cifar(const std::vector<std::string>& files, bool hundred) {
  const size_t label_bytes = hundred ? 2 : 1, rec = label_bytes + 3072;
  Dataset d;
  d.sample_shape = {3, 32, 32};
  std::vector<double> labels;
  for (const auto& f : files) {
    const std::string b = read_maybe_gzip(f, kMaxDatasetFileBytes);
    if (b.empty() || b.size() % rec != 0)
      throw Error(f + ": " + std::to_string(b.size()) + " bytes is not a whole number of " + std::to_string(rec) +
                  "-byte CIFAR-" + (hundred ? "100" : "10") + " records");
    const int64_t n = static_cast<int64_t>(b.size() / rec);
    if (d.count + n > kMaxDatasetValues / 3072) throw Error(f + ": CIFAR files together exceed the dataset cap");
    for (int64_t i = 0; i < n; ++i) {
      const char* r = b.data() + static_cast<size_t>(i) * rec;
      labels.push_back(static_cast<unsigned char>(r[label_bytes - 1]));  // CIFAR-100: the fine label
      d.pixels.insert(d.pixels.end(), r + label_bytes, r + rec);
    }
    d.count += n;
  }
  set_labels(d, labels, files.back());
  if (!hundred && d.num_classes > 10) throw Error(files.back() + ": CIFAR-10 label above 9 (is it a CIFAR-100 file?)");
  return d;
}

}  // namespace

Dataset load_dataset(const std::string& spec, int64_t limit) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos)
    throw UsageError("--dataset: '" + spec + "' is not FORMAT:PATHS (idx, cifar10, cifar100, npz, npy)");
  const std::string fmt = spec.substr(0, colon);
  const auto parts = split(spec.substr(colon + 1));
  Dataset d;
  if (fmt == "idx") {
    if (parts.size() != 2) throw UsageError("--dataset: idx:IMAGES,LABELS needs two files");
    const std::string ib = read_maybe_gzip(parts[0], kMaxDatasetFileBytes);
    const std::string lb = read_maybe_gzip(parts[1], kMaxDatasetFileBytes);
    const auto idims = idx_dims(ib, parts[0], 2, 4), ldims = idx_dims(lb, parts[1], 1, 1);
    if (ldims[0] != idims[0])
      throw Error(parts[1] + ": " + std::to_string(ldims[0]) + " labels but " + std::to_string(idims[0]) + " images in " + parts[0]);
    d.count = idims[0];
    d.sample_shape.assign(idims.begin() + 1, idims.end());
    if (d.sample_shape.size() == 2) d.sample_shape.insert(d.sample_shape.begin(), 1);
    const size_t off = 4 + 4 * idims.size();
    d.pixels.assign(ib.begin() + static_cast<std::ptrdiff_t>(off), ib.end());
    std::vector<double> labels;
    for (size_t i = 8; i < lb.size(); ++i) labels.push_back(static_cast<unsigned char>(lb[i]));
    set_labels(d, labels, parts[1]);
  } else if (fmt == "cifar10" || fmt == "cifar100") {
    d = load_cifar(parts, fmt == "cifar100");
  } else if (fmt == "npz") {
    if (parts.size() != 1 && parts.size() != 3) throw UsageError("--dataset: npz:FILE or npz:FILE,XKEY,YKEY");
    const auto members = read_npz(parts[0]);
    auto find = [&](std::vector<std::string> keys, const char* what) -> const Tensor& {
      for (const auto& k : keys)
        for (const auto& [n, t] : members)
          if (n == k) return t;
      std::string names;
      for (const auto& m : members) names += (names.empty() ? "" : ", ") + m.first;
      throw Error(parts[0] + ": no " + std::string(what) + " array (looked for " + keys[0] + (keys.size() > 1 ? ", ..." : "") +
                  "; the archive holds " + names + ")");
    };
    const bool named = parts.size() == 3;
    const Tensor& x = find(named ? std::vector<std::string>{parts[1]} : std::vector<std::string>{"x", "images", "data", "X"}, "images");
    const Tensor& y = find(named ? std::vector<std::string>{parts[2]} : std::vector<std::string>{"y", "labels", "targets", "Y"}, "labels");
    d = from_arrays(x, y, parts[0], parts[0]);
  } else if (fmt == "npy") {
    if (parts.size() != 2) throw UsageError("--dataset: npy:IMAGES,LABELS needs two files");
    d = from_arrays(read_npy(parts[0]), read_npy(parts[1]), parts[0], parts[1]);
  } else {
    throw UsageError("--dataset: unknown format '" + fmt + "' (idx, cifar10, cifar100, npz, npy)");
  }
  d.source = spec;
  if (d.count == 0) throw Error(parts[0] + ": the dataset holds no samples");
  if (limit >= 0 && limit < d.count) {
    const int64_t per = numel(d.sample_shape);
    d.count = limit;
    d.labels.resize(static_cast<size_t>(limit));
    if (d.is_bytes()) d.pixels.resize(static_cast<size_t>(limit * per));
    else d.values.resize(static_cast<size_t>(limit * per));
  }
  return d;
}

}  // namespace keymac
