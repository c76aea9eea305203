#include "sign/tuf/metadata.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <ctime>
#include <set>

#include "common/hex.hpp"
#include "common/json.hpp"
#include "sign/signature.hpp"
#include "sign/tuf/detail/tuf_canonical_json.hpp"

namespace sigil::sign::tuf {
namespace {

Error bad(std::string_view what, const std::string& message) {
  return Error{ErrorCategory::input, std::string(what) + ": " + message};
}

Result<const Json*> member(const Json& object, const char* key, Json::value_t type, std::string_view what,
                           const std::string& path) {
  auto it = object.find(key);
  if (it == object.end()) return std::unexpected(bad(what, "missing " + path + key));
  bool ok = it->type() == type ||
            (type == Json::value_t::number_unsigned && it->type() == Json::value_t::number_integer &&
             it->get<std::int64_t>() >= 0);
  if (!ok) return std::unexpected(bad(what, path + key + " has the wrong type"));
  return &*it;
}

Result<std::uint64_t> positive(const Json& object, const char* key, std::string_view what, const std::string& path) {
  auto v = member(object, key, Json::value_t::number_unsigned, what, path);
  if (!v) return std::unexpected(v.error());
  auto n = (*v)->get<std::uint64_t>();
  if (n == 0) return std::unexpected(bad(what, path + key + " must be at least 1"));
  return n;
}

// The envelope is parsed once from the bytes; the canonical form of "signed" is recomputed from
// the parsed value because TUF signs canonical JSON, not the bytes a repository happens to serve.
Result<std::pair<Envelope, Json>> parse_envelope(std::string_view bytes, std::string_view type,
                                                 std::string_view what) {
  auto doc = parse_json(bytes, what);
  if (!doc) return std::unexpected(doc.error());
  if (!doc->is_object()) return std::unexpected(bad(what, "not a JSON object"));
  auto sigs = member(*doc, "signatures", Json::value_t::array, what, "");
  if (!sigs) return std::unexpected(sigs.error());
  auto signed_part = member(*doc, "signed", Json::value_t::object, what, "");
  if (!signed_part) return std::unexpected(signed_part.error());
  const Json& s = **signed_part;
  Envelope env;
  auto t = member(s, "_type", Json::value_t::string, what, "signed.");
  if (!t) return std::unexpected(t.error());
  env.type = (*t)->get<std::string>();
  if (env.type != type) return std::unexpected(bad(what, "_type is \"" + env.type + "\", expected \"" + std::string(type) + "\""));
  auto version = positive(s, "version", what, "signed.");
  if (!version) return std::unexpected(version.error());
  env.version = *version;
  auto expires = member(s, "expires", Json::value_t::string, what, "signed.");
  if (!expires) return std::unexpected(expires.error());
  auto when = parse_tuf_time((*expires)->get<std::string>());
  if (!when) return std::unexpected(bad(what, "signed.expires: " + when.error().message));
  env.expires = *when;
  auto spec = member(s, "spec_version", Json::value_t::string, what, "signed.");
  if (!spec) return std::unexpected(spec.error());
  // Same acceptance as python-tuf: major version 1.
  if (!(*spec)->get<std::string>().starts_with("1.")) {
    return std::unexpected(bad(what, "unsupported spec_version " + (*spec)->get<std::string>()));
  }
  auto canonical = detail::canonical_json(s);
  if (!canonical) return std::unexpected(canonical.error().with_context(what));
  env.canonical_signed = std::move(*canonical);
  for (const auto& sig : **sigs) {
    if (!sig.is_object()) return std::unexpected(bad(what, "signature is not an object"));
    auto keyid = member(sig, "keyid", Json::value_t::string, what, "signatures[].");
    if (!keyid) return std::unexpected(keyid.error());
    auto value = member(sig, "sig", Json::value_t::string, what, "signatures[].");
    if (!value) return std::unexpected(value.error());
    auto raw = hex_decode((*value)->get<std::string>());
    if (!raw) return std::unexpected(bad(what, "signature of key " + (*keyid)->get<std::string>() + " is not hex"));
    env.signatures.emplace_back((*keyid)->get<std::string>(), std::string(raw->begin(), raw->end()));
  }
  return std::pair{std::move(env), s};
}

// An unsupported key type is kept without a loaded key: its signatures never count, as
// python-tuf's verifier would refuse them, but the root stays usable with its other keys.
Result<Key> parse_key(const Json& value, std::string_view what, const std::string& keyid) {
  std::string path = "signed.keys." + keyid + ".";
  if (!value.is_object()) return std::unexpected(bad(what, path + " is not an object"));
  Key key;
  auto keytype = member(value, "keytype", Json::value_t::string, what, path);
  if (!keytype) return std::unexpected(keytype.error());
  auto scheme = member(value, "scheme", Json::value_t::string, what, path);
  if (!scheme) return std::unexpected(scheme.error());
  auto keyval = member(value, "keyval", Json::value_t::object, what, path);
  if (!keyval) return std::unexpected(keyval.error());
  auto pub = member(**keyval, "public", Json::value_t::string, what, path + "keyval.");
  if (!pub) return std::unexpected(pub.error());
  key.keytype = (*keytype)->get<std::string>();
  key.scheme = (*scheme)->get<std::string>();
  const auto& text = (*pub)->get_ref<const std::string&>();
  if ((key.keytype == "ecdsa" || key.keytype == "ecdsa-sha2-nistp256") && key.scheme == "ecdsa-sha2-nistp256") {
    auto loaded = load_public_key(text);
    if (!loaded) return std::unexpected(bad(what, path + "keyval.public: " + loaded.error().message));
    if (loaded->algorithm() != KeyAlgorithm::ecdsa_p256) {
      return std::unexpected(bad(what, path + "keyval.public is not a P-256 key"));
    }
    key.key = std::make_shared<const PublicKey>(std::move(*loaded));
  } else if (key.keytype == "ed25519" && key.scheme == "ed25519") {
    auto raw = hex_decode(text);
    if (!raw || raw->size() != 32) return std::unexpected(bad(what, path + "keyval.public is not 32 hex-encoded bytes"));
    PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw->data(), raw->size()));
    if (!pkey) return std::unexpected(bad(what, path + "keyval.public does not load as Ed25519"));
    key.key = std::make_shared<const PublicKey>(std::move(pkey), KeyAlgorithm::ed25519);
  }
  return key;
}

