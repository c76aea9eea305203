// Cache keys: a sha256 over length-prefixed fields, so ("ab","c") and ("a","bc") never collide.
#pragma once

#include <cstdint>
#include <string_view>

#include "oci/digest.hpp"

namespace sigil::build {

/// Accumulates the fields of a cache key.
class CacheKeyBuilder {
 public:
  /// Adds one field (its length first, then its bytes).
  CacheKeyBuilder& add(std::string_view field);
  /// Adds a number as a field.
  CacheKeyBuilder& add_number(std::uint64_t value);
  /// The key; the builder must not be used afterwards.
  [[nodiscard]] oci::Digest finish();

 private:
  oci::Hasher hasher_;
};

}  // namespace sigil::build
