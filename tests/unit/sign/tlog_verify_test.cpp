// verify_tlog_entry against the Sigstore conformance bundles (../shared) and hostile entries.
#include "sign/tlog_verify.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/base64.hpp"
#include "common/hex.hpp"
#include "sign/detail/merkle.hpp"
#include "oci/digest.hpp"

namespace sigil::sign {
namespace {

namespace fs = std::filesystem;
using Ordered = nlohmann::ordered_json;

const fs::path kConformance = SIGIL_SOURCE_DIR "/../shared/testdata/sigstore/conformance";

// Tests that need ../shared fail in CI when it is missing, and skip elsewhere.
#define SIGIL_REQUIRE_CONFORMANCE()                                                  \
  do {                                                                               \
    if (!fs::exists(kConformance / "a.txt")) {                                       \
      if (std::getenv("CI") != nullptr) FAIL() << "missing " << kConformance;        \
      GTEST_SKIP() << "no conformance data at " << kConformance;                     \
    }                                                                                \
  } while (0)

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// --- the conformance cases -------------------------------------------------------------------

struct Case {
  fs::path dir;
  Bundle bundle;
  TrustedRoot root;
  std::string artifact_sha256_hex;  ///< passed only for a messageSignature without a digest
};

enum class Load { ok, bundle_refused, root_refused };

Load load_case(const std::string& name, Case& c) {
  c.dir = kConformance / name;
  auto bundle = parse_bundle(slurp(c.dir / "bundle.sigstore.json"));
  if (!bundle) return Load::bundle_refused;
  c.bundle = std::move(*bundle);
  auto root = parse_trusted_root(slurp(fs::exists(c.dir / "trusted_root.json")
                                           ? c.dir / "trusted_root.json"
                                           : kConformance.parent_path() / "trusted_root.public-good.json"));
  if (!root) return Load::root_refused;
  c.root = std::move(*root);
  const auto artifact = slurp(fs::exists(c.dir / "artifact") ? c.dir / "artifact" : kConformance / "a.txt");
  if (const auto* message = std::get_if<MessageSignature>(&c.bundle.content); message && message->digest.empty()) {
    c.artifact_sha256_hex = oci::Digest::of(artifact).hex();
  }
  return Load::ok;
}

Case must_load(const std::string& name) {
  Case c;
  EXPECT_EQ(load_case(name, c), Load::ok) << name;
  return c;
}

SigstoreTime now() { return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()); }

// Every entry of the bundle: the first failure, or the facts of the last entry.
Result<TlogFacts> verify_all(const Case& c, SigstoreTime at) {
  Result<TlogFacts> result = std::unexpected(Error{ErrorCategory::denied, "no tlog entries"});
  for (const auto& entry : c.bundle.tlog_entries) {
    result = verify_tlog_entry(entry, c.bundle, c.artifact_sha256_hex, c.root, at);
    if (!result) return result;
  }
  return result;
}

// What verify_tlog_entry must say about each case: "" = the entry verifies (the case fails, if it
// does, for a reason outside the log: certificates, signatures, timestamps, artifact); otherwise a
// part of the refusal. "bundle:"/"root:" = parse_bundle/parse_trusted_root already refuse it.
const std::map<std::string, std::string>& expectations() {
  static const std::map<std::string, std::string> table = {
      {"bundle-empty-certificate-chain_fail", "bundle:"},
      {"bundle-from-wrong-instance_fail", "is not trusted"},
      {"bundle-invalid-base64-signature_fail", "bundle:"},
      {"bundle-malformed-json_fail", "bundle:"},
      {"bundle-negative-log-index_fail", "logIndex is negative"},
      {"bundle-unknown-version_fail", "bundle:"},
      {"bundle-with-root-cert_fail", ""},  // the certificate chain's fault; a v0.1 proof without checkpoint
      {"bundle-with-sct-with-extensions", ""},
      {"checkpoint-bad-keyhint_fail", "checkpoint has no signature from the log"},
      {"checkpoint-wrong-roothash_fail", "inclusion proof does not match the checkpoint root"},
      {"dsse-invalid-sig_fail", "body does not match the bundle (signature)"},
      {"dsse-mismatch-envelope_fail", "body does not match the bundle (signature)"},
      {"dsse-mismatch-sig_fail", "body does not match the bundle (signature)"},
      {"happy-path-intoto-in-dsse-v3", ""},
      {"happy-path-v0.1", ""},
      {"happy-path-v0.2", ""},
      {"happy-path-v0.3", ""},
      {"happy-path-v0.3-new-mediaType", ""},
      {"inclusion-proof-corrupted-hash_fail", "inclusion proof does not match its root hash"},
      {"incorrect-public-key_fail", "body does not match the bundle (certificate)"},
      {"integrated-time-in-future_fail", ""},  // the certificate is not valid at the (signed) integrated time
      {"intoto-expired-certificate_fail", ""},
      {"intoto-log-entry-mismatch_fail", "body does not match the bundle (signature)"},
      {"intoto-missing-inclusion-proof_fail", "no inclusion proof"},
      {"intoto-set-outside-signing-cert-validity_fail", ""},
      {"intoto-tsa-timestamp-outside-cert-validity_fail", ""},
      {"intoto-with-custom-trust-root", ""},
      {"invalid-checkpoint-signature_fail", "checkpoint signature does not verify"},
      {"invalid-ct-key_fail", ""},
      {"invalid-inclusion-proof_fail", "inclusion proof does not match its root hash"},
      {"managed-key-and-trusted-root", ""},
      {"managed-key-happy-path", ""},
      {"managed-key-no-key_fail", ""},
      {"managed-key-wrong-key_fail", ""},
      {"message-digest-mismatch_fail", "body does not match the bundle (message digest)"},
      {"rekor2-checkpoint-cosigned", ""},
      {"rekor2-checkpoint-missing-log-signature_fail", "checkpoint: no signature lines"},
      {"rekor2-checkpoint-missing-origin_fail", "checkpoint: needs an origin"},
      {"rekor2-checkpoint-missing-root-hash_fail", "checkpoint: needs an origin"},
      {"rekor2-checkpoint-missing-size_fail", "checkpoint: needs an origin"},
      {"rekor2-checkpoint-multiple-cosigs", ""},
      {"rekor2-checkpoint-no-matching-signature_fail", "checkpoint origin \"log2025-alpha1.rekor.github.dev\""},
      {"rekor2-checkpoint-origin-not-first", ""},
      {"rekor2-checkpoint-two-sigs-cosigned", ""},
      {"rekor2-checkpoint-two-sigs-from-origin", ""},
      {"rekor2-dsse-happy-path", ""},
      {"rekor2-dsse-invalid-sig_fail", "body does not match the bundle (signature)"},
      {"rekor2-dsse-mismatch-envelope_fail", "body does not match the bundle (signature)"},
      {"rekor2-dsse-mismatch-sig_fail", "body does not match the bundle (signature)"},
      {"rekor2-happy-path", ""},
      {"rekor2-no-inclusion-proof_fail", "no inclusion proof"},
      {"rekor2-no-timestamp_fail", ""},  // Rekor v2 needs an RFC 3161 timestamp: the caller's check
      {"rekor2-timestamp-outside-trust-root-tsa-validity_fail", ""},
      {"rekor2-timestamp-outside-tsa-cert-validity_fail", ""},
      {"rekor2-timestamp-payload-mismatch_fail", ""},
      {"rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail", ""},
      {"rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail", ""},
      {"rekor2-timestamp-with-embedded-cert", ""},
      {"rekor2-timestamp-with-expired-cert-chain", ""},
      {"rekor2-timestamp-with-incorrect-time_fail", ""},
      {"rekor2-timestamp-without-embedded-cert", ""},
      {"set-invalid-signature_fail", "invalid signed entry timestamp"},
      {"signature-mismatch_fail", "body does not match the bundle (signature)"},
      {"trust-root-tlog-missing-validity-start_fail", "root:"},
      {"trust-root-tlog-validity-end-inclusive", ""},
      {"trust-root-tsa-validity-end-inclusive", ""},
      {"wrong-hashedrekord-artifact_fail", "body does not match the bundle (signature)"},
      {"wrong-hashedrekord-cert-and-sig_fail", "body does not match the bundle (signature)"},
      {"wrong-hashedrekord-entry_fail", "body does not match the bundle (signature)"},
      {"wrong-material_fail", ""},
  };
  return table;
}

TEST(TlogVerifyConformance, EveryCaseAsExpected) {
  SIGIL_REQUIRE_CONFORMANCE();
  std::size_t cases = 0;
  for (const auto& dir : fs::directory_iterator(kConformance)) {
    if (!dir.is_directory()) continue;
    const auto name = dir.path().filename().string();
    SCOPED_TRACE(name);
    ++cases;
    const auto expected = expectations().find(name);
    ASSERT_NE(expected, expectations().end()) << "no expectation for conformance case " << name;
    Case c;
    const Load load = load_case(name, c);
    if (expected->second == "bundle:" || expected->second == "root:") {
      EXPECT_EQ(load, expected->second == "bundle:" ? Load::bundle_refused : Load::root_refused);
      continue;
    }
    ASSERT_EQ(load, Load::ok);
    auto result = verify_all(c, now());
    if (expected->second.empty()) {
      EXPECT_TRUE(result) << result.error().message;
      if (result && !name.ends_with("_fail")) {
        EXPECT_TRUE(result->inclusion_proof_verified);
      }
    } else {
      ASSERT_FALSE(result) << "verified, expected: " << expected->second;
      EXPECT_NE(result.error().message.find(expected->second), std::string::npos) << result.error().message;
      EXPECT_EQ(result.error().message.rfind("tlog entry: ", 0), 0u) << result.error().message;
      EXPECT_EQ(result.error().message.find('\n'), std::string::npos);
      const bool input_error = expected->second.starts_with("checkpoint:") || expected->second == "logIndex is negative";
      EXPECT_EQ(result.error().category, input_error ? ErrorCategory::input : ErrorCategory::denied)
          << result.error().message;
    }
  }
  EXPECT_EQ(cases, expectations().size());
}

TEST(TlogVerifyConformance, RekorV1FactsComeFromTheSignedEntry) {
  SIGIL_REQUIRE_CONFORMANCE();
  const Case c = must_load("happy-path-v0.3");
  ASSERT_EQ(c.bundle.tlog_entries.size(), 1u);
  auto facts = verify_tlog_entry(c.bundle.tlog_entries[0], c.bundle, "", c.root, now());
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->log_id_hex, "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d");
  EXPECT_EQ(facts->base_url, "https://rekor.sigstore.dev");
  EXPECT_EQ(facts->log_index, 79571823);
  EXPECT_EQ(facts->kind, "hashedrekord");
  EXPECT_EQ(facts->kind_version, "0.0.1");
  EXPECT_FALSE(facts->rekor_v2);
  ASSERT_TRUE(facts->integrated_time);
  EXPECT_EQ(facts->integrated_time->time_since_epoch().count(), 1710869186);
  EXPECT_TRUE(facts->inclusion_proof_verified);
  EXPECT_EQ(facts->entry_verifier_der, c.bundle.certificate);
}

