#include "sim/core/capped_read.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sim/core/error.h"

namespace keymac {

std::string read_file_capped(const std::string& path, const std::string& what, uint64_t cap) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open " + what + ": " + std::strerror(errno));
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const uint64_t room = cap + 1 - data.size();  // never read past cap + 1 bytes
    const ssize_t n = ::read(fd, buf, static_cast<size_t>(room < sizeof buf ? room : sizeof buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      throw Error(path + ": cannot read " + what + ": " + std::strerror(e));
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > cap) {
      ::close(fd);
      throw Error(path + ": " + what + " is larger than " + std::to_string(cap) + " bytes (the cap for a " + what + ")");
    }
  }
  ::close(fd);
  return data;
}

}  // namespace keymac
