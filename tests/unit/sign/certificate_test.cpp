// Fulcio certificates against real leaves from the Sigstore conformance suite: facts (SAN, issuer,
// extensions), the path to a trusted Fulcio CA at a time (and every way it is refused), embedded
// SCTs against the trusted CT logs, and cosign's identity policy.
#include "sign/certificate.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "common/base64.hpp"
#include "common/file.hpp"
#include "common/json.hpp"
#include "sign/detail/key_pem.hpp"
#include "support/test_pki.hpp"

namespace sigil::sign {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono;

const fs::path kSigstore = SIGIL_SOURCE_DIR "/../shared/testdata/sigstore";
const fs::path kConformance = kSigstore / "conformance";
const std::string kIdentity =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/"
    "extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const std::string kIssuer = "https://token.actions.githubusercontent.com";

// Upstream data is optional on a laptop and mandatory in CI, where a skip would hide a regression.
#define REQUIRE_SHARED_DATA()                                                 \
  do {                                                                        \
    if (!fs::exists(kConformance / "happy-path-v0.3")) {                      \
      if (std::getenv("CI") != nullptr) FAIL() << kConformance << " is missing"; \
      GTEST_SKIP() << kConformance << " is missing (../shared absent)";       \
    }                                                                         \
  } while (false)

std::string slurp(const fs::path& path) {
  auto text = read_file(path, 64 << 20);
  EXPECT_TRUE(text) << path;
  return text ? *text : std::string();
}

// The leaf of a conformance bundle: v0.3 "certificate", older bundles the chain's first entry.
std::string leaf_of(const std::string& name) {
  auto doc = parse_json(slurp(kConformance / name / "bundle.sigstore.json"), name);
  EXPECT_TRUE(doc);
  if (!doc) return {};
  const Json& material = (*doc)["verificationMaterial"];
  std::string b64 = material.contains("certificate")
                        ? material["certificate"]["rawBytes"].get<std::string>()
                        : material["x509CertificateChain"]["certificates"][0]["rawBytes"].get<std::string>();
  auto der = base64_decode(b64);
  EXPECT_TRUE(der);
  return der ? *der : std::string();
}

TrustedRoot root_at(const fs::path& file) {
  auto root = parse_trusted_root(slurp(file));
  EXPECT_TRUE(root) << (root ? "" : root.error().message);
  return root ? *root : TrustedRoot{};
}
TrustedRoot public_good() { return root_at(kSigstore / "trusted_root.public-good.json"); }
TrustedRoot root_of(const std::string& name) { return root_at(kConformance / name / "trusted_root.json"); }

SigstoreTime not_before(const std::string& der) {
  auto facts = certificate_facts(der);
  EXPECT_TRUE(facts) << (facts ? "" : facts.error().message);
  return facts ? facts->not_before : SigstoreTime{};
}

SigstoreTime utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return SigstoreTime{sys_days(year(y) / mo / d).time_since_epoch() + hours(h) + minutes(mi) + seconds(s)};
}

std::string pem_to_der(const std::string& pem) {
  auto block = detail::parse_pem(pem);
  EXPECT_TRUE(block);
  return block ? block->der : std::string();
}

void expect_denied(const Result<std::vector<std::string>>& result, std::string_view message) {
  ASSERT_FALSE(result) << "accepted";
  EXPECT_EQ(result.error().category, ErrorCategory::denied) << result.error().message;
  EXPECT_EQ(result.error().message, message);
}

// ---- facts ----