Result<MetaFile> parse_meta_file(const Json& value, std::string_view what, const std::string& path) {
  if (!value.is_object()) return std::unexpected(bad(what, path + " is not an object"));
  MetaFile meta;
  auto version = positive(value, "version", what, path + ".");
  if (!version) return std::unexpected(version.error());
  meta.version = *version;
  if (value.contains("length")) {
    auto length = member(value, "length", Json::value_t::number_unsigned, what, path + ".");
    if (!length) return std::unexpected(length.error());
    meta.length = (*length)->get<std::uint64_t>();
  }
  if (value.contains("hashes")) {
    auto hashes = member(value, "hashes", Json::value_t::object, what, path + ".");
    if (!hashes) return std::unexpected(hashes.error());
    for (const auto& [alg, hex] : (*hashes)->items()) {
      if (!hex.is_string()) return std::unexpected(bad(what, path + ".hashes." + alg + " is not a string"));
      meta.hashes[alg] = hex.get<std::string>();
    }
  }
  return meta;
}

}  // namespace

Result<Time> parse_tuf_time(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int consumed = 0;
  std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6 ||
      consumed != 19) {
    return fail(ErrorCategory::input, "\"" + copy + "\" is not a UTC time like 2027-04-22T19:27:31Z");
  }
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    std::size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i == 1) return fail(ErrorCategory::input, "\"" + copy + "\" has an empty fraction of a second");
    rest.remove_prefix(i);
  }
  if (rest != "Z") return fail(ErrorCategory::input, "\"" + copy + "\" is not a UTC time ending in Z");
  using namespace std::chrono;
  year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) {
    return fail(ErrorCategory::input, "\"" + copy + "\" is not a valid date and time");
  }
  return sys_days{date} + hours{h} + minutes{mi} + seconds{s};
}

