// Image references: registry references in the distribution grammar
// (host[:port]/path[:tag][@digest], docker.io and library/ normalized) and image-layout
// references `oci:DIR[:TAG|@DIGEST]`.
//
// Registry references follow github.com/distribution/reference (ParseNormalizedNamed):
//   reference := [domain '/'] path [':' tag] ['@' digest]
//   domain    := (domain-name | '[' IPv6 hex/colons ']') [':' port]; domain-name components
//                [a-zA-Z0-9] or [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9], joined by '.'
//   path      := component ('/' component)*, component := [a-z0-9]+ ((. | _ | __ | -+) [a-z0-9]+)*,
//                at most 255 characters (the path without the domain, as upstream and registries check)
//   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//   digest    := sha256:<64 lower hex> | sha512:<128 lower hex> (the algorithms sigil verifies)
// The first '/'-separated element is a domain only when it contains '.' or ':', is "localhost",
// or has an upper-case letter (as upstream: "Foo/bar" is host "Foo"); otherwise the registry is
// docker.io. "index.docker.io" becomes "docker.io", and a single-element Docker Hub path gets
// "library/". An element without '/' is always a Docker Hub name ("localhost:5000" is the image
// docker.io/library/localhost with tag 5000, as upstream). Upper-case paths and bare 64-hex names
// are rejected.
//
// Transports, checked before the registry grammar (a transport prefix wins, as in skopeo):
//   oci:DIR[:TAG][@DIGEST]  an image layout. The digest is split off at the last '@' when what
//                           follows contains ':'; then DIR is split on its LAST ':' only when what
//                           follows is a valid tag (which never contains '/'), so "oci:/a:b" is
//                           DIR "/a" tag "b", and a directory whose name ends in ":<tag>" needs an
//                           explicit tag ("oci:/a:b:latest"). A trailing ':' is an empty-tag error;
//                           an empty DIR is an error.
//   docker://REF            a plain registry reference.
//   containers-storage:, dir:, docker-archive:, docker-daemon:, oci-archive:, ostree:, sif:,
//   tarball:, and any other SCHEME:// are "unsupported transport" errors.
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
  /// The same repository with a tag and no digest; `t` must satisfy is_valid_tag().
  [[nodiscard]] Reference with_tag(std::string_view t) const;

  friend bool operator==(const Reference&, const Reference&) = default;
};

/// True when `tag` matches the distribution tag grammar [A-Za-z0-9_][A-Za-z0-9._-]{0,127}.
[[nodiscard]] bool is_valid_tag(std::string_view tag);

/// True when `path` is a valid repository path without domain ("library/alpine"): lower-case
/// components as in the grammar above, at most 255 characters.
[[nodiscard]] bool is_valid_repository_path(std::string_view path);

}  // namespace sigil::oci