TEST(CertificateFacts, ReadsSanIssuerAndFulcioExtensions) {
  REQUIRE_SHARED_DATA();
  auto facts = certificate_facts(leaf_of("happy-path-v0.3"));
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->subject_alternative_name, kIdentity);
  EXPECT_EQ(facts->san_type, "uri");
  EXPECT_EQ(facts->issuer, kIssuer);
  const auto& ext = facts->extensions;
  EXPECT_EQ(ext.at("issuer"), kIssuer);
  // Raw-bytes extensions (.1.2-.1.6).
  EXPECT_EQ(ext.at("githubWorkflowTrigger"), "workflow_dispatch");
  EXPECT_EQ(ext.at("githubWorkflowSHA"), "c7b3dfb335f051e1c86bda4c716fac97df62ad81");
  EXPECT_EQ(ext.at("githubWorkflowName"), "Extremely dangerous OIDC beacon");
  EXPECT_EQ(ext.at("githubWorkflowRepository"), "sigstore-conformance/extremely-dangerous-public-oidc-beacon");
  EXPECT_EQ(ext.at("githubWorkflowRef"), "refs/heads/main");
  // DER-string extensions (.1.9-.1.22), decoded.
  EXPECT_EQ(ext.at("buildSignerURI"), kIdentity);
  EXPECT_EQ(ext.at("runnerEnvironment"), "github-hosted");
  EXPECT_EQ(ext.at("sourceRepositoryURI"), "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon");
  EXPECT_EQ(ext.at("sourceRepositoryIdentifier"), "632596897");
  EXPECT_EQ(ext.at("buildTrigger"), "workflow_dispatch");
  EXPECT_EQ(ext.at("runInvocationURI"),
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/actions/runs/8347481628/attempts/1");
  EXPECT_EQ(ext.at("sourceRepositoryVisibilityAtSigning"), "public");
  EXPECT_EQ(ext.size(), 20u) << "every Fulcio extension .1.1-.1.22 except .1.7 (the otherName type), issuer (.1.1, .1.8) once";
  EXPECT_EQ(facts->not_before, utc(2024, 3, 19, 17, 26, 26));
  EXPECT_EQ(facts->not_after, utc(2024, 3, 19, 17, 36, 26));
}

TEST(CertificateFacts, EmailSanAndLegacyIssuer) {
  REQUIRE_SHARED_DATA();
  auto facts = certificate_facts(leaf_of("bundle-with-root-cert_fail"));
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->subject_alternative_name, "a@tny.town");
  EXPECT_EQ(facts->san_type, "email");
  EXPECT_FALSE(facts->issuer.empty());
}

TEST(CertificateFacts, PublicKeyOfTheLeaf) {
  REQUIRE_SHARED_DATA();
  auto key = certificate_public_key(leaf_of("happy-path-v0.3"));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->algorithm(), KeyAlgorithm::ecdsa_p256);
}

TEST(CertificateFacts, BadDerIsRefused) {
  for (std::string_view der : {std::string_view(""), std::string_view("garbage"), std::string_view("\x30\x03\x02\x01", 4)}) {
    auto facts = certificate_facts(der);
    ASSERT_FALSE(facts);
    EXPECT_EQ(facts.error().category, ErrorCategory::input);
    EXPECT_EQ(facts.error().message, "certificate: not a DER X.509 certificate");
    EXPECT_FALSE(certificate_public_key(der));
    auto chain = verify_certificate_chain(der, TrustedRoot{}, SigstoreTime{});
    ASSERT_FALSE(chain);
    EXPECT_EQ(chain.error().category, ErrorCategory::input);
    EXPECT_EQ(verify_embedded_scts(der, der, TrustedRoot{}).error().category, ErrorCategory::input);
  }
}

TEST(CertificateFacts, TrailingBytesAndTruncationAreRefused) {
  REQUIRE_SHARED_DATA();
  const std::string der = leaf_of("happy-path-v0.3");
  EXPECT_FALSE(certificate_facts(der + std::string(1, '\0')));
  EXPECT_FALSE(certificate_facts(der.substr(0, der.size() - 1)));
  EXPECT_FALSE(certificate_public_key(der + "x"));
}

// ---- chain ----

TEST(CertificateChain, VerifiesAtNotBeforeWithThePublicGoodRoot) {
  REQUIRE_SHARED_DATA();
  const TrustedRoot root = public_good();
  const std::string leaf = leaf_of("happy-path-v0.3");
  auto chain = verify_certificate_chain(leaf, root, not_before(leaf));
  ASSERT_TRUE(chain) << chain.error().message;
  // Issuer first: the sigstore-intermediate, then the root, exactly as the trusted root lists them.
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[0], root.certificate_authorities[1].chain_der[0]);
  EXPECT_EQ((*chain)[1], root.certificate_authorities[1].chain_der[1]);
  // notAfter itself still counts (RFC 5280, as Go and sigstore-go read it); a second later does not.
  EXPECT_TRUE(verify_certificate_chain(leaf, root, not_before(leaf) + minutes(10)));
  expect_denied(verify_certificate_chain(leaf, root, not_before(leaf) + minutes(10) + seconds(1)),
                "certificate: not valid at 2024-03-19T17:36:27Z");
}

