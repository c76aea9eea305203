#include "sign/timestamp.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "common/base64.hpp"
#include "common/file.hpp"
#include "common/json.hpp"
#include "common/limits.hpp"
#include "common/openssl_ptr.hpp"
#include "sign/trusted_root.hpp"

namespace sigil::sign {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

template <auto Free>
using Owned = sigil::detail::OpensslDeleter<Free>;
using TsReqPtr = std::unique_ptr<TS_REQ, Owned<TS_REQ_free>>;
using TsRespPtr = std::unique_ptr<TS_RESP, Owned<TS_RESP_free>>;
using TsRespCtxPtr = std::unique_ptr<TS_RESP_CTX, Owned<TS_RESP_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Owned<BN_free>>;

// ---------------------------------------------------------------------------------------------
// A throw-away timestamp authority made with OpenSSL: a root CA, a TSA leaf it issues, and
// TS_RESP_CTX answering TimeStampReqs with a chosen genTime.

SigstoreTime now_seconds() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::time_t to_time_t(SigstoreTime t) { return static_cast<std::time_t>(t.time_since_epoch().count()); }

PkeyPtr make_ec_key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) throw std::runtime_error("EVP_EC_gen");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) throw std::runtime_error("X509_add_ext");
  X509_EXTENSION_free(ext);
}

struct CertSpec {
  std::string common_name;
  SigstoreTime not_before;
  SigstoreTime not_after;
  bool ca = false;
  const char* eku = "critical,timeStamping";  // leaf only; nullptr for none
};

