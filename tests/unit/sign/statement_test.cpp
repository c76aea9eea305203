#include "sign/statement.hpp"

#include <gtest/gtest.h>

namespace sigil::sign {
namespace {

const oci::Digest kDigest = oci::Digest::of("image manifest");

Statement cosign_image_signature() {
  Statement statement;
  Subject subject;
  subject.name = "registry.example/app";
  subject.digest["sha256"] = kDigest.hex();
  statement.subjects.push_back(subject);
  statement.predicate_type = "https://sigstore.dev/cosign/sign/v1";
  return statement;
}

// Member order and compactness are what in-toto's Go types write; B's image signatures and the
// provenance statements rely on these exact bytes.
TEST(Statement, SerializesInGoMemberOrder) {
  Statement statement = cosign_image_signature();
  statement.subjects[0].digest["sha512"] = std::string(128, 'a');
  statement.subjects[0].annotations = nlohmann::ordered_json{{"z", "last"}, {"a", "first"}};
  EXPECT_EQ(serialize_statement(statement),
            "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"registry.example/app\","
            "\"digest\":{\"sha256\":\"" + kDigest.hex() + "\",\"sha512\":\"" + std::string(128, 'a') +
                "\"},\"annotations\":{\"a\":\"first\",\"z\":\"last\"}}],"
                "\"predicateType\":\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}");
}

TEST(Statement, EmptyNameAndAnnotationsAreLeftOut) {
  Statement statement = cosign_image_signature();
  statement.subjects[0].name.clear();
  const std::string json = serialize_statement(statement);
  EXPECT_EQ(json.find("\"name\""), std::string::npos) << json;
  EXPECT_EQ(json.find("annotations"), std::string::npos) << json;
}

TEST(Statement, RoundTripKeepsEverything) {
  Statement statement = cosign_image_signature();
  statement.subjects[0].annotations = nlohmann::ordered_json{{"env", "prod"}};
  statement.predicate = nlohmann::ordered_json{{"buildType", "x"}, {"a", {1, 2}}};
  auto parsed = parse_statement(serialize_statement(statement));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->type, kStatementTypeV1);
  ASSERT_EQ(parsed->subjects.size(), 1u);
  EXPECT_EQ(parsed->subjects[0].name, "registry.example/app");
  EXPECT_EQ(parsed->subjects[0].digest.at("sha256"), kDigest.hex());
  EXPECT_EQ(parsed->subjects[0].annotations["env"], "prod");
  EXPECT_EQ(parsed->predicate_type, "https://sigstore.dev/cosign/sign/v1");
  EXPECT_EQ(parsed->predicate.dump(), "{\"buildType\":\"x\",\"a\":[1,2]}");  // the producer's order
  EXPECT_EQ(serialize_statement(*parsed), serialize_statement(statement));
}

TEST(Statement, AcceptsV01WithoutPredicate) {
  auto parsed = parse_statement(
      R"({"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"a","digest":{"sha256":"ab"}}],"predicateType":"p"})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->type, kStatementTypeV01);
  EXPECT_TRUE(parsed->predicate.is_object());
}

TEST(Statement, RefusesMalformed) {
  const std::pair<const char*, const char*> cases[] = {
      {"not json", "invalid JSON"},
      {"[]", "not a JSON object"},
      {R"({"subject":[{"digest":{"sha256":"ab"}}],"predicateType":"p"})", "missing _type"},
      {R"({"_type":"https://example/other","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"p"})",
       "unknown _type"},
      {R"({"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"})", "has no subjects"},
      {R"({"_type":"https://in-toto.io/Statement/v1","predicateType":"p"})", "missing subject"},
      {R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a"}],"predicateType":"p"})",
       "has no digest"},
      {R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{}}],"predicateType":"p"})",
       "digest is empty"},
      {R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":1}}],"predicateType":"p"})",
       "is not a string"},
      {R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ab"}}]})",
       "missing predicateType"},
      {R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"p","predicate":[1]})",
       "predicate is not an object"},
  };
  for (const auto& [json, reason] : cases) {
    auto parsed = parse_statement(json);
    ASSERT_FALSE(parsed) << json;
    EXPECT_EQ(parsed.error().category, ErrorCategory::input) << json;
    EXPECT_NE(parsed.error().message.find(reason), std::string::npos) << json << " → " << parsed.error().message;
    EXPECT_EQ(parsed.error().message.rfind("in-toto statement", 0), 0u) << parsed.error().message;
  }
}

TEST(Statement, RefusesHostileNesting) {
  std::string deep(10000, '[');
  auto parsed = parse_statement(deep);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().category, ErrorCategory::input);
}

TEST(Statement, SubjectDigestMatching) {
  Statement statement = cosign_image_signature();
  EXPECT_TRUE(has_subject_digest(statement, kDigest));
  EXPECT_FALSE(has_subject_digest(statement, oci::Digest::of("another image")));
  EXPECT_FALSE(has_subject_digest(statement, oci::Digest::of("image manifest", oci::DigestAlgorithm::sha512)));
  EXPECT_FALSE(has_subject_digest(statement, oci::Digest()));
  // Some producers write upper-case hex; the digest is the same.
  std::string upper = kDigest.hex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  statement.subjects[0].digest["sha256"] = upper;
  EXPECT_TRUE(has_subject_digest(statement, kDigest));
}

}  // namespace
}  // namespace sigil::sign
