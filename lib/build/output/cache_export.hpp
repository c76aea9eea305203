// --cache-to / --cache-from: the layers a build used, shared through an OCI layout or a
// registry so CI runners reuse each other's work (as BuildKit's registry cache does).
//
// Format (documented in docs/formats.md): one OCI image manifest, tagged (default tag
// "buildcache"), with
//   artifactType  application/vnd.sigil.build.cache.v1+json
//   config        mediaType application/vnd.sigil.build.cache.v1+json, a JSON document
//                 {"records":[{"key":"sha256:…","layer":<descriptor>,"diffID":"sha256:…"},…]}
//                 sorted by key
//   layers        the layer blobs the records name, each once, in record order
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "build/cache/local_cache.hpp"
#include "common/error.hpp"
#include "oci/open_store.hpp"
#include "oci/store.hpp"

namespace sigil::build {

inline constexpr std::string_view kCacheMediaType = "application/vnd.sigil.build.cache.v1+json";

/// A record read from an exported cache and the store its blob is in.
struct RemoteCacheRecord {
  CacheRecord record;
  std::shared_ptr<oci::Store> store;
};

/// Reads the cache exported at `ref` (a layout or registry reference; tag default "buildcache").
[[nodiscard]] Result<std::map<oci::Digest, RemoteCacheRecord>> import_cache(const std::string& ref,
                                                                           const oci::StoreOptions& options);

/// Exports the records `keys` of `cache` to `ref` (blobs first, then the manifest and tag).
[[nodiscard]] Result<oci::Descriptor> export_cache(const std::string& ref, const LocalCache& cache,
                                                   const std::vector<oci::Digest>& keys,
                                                   const oci::StoreOptions& options);

}  // namespace sigil::build
