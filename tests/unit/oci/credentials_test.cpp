// Credentials from docker config.json: auths entries in their spellings, credHelpers and
// credsStore through a real helper program (a script put first on PATH).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "common/base64.hpp"
#include "common/file.hpp"
#include "oci/detail/registry_credentials.hpp"
#include "support/temp_dir.hpp"

namespace sigil::oci::detail {
namespace {

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// A fake docker-credential-<name> that records the server URL it was asked for.
void write_helper(const std::filesystem::path& dir, const std::string& name) {
  auto path = dir / ("docker-credential-" + name);
  write(path,
        "#!/bin/sh\n"
        "[ \"$1\" = get ] || exit 2\n"
        "url=$(cat)\n"
        "printf '%s' \"$url\" > \"" + (dir / (name + ".seen")).string() + "\"\n"
        "case \"$url\" in\n"
        "  reg.example:5000) echo '{\"ServerURL\":\"reg.example:5000\",\"Username\":\"helperuser\",\"Secret\":\"s3cret\"}';;\n"
        "  https://index.docker.io/v1/) echo '{\"Username\":\"hubuser\",\"Secret\":\"hubpass\"}';;\n"
        "  token.example) echo '{\"Username\":\"<token>\",\"Secret\":\"refresh\"}';;\n"
        "  broken.example) echo 'keychain exploded'; exit 3;;\n"
        "  *) echo 'credentials not found in native keychain'; exit 1;;\n"
        "esac\n");
  ::chmod(path.c_str(), 0755);
}

class Credentials : public ::testing::Test {
 protected:
  void SetUp() override {
    old_path_ = std::getenv("PATH") ? std::getenv("PATH") : "";
    if (const char* d = std::getenv("DOCKER_CONFIG")) old_docker_config_ = d;
    std::filesystem::create_directories(bin_dir());
    write_helper(bin_dir(), "fake");
    ::setenv("PATH", (bin_dir().string() + ":" + old_path_).c_str(), 1);
  }
  void TearDown() override {
    ::setenv("PATH", old_path_.c_str(), 1);
    if (old_docker_config_) {
      ::setenv("DOCKER_CONFIG", old_docker_config_->c_str(), 1);
    } else {
      ::unsetenv("DOCKER_CONFIG");
    }
  }
  std::filesystem::path bin_dir() const { return tmp_.path() / "bin"; }
  std::filesystem::path config_dir() const { return tmp_.path(); }
  void config(const std::string& json) { write(config_dir() / "config.json", json); }
  std::string seen(const std::string& helper) const {
    auto text = read_file(bin_dir() / (helper + ".seen"), 4096);
    return text ? *text : std::string("<unreadable>");
  }

  test::TempDir tmp_;
  std::string old_path_;
  std::optional<std::string> old_docker_config_;
};

TEST_F(Credentials, AuthsBase64UserPass) {
  config(R"({"auths":{"localhost:5000":{"auth":")" + base64_encode("alice:pa:ss") + R"("}}})");
  auto c = lookup_credentials("localhost:5000", config_dir());
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(*c);
  EXPECT_EQ((*c)->username, "alice");
  EXPECT_EQ((*c)->password, "pa:ss");  // only the first colon separates
}

TEST_F(Credentials, AuthsUsernamePasswordAndSchemeKeys) {
  config(R"({"auths":{"https://reg.one":{"username":"u1","password":"p1"},
                      "http://reg.two:8080/v2/":{"username":"u2","password":"p2"}}})");
  auto one = lookup_credentials("reg.one", config_dir());
  ASSERT_TRUE(one && *one);
  EXPECT_EQ((*one)->username, "u1");
  auto two = lookup_credentials("reg.two:8080", config_dir());
  ASSERT_TRUE(two && *two);
  EXPECT_EQ((*two)->password, "p2");
  auto none = lookup_credentials("reg.two", config_dir());  // port matters
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_F(Credentials, DockerHubLegacyKey) {
  config(R"({"auths":{"https://index.docker.io/v1/":{"auth":")" + base64_encode("hub:pw") + R"("}}})");
  auto c = lookup_credentials("docker.io", config_dir());
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->username, "hub");
}

TEST_F(Credentials, IdentityTokenOnlyIsSkipped) {
  config(R"({"auths":{"reg.example":{"identitytoken":"opaque-refresh-token"}}})");
  auto c = lookup_credentials("reg.example", config_dir());
  ASSERT_TRUE(c);
  EXPECT_FALSE(*c);
}

TEST_F(Credentials, DockerConfigEnvironmentVariable) {
  config(R"({"auths":{"reg.env":{"username":"envuser","password":"x"}}})");
  ::setenv("DOCKER_CONFIG", config_dir().c_str(), 1);
  auto c = lookup_credentials("reg.env", {});
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->username, "envuser");
}

TEST_F(Credentials, NoConfigMeansAnonymous) {
  auto c = lookup_credentials("reg.example", config_dir() / "missing");
  ASSERT_TRUE(c);
  EXPECT_FALSE(*c);
}

TEST_F(Credentials, MalformedConfigIsAnInputError) {
  config(R"({"auths": {)");
  auto c = lookup_credentials("reg.example", config_dir());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().category, ErrorCategory::input);
  EXPECT_NE(c.error().message.find("config.json"), std::string::npos);

  config(R"({"auths":{"reg.example":{"auth":"!!!notbase64"}}})");
  c = lookup_credentials("reg.example", config_dir());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().category, ErrorCategory::input);
}

TEST_F(Credentials, CredHelperForOneRegistry) {
  config(R"({"auths":{"reg.example:5000":{"username":"file","password":"file"}},
            "credHelpers":{"reg.example:5000":"fake"}})");
  auto c = lookup_credentials("reg.example:5000", config_dir());
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(*c);
  EXPECT_EQ((*c)->username, "helperuser");  // the helper wins over the auths entry
  EXPECT_EQ((*c)->password, "s3cret");
  EXPECT_EQ(seen("fake"), "reg.example:5000");
}

TEST_F(Credentials, CredsStoreForDockerHubGetsTheLegacyUrl) {
  config(R"({"credsStore":"fake"})");
  auto c = lookup_credentials("docker.io", config_dir());
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(*c);
  EXPECT_EQ((*c)->username, "hubuser");
  EXPECT_EQ(seen("fake"), "https://index.docker.io/v1/");
}

TEST_F(Credentials, HelperWithoutCredentialsMeansAnonymous) {
  config(R"({"credsStore":"fake"})");
  auto c = lookup_credentials("unknown.example", config_dir());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(*c);
  c = lookup_credentials("token.example", config_dir());  // identity token: not usable
  ASSERT_TRUE(c);
  EXPECT_FALSE(*c);
}

TEST_F(Credentials, MissingHelperMeansAnonymous) {
  config(R"({"credsStore":"not-installed-anywhere"})");
  auto c = lookup_credentials("reg.example", config_dir());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(*c);
}

TEST_F(Credentials, FailingHelperIsAnError) {
  config(R"({"credHelpers":{"broken.example":"fake"}})");
  auto c = lookup_credentials("broken.example", config_dir());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().category, ErrorCategory::input);
  EXPECT_NE(c.error().message.find("docker-credential-fake get"), std::string::npos);
  EXPECT_NE(c.error().message.find("keychain exploded"), std::string::npos);
}

}  // namespace
}  // namespace sigil::oci::detail
