// Store: where content-addressed bytes live. An image-layout directory and a registry
// repository implement the same interface, so copy, sign and verify work on either.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/digest.hpp"

namespace sigil::oci {

/// Receives a blob's bytes in order. An error returned from write() aborts the transfer.
class BlobSink {
 public:
  virtual ~BlobSink() = default;
  [[nodiscard]] virtual Result<void> write(std::string_view chunk) = 0;
};

/// Supplies a blob's bytes in order. read() returns 0 at the end.
class BlobSource {
 public:
  virtual ~BlobSource() = default;
  [[nodiscard]] virtual Result<std::size_t> read(char* buffer, std::size_t capacity) = 0;
};

/// A sink collecting bytes in memory up to a limit.
class MemorySink final : public BlobSink {
 public:
  explicit MemorySink(std::size_t max_bytes) : max_(max_bytes) {}
  Result<void> write(std::string_view chunk) override;
  [[nodiscard]] std::string& bytes() { return bytes_; }

 private:
  std::size_t max_;
  std::string bytes_;
};

/// A source reading from a string in memory.
class MemorySource final : public BlobSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  Result<std::size_t> read(char* buffer, std::size_t capacity) override;

 private:
  std::string_view bytes_;
};

/// Content-addressed storage of one repository (a registry repository or a layout directory).
/// Every byte handed out has been checked against its descriptor's digest and size.
class Store {
 public:
  virtual ~Store() = default;

  /// Names the store in messages: "oci:/path/to/layout" or "registry.example/repo".
  [[nodiscard]] virtual std::string name() const = 0;

  /// Resolves a tag or a digest string to the descriptor of a manifest or index.
  [[nodiscard]] virtual Result<Descriptor> resolve(std::string_view tag_or_digest) = 0;

  /// Fetches a manifest or index; verifies size (≤ limits::kMaxManifestBytes) and digest.
  [[nodiscard]] virtual Result<std::string> fetch_manifest(const Descriptor& desc) = 0;

  /// Streams a blob into `sink`, verifying size and digest; on mismatch returns an integrity
  /// error after the last chunk (the sink must then discard what it got).
  [[nodiscard]] virtual Result<void> fetch_blob(const Descriptor& desc, BlobSink& sink) = 0;

  /// True when the blob is present.
  [[nodiscard]] virtual Result<bool> has_blob(const Descriptor& desc) = 0;

  /// True when the manifest or index is present.
  [[nodiscard]] virtual Result<bool> has_manifest(const Descriptor& desc) = 0;

  /// Stores a blob read from `source`, verifying it against `desc` before it becomes visible.
  [[nodiscard]] virtual Result<void> push_blob(const Descriptor& desc, BlobSource& source) = 0;

  /// Stores a manifest or index by digest and, when `tag` is given, under that tag. A manifest
  /// with a subject becomes findable through referrers(subject) (registry fallback included).
  /// Returns the descriptor of the bytes (with artifactType and annotations copied).
  [[nodiscard]] virtual Result<Descriptor> push_manifest(std::string_view raw, std::string_view media_type,
                                                         std::optional<std::string> tag) = 0;

  /// Tags in the store, sorted.
  [[nodiscard]] virtual Result<std::vector<std::string>> tags() = 0;

  /// Descriptors of manifests whose subject is `subject`, filtered by artifact type when non-empty.
  [[nodiscard]] virtual Result<std::vector<Descriptor>> referrers(const Digest& subject,
                                                                  std::string_view artifact_type = {}) = 0;

  /// Small blob into memory (configs, signatures); input error when larger than max_bytes.
  [[nodiscard]] Result<std::string> fetch_blob_bytes(const Descriptor& desc, std::size_t max_bytes);

  /// Stores a blob held in memory.
  [[nodiscard]] Result<void> push_blob_bytes(const Descriptor& desc, std::string_view bytes);
};

}  // namespace sigil::oci
