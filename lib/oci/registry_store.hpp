// A repository in a distribution-spec registry, as a Store: pulls and pushes with auth, retries,
// digest verification, and referrers through the API or the tag-schema fallback.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "oci/reference.hpp"
#include "oci/store.hpp"

namespace sigil::oci {

/// How to reach registries; shared by every RegistryStore of one command.
struct RegistryOptions {
  std::vector<std::string> insecure_registries;  ///< hosts (host[:port]) allowed over plain HTTP
  std::string ca_file;                           ///< extra CA bundle (--ca-file)
  std::filesystem::path docker_config_dir;       ///< empty: $DOCKER_CONFIG, else ~/.docker
  int max_retries = 4;                           ///< on 429/5xx and transport errors, with backoff
  std::int64_t chunk_threshold = 64 * 1024 * 1024;  ///< blobs larger than this upload in PATCH chunks
  std::int64_t chunk_size = 32 * 1024 * 1024;
  int tags_page_size = 1000;  ///< n= of each tags/list request (Link pagination fetches the rest)
};

class RegistrySession;  // shared connection, credential and token state (registry_session.hpp)

class RegistryStore final : public Store {
 public:
  /// A store for `ref`'s repository (tag/digest of `ref` are ignored). Does not contact the registry.
  [[nodiscard]] static Result<std::unique_ptr<RegistryStore>> open(const Reference& ref,
                                                                   const RegistryOptions& options);
  /// A store sharing another's session (connections, tokens) for a repository on any registry.
  [[nodiscard]] static Result<std::unique_ptr<RegistryStore>> open(const Reference& ref,
                                                                   std::shared_ptr<RegistrySession> session);
  ~RegistryStore() override;

  [[nodiscard]] std::string name() const override;
  [[nodiscard]] Result<Descriptor> resolve(std::string_view tag_or_digest) override;
  [[nodiscard]] Result<std::string> fetch_manifest(const Descriptor& desc) override;
  [[nodiscard]] Result<void> fetch_blob(const Descriptor& desc, BlobSink& sink) override;
  [[nodiscard]] Result<bool> has_blob(const Descriptor& desc) override;
  [[nodiscard]] Result<bool> has_manifest(const Descriptor& desc) override;
  [[nodiscard]] Result<void> push_blob(const Descriptor& desc, BlobSource& source) override;
  [[nodiscard]] Result<Descriptor> push_manifest(std::string_view raw, std::string_view media_type,
                                                 std::optional<std::string> tag) override;
  [[nodiscard]] Result<std::vector<std::string>> tags() override;
  [[nodiscard]] Result<std::vector<Descriptor>> referrers(const Digest& subject,
                                                          std::string_view artifact_type = {}) override;

  /// Cross-repository mount of a blob from another repository of the same registry;
  /// false when the registry declined (the caller then uploads).
  [[nodiscard]] Result<bool> mount_blob(const Descriptor& desc, std::string_view from_repository);

  [[nodiscard]] const Reference& reference() const;
  [[nodiscard]] std::shared_ptr<RegistrySession> session() const;

 private:
  struct Impl;
  explicit RegistryStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sigil::oci
