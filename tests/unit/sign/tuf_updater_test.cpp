// The TUF client workflow (specification §5) on hand-made repositories in memory: root rotation,
// rollback, expiry, hashes and lengths, consistent-snapshot naming.
#include <gtest/gtest.h>

#include "sign/tuf/updater.hpp"
#include "tuf_test_repo.hpp"

namespace {

using namespace sigil::test::tuf;
using sigil::ErrorCategory;
using sigil::Json;
namespace tuf = sigil::sign::tuf;

const std::string kTrusted = "{\"mediaType\":\"trusted root v1\"}";
const std::string kTrusted2 = "{\"mediaType\":\"trusted root v2\"}";
const std::string kConfig = "{\"mediaType\":\"signing config\"}";

struct TufUpdater : ::testing::Test {
  TestKey root_key = make_key();
  TestKey online = make_key();
  MemoryRepo repo;
  tuf::TrustedMetadata trusted;

  std::map<std::string, RoleKeys> roles(const TestKey* root, const TestKey* rest) {
    return {{"root", {{root}}}, {"timestamp", {{rest}}}, {"snapshot", {{rest}}}, {"targets", {{rest}}}};
  }
  void SetUp() override {
    trusted.root = sign_metadata(root_signed(1, in_days(365), roles(&root_key, &online)), {&root_key});
    repo.files["1.root.json"] = trusted.root;
    Publisher{&online, &online, &online}.publish(repo, 1, {{"trusted_root.json", kTrusted}, {"signing_config.v0.2.json", kConfig}});
  }
  std::vector<tuf::WantedTarget> wanted() const {
    return {{"trusted_root.json", std::nullopt, true}, {"signing_config.v0.2.json", std::nullopt, false}};
  }
  sigil::Result<tuf::UpdateResult> run(std::vector<tuf::WantedTarget> want = {}) {
    tuf::UpdateOptions options;
    options.mirror = repo.mirror;
    options.now = test_now();
    return tuf::update(trusted, want.empty() ? wanted() : want, options, repo.fetch());
  }
  // Accepts the result as the new trusted state, as trust_store does after a success.
  void accept(const tuf::UpdateResult& result) { trusted = result.metadata; }
};

TEST_F(TufUpdater, FirstUpdateFetchesEverythingByConsistentNames) {
  auto result = run();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->old_root_version, 1u);
  EXPECT_EQ(result->new_root_version, 1u);
  EXPECT_EQ(result->timestamp_version, 1u);
  ASSERT_EQ(result->targets.size(), 2u);
  EXPECT_EQ(result->targets[0].bytes, kTrusted);
  EXPECT_TRUE(result->targets[0].changed);
  EXPECT_EQ(repo.requests["2.root.json"], 1);
  EXPECT_EQ(repo.requests["1.snapshot.json"], 1);
  EXPECT_EQ(repo.requests["1.targets.json"], 1);
  EXPECT_EQ(repo.requests["targets/" + sigil::oci::Digest::of(kTrusted).hex() + ".trusted_root.json"], 1);
  EXPECT_EQ(result->metadata.timestamp, repo.files["timestamp.json"]);
}

TEST_F(TufUpdater, UnchangedTargetsAreNotDownloaded) {
  auto result = run({{"trusted_root.json", kTrusted, true}});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_FALSE(result->targets[0].changed);
  EXPECT_EQ(repo.requests.count("targets/" + sigil::oci::Digest::of(kTrusted).hex() + ".trusted_root.json"), 0u);
}