// Issues `spec` for `key`, signed by `issuer_key` (self-signed when issuer is null).
X509Ptr make_cert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                  const ASN1_INTEGER* serial_number = nullptr) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  if (serial_number != nullptr) {
    std::unique_ptr<ASN1_INTEGER, Owned<ASN1_INTEGER_free>> copy(ASN1_INTEGER_dup(serial_number));
    X509_set_serialNumber(cert.get(), copy.get());
  } else {
    BignumPtr serial(BN_new());
    BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
    BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("sigil test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), to_time_t(spec.not_before));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), to_time_t(spec.not_after));
  X509_set_pubkey(cert.get(), key);
  X509* issuer_cert = issuer != nullptr ? issuer : cert.get();
  if (spec.ca) {
    add_ext(cert.get(), issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(cert.get(), issuer_cert, NID_key_usage, "critical,digitalSignature");
    if (spec.eku != nullptr) add_ext(cert.get(), issuer_cert, NID_ext_key_usage, spec.eku);
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    throw std::runtime_error("X509_sign");
  }
  return cert;
}

std::string der_of(X509* cert) {
  unsigned char* out = nullptr;
  const int len = i2d_X509(cert, &out);
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return der;
}

class TestTsa {
 public:
  struct Options {
    SigstoreTime leaf_not_before = now_seconds() - 24h;
    SigstoreTime leaf_not_after = now_seconds() + 24h;
    const char* leaf_eku = "critical,timeStamping";
  };

  TestTsa() : TestTsa(Options{}) {}
  explicit TestTsa(const Options& options)
      : root_key_(make_ec_key()), leaf_key_(make_ec_key()) {
    root_ = make_cert({"test TSA root", now_seconds() - 240h, now_seconds() + 240h, true}, root_key_.get(),
                      nullptr, nullptr);
    leaf_ = make_cert({"test TSA", options.leaf_not_before, options.leaf_not_after, false, options.leaf_eku},
                      leaf_key_.get(), root_.get(), root_key_.get());
    options_ = options;
  }

  /// The TSA certificate again (same key, issuer, serial and validity) with another EKU.
  X509Ptr twin_leaf(const char* eku) const {
    return make_cert({"test TSA", options_.leaf_not_before, options_.leaf_not_after, false, eku},
                     leaf_key_.get(), root_.get(), root_key_.get(), X509_get0_serialNumber(leaf_.get()));
  }

  /// A TimeStampResp for `request` (DER) with genTime `when`.
  std::string respond(const std::string& request, SigstoreTime when) const {
    TsRespCtxPtr ctx(TS_RESP_CTX_new());
    TS_RESP_CTX_set_signer_cert(ctx.get(), leaf_.get());
    TS_RESP_CTX_set_signer_key(ctx.get(), leaf_key_.get());
    TS_RESP_CTX_set_signer_digest(ctx.get(), EVP_sha256());
    ASN1_OBJECT* policy = OBJ_txt2obj("1.3.6.1.4.1.57264.99.1", 1);
    TS_RESP_CTX_set_def_policy(ctx.get(), policy);
    ASN1_OBJECT_free(policy);
    TS_RESP_CTX_add_md(ctx.get(), EVP_sha256());
    long seconds = static_cast<long>(to_time_t(when));
    TS_RESP_CTX_set_time_cb(ctx.get(), &fixed_time, &seconds);
    BioPtr in(BIO_new_mem_buf(request.data(), static_cast<int>(request.size())));
    TsRespPtr response(TS_RESP_create_response(ctx.get(), in.get()));
    if (!response) throw std::runtime_error("TS_RESP_create_response");
    unsigned char* out = nullptr;
    const int len = i2d_TS_RESP(response.get(), &out);
    std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
    OPENSSL_free(out);
    return der;
  }

  /// The authority as a trusted root lists it: the TSA certificate, then the root.
  CertificateAuthority authority(ValidityWindow window = {}) const {
    return CertificateAuthority{"https://tsa.test/api/v1/timestamp", "sigil test", "test TSA root",
                                {der_of(leaf_.get()), der_of(root_.get())}, window};
  }
  TrustedRoot root(ValidityWindow window = {}) const {
    TrustedRoot root;
    root.timestamp_authorities.push_back(authority(window));
    return root;
  }
  X509* leaf() const { return leaf_.get(); }
  X509* root_cert() const { return root_.get(); }

 private:
  static int fixed_time(TS_RESP_CTX*, void* data, long* sec, long* usec) {
    *sec = *static_cast<long*>(data);
    *usec = 0;
    return 1;
  }

  Options options_;
  PkeyPtr root_key_;
  PkeyPtr leaf_key_;
  X509Ptr root_;
  X509Ptr leaf_;
};

std::string request_for(const std::string& signed_data, bool cert_req = true) {
  auto request = make_timestamp_request(signed_data);
  if (!request) throw std::runtime_error(request.error().message);
  if (cert_req) return *request;
  const auto* p = reinterpret_cast<const unsigned char*>(request->data());
  TsReqPtr parsed(d2i_TS_REQ(nullptr, &p, static_cast<long>(request->size())));
  TS_REQ_set_cert_req(parsed.get(), 0);
  unsigned char* out = nullptr;
  const int len = i2d_TS_REQ(parsed.get(), &out);
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return der;
}

// The TimeStampToken inside a TimeStampResp, as DER.
std::string token_of(const std::string& response) {
  const auto* p = reinterpret_cast<const unsigned char*>(response.data());
  TsRespPtr parsed(d2i_TS_RESP(nullptr, &p, static_cast<long>(response.size())));
  unsigned char* out = nullptr;
  const int len = i2d_PKCS7(TS_RESP_get_token(parsed.get()), &out);
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return der;
}

const std::string kSignature = "\x30\x44\x02\x20 an ECDSA signature over the artifact";

TEST(TimestampRequest, IsSha256ImprintWithCertReqAndRandomNonce) {
  auto first = make_timestamp_request(kSignature);
  auto second = make_timestamp_request(kSignature);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(second) << second.error().message;
  const auto* p = reinterpret_cast<const unsigned char*>(first->data());
  TsReqPtr request(d2i_TS_REQ(nullptr, &p, static_cast<long>(first->size())));
  ASSERT_TRUE(request);
  EXPECT_EQ(p, reinterpret_cast<const unsigned char*>(first->data()) + first->size());
  EXPECT_EQ(TS_REQ_get_version(request.get()), 1);
  EXPECT_EQ(TS_REQ_get_cert_req(request.get()), 1);
  TS_MSG_IMPRINT* imprint = TS_REQ_get_msg_imprint(request.get());
  const ASN1_OBJECT* algorithm = nullptr;
  X509_ALGOR_get0(&algorithm, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
  EXPECT_EQ(OBJ_obj2nid(algorithm), NID_sha256);
  unsigned char expected[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(kSignature.data()), kSignature.size(), expected);
  const ASN1_OCTET_STRING* hashed = TS_MSG_IMPRINT_get_msg(imprint);
  ASSERT_EQ(ASN1_STRING_length(hashed), SHA256_DIGEST_LENGTH);
  EXPECT_EQ(std::memcmp(ASN1_STRING_get0_data(hashed), expected, SHA256_DIGEST_LENGTH), 0);
  ASSERT_NE(TS_REQ_get_nonce(request.get()), nullptr);
  EXPECT_NE(*first, *second) << "two requests carry the same nonce";
}

TEST(Rfc3161Timestamp, RoundTripWithALocalTsa) {
  TestTsa tsa;
  const SigstoreTime when = now_seconds() - 1h;
  const std::string response = tsa.respond(request_for(kSignature), when);
  auto facts = verify_rfc3161_timestamp(response, kSignature, tsa.root());
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->time, when);
  EXPECT_EQ(facts->tsa_uri, "https://tsa.test/api/v1/timestamp");

  // Bundles may carry the bare TimeStampToken as well.
  auto from_token = verify_rfc3161_timestamp(token_of(response), kSignature, tsa.root());
  ASSERT_TRUE(from_token) << from_token.error().message;
  EXPECT_EQ(from_token->time, when);
}

TEST(Rfc3161Timestamp, OtherSignedDataIsRefused) {
  TestTsa tsa;
  const std::string response = tsa.respond(request_for(kSignature), now_seconds());
  auto facts = verify_rfc3161_timestamp(response, kSignature + "x", tsa.root());
  ASSERT_FALSE(facts);
  EXPECT_EQ(facts.error().category, ErrorCategory::denied);
  EXPECT_EQ(facts.error().message, "timestamp: message imprint does not match the signature");
}

TEST(Rfc3161Timestamp, GenTimeOutsideTheTsaCertificateIsRefused) {
  TestTsa tsa;
  for (SigstoreTime when : {now_seconds() - 48h, now_seconds() + 48h}) {
    const std::string response = tsa.respond(request_for(kSignature), when);
    auto facts = verify_rfc3161_timestamp(response, kSignature, tsa.root());
    ASSERT_FALSE(facts);
    EXPECT_EQ(facts.error().category, ErrorCategory::denied);
    EXPECT_NE(facts.error().message.find("outside the authority's validity: certificate CN=test TSA valid from"),
              std::string::npos)
        << facts.error().message;
  }
}

TEST(Rfc3161Timestamp, AnExpiredChainStillVouchesForATimeItCovered) {
  // The TSA certificate expired an hour ago; the token was made while it was valid.
  TestTsa tsa({now_seconds() - 3h, now_seconds() - 1h});
  const SigstoreTime when = now_seconds() - 2h;
  auto facts = verify_rfc3161_timestamp(tsa.respond(request_for(kSignature), when), kSignature, tsa.root());
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->time, when);
}

TEST(Rfc3161Timestamp, AuthorityWindowIsInclusiveAtBothEnds) {
  TestTsa tsa;
  const SigstoreTime when = now_seconds() - 1h;
  const std::string response = tsa.respond(request_for(kSignature), when);
  EXPECT_TRUE(verify_rfc3161_timestamp(response, kSignature, tsa.root({when, when})));
  for (ValidityWindow window : {ValidityWindow{when + 1s, std::nullopt}, ValidityWindow{std::nullopt, when - 1s}}) {
    auto facts = verify_rfc3161_timestamp(response, kSignature, tsa.root(window));
    ASSERT_FALSE(facts);
    EXPECT_EQ(facts.error().category, ErrorCategory::denied);
    EXPECT_NE(facts.error().message.find("timestamp: time " ), std::string::npos);
    EXPECT_NE(facts.error().message.find("outside the authority's validity: authority https://tsa.test"),
              std::string::npos)
        << facts.error().message;
  }
}

TEST(Rfc3161Timestamp, ATsaNotInTheTrustedRootIsRefused) {
  TestTsa tsa;
  TestTsa other;
  const std::string response = tsa.respond(request_for(kSignature), now_seconds());
  for (bool embedded : {true, false}) {
    const std::string unembedded = tsa.respond(request_for(kSignature, false), now_seconds());
    auto facts = verify_rfc3161_timestamp(embedded ? response : unembedded, kSignature, other.root());
    ASSERT_FALSE(facts);
    EXPECT_EQ(facts.error().category, ErrorCategory::denied);
    EXPECT_EQ(facts.error().message.rfind("timestamp: not signed by a trusted timestamp authority", 0), 0u)
        << facts.error().message;
  }
  // The token's own certificates are never anchors: listing only the other TSA's root, with the
  // token embedding its whole path, changes nothing.
  TrustedRoot root = other.root();
  root.timestamp_authorities[0].chain_der = {der_of(other.root_cert())};
  EXPECT_FALSE(verify_rfc3161_timestamp(response, kSignature, root));
}

TEST(Rfc3161Timestamp, TheSignerMustBeTheAuthoritysLeaf) {
  // Same root, another leaf it issued: the trusted root pins the TSA certificate.
  TestTsa tsa;
  TrustedRoot root = tsa.root();
  TestTsa sibling;
  root.timestamp_authorities[0].chain_der[0] = der_of(sibling.leaf());
  auto facts = verify_rfc3161_timestamp(tsa.respond(request_for(kSignature), now_seconds()), kSignature, root);
  ASSERT_FALSE(facts);
  EXPECT_EQ(facts.error().message.rfind("timestamp: not signed by a trusted timestamp authority", 0), 0u);
}

TEST(Rfc3161Timestamp, WithoutEmbeddedCertificateTheTrustedLeafIsUsed) {
  TestTsa tsa;
  const std::string response = tsa.respond(request_for(kSignature, false), now_seconds());
  auto facts = verify_rfc3161_timestamp(response, kSignature, tsa.root());
  ASSERT_TRUE(facts) << facts.error().message;
  // With only the root listed there is no certificate to check the signature with.
  TrustedRoot root = tsa.root();
  root.timestamp_authorities[0].chain_der.erase(root.timestamp_authorities[0].chain_der.begin());
  auto refused = verify_rfc3161_timestamp(response, kSignature, root);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message.rfind("timestamp: not signed by a trusted timestamp authority", 0), 0u);
  // With only the root listed and the certificate embedded, the path is built from the token.
  auto embedded = verify_rfc3161_timestamp(tsa.respond(request_for(kSignature), now_seconds()), kSignature, root);
  EXPECT_TRUE(embedded) << embedded.error().message;
}

