// generate-key-pair and public-key through the sigil binary: files and modes, agreement between
// the two commands, openssl accepting the public key, and refusals that change nothing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "e2e/run_sigil.hpp"
#include "support/temp_dir.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

const std::vector<std::string> kPassword = {"SIGIL_PASSWORD=correct horse"};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(KeysE2e, GenerateThenPublicKeyMatchesAndOpensslAcceptsIt) {
  for (std::string alg : {"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-3072"}) {
    SCOPED_TRACE(alg);
    TempDir dir;
    std::string prefix = (dir / "k").string();
    auto gen = run_sigil({"generate-key-pair", "--output-key-prefix", prefix, "--algorithm", alg},
                         std::chrono::seconds(120), kPassword);
    ASSERT_EQ(gen.exit_code, 0) << gen.describe();
    struct stat st {};
    ASSERT_EQ(::stat((prefix + ".key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_TRUE(slurp(prefix + ".key").starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
    std::string pub = slurp(prefix + ".pub");
    EXPECT_TRUE(pub.starts_with("-----BEGIN PUBLIC KEY-----")) << pub;

    auto shown = run_sigil({"public-key", "--key", prefix + ".key"}, std::chrono::seconds(60), kPassword);
    ASSERT_EQ(shown.exit_code, 0) << shown.describe();
    EXPECT_EQ(shown.out, pub);
    auto openssl = run_program({"openssl", "pkey", "-pubin", "-in", prefix + ".pub", "-noout"});
    EXPECT_EQ(openssl.exit_code, 0) << openssl.describe();
  }
}

TEST(KeysE2e, CosignPasswordVariableIsAccepted) {
  TempDir dir;
  std::string prefix = (dir / "c").string();
  auto gen = run_program({"env", "-u", "SIGIL_PASSWORD", "COSIGN_PASSWORD=pw", SIGIL_BINARY, "generate-key-pair",
                          "--output-key-prefix", prefix});
  ASSERT_EQ(gen.exit_code, 0) << gen.describe();
  auto shown = run_sigil({"public-key", "--key", prefix + ".key"}, std::chrono::seconds(60), {"SIGIL_PASSWORD=pw"});
  ASSERT_EQ(shown.exit_code, 0) << shown.describe();
  EXPECT_EQ(shown.out, slurp(prefix + ".pub"));
}

TEST(KeysE2e, RefusesToOverwriteWithoutForce) {
  TempDir dir;
  std::string prefix = (dir / "k").string();
  ASSERT_EQ(run_sigil({"generate-key-pair", "--output-key-prefix", prefix}, std::chrono::seconds(60), kPassword).exit_code, 0);
  std::string key = slurp(prefix + ".key");
  std::string pub = slurp(prefix + ".pub");
  auto again = run_sigil({"generate-key-pair", "--output-key-prefix", prefix}, std::chrono::seconds(60), kPassword);
  EXPECT_EQ(again.exit_code, 2) << again.describe();
  EXPECT_EQ(again.stderr_lines(), 1u) << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_EQ(slurp(prefix + ".key"), key);
  EXPECT_EQ(slurp(prefix + ".pub"), pub);

  // Only the .pub existing is refused too, and no .key appears.
  TempDir other;
  std::string lone = (other / "k").string();
  { std::ofstream(lone + ".pub") << "mine"; }
  auto refused = run_sigil({"generate-key-pair", "--output-key-prefix", lone}, std::chrono::seconds(60), kPassword);
  EXPECT_EQ(refused.exit_code, 2) << refused.describe();
  EXPECT_FALSE(fs::exists(lone + ".key"));
  EXPECT_EQ(slurp(lone + ".pub"), "mine");

  auto forced = run_sigil({"generate-key-pair", "--output-key-prefix", prefix, "--force"}, std::chrono::seconds(60), kPassword);
  EXPECT_EQ(forced.exit_code, 0) << forced.describe();
  EXPECT_NE(slurp(prefix + ".pub"), pub);
}

TEST(KeysE2e, WrongPasswordIsOneLineExit2) {
  TempDir dir;
  std::string prefix = (dir / "k").string();
  ASSERT_EQ(run_sigil({"generate-key-pair", "--output-key-prefix", prefix}, std::chrono::seconds(60), kPassword).exit_code, 0);
  auto wrong = run_sigil({"public-key", "--key", prefix + ".key"}, std::chrono::seconds(60), {"SIGIL_PASSWORD=nope"});
  EXPECT_EQ(wrong.exit_code, 2) << wrong.describe();
  EXPECT_EQ(wrong.stderr_lines(), 1u) << wrong.err;
  EXPECT_NE(wrong.err.find("wrong password"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find(prefix + ".key"), std::string::npos) << wrong.err;
  EXPECT_TRUE(wrong.out.empty());
}

TEST(KeysE2e, NoPasswordWithoutTerminalIsAnErrorAndWritesNothing) {
  TempDir dir;
  std::string prefix = (dir / "k").string();
  auto r = run_program({"env", "-u", "SIGIL_PASSWORD", "-u", "COSIGN_PASSWORD", SIGIL_BINARY, "generate-key-pair",
                        "--output-key-prefix", prefix});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("SIGIL_PASSWORD"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(prefix + ".key"));
  EXPECT_FALSE(fs::exists(prefix + ".pub"));
}

TEST(KeysE2e, BadAlgorithmIsUsageError) {
  TempDir dir;
  auto r = run_sigil({"generate-key-pair", "--output-key-prefix", (dir / "k").string(), "--algorithm", "dsa"},
                     std::chrono::seconds(60), kPassword);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  EXPECT_FALSE(fs::exists(dir / "k.key"));
}

}  // namespace
}  // namespace sigil::test
