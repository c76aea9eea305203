// Where sigil finds its trusted material: $SIGIL_DATA_DIR alone when set, else the user's copy
// from `trust update`, else the copy installed beside the binary (here: the build tree's
// share/sigil, extracted from @sigstore/tuf's seeds.json at build time).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "common/file.hpp"
#include "common/json.hpp"
#include "sign/trust_store.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sigil::test::TempDir;

// Sets environment variables for one test and restores them afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(TrustStore, InstalledCopyIsThePublicGoodRoot) {
  TempDir home;
  ScopedEnv data("SIGIL_DATA_DIR", std::nullopt);
  ScopedEnv xdg("XDG_DATA_HOME", std::nullopt);
  ScopedEnv h("HOME", home.path().string());
  auto bytes = sigil::sign::read_default_trusted_root();
  ASSERT_TRUE(bytes) << bytes.error().message;
  auto json = sigil::parse_json(*bytes, "trusted_root.json");
  ASSERT_TRUE(json);
  EXPECT_EQ((*json)["mediaType"], "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
  EXPECT_NE(bytes->find("https://rekor.sigstore.dev"), std::string::npos);
  auto config = sigil::sign::read_default_signing_config();
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_NE(config->find("signingconfig.v0.2+json"), std::string::npos);
  auto dirs = sigil::sign::data_dirs();
  ASSERT_TRUE(dirs.installed_dir);
  EXPECT_TRUE(fs::exists(*dirs.installed_dir / "tuf" / "root.json"));
  EXPECT_EQ(*dirs.user_dir, home.path() / ".local" / "share" / "sigil");
}

TEST(TrustStore, UserCopyWinsOverTheInstalledOneFilePerFile) {
  TempDir xdg_dir;
  ScopedEnv data("SIGIL_DATA_DIR", std::nullopt);
  ScopedEnv xdg("XDG_DATA_HOME", xdg_dir.path().string());
  fs::create_directories(xdg_dir.path() / "sigil");
  ASSERT_TRUE(sigil::write_file_atomic(xdg_dir.path() / "sigil" / "trusted_root.json", "{\"user\":true}"));
  auto bytes = sigil::sign::read_default_trusted_root();
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_EQ(*bytes, "{\"user\":true}");
  // No user signing config: the installed one is read.
  auto config = sigil::sign::read_default_signing_config();
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_NE(config->find("fulcio.sigstore.dev"), std::string::npos);
  EXPECT_EQ(*sigil::sign::writable_data_dir(), xdg_dir.path() / "sigil");
}

TEST(TrustStore, DataDirOverrideIsExclusiveAndErrorsNameThePath) {
  TempDir dir;
  ScopedEnv data("SIGIL_DATA_DIR", dir.path().string());
  auto missing = sigil::sign::read_default_trusted_root();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().category, sigil::ErrorCategory::input);
  EXPECT_EQ(missing.error().message,
            "default trusted root: trusted_root.json not found (tried " + (dir.path() / "trusted_root.json").string() + ")");
  ASSERT_TRUE(sigil::write_file_atomic(dir.path() / "signing_config.v0.2.json", "{}"));
  EXPECT_EQ(*sigil::sign::read_default_signing_config(), "{}");
  EXPECT_EQ(*sigil::sign::writable_data_dir(), dir.path());
}

}  // namespace
