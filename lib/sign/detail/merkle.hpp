// RFC 6962 / RFC 9162 Merkle trees over SHA-256, as transparency logs (Rekor v1 and v2) use them:
// leaf hash SHA-256(0x00 || entry), interior node SHA-256(0x01 || left || right).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace sigil::sign::detail {

/// Raw 32-byte SHA-256 of `bytes`.
[[nodiscard]] std::string sha256_raw(std::string_view bytes);

/// SHA-256(0x00 || entry): the hash of one log entry (its canonicalized body).
[[nodiscard]] std::string merkle_leaf_hash(std::string_view entry);

/// SHA-256(0x01 || left || right).
[[nodiscard]] std::string merkle_node_hash(std::string_view left, std::string_view right);

/// The root hash an inclusion proof implies (RFC 9162 §2.1.3.2) for the leaf at `index` in a tree
/// of `tree_size` leaves. Input error when index >= tree_size or a hash is not 32 bytes; denied when
/// the proof has the wrong number of hashes for that position.
[[nodiscard]] Result<std::string> root_from_inclusion_proof(std::uint64_t index, std::uint64_t tree_size,
                                                            std::string_view leaf_hash,
                                                            const std::vector<std::string>& proof);

/// Verifies that `leaf_hash` is at `index` of the tree with `root_hash`. Denied error "inclusion
/// proof does not match the root hash" on a mismatch; input errors as root_from_inclusion_proof.
[[nodiscard]] Result<void> verify_inclusion_proof(std::uint64_t index, std::uint64_t tree_size,
                                                  std::string_view leaf_hash,
                                                  const std::vector<std::string>& proof,
                                                  std::string_view root_hash);

}  // namespace sigil::sign::detail