TEST(Rfc3161Timestamp, TheLeafNeedsTheTimestampingUsage) {
  // OpenSSL's TSA refuses to sign with such a certificate, so the trusted root lists a twin of the
  // TSA certificate (same key, issuer and serial) with another EKU, and the token embeds none.
  TestTsa tsa;
  const std::string response = tsa.respond(request_for(kSignature, false), now_seconds());
  for (const char* eku : {static_cast<const char*>(nullptr), "critical,codeSigning", "timeStamping",
                          "critical,timeStamping,codeSigning"}) {
    TrustedRoot root = tsa.root();
    root.timestamp_authorities[0].chain_der[0] = der_of(tsa.twin_leaf(eku).get());
    auto facts = verify_rfc3161_timestamp(response, kSignature, root);
    ASSERT_FALSE(facts) << (eku != nullptr ? eku : "no EKU");
    EXPECT_NE(facts.error().message.find("is not for timestamping"), std::string::npos) << facts.error().message;
  }
  // The twin with the right EKU passes the path checks and is then refused by the token's ESS
  // signing-certificate attribute, which names the exact certificate that signed: the refusals
  // above were about the EKU alone.
  TrustedRoot root = tsa.root();
  root.timestamp_authorities[0].chain_der[0] = der_of(tsa.twin_leaf("critical,timeStamping").get());
  auto facts = verify_rfc3161_timestamp(response, kSignature, root);
  ASSERT_FALSE(facts);
  EXPECT_EQ(facts.error().message.find("is not for timestamping"), std::string::npos) << facts.error().message;
  EXPECT_NE(facts.error().message.find("signature does not verify"), std::string::npos) << facts.error().message;
}

