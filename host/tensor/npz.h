// NumPy .npz archives (np.savez / np.savez_compressed): a zip file of .npy
// members, read for the dataset loaders and `keymac infer`.
// Contract: parse_npz() returns the members in archive order, each named
// without its ".npy" suffix, parsed by parse_npy(). Only what NumPy writes is
// accepted: stored or deflated members, zip64 size fields, no encryption, no
// multi-disk archives. Every offset and size is checked against the file
// before use; each member's inflated size is capped at kMaxTensorFileBytes
// and all members together at kMaxTensorFileBytes too, and its CRC-32 is
// verified. Errors throw keymac::Error "<path>: <problem>" (naming the member
// when there is one).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "host/tensor/tensor.h"

namespace keymac {

constexpr int kMaxNpzMembers = 4096;

std::vector<std::pair<std::string, Tensor>> parse_npz(const std::string& bytes, const std::string& path);
std::vector<std::pair<std::string, Tensor>> read_npz(const std::string& path);

}  // namespace keymac
