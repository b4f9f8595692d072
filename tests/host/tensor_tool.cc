// Test helper: `keymac_tensor_tool IN[.npy|.pb|.npz] [MEMBER] OUT[.npy|.pb]`
// reads IN with keymac's readers (an .npz member by name) and writes OUT with
// keymac's writers, keeping the element type; prints the shape and type.
// Errors: "keymac_tensor_tool: <one line>", exit 1.
#include <cstdio>
#include <string>

#include "base/error.h"
#include "host/tensor/npy.h"
#include "host/tensor/npz.h"
#include "host/tensor/tensor_file.h"
#include "host/tensor/tensor_pb.h"

int main(int argc, char** argv) {
  using namespace keymac;
  try {
    if (argc != 3 && argc != 4) throw Error("usage: keymac_tensor_tool IN [MEMBER] OUT");
    const std::string in = argv[1], out = argv[argc - 1];
    Tensor t;
    std::string name = "t";
    if (argc == 4) {
      bool found = false;
      for (auto& [n, v] : read_npz(in))
        if (n == argv[2]) t = v, found = true;
      if (!found) throw Error(in + ": no member '" + argv[2] + "'");
    } else {
      t = read_tensor_file(in, &name);
    }
    if (out.size() > 4 && out.substr(out.size() - 4) == ".npy") write_npy(out, t, true);
    else write_tensor_pb(out, t, name, true);
    std::printf("%s %s\n", dims_str(t.dims).c_str(), dtype_name(t.dtype));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "keymac_tensor_tool: %s\n", e.what());
    return 1;
  }
  return 0;
}
