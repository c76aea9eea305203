// cosign image-signature formats: the v3 statement and the legacy simple-signing payload byte for
// byte (sigstore's own test vectors), the bundle referrer layout, the legacy .sig manifest, and
// verify_image's per-candidate results on a layout.
#include "sign/cosign_image.hpp"

#include <gtest/gtest.h>

#include "common/base64.hpp"
#include "oci/layout_store.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "sign/image_verify.hpp"
#include "sign/statement.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::sign {
namespace {

const char* kVectorDigest = "sha256:d34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33f";

oci::Digest vector_digest() { return *oci::Digest::parse(kVectorDigest); }

TEST(CosignImage, StatementAsCosignV3WritesIt) {
  EXPECT_EQ(
      image_signature_statement(vector_digest(), {}),
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"d34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33f"},"annotations":{}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}})");
  std::string with = image_signature_statement(vector_digest(), {{"z", "1"}, {"a", "b"}});
  EXPECT_NE(with.find(R"("annotations":{"a":"b","z":"1"})"), std::string::npos) << with;
  auto parsed = parse_statement(with);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->predicate_type, kCosignSignPredicateType);
  EXPECT_TRUE(has_subject_digest(*parsed, vector_digest()));
  ASSERT_EQ(parsed->subjects.size(), 1u);
  EXPECT_TRUE(parsed->subjects[0].name.empty());
  EXPECT_EQ(parsed->subjects[0].annotations["a"], "b");
}

TEST(CosignImage, SimpleSigningMatchesSigstoreVectors) {
  // sigstore/sigstore pkg/signature/payload TestMarshalCosign "no claims".
  EXPECT_EQ(
      simple_signing_payload("example.com/test/image", vector_digest(), {}),
      R"({"critical":{"identity":{"docker-reference":"example.com/test/image"},"image":{"docker-manifest-digest":"sha256:d34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33f"},"type":"cosign container image signature"},"optional":null})");
  EXPECT_EQ(
      simple_signing_payload("example.com/atomic/test/image", vector_digest(), {{"creator", "atomic"}}),
      R"({"critical":{"identity":{"docker-reference":"example.com/atomic/test/image"},"image":{"docker-manifest-digest":"sha256:d34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33f"},"type":"cosign container image signature"},"optional":{"creator":"atomic"}})");
}

TEST(CosignImage, ParseSimpleSigning) {
  auto p = parse_simple_signing(
      R"({"critical":{"identity":{"docker-reference":"example.com/cosign/test/image"},"image":{"docker-manifest-digest":"sha256:d34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33f"},"type":"cosign container image signature"},"optional":{"CamelCase WithSpace":8.314,"creator":"anyone"}})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->docker_reference, "example.com/cosign/test/image");
  EXPECT_EQ(p->image, vector_digest());
  EXPECT_EQ(p->optional["creator"], "anyone");
  // sigstore's "unknown type" vector is refused.
  auto other = parse_simple_signing(
      R"({"critical":{"identity":{"docker-reference":"example.com/atomic/test/image"},"image":{"docker-manifest-digest":"sha256:d34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33f"},"type":"atomic container signature"},"optional":{}})");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().category, ErrorCategory::input);
  EXPECT_FALSE(parse_simple_signing(R"({"critical":{"type":"cosign container image signature"}})"));
  EXPECT_FALSE(parse_simple_signing("not json"));
  EXPECT_FALSE(parse_simple_signing("[]"));
}

TEST(CosignImage, AnnotationsAndTags) {
  auto kv = parse_annotation("env=prod=eu");
  ASSERT_TRUE(kv);
  EXPECT_EQ(kv->first, "env");
  EXPECT_EQ(kv->second, "prod=eu");
  EXPECT_FALSE(parse_annotation("novalue"));
  EXPECT_FALSE(parse_annotation("=x"));
  EXPECT_EQ(legacy_signature_tag(vector_digest()),
            "sha256-d34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33f.sig");
  EXPECT_EQ(legacy_attestation_tag(vector_digest()),
            "sha256-d34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33f.att");
}

SignImageOptions with_annotations(SignatureAnnotations annotations) {
  SignImageOptions o;
  o.annotations = std::move(annotations);
  return o;
}

ImageVerifyOptions requiring(SignatureAnnotations annotations) {
  ImageVerifyOptions o;
  o.required_annotations = std::move(annotations);
  return o;
}

class SignedLayout : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = oci::LayoutStore::open(dir_ / "layout", true);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto image = test::write_test_image(*store_, {.tag = "v1"});
    ASSERT_TRUE(image) << image.error().message;
    image_ = image->manifest;
    auto key = generate_private_key(KeyAlgorithm::ecdsa_p256);
    ASSERT_TRUE(key);
    public_ = std::make_unique<PublicKey>(key->public_key());
    signer_ = std::make_unique<KeySigner>(std::move(*key));
    trusted_.keys.push_back(key_copy(*public_));
  }

  static PublicKey key_copy(const PublicKey& key) { return *load_public_key(key.to_pem()); }

  test::TempDir dir_;
  std::unique_ptr<oci::LayoutStore> store_;
  oci::Descriptor image_;
  std::unique_ptr<PublicKey> public_;
  std::unique_ptr<KeySigner> signer_;
  TrustedMaterial trusted_;
};

