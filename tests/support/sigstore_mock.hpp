// A local Sigstore for tests: tests/interop/js/sigstore_mock_server.mjs (the Fulcio, Rekor and TSA
// handlers of the npm package @sigstore/mock) started on a free 127.0.0.1 port with the pinned
// Node 22 from .tools/sigstore-js, stopped in the destructor. It writes its trusted_root.json and a
// signing_config.json naming itself; mint_identity_token() makes the OIDC tokens it accepts.
//
//   TEST(Keyless, Signs) {
//     SIGIL_SKIP_WITHOUT_SIGSTORE_MOCK();
//     sigil::test::SigstoreMock sigstore;
//     ASSERT_TRUE(sigstore.running()) << sigstore.failure();
//     ... sigstore.base_url(), sigstore.trusted_root(), sigstore.mint_token() ...
//   }
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "support/temp_dir.hpp"

namespace sigil::test {

/// Claims of a test OIDC token.
struct TokenClaims {
  std::string issuer = "https://oidc.sigil.test";
  std::string subject = "https://github.com/sigil-test/repo/.github/workflows/ci.yml@refs/heads/main";
  std::string email;  ///< adds "email" (and email_verified) when not empty
  std::string audience = "sigstore";
  std::chrono::seconds lifetime{600};  ///< exp = now + lifetime (negative: already expired)
};

/// A JWT with these claims and an HS256 signature under a fixed test key. @sigstore/mock decodes the
/// token without verifying any signature (as every Sigstore client does; Fulcio is the verifier).
[[nodiscard]] std::string mint_identity_token(const TokenClaims& claims = {});

/// How the mock's Fulcio misbehaves, for failure tests; the defaults are a well-behaved Sigstore.
struct SigstoreMockOptions {
  /// Certificates are issued as if Fulcio's clock were this far off (negative: a certificate that
  /// expired before Rekor logs the signature). The trusted root is unchanged.
  std::chrono::seconds fulcio_clock_offset{0};
  /// false: certificates carry no embedded SCT (the CA has no CT log); the trusted root still lists it.
  bool embed_scts = true;
};

class SigstoreMock {
 public:
  /// Why the mock cannot run here (pinned node or @sigstore/mock missing), or nullopt.
  [[nodiscard]] static std::optional<std::string> missing_reason();
  /// True under CI=true or when ../shared exists: a missing mock is then a failure, not a skip.
  [[nodiscard]] static bool skips_forbidden();
  /// The pinned node binary and the node tools folder (SIGIL_NODE_TOOLS).
  [[nodiscard]] static std::filesystem::path node();
  [[nodiscard]] static std::filesystem::path tools();

  /// Starts the server and waits (up to 30 s) for its port line. Check running(). The server dies
  /// with this process (PR_SET_PDEATHSIG) and when its stdin (held here) closes.
  SigstoreMock() : SigstoreMock(SigstoreMockOptions{}) {}
  explicit SigstoreMock(const SigstoreMockOptions& options);
  ~SigstoreMock();
  SigstoreMock(const SigstoreMock&) = delete;
  SigstoreMock& operator=(const SigstoreMock&) = delete;

  [[nodiscard]] bool running() const { return pid_ > 0; }
  [[nodiscard]] const std::string& failure() const { return failure_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// "http://127.0.0.1:PORT": Fulcio, Rekor and the TSA (at /api/v1/timestamp) all live there.
  [[nodiscard]] std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] std::string tsa_url() const { return base_url() + "/api/v1/timestamp"; }
  /// The trusted_root.json of this instance (its Fulcio CA, Rekor key, CT log key and TSA chain).
  [[nodiscard]] std::filesystem::path trusted_root() const { return dir_ / "trusted_root.json"; }
  /// A signing_config.json (v0.2) naming this instance for Fulcio, Rekor and the TSA.
  [[nodiscard]] std::filesystem::path signing_config() const { return dir_ / "signing_config.json"; }
  /// The server's stderr so far.
  [[nodiscard]] std::string log() const;

  /// Stops the server (closes its stdin, SIGTERM, SIGKILL after 5 s). Idempotent.
  void stop();

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::uint16_t port_ = 0;
  std::string failure_;
};

}  // namespace sigil::test

/// Skips (fails under CI) when the mock cannot run here.
#define SIGIL_SKIP_WITHOUT_SIGSTORE_MOCK()                                                     \
  do {                                                                                         \
    if (auto sigil_missing_ = ::sigil::test::SigstoreMock::missing_reason()) {                 \
      if (::sigil::test::SigstoreMock::skips_forbidden()) {                                    \
        FAIL() << *sigil_missing_ << " (CI or ../shared present, so skipping is not allowed)"; \
      }                                                                                        \
      GTEST_SKIP() << *sigil_missing_;                                                         \
    }                                                                                          \
  } while (0)