TEST_F(TufUpdater, RootRotationChainAndNewOnlineKeys) {
  auto first = run();
  ASSERT_TRUE(first);
  accept(*first);
  TestKey root2 = make_key();
  TestKey root3 = make_key();
  TestKey online2 = make_key();
  // v2: signed by the old and the new root key; v3 likewise. Online keys rotate in v3.
  repo.files["2.root.json"] = sign_metadata(root_signed(2, in_days(365), roles(&root2, &online)), {&root_key, &root2});
  repo.files["3.root.json"] = sign_metadata(root_signed(3, in_days(365), roles(&root3, &online2)), {&root2, &root3});
  Publisher{&online2, &online2, &online2}.publish(repo, 2, {{"trusted_root.json", kTrusted2}});
  auto result = run();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->old_root_version, 1u);
  EXPECT_EQ(result->new_root_version, 3u);
  EXPECT_EQ(result->metadata.root, repo.files["3.root.json"]);
  EXPECT_EQ(result->targets[0].bytes, kTrusted2);
}

TEST_F(TufUpdater, NewRootNotSignedByTheOldKeysIsRefused) {
  TestKey attacker = make_key();
  repo.files["2.root.json"] = sign_metadata(root_signed(2, in_days(365), roles(&attacker, &attacker)), {&attacker});
  auto result = run();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().category, ErrorCategory::denied);
  EXPECT_NE(result.error().message.find("2.root.json (by the trusted root)"), std::string::npos) << result.error().message;
}

TEST_F(TufUpdater, NewRootNotSignedByItsOwnKeysIsRefused) {
  TestKey root2 = make_key();
  repo.files["2.root.json"] = sign_metadata(root_signed(2, in_days(365), roles(&root2, &online)), {&root_key});
  auto result = run();
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("2.root.json (by itself)"), std::string::npos) << result.error().message;
}

TEST_F(TufUpdater, RootWithAWrongVersionNumberIsRefused) {
  repo.files["2.root.json"] = sign_metadata(root_signed(3, in_days(365), roles(&root_key, &online)), {&root_key});
  auto result = run();
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("expected 2"), std::string::npos) << result.error().message;
}

TEST_F(TufUpdater, ExpiredRootTimestampSnapshotOrTargetsAreRefused) {
  {
    auto saved = trusted;
    trusted.root = sign_metadata(root_signed(1, in_days(-1), roles(&root_key, &online)), {&root_key});
    auto r = run();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("root.json: version 1 expired at"), std::string::npos) << r.error().message;
    trusted = saved;
  }
  Publisher{&online, &online, &online}.publish(repo, 2, {{"trusted_root.json", kTrusted}}, in_days(-1));
  auto r = run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::denied);
  EXPECT_NE(r.error().message.find("timestamp.json: version 2 expired"), std::string::npos) << r.error().message;

  // An expired targets behind a fresh timestamp and snapshot.
  auto targets = sign_metadata(targets_signed(3, in_days(-1), {{"trusted_root.json", kTrusted}}), {&online});
  auto snapshot = sign_metadata(snapshot_signed(3, in_days(9), {{"targets.json", meta_file(3, &targets)}}), {&online});
  repo.files["3.targets.json"] = targets;
  repo.files["3.snapshot.json"] = snapshot;
  repo.files["timestamp.json"] = sign_metadata(timestamp_signed(3, in_days(9), meta_file(3, &snapshot)), {&online});
  r = run();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("targets.json: version 3 expired"), std::string::npos) << r.error().message;
}

TEST_F(TufUpdater, TimestampRollbackIsRefused) {
  Publisher{&online, &online, &online}.publish(repo, 2, {{"trusted_root.json", kTrusted}});
  auto v2 = run();
  ASSERT_TRUE(v2);
  accept(*v2);
  auto old_ts = sign_metadata(timestamp_signed(1, in_days(30), meta_file(1, &repo.files["1.snapshot.json"])), {&online});
  repo.files["timestamp.json"] = old_ts;
  auto r = run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::denied);
  EXPECT_NE(r.error().message.find("timestamp.json: version 1 is older than the trusted version 2 (rollback refused)"),
            std::string::npos) << r.error().message;
}