TEST(TlogVerifyConformance, RekorV2FactsHaveNoIntegratedTime) {
  SIGIL_REQUIRE_CONFORMANCE();
  for (const char* name : {"rekor2-happy-path", "rekor2-dsse-happy-path"}) {
    SCOPED_TRACE(name);
    const Case c = must_load(name);
    auto facts = verify_all(c, now());
    ASSERT_TRUE(facts) << facts.error().message;
    EXPECT_TRUE(facts->rekor_v2);
    EXPECT_EQ(facts->kind, "hashedrekord");
    EXPECT_EQ(facts->kind_version, "0.0.2");
    EXPECT_FALSE(facts->integrated_time);
    EXPECT_TRUE(facts->inclusion_proof_verified);
  }
}

TEST(TlogVerifyConformance, RekorV2LogIdIsTheC2spKeyIdOfItsEd25519Key) {
  // Why the key hint is the log id's first 4 bytes for Ed25519 logs too: the trusted root's log id
  // of a Rekor v2 log is SHA-256(host || 0x0A || 0x01 || raw key) (c2sp.org/signed-note).
  SIGIL_REQUIRE_CONFORMANCE();
  const Case c = must_load("rekor2-happy-path");
  const TransparencyLog* v2 = nullptr;
  for (const auto& log : c.root.tlogs) {
    if (log.base_url == "https://log2025-alpha1.rekor.sigstage.dev") v2 = &log;
  }
  ASSERT_NE(v2, nullptr);
  ASSERT_GE(v2->public_key_der.size(), 32u);
  const std::string raw_key = v2->public_key_der.substr(v2->public_key_der.size() - 32);
  EXPECT_EQ(detail::sha256_raw("log2025-alpha1.rekor.sigstage.dev\n\x01" + raw_key), v2->log_id);
}