TEST(Rfc3161Timestamp, ABrokenSignatureIsRefused) {
  TestTsa tsa;
  std::string token = token_of(tsa.respond(request_for(kSignature), now_seconds()));
  // The ECDSA signature is the last element of the token; flip a bit in its last byte.
  token.back() = static_cast<char>(token.back() ^ 0x01);
  auto facts = verify_rfc3161_timestamp(token, kSignature, tsa.root());
  ASSERT_FALSE(facts);
  EXPECT_EQ(facts.error().category, ErrorCategory::denied);
  EXPECT_EQ(facts.error().message.rfind("timestamp: not signed by a trusted timestamp authority", 0), 0u)
      << facts.error().message;
}

TEST(Rfc3161Timestamp, BadDerIsAOneLineInputError) {
  TestTsa tsa;
  const std::string response = tsa.respond(request_for(kSignature), now_seconds());
  const std::string inputs[] = {
      "",
      "not DER at all",
      response.substr(0, response.size() / 2),
      response.substr(0, response.size() - 1),
      response + std::string(1, '\0'),
      std::string(64, '\x30'),
      token_of(response).substr(0, 40),
  };
  for (const auto& input : inputs) {
    auto facts = verify_rfc3161_timestamp(input, kSignature, tsa.root());
    ASSERT_FALSE(facts) << input.size();
    EXPECT_EQ(facts.error().category, ErrorCategory::input) << facts.error().message;
    EXPECT_EQ(facts.error().message.rfind("timestamp: ", 0), 0u) << facts.error().message;
    EXPECT_EQ(facts.error().message.find('\n'), std::string::npos);
  }
  // Random bytes never crash the parser and never verify.
  std::string noise(300, '\0');
  for (int i = 0; i < 200; ++i) {
    RAND_bytes(reinterpret_cast<unsigned char*>(noise.data()), static_cast<int>(noise.size()));
    noise[0] = '\x30';
    EXPECT_FALSE(verify_rfc3161_timestamp(noise, kSignature, tsa.root()));
  }
}

