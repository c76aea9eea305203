// Reading what the blob commands sign and verify: files (bounded in memory, or streamed through a
// hasher), bundles, and the conformance protocol's "sha256:HEX instead of a file" convention; and
// writing the bundles they produce.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "oci/digest.hpp"
#include "sign/bundle.hpp"

namespace sigil::cli {

/// Largest blob read into memory: signing, and Ed25519 verification, need the bytes themselves.
/// Other verifications stream the file through a hasher and have no limit.
inline constexpr std::uint64_t kMaxBlobInMemoryBytes = 1024ull * 1024 * 1024;

/// The bytes of a regular file of at most kMaxBlobInMemoryBytes (checked before reading).
[[nodiscard]] Result<std::string> read_blob(const std::string& path);

/// The digest of a regular file, streamed.
[[nodiscard]] Result<oci::Digest> hash_file(const std::string& path, oci::DigestAlgorithm algorithm);

/// A bundle file, parsed.
[[nodiscard]] Result<sign::Bundle> read_bundle(const std::string& path);

/// Writes the serialized bundle to `path` atomically and tells stderr where it went.
[[nodiscard]] Result<void> write_bundle(const std::string& path, const sign::Bundle& bundle);

/// "sha256:" + 64 hex that is not a path on disk is a digest; anything else is a file.
[[nodiscard]] std::optional<oci::Digest> as_digest(const std::string& text);

}  // namespace sigil::cli
