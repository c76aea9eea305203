// SHA-1 and SHA-256 of a file's bytes in one pass, fed in pieces (a file streamed from disk or
// from a layer need never be held whole). The pair is what the catalogers record for a package
// that has a file of its own (a jar, a Go or Rust binary): the digests syft records of files.
#pragma once

#include <string_view>

#include "common/openssl_ptr.hpp"
#include "sbom/filetree/file_tree.hpp"

namespace sigil::sbom::detail {

/// Incremental SHA-1 + SHA-256.
class FileHasher {
 public:
  FileHasher();
  /// Adds the next bytes of the file.
  void update(std::string_view bytes);
  /// {{"SHA-1", hex}, {"SHA-256", hex}} of everything added; the hasher is spent afterwards.
  [[nodiscard]] FileHashes finish();

 private:
  MdCtxPtr sha1_;
  MdCtxPtr sha256_;
};

/// FileHasher over one buffer.
[[nodiscard]] FileHashes hash_bytes(std::string_view bytes);

}  // namespace sigil::sbom::detail
