// A small process-wide memo of objects built from immutable bytes: parsed certificates, CT log
// stores. Verifying many bundles against one trusted root (an admission webhook, the conformance
// suite) then decodes its material once; OpenSSL 3's key decoders dominate a verification otherwise.
// The key is the content itself, so a changed or hand-built trusted root simply makes new entries
// and nothing stale is ever served. Thread-safe; bounded by dropping everything when full (the
// working set is a handful of roots and the certificates of the bundle being verified).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "common/error.hpp"

namespace sigil::sign::detail {

template <typename T>
class SharedCache {
 public:
  explicit SharedCache(std::size_t capacity) : capacity_(capacity) {}

  /// The object for `key`, made by `make()` (returning Result<std::shared_ptr<T>>) on a miss.
  /// Failures are not remembered. Two threads missing at once may both make it; one is kept.
  template <typename Make>
  [[nodiscard]] Result<std::shared_ptr<T>> get(const std::string& key, Make&& make) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = entries_.find(key); it != entries_.end()) return it->second;
    }
    Result<std::shared_ptr<T>> made = std::forward<Make>(make)();
    if (!made) return made;
    std::lock_guard lock(mutex_);
    if (entries_.size() >= capacity_) entries_.clear();
    entries_.emplace(key, *made);
    return made;
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<T>> entries_;
};

}  // namespace sigil::sign::detail
