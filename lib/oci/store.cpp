#include "oci/store.hpp"

#include <algorithm>
#include <cstring>

namespace sigil::oci {

Result<void> MemorySink::write(std::string_view chunk) {
  if (bytes_.size() + chunk.size() > max_) {
    return fail(ErrorCategory::input, "blob larger than the limit of " + std::to_string(max_) + " bytes");
  }
  bytes_.append(chunk);
  return {};
}

Result<std::size_t> MemorySource::read(char* buffer, std::size_t capacity) {
  std::size_t n = std::min(capacity, bytes_.size());
  std::memcpy(buffer, bytes_.data(), n);
  bytes_.remove_prefix(n);
  return n;
}

Result<std::string> Store::fetch_blob_bytes(const Descriptor& desc, std::size_t max_bytes) {
  if (desc.size < 0 || static_cast<std::size_t>(desc.size) > max_bytes) {
    return fail(ErrorCategory::input, "blob " + desc.digest.str() + " of " + std::to_string(desc.size) +
                                          " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  MemorySink sink(max_bytes);
  if (auto r = fetch_blob(desc, sink); !r) return std::unexpected(r.error());
  return std::move(sink.bytes());
}

Result<void> Store::push_blob_bytes(const Descriptor& desc, std::string_view bytes) {
  MemorySource source(bytes);
  return push_blob(desc, source);
}

}  // namespace sigil::oci