TEST(Rfc3161Timestamp, ARefusedResponseIsAnInputError) {
  TsRespPtr response(TS_RESP_new());
  TS_STATUS_INFO* status = TS_STATUS_INFO_new();
  TS_STATUS_INFO_set_status(status, TS_STATUS_REJECTION);
  TS_RESP_set_status_info(response.get(), status);
  TS_STATUS_INFO_free(status);
  unsigned char* out = nullptr;
  const int len = i2d_TS_RESP(response.get(), &out);
  const std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  TestTsa tsa;
  auto facts = verify_rfc3161_timestamp(der, kSignature, tsa.root());
  ASSERT_FALSE(facts);
  EXPECT_EQ(facts.error().category, ErrorCategory::input);
  EXPECT_EQ(facts.error().message, "timestamp: the authority refused the request (PKIStatus 2)");
}

TEST(Rfc3161Timestamp, NoTrustedAuthorityMeansNoTrust) {
  TestTsa tsa;
  auto facts = verify_rfc3161_timestamp(tsa.respond(request_for(kSignature), now_seconds()), kSignature,
                                        TrustedRoot{});
  ASSERT_FALSE(facts);
  EXPECT_EQ(facts.error().category, ErrorCategory::denied);
}

// ---------------------------------------------------------------------------------------------
// The Sigstore conformance cases that carry RFC 3161 timestamps.

