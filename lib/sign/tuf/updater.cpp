#include "sign/tuf/updater.hpp"

#include <utility>

#include "oci/digest.hpp"

namespace sigil::sign::tuf {
namespace {

Error denied(std::string message) { return Error{ErrorCategory::denied, std::move(message)}; }

std::string version_text(std::uint64_t v) { return std::to_string(v); }

Result<void> check_not_expired(const Envelope& env, std::string_view what, Time now) {
  // python-tuf and tuf-js both treat the instant of `expires` as already expired.
  if (now >= env.expires) {
    return std::unexpected(denied(std::string(what) + ": version " + version_text(env.version) + " expired at " +
                                  format_tuf_time(env.expires) + " (refused)"));
  }
  return {};
}

// Length and hashes from signed metadata; unknown hash algorithms are skipped, but at least one
// known one must be present and every known one must match.
Result<void> check_length_and_hashes(std::string_view bytes, std::optional<std::uint64_t> length,
                                     const std::map<std::string, std::string>& hashes, std::string_view what) {
  if (length && bytes.size() != *length) {
    return fail(ErrorCategory::integrity, std::string(what) + ": " + std::to_string(bytes.size()) +
                                              " bytes, signed metadata says " + std::to_string(*length));
  }
  for (const auto& [alg, expected] : hashes) {
    std::optional<oci::DigestAlgorithm> algorithm;
    if (alg == "sha256") algorithm = oci::DigestAlgorithm::sha256;
    if (alg == "sha512") algorithm = oci::DigestAlgorithm::sha512;
    if (alg == "sha384") algorithm = oci::DigestAlgorithm::sha384;
    if (!algorithm) continue;
    auto actual = oci::Digest::of(bytes, *algorithm).hex();
    if (actual != expected) {
      return fail(ErrorCategory::integrity, std::string(what) + ": " + alg + " " + actual +
                                                " differs from the signed " + expected);
    }
  }
  return {};
}

bool has_known_hash(const std::map<std::string, std::string>& hashes) {
  return hashes.contains("sha256") || hashes.contains("sha512") || hashes.contains("sha384");
}

Result<std::string> fetch_required(const Fetch& fetch, const std::string& url, std::size_t max_bytes,
                                   std::string_view what) {
  auto got = fetch(url, max_bytes);
  if (!got) return std::unexpected(got.error().with_context(std::string("fetch ") + std::string(what)));
  if (!*got) return fail(ErrorCategory::network, std::string("fetch ") + std::string(what) + ": GET " + url + ": not found");
  return std::move(**got);
}

// Consistent snapshots name a target "<dir>/<hash>.<basename>" (specification §5.7.3).
std::string target_url_path(const std::string& name, const TargetFile& file, bool consistent) {
  if (!consistent) return name;
  auto hash = file.hashes.contains("sha256") ? file.hashes.at("sha256") : file.hashes.begin()->second;
  auto slash = name.rfind('/');
  if (slash == std::string::npos) return hash + "." + name;
  return name.substr(0, slash + 1) + hash + "." + name.substr(slash + 1);
}

std::size_t limit_for(const MetaFile& meta, std::size_t fallback) {
  return meta.length ? static_cast<std::size_t>(*meta.length) : fallback;
}

}  // namespace

Result<UpdateResult> update(const TrustedMetadata& trusted, const std::vector<WantedTarget>& wanted,
                            const UpdateOptions& options, const Fetch& fetch) {
  std::string base = options.mirror;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const auto& limits = options.limits;

  // §5.2: the trusted root, checked against itself.
  auto root = parse_root(trusted.root, "trusted root.json");
  if (!root) return std::unexpected(root.error());
  if (auto ok = verify_role(*root, "root", root->envelope, "trusted root.json"); !ok) return std::unexpected(ok.error());
  UpdateResult result;
  result.old_root_version = root->envelope.version;
  std::string root_bytes = trusted.root;

  // §5.3: each next version must be signed by a threshold of the current root's keys and of its
  // own, and carry exactly the next version number.
  for (std::uint64_t step = 0; step < limits.max_root_rotations; ++step) {
    std::uint64_t next = root->envelope.version + 1;
    std::string name = version_text(next) + ".root.json";
    auto got = fetch(base + "/" + name, limits.root);
    if (!got) return std::unexpected(got.error().with_context("fetch " + name));
    if (!*got) break;
    auto candidate = parse_root(**got, name);
    if (!candidate) return std::unexpected(candidate.error());
    if (auto ok = verify_role(*root, "root", candidate->envelope, name + " (by the trusted root)"); !ok) {
      return std::unexpected(ok.error());
    }
    if (auto ok = verify_role(*candidate, "root", candidate->envelope, name + " (by itself)"); !ok) {
      return std::unexpected(ok.error());
    }
    if (candidate->envelope.version != next) {
      return std::unexpected(denied(name + ": version " + version_text(candidate->envelope.version) +
                                    ", expected " + version_text(next) + " (refused)"));
    }
    root = std::move(candidate);
    root_bytes = std::move(**got);
  }
  if (auto ok = check_not_expired(root->envelope, "root.json", options.now); !ok) return std::unexpected(ok.error());
  result.new_root_version = root->envelope.version;

  // Local metadata only serves rollback protection; a copy the (possibly rotated) root no longer
  // accepts is dropped, as python-tuf does.
  std::optional<Timestamp> trusted_ts;
  if (!trusted.timestamp.empty()) {
    auto ts = parse_timestamp(trusted.timestamp, "trusted timestamp.json");
    if (ts && verify_role(*root, "timestamp", ts->envelope, "trusted timestamp.json")) trusted_ts = std::move(*ts);
  }
  std::optional<Snapshot> trusted_snap;
  if (!trusted.snapshot.empty()) {
    auto snap = parse_snapshot(trusted.snapshot, "trusted snapshot.json");
    if (snap && verify_role(*root, "snapshot", snap->envelope, "trusted snapshot.json")) trusted_snap = std::move(*snap);
  }

  // §5.4: timestamp.
  auto ts_bytes = fetch_required(fetch, base + "/timestamp.json", limits.timestamp, "timestamp.json");
  if (!ts_bytes) return std::unexpected(ts_bytes.error());
  auto ts = parse_timestamp(*ts_bytes, "timestamp.json");
  if (!ts) return std::unexpected(ts.error());
  if (auto ok = verify_role(*root, "timestamp", ts->envelope, "timestamp.json"); !ok) return std::unexpected(ok.error());
  if (trusted_ts) {
    if (ts->envelope.version < trusted_ts->envelope.version) {
      return std::unexpected(denied("timestamp.json: version " + version_text(ts->envelope.version) +
                                    " is older than the trusted version " +
                                    version_text(trusted_ts->envelope.version) + " (rollback refused)"));
    }
    if (ts->snapshot.version < trusted_ts->snapshot.version) {
      return std::unexpected(denied("timestamp.json: snapshot version " + version_text(ts->snapshot.version) +
                                    " is older than the trusted version " +
                                    version_text(trusted_ts->snapshot.version) + " (rollback refused)"));
    }
    if (ts->envelope.version == trusted_ts->envelope.version) {
      // Same version: keep the copy already trusted, as python-tuf does.
      ts = std::move(*trusted_ts);
      *ts_bytes = trusted.timestamp;
    }
  }
  if (auto ok = check_not_expired(ts->envelope, "timestamp.json", options.now); !ok) return std::unexpected(ok.error());

  // §5.5: snapshot, checked against the timestamp's hash and length when it gives them.
  const MetaFile& snap_meta = ts->snapshot;
  std::string snap_name = root->consistent_snapshot ? version_text(snap_meta.version) + ".snapshot.json" : "snapshot.json";
  auto snap_bytes = fetch_required(fetch, base + "/" + snap_name, limit_for(snap_meta, limits.snapshot), snap_name);
  if (!snap_bytes) return std::unexpected(snap_bytes.error());
  if (auto ok = check_length_and_hashes(*snap_bytes, snap_meta.length, snap_meta.hashes, snap_name); !ok) {
    return std::unexpected(ok.error());
  }
  auto snap = parse_snapshot(*snap_bytes, snap_name);
  if (!snap) return std::unexpected(snap.error());
  if (auto ok = verify_role(*root, "snapshot", snap->envelope, snap_name); !ok) return std::unexpected(ok.error());
  if (snap->envelope.version != snap_meta.version) {
    return std::unexpected(denied(snap_name + ": version " + version_text(snap->envelope.version) +
                                  ", timestamp.json says " + version_text(snap_meta.version) + " (refused)"));
  }
  if (trusted_snap) {
    for (const auto& [name, old] : trusted_snap->meta) {
      auto now_meta = snap->meta.find(name);
      if (now_meta == snap->meta.end()) {
        return std::unexpected(denied(snap_name + ": no longer lists " + name + " (rollback refused)"));
      }
      if (now_meta->second.version < old.version) {
        return std::unexpected(denied(snap_name + ": " + name + " version " + version_text(now_meta->second.version) +
                                      " is older than the trusted version " + version_text(old.version) +
                                      " (rollback refused)"));
      }
    }
  }
  if (auto ok = check_not_expired(snap->envelope, "snapshot.json", options.now); !ok) return std::unexpected(ok.error());

  // §5.6: top-level targets.
  auto targets_meta = snap->meta.find("targets.json");
  if (targets_meta == snap->meta.end()) return fail(ErrorCategory::input, snap_name + ": does not list targets.json");
  const MetaFile& tm = targets_meta->second;
  std::string targets_name = root->consistent_snapshot ? version_text(tm.version) + ".targets.json" : "targets.json";
  auto targets_bytes = fetch_required(fetch, base + "/" + targets_name, limit_for(tm, limits.targets), targets_name);
  if (!targets_bytes) return std::unexpected(targets_bytes.error());
  if (auto ok = check_length_and_hashes(*targets_bytes, tm.length, tm.hashes, targets_name); !ok) {
    return std::unexpected(ok.error());
  }
  auto targets = parse_targets(*targets_bytes, targets_name);
  if (!targets) return std::unexpected(targets.error());
  if (auto ok = verify_role(*root, "targets", targets->envelope, targets_name); !ok) return std::unexpected(ok.error());
  if (targets->envelope.version != tm.version) {
    return std::unexpected(denied(targets_name + ": version " + version_text(targets->envelope.version) +
                                  ", snapshot says " + version_text(tm.version) + " (refused)"));
  }
  if (auto ok = check_not_expired(targets->envelope, "targets.json", options.now); !ok) return std::unexpected(ok.error());

  // §5.7: target files, by the length and hashes the targets role signed.
  for (const auto& want : wanted) {
    auto listed = targets->targets.find(want.name);
    if (listed == targets->targets.end()) {
      if (want.required) return fail(ErrorCategory::input, targets_name + ": does not list target " + want.name);
      continue;
    }
    const TargetFile& file = listed->second;
    if (!has_known_hash(file.hashes)) {
      return fail(ErrorCategory::input, targets_name + ": target " + want.name + " has no sha256 or sha512 hash");
    }
    if (want.current && check_length_and_hashes(*want.current, file.length, file.hashes, want.name)) {
      result.targets.push_back({want.name, *want.current, false});
      continue;
    }
    std::string what = "target " + want.name;
    auto bytes = fetch_required(fetch, base + "/targets/" + target_url_path(want.name, file, root->consistent_snapshot),
                                static_cast<std::size_t>(file.length), what);
    if (!bytes) return std::unexpected(bytes.error());
    if (auto ok = check_length_and_hashes(*bytes, file.length, file.hashes, what); !ok) return std::unexpected(ok.error());
    result.targets.push_back({want.name, std::move(*bytes), true});
  }

  result.timestamp_version = ts->envelope.version;
  result.snapshot_version = snap->envelope.version;
  result.targets_version = targets->envelope.version;
  result.metadata = {std::move(root_bytes), std::move(*ts_bytes), std::move(*snap_bytes), std::move(*targets_bytes)};
  return result;
}

}  // namespace sigil::sign::tuf
