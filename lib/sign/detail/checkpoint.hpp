// Signed checkpoints in the C2SP signed-note format (c2sp.org/signed-note, c2sp.org/tlog-checkpoint),
// as Rekor v1 and Rekor v2 put them in inclusion proofs:
//   <origin>\n<tree size>\n<base64 root hash>\n[<extra line>\n...]\n— <name> <base64(key hint || signature)>\n...
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "sign/keys.hpp"

namespace sigil::sign::detail {

/// One signature line: the signer's name, the 4-byte key hint and the signature bytes.
struct NoteSignature {
  std::string name;
  std::string key_hint;  ///< 4 raw bytes
  std::string signature;
};

/// A parsed (not yet verified) checkpoint.
struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  std::string root_hash;           ///< raw bytes
  std::vector<std::string> extra;  ///< optional lines after the root hash (e.g. "Timestamp: ...")
  std::string text;                ///< the signed note text, ending in "\n"
  std::vector<NoteSignature> signatures;
};

/// Parses a signed checkpoint. Input error "checkpoint: <problem>" for a missing origin, size or
/// root hash, a size that is not decimal, a root hash that is not 32 bytes of base64, no blank line
/// before the signatures, a malformed signature line, or no signature line at all.
[[nodiscard]] Result<Checkpoint> parse_checkpoint(std::string_view envelope);

/// How signature lines are matched to the log.
struct CheckpointKey {
  const PublicKey* key = nullptr;  ///< the log's key
  std::string key_hint;            ///< first 4 bytes of the log id
  /// When non-empty, only lines with this name are the log's (C2SP note verifiers match on name
  /// and key hint); when empty, the key hint alone decides (Rekor v1 checkpoints).
  std::string name;
};

/// Verifies the log's signature(s) on `checkpoint`: lines from other keys (witness cosignatures,
/// other logs) are ignored; at least one line must be the log's and every line that is must verify.
/// ECDSA signs SHA-256 of the note text; Ed25519 signs the text itself. Denied errors "checkpoint
/// has no signature from the log" and "checkpoint signature does not verify".
[[nodiscard]] Result<void> verify_checkpoint_signature(const Checkpoint& checkpoint, const CheckpointKey& log);

}  // namespace sigil::sign::detail