TEST(TlogVerifyConformance, ManagedKeyEntryRecordsTheKey) {
  SIGIL_REQUIRE_CONFORMANCE();
  const Case c = must_load("managed-key-happy-path");
  auto facts = verify_all(c, now());
  ASSERT_TRUE(facts) << facts.error().message;
  auto key = load_public_key(slurp(c.dir / "key.pub"));
  ASSERT_TRUE(key);
  EXPECT_EQ(facts->entry_verifier_der, key->to_der());
}

// --- one entry, altered ------------------------------------------------------------------------

Ordered first_entry(const Case& c) { return c.bundle.tlog_entries.at(0); }

Result<TlogFacts> verify_one(const Ordered& entry, const Case& c, SigstoreTime at = now()) {
  return verify_tlog_entry(entry, c.bundle, c.artifact_sha256_hex, c.root, at);
}

TEST(TlogVerify, IntegratedTimeAfterNowIsRefused) {
  SIGIL_REQUIRE_CONFORMANCE();
  const Case c = must_load("happy-path-v0.3");
  const SigstoreTime integrated{std::chrono::seconds(1710869186)};
  EXPECT_TRUE(verify_one(first_entry(c), c, integrated));
  auto result = verify_one(first_entry(c), c, integrated - std::chrono::seconds(1));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::denied);
  EXPECT_NE(result.error().message.find("integrated time is in the future"), std::string::npos);
}