const fs::path kConformance = SIGIL_SOURCE_DIR "/../shared/testdata/sigstore/conformance";
const fs::path kPublicGood = SIGIL_SOURCE_DIR "/../shared/testdata/sigstore/trusted_root.public-good.json";

struct Case {
  std::string timestamp;    // DER
  std::string signed_data;  // the bundle's signature bytes
  TrustedRoot root;
};

// Loads a case, or returns nullopt after skipping/failing when the data is absent.
std::optional<Case> load_case(const std::string& name) {
  const fs::path dir = kConformance / name;
  if (!fs::exists(dir / "bundle.sigstore.json")) return std::nullopt;
  auto text = read_file(dir / "bundle.sigstore.json", limits::kMaxBundleBytes);
  if (!text) throw std::runtime_error(text.error().message);
  auto bundle = parse_json(*text, name);
  if (!bundle) throw std::runtime_error(bundle.error().message);
  const Json& stamps = (*bundle)["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"];
  const std::string sig = bundle->contains("messageSignature")
                              ? (*bundle)["messageSignature"]["signature"].get<std::string>()
                              : (*bundle)["dsseEnvelope"]["signatures"][0]["sig"].get<std::string>();
  const fs::path root_path = fs::exists(dir / "trusted_root.json") ? dir / "trusted_root.json" : kPublicGood;
  auto root_text = read_file(root_path, limits::kMaxBundleBytes);
  if (!root_text) throw std::runtime_error(root_text.error().message);
  auto root = parse_trusted_root(*root_text);
  if (!root) throw std::runtime_error(root_path.string() + ": " + root.error().message);
  // Some bundles wrap the base64 at 76 columns (as `base64` writes it).
  std::string stamp_text = stamps[0]["signedTimestamp"].get<std::string>();
  std::erase_if(stamp_text, [](char ch) { return ch == '\n' || ch == '\r'; });
  auto stamp = base64_decode(stamp_text);
  auto signature = base64_decode(sig);
  if (!stamp || !signature) throw std::runtime_error(name + ": bad base64");
  return Case{*stamp, *signature, std::move(*root)};
}

#define SIGIL_LOAD_CASE(var, name)                                                   \
  auto var = load_case(name);                                                        \
  if (!var) {                                                                        \
    if (std::getenv("CI") != nullptr) FAIL() << "no conformance data at " << kConformance; \
    GTEST_SKIP() << "no conformance data at " << kConformance;                      \
  }

// gtest names allow only alphanumerics and '_'.
template <class Param>
std::string case_test_name(const ::testing::TestParamInfo<Param>& param_info) {
  std::string name = param_info.param.name;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

struct Verified {
  const char* name;
  const char* gen_time;
  const char* uri;
};

class ConformanceTimestampVerifies : public ::testing::TestWithParam<Verified> {};

TEST_P(ConformanceTimestampVerifies, WithItsTrustedRoot) {
  SIGIL_LOAD_CASE(c, GetParam().name);
  auto facts = verify_rfc3161_timestamp(c->timestamp, c->signed_data, c->root);
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->time, *parse_sigstore_time(GetParam().gen_time));
  EXPECT_EQ(facts->tsa_uri, GetParam().uri);
}

constexpr const char* kStaging = "https://timestamp.sigstage.dev/api/v1/timestamp";
constexpr const char* kLocal = "https://localhost:3000/api/v1/timestamp";

