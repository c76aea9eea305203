#include "build/cache/cache_key.hpp"

#include <string>

namespace sigil::build {

CacheKeyBuilder& CacheKeyBuilder::add(std::string_view field) {
  std::string length = std::to_string(field.size()) + ":";
  hasher_.update(length);
  hasher_.update(field);
  return *this;
}

CacheKeyBuilder& CacheKeyBuilder::add_number(std::uint64_t value) { return add(std::to_string(value)); }

oci::Digest CacheKeyBuilder::finish() { return hasher_.finish(); }

}  // namespace sigil::build