TEST(TlogVerify, IntegratedTimeOutsideTheLogKeyWindowIsRefused) {
  SIGIL_REQUIRE_CONFORMANCE();
  Case c = must_load("happy-path-v0.3");
  for (auto& log : c.root.tlogs) log.valid_for.end = SigstoreTime{std::chrono::seconds(1710869185)};
  auto result = verify_one(first_entry(c), c);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("was not valid at the integrated time"), std::string::npos);
  for (auto& log : c.root.tlogs) log.valid_for.end = SigstoreTime{std::chrono::seconds(1710869186)};  // inclusive
  EXPECT_TRUE(verify_one(first_entry(c), c));
}

TEST(TlogVerify, SignedEntryTimestampCoversEveryMember) {
  SIGIL_REQUIRE_CONFORMANCE();
  const Case c = must_load("happy-path-v0.1");
  const std::pair<const char*, Ordered> changes[] = {
      {"integratedTime", "1689177397"},
      {"logIndex", "27246493"},
  };
  for (const auto& [member, value] : changes) {
    Ordered entry = first_entry(c);
    entry[member] = value;
    auto result = verify_one(entry, c);
    ASSERT_FALSE(result) << member;
    EXPECT_NE(result.error().message.find("invalid signed entry timestamp"), std::string::npos) << result.error().message;
  }
}

TEST(TlogVerify, WithoutASetTheProofStillVerifiesButTimeIsNotAFact) {
  SIGIL_REQUIRE_CONFORMANCE();
  const Case c = must_load("happy-path-v0.3");
  Ordered entry = first_entry(c);
  entry.erase("inclusionPromise");
  auto facts = verify_one(entry, c);
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_FALSE(facts->integrated_time);
  EXPECT_TRUE(facts->inclusion_proof_verified);
  // ...and a v0.2+ bundle needs the proof: without it, nothing is left.
  entry.erase("inclusionProof");
  auto refused = verify_one(entry, c);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("no inclusion proof"), std::string::npos);
}