TEST(CertificateChain, RefusedOutsideTheLeafsValidity) {
  REQUIRE_SHARED_DATA();
  const std::string leaf = leaf_of("happy-path-v0.3");
  expect_denied(verify_certificate_chain(leaf, public_good(), not_before(leaf) + days(365)),
                "certificate: not valid at 2025-03-19T17:26:26Z");
  expect_denied(verify_certificate_chain(leaf, public_good(), not_before(leaf) - seconds(1)),
                "certificate: not valid at 2024-03-19T17:26:25Z");
}

TEST(CertificateChain, RefusedWithAnotherRoot) {
  REQUIRE_SHARED_DATA();
  const std::string leaf = leaf_of("happy-path-v0.3");
  expect_denied(verify_certificate_chain(leaf, root_of("intoto-with-custom-trust-root"), not_before(leaf)),
                "certificate: not issued by a trusted Fulcio CA");
  expect_denied(verify_certificate_chain(leaf, TrustedRoot{}, not_before(leaf)),
                "certificate: not issued by a trusted Fulcio CA");
  // The 2021 authority alone (root only, no intermediate) does not make the intermediate trusted,
  // even though the bundle of bundle-with-root-cert_fail carries the whole chain.
  TrustedRoot old_only = public_good();
  old_only.certificate_authorities.resize(1);
  expect_denied(verify_certificate_chain(leaf, old_only, not_before(leaf)),
                "certificate: not issued by a trusted Fulcio CA");
}

TEST(CertificateChain, EveryVerifiedTimeMustLieInsideThePath) {
  REQUIRE_SHARED_DATA();
  const TrustedRoot root = public_good();
  const std::string leaf = leaf_of("happy-path-v0.3");
  const SigstoreTime start = not_before(leaf);
  // Both ends of the leaf's life: one path check, the second time only re-checks validity.
  const std::vector<SigstoreTime> inside = {start, start + minutes(10)};
  auto chain = verify_certificate_chain(leaf, root, inside);
  ASSERT_TRUE(chain) << chain.error().message;
  EXPECT_EQ(*chain, *verify_certificate_chain(leaf, root, start));
  // Any one time outside refuses, naming that time, whatever its position.
  const std::vector<SigstoreTime> late = {start, start + minutes(10) + seconds(1)};
  expect_denied(verify_certificate_chain(leaf, root, late), "certificate: not valid at 2024-03-19T17:36:27Z");
  const std::vector<SigstoreTime> early = {start + minutes(5), start - seconds(1), start};
  expect_denied(verify_certificate_chain(leaf, root, early), "certificate: not valid at 2024-03-19T17:26:25Z");
  // The authority's window is checked at every time too.
  TrustedRoot closing = root;
  closing.certificate_authorities[1].valid_for.end = start + minutes(1);
  expect_denied(verify_certificate_chain(leaf, closing, inside), "certificate: not valid at 2024-03-19T17:36:26Z");
}

TEST(CertificateChain, RefusedWhenTheAuthorityWindowExcludesTheTime) {
  REQUIRE_SHARED_DATA();
  const std::string leaf = leaf_of("happy-path-v0.3");
  const SigstoreTime at = not_before(leaf);
  TrustedRoot root = public_good();
  root.certificate_authorities[1].valid_for.end = at - seconds(1);
  expect_denied(verify_certificate_chain(leaf, root, at), "certificate: not valid at 2024-03-19T17:26:26Z");
  root.certificate_authorities[1].valid_for.end = at;  // inclusive
  EXPECT_TRUE(verify_certificate_chain(leaf, root, at));
  root.certificate_authorities[1].valid_for = {at + seconds(1), std::nullopt};
  expect_denied(verify_certificate_chain(leaf, root, at), "certificate: not valid at 2024-03-19T17:26:26Z");
}