TEST_F(SignedLayout, BundleReferrerLayout) {
  SignImageOptions options;
  options.annotations = {{"env", "prod"}};
  options.created = "2024-05-06T07:08:09Z";
  auto signed_image = sign_image(*signer_, *store_, image_, options);
  ASSERT_TRUE(signed_image) << signed_image.error().message;
  const oci::Descriptor& ref = signed_image->referrer;
  EXPECT_EQ(ref.artifact_type, kBundleMediaTypeV03);
  EXPECT_EQ(ref.annotations.at("dev.sigstore.bundle.content"), "dsse-envelope");
  EXPECT_EQ(ref.annotations.at("dev.sigstore.bundle.predicateType"), kCosignSignPredicateType);
  EXPECT_EQ(ref.annotations.at("org.opencontainers.image.created"), "2024-05-06T07:08:09Z");
  EXPECT_FALSE(signed_image->legacy.has_value());

  auto raw = store_->fetch_manifest(ref);
  ASSERT_TRUE(raw);
  auto m = oci::Manifest::parse(*raw);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->config.media_type, oci::media_type::kOciEmpty);
  EXPECT_EQ(m->config.size, 2);
  ASSERT_TRUE(m->subject.has_value());
  EXPECT_EQ(m->subject->digest, image_.digest);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].media_type, kBundleMediaTypeV03);
  EXPECT_EQ(m->layers[0].annotations.at("org.opencontainers.image.title"),
            "sha256-" + m->layers[0].digest.hex() + ".sigstore.json");
  auto bytes = store_->fetch_blob_bytes(m->layers[0], 1 << 20);
  ASSERT_TRUE(bytes);
  auto bundle = parse_bundle(*bytes);
  ASSERT_TRUE(bundle) << bundle.error().message;
  const auto& envelope = std::get<Envelope>(bundle->content);
  EXPECT_EQ(envelope.payload_type, kInTotoPayloadType);
  EXPECT_EQ(envelope.payload, signed_image->statement);
  auto facts = verify_bundle(*bundle, ArtifactRef{std::nullopt, image_.digest}, trusted_);
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->key_id, public_->key_id());
}

TEST_F(SignedLayout, LegacySignaturesAppendAndVerify) {
  SignImageOptions options;
  options.legacy_tag = true;
  options.docker_reference = "example.com/app";
  ASSERT_TRUE(sign_image(*signer_, *store_, image_, options));
  options.annotations = {{"n", "2"}};
  auto second = sign_image(*signer_, *store_, image_, options);
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_TRUE(second->legacy.has_value());
  std::size_t total = 0;
  auto layers = read_legacy_layers(*store_, legacy_signature_tag(image_.digest), 10, total);
  ASSERT_TRUE(layers) << layers.error().message;
  ASSERT_TRUE(layers->has_value());
  EXPECT_EQ(total, 2u);
  ASSERT_EQ((*layers)->size(), 2u);
  for (const auto& l : **layers) {
    EXPECT_EQ(l.layer.media_type, kSimpleSigningMediaType);
    EXPECT_TRUE(l.problem.empty()) << l.problem;
    auto p = parse_simple_signing(l.payload);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->docker_reference, "example.com/app");
  }
  auto none = read_legacy_layers(*store_, legacy_signature_tag(oci::Digest::of("other")), 10, total);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  auto v = verify_image(*store_, image_, trusted_, {});
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->found, 4u);  // two referrers, two legacy layers
  EXPECT_EQ(v->verified_count(), 4u);
}

TEST_F(SignedLayout, VerifyReportsEachCandidate) {
  ASSERT_TRUE(sign_image(*signer_, *store_, image_, with_annotations({{"env", "prod"}})));
  // Another statement signed by the same key, honestly labelled: an attestation, not a candidate.
  Statement other;
  other.subjects.push_back(Subject{"", {{"sha256", image_.digest.hex()}}, nullptr});
  other.predicate_type = "https://slsa.dev/provenance/v1";
  auto bundle = sign_dsse_bundle(*signer_, kInTotoPayloadType, serialize_statement(other));
  ASSERT_TRUE(bundle);
  ASSERT_TRUE(attach_bundle(*store_, image_, *bundle, "https://slsa.dev/provenance/v1", ""));
  // The same, mislabelled as a signature: examined and refused for its predicate type.
  ASSERT_TRUE(attach_bundle(*store_, image_, *bundle, kCosignSignPredicateType, ""));

  auto v = verify_image(*store_, image_, trusted_, requiring({{"env", "prod"}}));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->found, 2u);
  EXPECT_EQ(v->verified_count(), 1u);
  bool saw_refusal = false;
  for (const auto& c : v->candidates) {
    if (c.ok) {
      EXPECT_EQ(c.key_id, public_->key_id());
      EXPECT_EQ(c.annotations["env"], "prod");
    } else {
      saw_refusal = true;
      EXPECT_NE(c.reason.find("is not an image signature"), std::string::npos) << c.reason;
    }
  }
  EXPECT_TRUE(saw_refusal);

  auto mismatch = verify_image(*store_, image_, trusted_, requiring({{"env", "dev"}}));
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->verified_count(), 0u);

  auto wrong = generate_private_key(KeyAlgorithm::ecdsa_p256);
  ASSERT_TRUE(wrong);
  TrustedMaterial wrong_trust;
  wrong_trust.keys.push_back(wrong->public_key());
  auto refused = verify_image(*store_, image_, wrong_trust, {});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->verified_count(), 0u);
  for (const auto& c : refused->candidates) {
    EXPECT_NE(c.reason.find("no trusted key verifies"), std::string::npos) << c.reason;
  }
}

TEST_F(SignedLayout, CandidatesBeyondTheBoundAreCountedNotExamined) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(sign_image(*signer_, *store_, image_, with_annotations({{"i", std::to_string(i)}})));
  }
  ImageVerifyOptions bounded;
  bounded.max_candidates = 3;
  auto v = verify_image(*store_, image_, trusted_, bounded);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->found, 5u);
  EXPECT_EQ(v->candidates.size(), 3u);
  EXPECT_TRUE(v->truncated());
}

}  // namespace
}  // namespace sigil::sign