std::string format_tuf_time(Time time) {
  std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<Root> parse_root(std::string_view bytes, std::string_view what) {
  auto parsed = parse_envelope(bytes, "root", what);
  if (!parsed) return std::unexpected(parsed.error());
  Root root;
  root.envelope = std::move(parsed->first);
  const Json& s = parsed->second;
  auto consistent = member(s, "consistent_snapshot", Json::value_t::boolean, what, "signed.");
  if (!consistent) return std::unexpected(consistent.error());
  root.consistent_snapshot = (*consistent)->get<bool>();
  auto keys = member(s, "keys", Json::value_t::object, what, "signed.");
  if (!keys) return std::unexpected(keys.error());
  for (const auto& [keyid, value] : (*keys)->items()) {
    auto key = parse_key(value, what, keyid);
    if (!key) return std::unexpected(key.error());
    root.keys.emplace(keyid, std::move(*key));
  }
  auto roles = member(s, "roles", Json::value_t::object, what, "signed.");
  if (!roles) return std::unexpected(roles.error());
  for (const char* name : {"root", "timestamp", "snapshot", "targets"}) {
    std::string path = std::string("signed.roles.") + name + ".";
    auto role_json = member(**roles, name, Json::value_t::object, what, "signed.roles.");
    if (!role_json) return std::unexpected(role_json.error());
    Role role;
    auto threshold = positive(**role_json, "threshold", what, path);
    if (!threshold) return std::unexpected(threshold.error());
    role.threshold = *threshold;
    auto keyids = member(**role_json, "keyids", Json::value_t::array, what, path);
    if (!keyids) return std::unexpected(keyids.error());
    std::set<std::string> seen;
    for (const auto& id : **keyids) {
      if (!id.is_string()) return std::unexpected(bad(what, path + "keyids holds a non-string"));
      if (!seen.insert(id.get<std::string>()).second) {
        return std::unexpected(bad(what, path + "keyids lists " + id.get<std::string>() + " twice"));
      }
      role.keyids.push_back(id.get<std::string>());
    }
    root.roles.emplace(name, std::move(role));
  }
  return root;
}

Result<Timestamp> parse_timestamp(std::string_view bytes, std::string_view what) {
  auto parsed = parse_envelope(bytes, "timestamp", what);
  if (!parsed) return std::unexpected(parsed.error());
  Timestamp ts;
  ts.envelope = std::move(parsed->first);
  auto meta = member(parsed->second, "meta", Json::value_t::object, what, "signed.");
  if (!meta) return std::unexpected(meta.error());
  auto it = (*meta)->find("snapshot.json");
  if (it == (*meta)->end()) return std::unexpected(bad(what, "signed.meta has no snapshot.json"));
  auto file = parse_meta_file(*it, what, "signed.meta.snapshot.json");
  if (!file) return std::unexpected(file.error());
  ts.snapshot = std::move(*file);
  return ts;
}

Result<Snapshot> parse_snapshot(std::string_view bytes, std::string_view what) {
  auto parsed = parse_envelope(bytes, "snapshot", what);
  if (!parsed) return std::unexpected(parsed.error());
  Snapshot snap;
  snap.envelope = std::move(parsed->first);
  auto meta = member(parsed->second, "meta", Json::value_t::object, what, "signed.");
  if (!meta) return std::unexpected(meta.error());
  for (const auto& [name, value] : (*meta)->items()) {
    auto file = parse_meta_file(value, what, "signed.meta." + name);
    if (!file) return std::unexpected(file.error());
    snap.meta.emplace(name, std::move(*file));
  }
  return snap;
}

Result<Targets> parse_targets(std::string_view bytes, std::string_view what) {
  auto parsed = parse_envelope(bytes, "targets", what);
  if (!parsed) return std::unexpected(parsed.error());
  Targets targets;
  targets.envelope = std::move(parsed->first);
  auto list = member(parsed->second, "targets", Json::value_t::object, what, "signed.");
  if (!list) return std::unexpected(list.error());
  for (const auto& [name, value] : (*list)->items()) {
    std::string path = "signed.targets." + name + ".";
    if (!value.is_object()) return std::unexpected(bad(what, path + " is not an object"));
    TargetFile file;
    auto length = member(value, "length", Json::value_t::number_unsigned, what, path);
    if (!length) return std::unexpected(length.error());
    file.length = (*length)->get<std::uint64_t>();
    auto hashes = member(value, "hashes", Json::value_t::object, what, path);
    if (!hashes) return std::unexpected(hashes.error());
    for (const auto& [alg, hex] : (*hashes)->items()) {
      if (!hex.is_string()) return std::unexpected(bad(what, path + "hashes." + alg + " is not a string"));
      file.hashes[alg] = hex.get<std::string>();
    }
    if (file.hashes.empty()) return std::unexpected(bad(what, path + "hashes is empty"));
    targets.targets.emplace(name, std::move(file));
  }
  return targets;
}

Result<void> verify_role(const Root& root, std::string_view role_name, const Envelope& envelope,
                         std::string_view what) {
  auto role = root.roles.find(std::string(role_name));
  if (role == root.roles.end()) return fail(ErrorCategory::input, std::string(what) + ": root has no role " + std::string(role_name));
  std::set<std::string> valid;
  for (const auto& [keyid, sig] : envelope.signatures) {
    if (valid.contains(keyid)) continue;
    bool listed = false;
    for (const auto& id : role->second.keyids) listed = listed || id == keyid;
    if (!listed) continue;
    auto key = root.keys.find(keyid);
    if (key == root.keys.end() || !key->second.key || sig.empty()) continue;
    if (verify_message(key->second.key->get(), envelope.canonical_signed, sig)) valid.insert(keyid);
  }
  if (valid.size() >= role->second.threshold) return {};
  return fail(ErrorCategory::denied, std::string(what) + ": " + std::to_string(valid.size()) + " of " +
                                         std::to_string(role->second.threshold) + " required signatures of role " +
                                         std::string(role_name) + " (root version " +
                                         std::to_string(root.envelope.version) + ") verify");
}

}  // namespace sigil::sign::tuf
