// TUF metadata (theupdateframework specification 1.0): the four top-level roles as values, parsed
// from their signed envelopes, and the threshold signature check every role update goes through.
// Signatures cover the OLPC canonical JSON of "signed" (detail/tuf_canonical_json.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "sign/keys.hpp"

namespace sigil::sign::tuf {

using Time = std::chrono::sys_seconds;

/// A signed metadata file split into what is signed and who signed it.
struct Envelope {
  std::string type;               ///< signed._type: "root", "timestamp", "snapshot", "targets"
  std::uint64_t version = 0;      ///< signed.version (>= 1)
  Time expires{};                 ///< signed.expires
  std::string canonical_signed;   ///< the bytes the signatures cover
  /// (keyid, raw signature bytes) in file order.
  std::vector<std::pair<std::string, std::string>> signatures;
};

/// A public key of the root's "keys" map.
struct Key {
  std::string keytype;  ///< "ecdsa", "ecdsa-sha2-nistp256" or "ed25519"
  std::string scheme;   ///< "ecdsa-sha2-nistp256" or "ed25519"
  std::shared_ptr<const PublicKey> key;
};

/// The keys allowed to sign a role and how many of them must.
struct Role {
  std::vector<std::string> keyids;
  std::uint64_t threshold = 1;
};

struct Root {
  Envelope envelope;
  bool consistent_snapshot = false;
  std::map<std::string, Key> keys;
  std::map<std::string, Role> roles;  ///< root, timestamp, snapshot, targets (all required)
};

/// What a timestamp or snapshot says about another metadata file.
struct MetaFile {
  std::uint64_t version = 0;
  std::optional<std::uint64_t> length;
  std::map<std::string, std::string> hashes;  ///< algorithm → lower-case hex
};

struct Timestamp {
  Envelope envelope;
  MetaFile snapshot;  ///< meta["snapshot.json"]
};

struct Snapshot {
  Envelope envelope;
  std::map<std::string, MetaFile> meta;  ///< "targets.json" and delegated roles
};

/// A target file as the targets role lists it.
struct TargetFile {
  std::uint64_t length = 0;
  std::map<std::string, std::string> hashes;  ///< at least one entry
};

struct Targets {
  Envelope envelope;
  std::map<std::string, TargetFile> targets;
};

/// Parsers: `bytes` is the whole metadata file; `what` names it in errors ("timestamp.json").
/// Input error for malformed JSON, a missing or mistyped member, another `_type`, a float, or
/// a key that does not load. Signatures are not checked here.
[[nodiscard]] Result<Root> parse_root(std::string_view bytes, std::string_view what);
[[nodiscard]] Result<Timestamp> parse_timestamp(std::string_view bytes, std::string_view what);
[[nodiscard]] Result<Snapshot> parse_snapshot(std::string_view bytes, std::string_view what);
[[nodiscard]] Result<Targets> parse_targets(std::string_view bytes, std::string_view what);

/// Checks that `envelope` carries valid signatures of at least `threshold` distinct keys of
/// `role_name` in `root` (a keyid counts once however often it signs). Denied error
/// "<what>: N of M required signatures of role R verify" otherwise.
[[nodiscard]] Result<void> verify_role(const Root& root, std::string_view role_name, const Envelope& envelope,
                                       std::string_view what);

/// TUF time stamps: "2027-04-22T19:27:31Z", fractional seconds accepted (tuf-js writes them).
[[nodiscard]] Result<Time> parse_tuf_time(std::string_view text);

/// "2027-04-22T19:27:31Z".
[[nodiscard]] std::string format_tuf_time(Time time);

}  // namespace sigil::sign::tuf