TEST(CertificateChain, IntermediateAloneIsAnAnchor) {
  REQUIRE_SHARED_DATA();
  const std::string leaf = leaf_of("happy-path-v0.3");
  TrustedRoot root = public_good();
  root.certificate_authorities[1].chain_der.resize(1);  // the intermediate only
  auto chain = verify_certificate_chain(leaf, root, not_before(leaf));
  ASSERT_TRUE(chain) << chain.error().message;
  ASSERT_EQ(chain->size(), 1u);
  EXPECT_EQ((*chain)[0], root.certificate_authorities[1].chain_der[0]);
}

TEST(CertificateChain, ConformanceLeavesWithTheirOwnRoots) {
  REQUIRE_SHARED_DATA();
  // Issued in 2030 by a mock CA whose certificate has expired by then.
  const std::string expired = leaf_of("intoto-expired-certificate_fail");
  auto refused = verify_certificate_chain(expired, root_of("intoto-expired-certificate_fail"), not_before(expired));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().category, ErrorCategory::denied);
  EXPECT_TRUE(refused.error().message.starts_with("certificate: not valid at 2030-01-01T00:00:00Z")) << refused.error().message;

  const std::string custom = leaf_of("intoto-with-custom-trust-root");
  EXPECT_TRUE(verify_certificate_chain(custom, root_of("intoto-with-custom-trust-root"), not_before(custom)));
  const std::string static_ct = leaf_of("bundle-with-sct-with-extensions");
  EXPECT_TRUE(verify_certificate_chain(static_ct, root_of("bundle-with-sct-with-extensions"), not_before(static_ct)));
}

TEST(CertificateChain, RequiresTheCodeSigningEku) {
  test::TestCa ca("fulcio-like test CA");
  TrustedRoot root;
  root.certificate_authorities.push_back({"https://ca.test", "test", "ca", {pem_to_der(ca.cert_pem())}, {}});
  const std::string server = pem_to_der(ca.issue_server({"127.0.0.1"}).cert_pem);  // serverAuth only
  const auto now = time_point_cast<seconds>(system_clock::now());
  expect_denied(verify_certificate_chain(server, root, now), "certificate: no codeSigning extended key usage");
  // The same leaf is not trusted by a root without its CA, whatever its EKU.
  expect_denied(verify_certificate_chain(server, TrustedRoot{}, now), "certificate: not issued by a trusted Fulcio CA");
}

// ---- SCTs ----

TEST(EmbeddedScts, VerifyWithThePublicGoodCtLogs) {
  REQUIRE_SHARED_DATA();
  const TrustedRoot root = public_good();
  for (const std::string name : {"happy-path-v0.3", "invalid-ct-key_fail"}) {
    SCOPED_TRACE(name);
    const std::string leaf = leaf_of(name);
    auto chain = verify_certificate_chain(leaf, root, not_before(leaf));
    ASSERT_TRUE(chain) << chain.error().message;
    auto scts = verify_embedded_scts(leaf, chain->front(), root);
    EXPECT_TRUE(scts) << scts.error().message;
  }
}

TEST(EmbeddedScts, StaticCtSctWithExtensionsVerifies) {
  REQUIRE_SHARED_DATA();
  const TrustedRoot root = root_of("bundle-with-sct-with-extensions");
  const std::string leaf = leaf_of("bundle-with-sct-with-extensions");
  auto chain = verify_certificate_chain(leaf, root, not_before(leaf));
  ASSERT_TRUE(chain) << chain.error().message;
  auto scts = verify_embedded_scts(leaf, chain->front(), root);
  EXPECT_TRUE(scts) << scts.error().message;
}

