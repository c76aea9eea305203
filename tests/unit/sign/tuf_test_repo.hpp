// Hand-made TUF repositories for the tuf_* unit tests: keys generated per test, metadata signed
// over canonical JSON, served from memory through a tuf::Fetch.
#pragma once

#include <openssl/evp.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <span>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/hex.hpp"
#include "common/json.hpp"
#include "oci/digest.hpp"
#include "sign/keys.hpp"
#include "sign/signature.hpp"
#include "sign/tuf/detail/tuf_canonical_json.hpp"
#include "sign/tuf/metadata.hpp"
#include "sign/tuf/updater.hpp"

namespace sigil::test::tuf {

using sign::tuf::Time;

inline Time test_now() { return std::chrono::sys_days{std::chrono::year{2026} / 6 / 1}; }
inline std::string in_days(int days) { return sign::tuf::format_tuf_time(test_now() + std::chrono::days{days}); }

struct TestKey {
  std::shared_ptr<sign::PrivateKey> priv;
  std::string keyid;
  Json public_json;
};

inline TestKey make_key(sign::KeyAlgorithm algorithm = sign::KeyAlgorithm::ecdsa_p256) {
  auto priv = sign::generate_private_key(algorithm);
  if (!priv) std::abort();
  TestKey key;
  if (algorithm == sign::KeyAlgorithm::ed25519) {
    unsigned char raw[32];
    std::size_t len = sizeof raw;
    EVP_PKEY_get_raw_public_key(priv->get(), raw, &len);
    key.public_json = Json{{"keytype", "ed25519"}, {"scheme", "ed25519"},
                           {"keyval", {{"public", hex_encode(std::span<const unsigned char>(raw, len))}}}};
  } else {
    key.public_json = Json{{"keytype", "ecdsa"}, {"scheme", "ecdsa-sha2-nistp256"},
                           {"keyval", {{"public", priv->public_key().to_pem()}}}};
  }
  key.keyid = oci::Digest::of(*sign::tuf::detail::canonical_json(key.public_json)).hex();
  key.priv = std::make_shared<sign::PrivateKey>(std::move(*priv));
  return key;
}

/// {"signatures": [...], "signed": signed_json} signed by each key (in order).
inline std::string sign_metadata(const Json& signed_json, const std::vector<const TestKey*>& keys) {
  auto canonical = sign::tuf::detail::canonical_json(signed_json);
  if (!canonical) std::abort();
  Json sigs = Json::array();
  for (const auto* key : keys) {
    auto sig = sign::sign_message(key->priv->get(), *canonical);
    if (!sig) std::abort();
    sigs.push_back({{"keyid", key->keyid},
                    {"sig", hex_encode(std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(sig->data()), sig->size()))}});
  }
  return dump_json(Json{{"signatures", sigs}, {"signed", signed_json}});
}

struct RoleKeys {
  std::vector<const TestKey*> keys;
  int threshold = 1;
};

inline Json root_signed(std::uint64_t version, const std::string& expires, const std::map<std::string, RoleKeys>& roles,
                        bool consistent = true) {
  Json keys = Json::object();
  Json role_json = Json::object();
  for (const auto& [name, role] : roles) {
    Json ids = Json::array();
    for (const auto* key : role.keys) {
      keys[key->keyid] = key->public_json;
      ids.push_back(key->keyid);
    }
    role_json[name] = {{"keyids", ids}, {"threshold", role.threshold}};
  }
  return Json{{"_type", "root"}, {"spec_version", "1.0.31"}, {"version", version}, {"expires", expires},
              {"consistent_snapshot", consistent}, {"keys", keys}, {"roles", role_json}};
}

inline Json meta_file(std::uint64_t version, const std::string* bytes = nullptr) {
  Json m{{"version", version}};
  if (bytes != nullptr) {
    m["length"] = bytes->size();
    m["hashes"] = {{"sha256", oci::Digest::of(*bytes).hex()}};
  }
  return m;
}

inline Json targets_signed(std::uint64_t version, const std::string& expires,
                           const std::map<std::string, std::string>& files) {
  Json targets = Json::object();
  for (const auto& [name, bytes] : files) {
    targets[name] = {{"length", bytes.size()},
                     {"hashes", {{"sha256", oci::Digest::of(bytes).hex()},
                                 {"sha512", oci::Digest::of(bytes, oci::DigestAlgorithm::sha512).hex()}}}};
  }
  return Json{{"_type", "targets"}, {"spec_version", "1.0.31"}, {"version", version}, {"expires", expires},
              {"targets", targets}};
}

inline Json snapshot_signed(std::uint64_t version, const std::string& expires, Json meta) {
  return Json{{"_type", "snapshot"}, {"spec_version", "1.0.31"}, {"version", version}, {"expires", expires},
              {"meta", std::move(meta)}};
}

inline Json timestamp_signed(std::uint64_t version, const std::string& expires, Json snapshot_meta) {
  return Json{{"_type", "timestamp"}, {"spec_version", "1.0.31"}, {"version", version}, {"expires", expires},
              {"meta", {{"snapshot.json", std::move(snapshot_meta)}}}};
}

/// A repository in memory: URL path below the mirror → bytes. Counts requests per path.
struct MemoryRepo {
  std::string mirror = "https://tuf.test";
  std::map<std::string, std::string> files;
  std::map<std::string, int> requests;

  [[nodiscard]] sign::tuf::Fetch fetch() {
    return [this](const std::string& url, std::size_t max) -> Result<std::optional<std::string>> {
      std::string path = url.substr(mirror.size() + 1);
      ++requests[path];
      auto it = files.find(path);
      if (it == files.end()) return std::optional<std::string>();
      if (it->second.size() > max) return fail(ErrorCategory::input, "GET " + url + ": response body larger than " + std::to_string(max) + " bytes");
      return std::optional<std::string>(it->second);
    };
  }
};

/// One publishable state of a repository with one key per role (or the given keys): writes
/// <v>.snapshot.json, <v>.targets.json, timestamp.json and targets/<sha256>.<name> into `repo`.
struct Publisher {
  const TestKey* timestamp_key;
  const TestKey* snapshot_key;
  const TestKey* targets_key;

  void publish(MemoryRepo& repo, std::uint64_t version, const std::map<std::string, std::string>& files,
               const std::string& expires = in_days(30)) const {
    auto targets = sign_metadata(targets_signed(version, expires, files), {targets_key});
    auto snapshot = sign_metadata(snapshot_signed(version, expires, {{"targets.json", meta_file(version, &targets)}}),
                                  {snapshot_key});
    auto timestamp = sign_metadata(timestamp_signed(version, expires, meta_file(version, &snapshot)), {timestamp_key});
    repo.files[std::to_string(version) + ".targets.json"] = targets;
    repo.files[std::to_string(version) + ".snapshot.json"] = snapshot;
    repo.files["timestamp.json"] = timestamp;
    for (const auto& [name, bytes] : files) repo.files["targets/" + oci::Digest::of(bytes).hex() + "." + name] = bytes;
  }
};

}  // namespace sigil::test::tuf
