// Prints the sha256 digest of a file the way sigil hashes blobs (1 MiB reads through oci::Hasher),
// so bench/digest.sh can compare its throughput with sha256sum on the same file.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "oci/digest.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  int fd = ::open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::perror(argv[1]);
    return 2;
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  sigil::oci::Hasher hasher;
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      std::perror(argv[1]);
      return 2;
    }
    if (n == 0) break;
    hasher.update({buf.data(), static_cast<std::size_t>(n)});
  }
  ::close(fd);
  std::printf("%s  %s\n", hasher.finish().str().c_str(), argv[1]);
  return 0;
}