TEST(EmbeddedScts, RefusedWithoutATrustedLog) {
  REQUIRE_SHARED_DATA();
  const std::string leaf = leaf_of("invalid-ct-key_fail");
  const TrustedRoot good = public_good();
  auto chain = verify_certificate_chain(leaf, good, not_before(leaf));
  ASSERT_TRUE(chain) << chain.error().message;
  const std::string issuer = chain->front();
  const std::string no_sct = "certificate: no SCT verifies with a trusted CT log";

  auto wrong_key = verify_embedded_scts(leaf, issuer, root_of("invalid-ct-key_fail"));
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(wrong_key.error().category, ErrorCategory::denied);
  EXPECT_EQ(wrong_key.error().message, no_sct);

  TrustedRoot empty = good;
  empty.ctlogs.clear();
  auto none = verify_embedded_scts(leaf, issuer, empty);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, no_sct);

  // The log exists but its window ends before the SCT was issued (2023-07-12).
  TrustedRoot expired = good;
  for (auto& log : expired.ctlogs) log.valid_for.end = utc(2023, 1, 1, 0, 0, 0);
  auto late = verify_embedded_scts(leaf, issuer, expired);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().message, no_sct);

  // The issuer key is part of what the log signed: the root CA in its place breaks the SCT.
  auto wrong_issuer = verify_embedded_scts(leaf, chain->back(), good);
  ASSERT_FALSE(wrong_issuer);
  EXPECT_EQ(wrong_issuer.error().message, no_sct);
}

TEST(EmbeddedScts, LeafWithoutSctsIsRefused) {
  test::TestCa ca;
  const std::string leaf = pem_to_der(ca.issue_server({"127.0.0.1"}).cert_pem);
  auto result = verify_embedded_scts(leaf, pem_to_der(ca.cert_pem()), TrustedRoot{});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::denied);
  EXPECT_EQ(result.error().message, "certificate: no embedded SCT");
}

// ---- identity ----

CertificateFacts beacon_facts() {
  CertificateFacts facts;
  facts.subject_alternative_name = kIdentity;
  facts.san_type = "uri";
  facts.issuer = kIssuer;
  facts.extensions = {{"issuer", kIssuer},
                      {"githubWorkflowTrigger", "workflow_dispatch"},
                      {"githubWorkflowSHA", "c7b3dfb335f051e1c86bda4c716fac97df62ad81"},
                      {"githubWorkflowName", "Extremely dangerous OIDC beacon"},
                      {"githubWorkflowRepository", "sigstore-conformance/extremely-dangerous-public-oidc-beacon"},
                      {"githubWorkflowRef", "refs/heads/main"}};
  return facts;
}

void expect_mismatch(const IdentityPolicy& policy, std::string_view message) {
  auto result = match_identity(beacon_facts(), policy);
  ASSERT_FALSE(result) << "matched";
  EXPECT_EQ(result.error().category, ErrorCategory::denied);
  EXPECT_EQ(result.error().message, message);
}

TEST(IdentityPolicy, ExactIdentityAndIssuer) {
  IdentityPolicy policy;
  EXPECT_TRUE(policy.empty());
  EXPECT_TRUE(match_identity(beacon_facts(), policy));
  policy.identity = kIdentity;
  policy.issuer = kIssuer;
  EXPECT_FALSE(policy.empty());
  EXPECT_TRUE(match_identity(beacon_facts(), policy));

  IdentityPolicy other = policy;
  other.identity = "https://github.com/sigstore-conformance";  // a prefix is not the identity
  expect_mismatch(other, "certificate identity \"" + kIdentity + "\" does not match \"https://github.com/sigstore-conformance\"");
  other = policy;
  other.issuer = "https://accounts.google.com";
  expect_mismatch(other, "certificate issuer \"" + kIssuer + "\" does not match \"https://accounts.google.com\"");
}

TEST(IdentityPolicy, RegexpsMatchAnywhere) {
  IdentityPolicy policy;
  policy.identity_regexp = "extremely-dangerous-public-oidc-beacon";  // unanchored, as cosign's
  policy.issuer_regexp = R"(^https://token\.actions\.githubusercontent\.com$)";
  EXPECT_TRUE(match_identity(beacon_facts(), policy));
  policy.identity_regexp = "^https://github\\.com/evil/";
  expect_mismatch(policy, "certificate identity \"" + kIdentity + "\" does not match regexp \"^https://github\\.com/evil/\"");
  policy.identity_regexp = ".*";
  policy.issuer_regexp = "gitlab";
  expect_mismatch(policy, "certificate issuer \"" + kIssuer + "\" does not match regexp \"gitlab\"");
  // Exact and regexp together: both must hold.
  policy = {};
  policy.identity = kIdentity;
  policy.identity_regexp = "nomatch";
  expect_mismatch(policy, "certificate identity \"" + kIdentity + "\" does not match regexp \"nomatch\"");
}