INSTANTIATE_TEST_SUITE_P(
    Cases, ConformanceTimestampVerifies,
    ::testing::Values(Verified{"rekor2-happy-path", "2025-06-12T12:02:20Z", kStaging},
                      Verified{"rekor2-timestamp-with-embedded-cert", "2025-08-06T18:51:36Z", kStaging},
                      Verified{"rekor2-timestamp-without-embedded-cert", "2025-08-06T19:03:51Z", kStaging},
                      // The chain expired minutes after the token; genTime is what counts.
                      Verified{"rekor2-timestamp-with-expired-cert-chain", "2025-08-07T15:32:26Z", kLocal},
                      // genTime equals validFor.end: a closed interval.
                      Verified{"trust-root-tsa-validity-end-inclusive", "2025-06-12T12:02:20Z", kStaging},
                      Verified{"rekor2-dsse-happy-path", "2026-05-13T19:23:33Z", kStaging},
                      // Its failure is the signing certificate's lifetime, not the timestamp.
                      Verified{"rekor2-timestamp-with-incorrect-time_fail", "2025-07-15T10:33:31Z", kStaging}),
    case_test_name<Verified>);

struct Refused {
  const char* name;
  const char* message_start;
};

class ConformanceTimestampIsRefused : public ::testing::TestWithParam<Refused> {};

TEST_P(ConformanceTimestampIsRefused, WithItsReason) {
  SIGIL_LOAD_CASE(c, GetParam().name);
  auto facts = verify_rfc3161_timestamp(c->timestamp, c->signed_data, c->root);
  ASSERT_FALSE(facts) << "verified at " << facts->time.time_since_epoch().count();
  EXPECT_EQ(facts.error().category, ErrorCategory::denied) << facts.error().message;
  EXPECT_EQ(facts.error().message.rfind(GetParam().message_start, 0), 0u) << facts.error().message;
  EXPECT_EQ(facts.error().message.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConformanceTimestampIsRefused,
    ::testing::Values(
        Refused{"rekor2-timestamp-outside-trust-root-tsa-validity_fail",
                "timestamp: time 2025-06-12T12:02:20Z outside the authority's validity: authority "
                "https://timestamp.sigstage.dev/api/v1/timestamp valid from 2025-04-09T00:00:00Z to "
                "2025-06-01T00:00:00Z"},
        Refused{"rekor2-timestamp-outside-tsa-cert-validity_fail",
                "timestamp: time 2025-08-07T15:38:32Z outside the authority's validity: certificate "
                "CN=Test TSA Root valid from 2025-08-07T15:27:08Z to 2025-08-07T15:37:08Z"},
        Refused{"rekor2-timestamp-payload-mismatch_fail", "timestamp: message imprint does not match the signature"},
        Refused{"rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
                "timestamp: not signed by a trusted timestamp authority (signed by CN=www.freetsa.org)"},
        Refused{"rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
                "timestamp: not signed by a trusted timestamp authority (signed by a certificate issued by "
                "CN=www.freetsa.org)"}),
    case_test_name<Refused>);

// Every timestamp the suite carries is well-formed DER: whatever the verdict, never an input error.
TEST(ConformanceTimestamps, AllParse) {
  if (!fs::exists(kConformance)) {
    if (std::getenv("CI") != nullptr) FAIL() << "no conformance data at " << kConformance;
    GTEST_SKIP() << "no conformance data at " << kConformance;
  }
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(kConformance)) {
    auto text = read_file(entry.path() / "bundle.sigstore.json", limits::kMaxBundleBytes);
    if (!text || text->find("\"signedTimestamp\"") == std::string::npos) continue;
    // Its trusted root is what is refused (by parse_trusted_root).
    if (entry.path().filename() == "trust-root-tlog-missing-validity-start_fail") continue;
    auto c = load_case(entry.path().filename().string());
    ASSERT_TRUE(c);
    auto facts = verify_rfc3161_timestamp(c->timestamp, c->signed_data, c->root);
    if (!facts) {
      EXPECT_EQ(facts.error().category, ErrorCategory::denied) << entry.path() << ": " << facts.error().message;
    }
    ++seen;
  }
  EXPECT_GE(seen, 30);
}

}  // namespace
}  // namespace sigil::sign