TEST_F(TufUpdater, SnapshotRollbackThroughANewerTimestampIsRefused) {
  Publisher{&online, &online, &online}.publish(repo, 2, {{"trusted_root.json", kTrusted}});
  auto v2 = run();
  ASSERT_TRUE(v2);
  accept(*v2);
  // timestamp 3 points back at snapshot 1.
  repo.files["timestamp.json"] =
      sign_metadata(timestamp_signed(3, in_days(30), meta_file(1, &repo.files["1.snapshot.json"])), {&online});
  auto r = run();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("snapshot version 1 is older than the trusted version 2"), std::string::npos)
      << r.error().message;
}

TEST_F(TufUpdater, TargetsVersionRollbackInSnapshotIsRefused) {
  Publisher{&online, &online, &online}.publish(repo, 2, {{"trusted_root.json", kTrusted}});
  auto v2 = run();
  ASSERT_TRUE(v2);
  accept(*v2);
  // snapshot 3 lists the old targets 1.
  auto snapshot = sign_metadata(snapshot_signed(3, in_days(9), {{"targets.json", meta_file(1, &repo.files["1.targets.json"])}}), {&online});
  repo.files["3.snapshot.json"] = snapshot;
  repo.files["timestamp.json"] = sign_metadata(timestamp_signed(3, in_days(9), meta_file(3, &snapshot)), {&online});
  auto r = run();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("targets.json version 1 is older than the trusted version 2"), std::string::npos)
      << r.error().message;
}

TEST_F(TufUpdater, WrongTargetHashOrLengthIsRefused) {
  std::string path = "targets/" + sigil::oci::Digest::of(kTrusted).hex() + ".trusted_root.json";
  std::string same_length = kTrusted;
  same_length[3] = 'X';
  repo.files[path] = same_length;
  auto r = run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::integrity);
  EXPECT_NE(r.error().message.find("target trusted_root.json"), std::string::npos) << r.error().message;
  repo.files[path] = kTrusted.substr(1);
  r = run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::integrity);
  repo.files[path] = kTrusted + "more";  // larger than the signed length: refused while reading
  r = run();
  ASSERT_FALSE(r);
}

TEST_F(TufUpdater, SnapshotNotMatchingTheTimestampHashIsRefused) {
  repo.files["1.snapshot.json"] = sign_metadata(snapshot_signed(1, in_days(9), {{"targets.json", meta_file(1)}}), {&online});
  auto r = run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::integrity);
  EXPECT_NE(r.error().message.find("1.snapshot.json"), std::string::npos) << r.error().message;
}

TEST_F(TufUpdater, BadOnlineSignatureIsRefused) {
  TestKey other = make_key();
  repo.files["timestamp.json"] =
      sign_metadata(timestamp_signed(2, in_days(9), meta_file(1, &repo.files["1.snapshot.json"])), {&other});
  auto r = run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, ErrorCategory::denied);
  EXPECT_NE(r.error().message.find("0 of 1 required signatures of role timestamp"), std::string::npos) << r.error().message;
}

TEST_F(TufUpdater, MissingRequiredTargetAndOversizedTimestamp) {
  auto r = run({{"other.json", std::nullopt, true}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("does not list target other.json"), std::string::npos) << r.error().message;
  auto optional = run({{"other.json", std::nullopt, false}});
  ASSERT_TRUE(optional);
  EXPECT_TRUE(optional->targets.empty());
  repo.files["timestamp.json"] = std::string(20000, ' ') + repo.files["timestamp.json"];
  r = run();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("larger than 16384"), std::string::npos) << r.error().message;
}

TEST_F(TufUpdater, NonConsistentRepositoriesUsePlainNames) {
  trusted.root = sign_metadata(root_signed(1, in_days(365), roles(&root_key, &online), false), {&root_key});
  repo.files["snapshot.json"] = repo.files["1.snapshot.json"];
  repo.files["targets.json"] = repo.files["1.targets.json"];
  repo.files["targets/trusted_root.json"] = kTrusted;
  repo.files.erase("1.snapshot.json");
  auto r = run({{"trusted_root.json", std::nullopt, true}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->targets[0].bytes, kTrusted);
}

}  // namespace