TEST(TlogVerify, CheckpointOfAnotherOriginIsRefused) {
  SIGIL_REQUIRE_CONFORMANCE();
  const Case c = must_load("happy-path-v0.3");
  Ordered entry = first_entry(c);
  std::string checkpoint = entry["inclusionProof"]["checkpoint"]["envelope"];
  checkpoint.replace(0, std::string("rekor.sigstore.dev").size(), "rekor.example.com");
  entry["inclusionProof"]["checkpoint"]["envelope"] = checkpoint;
  auto result = verify_one(entry, c);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("checkpoint origin \"rekor.example.com"), std::string::npos)
      << result.error().message;
}

TEST(TlogVerify, ArtifactDigestBindsAMessageSignatureWithoutDigest) {
  SIGIL_REQUIRE_CONFORMANCE();
  Case c = must_load("happy-path-v0.3");
  auto& message = std::get<MessageSignature>(c.bundle.content);
  const std::string recorded = message.digest;
  message.digest.clear();
  message.digest_algorithm.clear();
  auto result = verify_tlog_entry(first_entry(c), c.bundle, "", c.root, now());
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("no artifact digest"), std::string::npos);
  const auto right = hex_encode(std::span(reinterpret_cast<const unsigned char*>(recorded.data()), recorded.size()));
  EXPECT_TRUE(verify_tlog_entry(first_entry(c), c.bundle, right, c.root, now()));
  const std::string wrong(64, 'a');
  result = verify_tlog_entry(first_entry(c), c.bundle, wrong, c.root, now());
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("body does not match the bundle (artifact digest)"), std::string::npos);
}

TEST(TlogVerify, BodyOfAnotherKindOrVersionThanDeclaredIsRefused) {
  SIGIL_REQUIRE_CONFORMANCE();
  const Case c = must_load("happy-path-v0.3");
  Ordered entry = first_entry(c);
  entry["kindVersion"]["kind"] = "dsse";
  auto result = verify_one(entry, c);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::input);
  EXPECT_NE(result.error().message.find("does not match the body's hashedrekord/0.0.1"), std::string::npos);
}

