// Size limits shared by every parser and verifier, so a reader and a writer never disagree.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sigil::limits {

/// Largest manifest or index accepted (the distribution spec's recommended minimum for registries).
inline constexpr std::size_t kMaxManifestBytes = 4 * 1024 * 1024;
/// Largest image config or other small JSON blob read fully into memory.
inline constexpr std::size_t kMaxConfigBytes = 8 * 1024 * 1024;
/// Largest index.json of an image layout.
inline constexpr std::size_t kMaxLayoutIndexBytes = 64 * 1024 * 1024;
/// Largest JSON body of a registry API response (token, tag list, errors, referrers page).
inline constexpr std::size_t kMaxApiResponseBytes = 16 * 1024 * 1024;
/// Largest docker config.json read for credentials.
inline constexpr std::size_t kMaxDockerConfigBytes = 1024 * 1024;
/// Deepest JSON nesting accepted, against stack exhaustion by hostile documents.
inline constexpr int kMaxJsonDepth = 64;
/// Most referrers pages followed for one subject.
inline constexpr int kMaxReferrerPages = 1000;
/// Largest DSSE envelope (JSON) accepted; attestation payloads are JSON documents, not layers.
inline constexpr std::size_t kMaxDsseEnvelopeBytes = 16 * 1024 * 1024;
/// Most signatures in one DSSE envelope.
inline constexpr std::size_t kMaxDsseSignatures = 64;
/// Largest Sigstore bundle (JSON) accepted.
inline constexpr std::size_t kMaxBundleBytes = 32 * 1024 * 1024;
/// Largest Dockerfile accepted (heredocs included).
inline constexpr std::size_t kMaxDockerfileBytes = 16 * 1024 * 1024;
/// Largest decompressed content of a local archive auto-extracted by ADD (against zip bombs).
inline constexpr std::uint64_t kMaxArchiveExtractBytes = 16ULL * 1024 * 1024 * 1024;

/// SBOM: largest file a cataloger reads (a dpkg status database, a package.json, a METADATA).
inline constexpr std::size_t kMaxSbomFileBytes = 64 * 1024 * 1024;
/// SBOM: largest rpm database (rpmdb.sqlite or BerkeleyDB Packages) read into memory whole.
inline constexpr std::size_t kMaxSbomRpmDbBytes = 256 * 1024 * 1024;
/// SBOM: files up to this size are kept in memory while a layer streams by, if a cataloger wants them.
inline constexpr std::size_t kMaxSbomCachedFileBytes = 4 * 1024 * 1024;
/// SBOM: largest executable a cataloger looks into for build info (Go, cargo-auditable); one at a
/// time, and image trees keep only the sections catalogers read of it.
inline constexpr std::size_t kMaxSbomBinaryBytes = 128 * 1024 * 1024;
/// SBOM: symbolic links followed while resolving one path (as the kernel's 40).
inline constexpr int kMaxSymlinkHops = 40;
/// SBOM: entries accepted in one image's file tree (all layers together).
inline constexpr std::size_t kMaxSbomTreeEntries = 10 * 1000 * 1000;
/// SBOM: warnings kept per catalog run (more are counted, not kept).
inline constexpr std::size_t kMaxSbomWarnings = 1000;

}  // namespace sigil::limits