TEST(IdentityPolicy, InvalidRegexpIsAUsageError) {
  for (const std::string pattern : {"(", "[a-", "*x"}) {
    IdentityPolicy policy;
    policy.identity = "https://other";  // would mismatch, but the broken pattern is reported first
    policy.issuer_regexp = pattern;
    auto result = match_identity(beacon_facts(), policy);
    ASSERT_FALSE(result) << pattern;
    EXPECT_EQ(result.error().category, ErrorCategory::usage);
    EXPECT_TRUE(result.error().message.starts_with("invalid issuer regexp \"" + pattern + "\"")) << result.error().message;
    EXPECT_EQ(result.error().message.find('\n'), std::string::npos);
  }
}

TEST(IdentityPolicy, GithubWorkflowExtensionsCompareExactly) {
  IdentityPolicy policy;
  policy.github_workflow_trigger = "workflow_dispatch";
  policy.github_workflow_sha = "c7b3dfb335f051e1c86bda4c716fac97df62ad81";
  policy.github_workflow_name = "Extremely dangerous OIDC beacon";
  policy.github_workflow_repository = "sigstore-conformance/extremely-dangerous-public-oidc-beacon";
  policy.github_workflow_ref = "refs/heads/main";
  EXPECT_FALSE(policy.empty());
  EXPECT_TRUE(match_identity(beacon_facts(), policy));

  IdentityPolicy other = policy;
  other.github_workflow_ref = "refs/heads/release";
  expect_mismatch(other, "certificate githubWorkflowRef \"refs/heads/main\" does not match \"refs/heads/release\"");
  other = policy;
  other.github_workflow_repository = "sigstore-conformance";
  expect_mismatch(other, "certificate githubWorkflowRepository \"sigstore-conformance/extremely-dangerous-public-oidc-beacon\" "
                         "does not match \"sigstore-conformance\"");
  other = policy;
  other.github_workflow_sha = "0000";
  expect_mismatch(other, "certificate githubWorkflowSHA \"c7b3dfb335f051e1c86bda4c716fac97df62ad81\" does not match \"0000\"");

  CertificateFacts bare = beacon_facts();
  bare.extensions.clear();
  auto missing = match_identity(bare, policy);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "certificate githubWorkflowTrigger \"\" does not match \"workflow_dispatch\"");
}

TEST(IdentityPolicy, RealLeafMatchesTheConformanceIdentity) {
  REQUIRE_SHARED_DATA();
  auto facts = certificate_facts(leaf_of("happy-path-v0.3"));
  ASSERT_TRUE(facts) << facts.error().message;
  IdentityPolicy policy;
  policy.identity = kIdentity;
  policy.issuer = kIssuer;
  policy.github_workflow_trigger = "workflow_dispatch";
  EXPECT_TRUE(match_identity(*facts, policy));
  auto email = certificate_facts(leaf_of("bundle-with-root-cert_fail"));
  ASSERT_TRUE(email);
  EXPECT_FALSE(match_identity(*email, policy));
}

TEST(RegexpAnchoring, WarnsUnlessAnchoredAtBothEnds) {
  EXPECT_FALSE(regexp_is_unanchored(""));
  EXPECT_FALSE(regexp_is_unanchored("^https://github\\.com/org/repo/.*$"));
  EXPECT_FALSE(regexp_is_unanchored("^$"));
  EXPECT_FALSE(regexp_is_unanchored("^a\\\\$")) << "an escaped backslash, then the anchor";
  EXPECT_TRUE(regexp_is_unanchored("github.com/org"));
  EXPECT_TRUE(regexp_is_unanchored("^https://github.com/org"));
  EXPECT_TRUE(regexp_is_unanchored("https://github.com/org$"));
  EXPECT_TRUE(regexp_is_unanchored("^price\\$")) << "an escaped dollar is no anchor";
  EXPECT_TRUE(regexp_is_unanchored("$"));
}

}  // namespace
}  // namespace sigil::sign