TEST(TlogVerify, MalformedEntriesAreOneLineInputErrors) {
  SIGIL_REQUIRE_CONFORMANCE();
  const Case c = must_load("happy-path-v0.3");
  const Ordered good = first_entry(c);
  const auto body = [](std::string_view json) { return base64_encode(json); };
  std::vector<std::pair<std::string, Ordered>> cases;
  const auto with = [&](std::string what, auto&& change) {
    Ordered entry = good;
    change(entry);
    cases.emplace_back(std::move(what), std::move(entry));
  };
  cases.emplace_back("not an object", Ordered::array());
  cases.emplace_back("string", Ordered("entry"));
  with("logIndex text", [](Ordered& e) { e["logIndex"] = "12x"; });
  with("logIndex float", [](Ordered& e) { e["logIndex"] = 1.5; });
  with("logIndex huge", [](Ordered& e) { e["logIndex"] = "99999999999999999999"; });
  with("no logId", [](Ordered& e) { e.erase("logId"); });
  with("logId not object", [](Ordered& e) { e["logId"] = "abc"; });
  with("keyId not base64", [](Ordered& e) { e["logId"]["keyId"] = "***"; });
  with("keyId empty", [](Ordered& e) { e["logId"]["keyId"] = ""; });
  with("no kindVersion", [](Ordered& e) { e.erase("kindVersion"); });
  with("kind number", [](Ordered& e) { e["kindVersion"]["kind"] = 7; });
  with("no body", [](Ordered& e) { e.erase("canonicalizedBody"); });
  with("body not base64", [](Ordered& e) { e["canonicalizedBody"] = "%%%"; });
  with("body empty", [](Ordered& e) { e["canonicalizedBody"] = ""; });
  with("body truncated", [&](Ordered& e) {
    const auto bytes = *base64_decode(e["canonicalizedBody"].get<std::string>());
    e["canonicalizedBody"] = body(bytes.substr(0, bytes.size() / 2));
  });
  with("body array", [&](Ordered& e) { e["canonicalizedBody"] = body("[1,2]"); });
  with("body unknown kind", [&](Ordered& e) {
    e["canonicalizedBody"] = body(R"({"kind":"rekord","apiVersion":"0.0.1","spec":{}})");
    e["kindVersion"]["kind"] = "rekord";
  });
  with("body spec missing", [&](Ordered& e) { e["canonicalizedBody"] = body(R"({"kind":"hashedrekord","apiVersion":"0.0.1"})"); });
  with("body ill-typed", [&](Ordered& e) {
    e["canonicalizedBody"] = body(R"({"kind":"hashedrekord","apiVersion":"0.0.1","spec":{"signature":{"content":5}}})");
  });
  with("body bad hex", [&](Ordered& e) {
    e["canonicalizedBody"] = body(
        R"({"kind":"hashedrekord","apiVersion":"0.0.1","spec":{"data":{"hash":{"algorithm":"sha256","value":"zz"}},)"
        R"("signature":{"content":"TUVVQ0lDWUZx","publicKey":{"content":"bm90IHBlbQ=="}}}})");
  });
  with("integratedTime text", [](Ordered& e) { e["integratedTime"] = "soon"; });
  with("promise not object", [](Ordered& e) { e["inclusionPromise"] = 3; });
  with("SET not base64", [](Ordered& e) { e["inclusionPromise"]["signedEntryTimestamp"] = "@@"; });
  with("proof not object", [](Ordered& e) { e["inclusionProof"] = "proof"; });
  with("proof hashes not array", [](Ordered& e) { e["inclusionProof"]["hashes"] = "h"; });
  with("proof hash number", [](Ordered& e) { e["inclusionProof"]["hashes"][0] = 1; });
  with("proof negative size", [](Ordered& e) { e["inclusionProof"]["treeSize"] = "-5"; });
  with("proof no root", [](Ordered& e) { e["inclusionProof"].erase("rootHash"); });
  with("proof index past size", [](Ordered& e) { e["inclusionProof"]["logIndex"] = e["inclusionProof"]["treeSize"]; });
  with("checkpoint not string", [](Ordered& e) { e["inclusionProof"]["checkpoint"]["envelope"] = 1; });
  with("checkpoint empty", [](Ordered& e) { e["inclusionProof"]["checkpoint"]["envelope"] = ""; });
  with("checkpoint missing", [](Ordered& e) { e["inclusionProof"].erase("checkpoint"); });
  with("checkpoint garbage", [](Ordered& e) { e["inclusionProof"]["checkpoint"]["envelope"] = "garbage"; });
  for (const auto& [what, entry] : cases) {
    SCOPED_TRACE(what);
    Result<TlogFacts> result = std::unexpected(Error{});
    EXPECT_NO_THROW(result = verify_one(entry, c));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().category, ErrorCategory::input) << result.error().message;
    EXPECT_EQ(result.error().message.rfind("tlog entry: ", 0), 0u) << result.error().message;
    EXPECT_EQ(result.error().message.find('\n'), std::string::npos) << result.error().message;
  }
}

TEST(TlogVerify, ProtobufSnakeCaseAndNumericInt64AreAccepted) {
  SIGIL_REQUIRE_CONFORMANCE();
  const Case c = must_load("happy-path-v0.3");
  Ordered entry = first_entry(c);
  Ordered renamed = Ordered::object();
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    const std::string key = it.key() == "logIndex" ? "log_index" : it.key() == "canonicalizedBody" ? "canonicalized_body" : it.key();
    renamed[key] = it.value();
  }
  renamed["log_index"] = 79571823;
  renamed["integratedTime"] = 1710869186;
  auto facts = verify_one(renamed, c);
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_TRUE(facts->integrated_time);
}

}  // namespace
}  // namespace sigil::sign
