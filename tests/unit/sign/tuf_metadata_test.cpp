// TUF metadata parsing and the threshold signature check, on metadata signed in the test.
#include <gtest/gtest.h>

#include "sign/tuf/metadata.hpp"
#include "tuf_test_repo.hpp"

namespace {

using namespace sigil::test::tuf;
using sigil::ErrorCategory;
using sigil::Json;
namespace tuf = sigil::sign::tuf;

TEST(TufMetadata, ThresholdCountsDistinctValidKeysOfTheRole) {
  auto a = make_key();
  auto b = make_key(sigil::sign::KeyAlgorithm::ed25519);
  auto c = make_key();
  auto outsider = make_key();
  Json signed_root = root_signed(1, in_days(30), {{"root", {{&a, &b, &c}, 2}}, {"timestamp", {{&a}}},
                                                  {"snapshot", {{&a}}}, {"targets", {{&a}}}});
  // The outsider's key is in "keys" (it signs timestamps elsewhere) but not in the root role.
  signed_root["keys"][outsider.keyid] = outsider.public_json;

  auto check = [&](const std::vector<const TestKey*>& signers) {
    auto root = tuf::parse_root(sign_metadata(signed_root, signers), "root.json");
    EXPECT_TRUE(root) << root.error().message;
    return tuf::verify_role(*root, "root", root->envelope, "root.json");
  };
  EXPECT_TRUE(check({&a, &b}));      // ECDSA + Ed25519
  EXPECT_TRUE(check({&c, &b, &a}));
  auto one = check({&a});
  ASSERT_FALSE(one);
  EXPECT_EQ(one.error().category, ErrorCategory::denied);
  EXPECT_NE(one.error().message.find("1 of 2 required signatures of role root"), std::string::npos) << one.error().message;
  EXPECT_FALSE(check({&a, &a}));         // the same key twice counts once
  EXPECT_FALSE(check({&a, &outsider}));  // a key outside the role does not count
}

TEST(TufMetadata, ASignatureOverOtherBytesDoesNotCount) {
  auto a = make_key();
  auto b = make_key();
  Json signed_root = root_signed(1, in_days(30), {{"root", {{&a, &b}, 2}}, {"timestamp", {{&a}}},
                                                  {"snapshot", {{&a}}}, {"targets", {{&a}}}});
  auto doc = *sigil::parse_json(sign_metadata(signed_root, {&a, &b}), "t");
  doc["signed"]["version"] = 2;  // signatures were made over version 1
  auto root = tuf::parse_root(sigil::dump_json(doc), "root.json");
  ASSERT_TRUE(root);
  EXPECT_FALSE(tuf::verify_role(*root, "root", root->envelope, "root.json"));
}

TEST(TufMetadata, ParsesTimestampSnapshotTargets) {
  auto k = make_key();
  std::string payload = "hello";
  auto targets = tuf::parse_targets(sign_metadata(targets_signed(3, in_days(1), {{"a.json", payload}}), {&k}), "t");
  ASSERT_TRUE(targets) << targets.error().message;
  EXPECT_EQ(targets->envelope.version, 3u);
  EXPECT_EQ(targets->targets.at("a.json").length, 5u);
  EXPECT_EQ(targets->targets.at("a.json").hashes.at("sha256"), sigil::oci::Digest::of(payload).hex());
  auto ts = tuf::parse_timestamp(sign_metadata(timestamp_signed(7, in_days(1), meta_file(4, &payload)), {&k}), "t");
  ASSERT_TRUE(ts) << ts.error().message;
  EXPECT_EQ(ts->snapshot.version, 4u);
  EXPECT_EQ(ts->snapshot.length, 5u);
  EXPECT_EQ(ts->envelope.expires, test_now() + std::chrono::days{1});
}

TEST(TufMetadata, MalformedMetadataIsOneInputError) {
  auto k = make_key();
  Json good = timestamp_signed(1, in_days(1), meta_file(1));
  auto variant = [&](auto&& change) {
    Json doc = *sigil::parse_json(sign_metadata(good, {&k}), "t");
    change(doc);
    return tuf::parse_timestamp(sigil::dump_json(doc), "timestamp.json");
  };
  std::vector<std::pair<std::string, sigil::Result<tuf::Timestamp>>> cases;
  cases.emplace_back("type", variant([](Json& d) { d["signed"]["_type"] = "snapshot"; }));
  cases.emplace_back("version", variant([](Json& d) { d["signed"]["version"] = 0; }));
  cases.emplace_back("negative", variant([](Json& d) { d["signed"]["version"] = -1; }));
  cases.emplace_back("float", variant([](Json& d) { d["signed"]["x"] = 1.5; }));
  cases.emplace_back("expires", variant([](Json& d) { d["signed"]["expires"] = "tomorrow"; }));
  cases.emplace_back("spec", variant([](Json& d) { d["signed"]["spec_version"] = "2.0.0"; }));
  cases.emplace_back("meta", variant([](Json& d) { d["signed"]["meta"].erase("snapshot.json"); }));
  cases.emplace_back("sig hex", variant([](Json& d) { d["signatures"][0]["sig"] = "zz"; }));
  cases.emplace_back("signatures", variant([](Json& d) { d.erase("signatures"); }));
  cases.emplace_back("signed", variant([](Json& d) { d["signed"] = Json::array(); }));
  cases.emplace_back("not json", tuf::parse_timestamp("{\"signed\": ", "timestamp.json"));
  for (const auto& [name, result] : cases) {
    ASSERT_FALSE(result) << name;
    EXPECT_EQ(result.error().category, ErrorCategory::input) << name;
    EXPECT_NE(result.error().message.find("timestamp.json"), std::string::npos) << name << ": " << result.error().message;
    EXPECT_EQ(result.error().message.find('\n'), std::string::npos) << name;
  }
}

TEST(TufMetadata, RootWithABadKeyOrMissingRoleIsRefused) {
  auto k = make_key();
  Json root = root_signed(1, in_days(1), {{"root", {{&k}}}, {"timestamp", {{&k}}}, {"snapshot", {{&k}}}, {"targets", {{&k}}}});
  Json bad_key = root;
  bad_key["keys"][k.keyid]["keyval"]["public"] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
  EXPECT_FALSE(tuf::parse_root(sign_metadata(bad_key, {&k}), "root.json"));
  Json no_role = root;
  no_role["roles"].erase("snapshot");
  auto r = tuf::parse_root(sign_metadata(no_role, {&k}), "root.json");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("snapshot"), std::string::npos);
  Json dup = root;
  dup["roles"]["root"]["keyids"].push_back(k.keyid);
  EXPECT_FALSE(tuf::parse_root(sign_metadata(dup, {&k}), "root.json"));
}

TEST(TufMetadata, TimesAcceptFractionsAndRefuseOthers) {
  EXPECT_TRUE(tuf::parse_tuf_time("2027-04-22T19:27:31Z"));
  EXPECT_EQ(*tuf::parse_tuf_time("2027-04-22T19:27:31.123Z"), *tuf::parse_tuf_time("2027-04-22T19:27:31Z"));
  EXPECT_FALSE(tuf::parse_tuf_time("2027-04-22T19:27:31+01:00"));
  EXPECT_FALSE(tuf::parse_tuf_time("2027-02-30T00:00:00Z"));
  EXPECT_FALSE(tuf::parse_tuf_time("2027-04-22 19:27:31Z"));
  EXPECT_EQ(tuf::format_tuf_time(*tuf::parse_tuf_time("2027-04-22T19:27:31Z")), "2027-04-22T19:27:31Z");
}

}  // namespace
