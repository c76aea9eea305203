// Image references: registry references in the distribution grammar
// (host[:port]/path[:tag][@digest], docker.io and library/ normalized) and image-layout
// references `oci:DIR[:TAG|@DIGEST]`.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "oci/digest.hpp"

namespace sigil::oci {

enum class Transport {
  registry,  ///< a distribution-spec registry
  layout,    ///< an OCI image-layout directory
};

/// A parsed reference. For registry references `registry` and `repository` are normalized
/// ("alpine" → docker.io / library/alpine). For layouts, `layout_path` is the directory.
struct Reference {
  Transport transport = Transport::registry;
  std::string registry;
  std::string repository;
  std::filesystem::path layout_path;
  std::string tag;                ///< empty when none was given
  std::optional<Digest> digest;   ///< set for name@digest

  /// Parses a reference. Accepts `oci:DIR[:TAG|@DIGEST]`, `docker://REF` and plain REF;
  /// input error naming the reference and the problem otherwise (unknown transport, bad tag...).
  [[nodiscard]] static Result<Reference> parse(std::string_view text);

  /// Canonical text: "docker.io/library/alpine:3.20", "oci:/dir:tag", "...@sha256:...".
  [[nodiscard]] std::string str() const;
  /// The repository with its registry, without tag or digest ("localhost:5000/a/b"); the layout path for layouts.
  [[nodiscard]] std::string repository_name() const;
  /// What to resolve in the store: the digest if present, else the tag, else "latest".
  [[nodiscard]] std::string identifier() const;
  /// Host to contact for the registry API (docker.io → registry-1.docker.io).
  [[nodiscard]] std::string api_host() const;
  /// True for localhost, 127.0.0.0/8 and ::1, where plain HTTP is allowed.
  [[nodiscard]] bool is_loopback_registry() const;
  /// The same repository with a digest instead of a tag.
  [[nodiscard]] Reference with_digest(const Digest& d) const;
  /// The same repository with a tag and no digest.
  [[nodiscard]] Reference with_tag(std::string_view t) const;
};

/// True when `tag` matches the distribution tag grammar [A-Za-z0-9_][A-Za-z0-9._-]{0,127}.
[[nodiscard]] bool is_valid_tag(std::string_view tag);

}  // namespace sigil::oci
