// Shared by the registry_stub_*_test files: a stub registry (support/http_stub) serving one
// repository, and small helpers to answer and count its requests.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>

#include "common/file.hpp"
#include "common/json.hpp"
#include "oci/detail/registry_referrers.hpp"
#include "oci/media_types.hpp"
#include "oci/registry_store.hpp"
#include "support/http_stub.hpp"
#include "support/temp_dir.hpp"

namespace sigil::oci::registry_stub {

using test::HttpStub;
using test::StubRequest;
using test::StubResponse;

inline const std::string kRepo = "team/app";

inline std::unique_ptr<RegistryStore> open_stub(const HttpStub& stub, RegistryOptions options = {}) {
  // An empty docker config dir: the developer's own credentials never reach a stub.
  static test::TempDir no_config;
  if (options.docker_config_dir.empty()) options.docker_config_dir = no_config.path();
  auto ref = Reference::parse(stub.host_port() + "/" + kRepo);
  EXPECT_TRUE(ref) << ref.error().message;
  auto store = RegistryStore::open(*ref, options);
  EXPECT_TRUE(store) << store.error().message;
  return store ? std::move(*store) : nullptr;
}

inline std::string path(const std::string& rest) { return "/v2/" + kRepo + rest; }

inline StubResponse manifest_response(const std::string& body, const std::string& digest = "") {
  StubResponse r{200, {{"Content-Type", std::string(media_type::kOciManifest)}}, body};
  if (!digest.empty()) r.headers.emplace_back("Docker-Content-Digest", digest);
  return r;
}

inline const std::string kManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]})";

inline std::size_t count_requests(const HttpStub& stub, std::string_view method, std::string_view path_prefix) {
  std::size_t n = 0;
  for (const auto& r : stub.requests()) {
    if (r.method == method && r.path.starts_with(path_prefix)) ++n;
  }
  return n;
}


}  // namespace sigil::oci::registry_stub
