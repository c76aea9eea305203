// Base images: `FROM alpine`, `FROM oci:DIR:TAG`, `COPY --from=IMAGE`. Each reference is resolved
// to a digest once per build (every platform then uses that digest), the platform's manifest is
// picked from an index, and its config and layer descriptors are read.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "build/image/image_config.hpp"
#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/manifest.hpp"
#include "oci/open_store.hpp"
#include "oci/reference.hpp"
#include "oci/store.hpp"

namespace sigil::build {

/// A resolved base image for one platform.
struct BaseImage {
  std::string name;                   ///< as written in the Dockerfile (for messages)
  oci::Reference reference;           ///< pinned: the digest the name resolved to
  std::shared_ptr<oci::Store> store;  ///< where its blobs are fetched from
  oci::Descriptor manifest;           ///< the platform's manifest
  std::vector<oci::Descriptor> layers;
  oci::ImageConfig config;
  ImageState state;                   ///< the config as the stage starts from it
};

/// Resolves and caches base images for one build.
class BaseResolver {
 public:
  explicit BaseResolver(oci::StoreOptions options) : options_(std::move(options)) {}

  /// The image `name` for `platform`. Errors: input for a bad reference or a missing platform
  /// (naming the platforms the index has), network when the registry cannot be reached,
  /// integrity when bytes do not match their digests. Thread-safe.
  [[nodiscard]] Result<BaseImage> resolve(std::string_view name, const oci::Platform& platform);

 private:
  struct Root {
    oci::Reference reference;
    std::shared_ptr<oci::Store> store;
    oci::Descriptor descriptor;
    std::string raw;
  };
  [[nodiscard]] Result<Root> root(std::string_view name);

  oci::StoreOptions options_;
  std::mutex mutex_;
  std::map<std::string, Root, std::less<>> roots_;
};

}  // namespace sigil::build
