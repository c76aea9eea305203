// A real registry for tests: Debian's `docker-registry` (distribution 2.8) started on a free
// 127.0.0.1 port with a temporary storage directory and its own config, stopped (SIGTERM, then
// SIGKILL) in the destructor. Variants: no auth, htpasswd basic auth, token auth (with a
// TokenServer from support/token_server.hpp issuing the tokens); each over plain HTTP or TLS.
//
//   TEST(Registry, Push) {
//     SIGIL_SKIP_WITHOUT_REGISTRY(sigil::test::RegistryAuth::token);
//     sigil::test::RegistryServer registry({.auth = sigil::test::RegistryAuth::token});
//     ASSERT_TRUE(registry.running()) << registry.failure();
//     ... registry.host_port() ...
//   }
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "support/temp_dir.hpp"
#include "support/token_server.hpp"

namespace sigil::test {

enum class RegistryAuth { none, basic, token };

struct RegistryOptions {
  RegistryAuth auth = RegistryAuth::none;
  /// Serve HTTPS with a certificate for 127.0.0.1 signed by a fresh test CA (see ca_file()).
  bool tls = false;
  /// Credentials accepted by the basic variant and by the token server of the token variant.
  std::string username = "sigil";
  std::string password = "sigil-password";
  /// Token variant: service, issuer, anonymous pull, grantable actions (its username/password
  /// are replaced by the two above).
  TokenServerOptions token;
};

class RegistryServer {
 public:
  /// Why this variant cannot run here (binary or htpasswd missing), or nullopt when it can.
  [[nodiscard]] static std::optional<std::string> missing_reason(RegistryAuth auth = RegistryAuth::none);
  /// True when ../shared exists next to the source tree (CI): a skip there counts as a failure.
  [[nodiscard]] static bool skips_forbidden();
  /// The registry binary: $SIGIL_DOCKER_REGISTRY, else /usr/bin/docker-registry, else on PATH.
  [[nodiscard]] static std::string binary();

  /// Starts the registry and waits (up to 20 s) until GET /v2/ answers. Check running().
  /// The registry dies with the thread that started it (PR_SET_PDEATHSIG), so a crashed test
  /// leaves nothing running: construct it on a thread that outlives it (e.g. the test's).
  explicit RegistryServer(RegistryOptions options = {});
  ~RegistryServer();
  RegistryServer(const RegistryServer&) = delete;
  RegistryServer& operator=(const RegistryServer&) = delete;

  /// Whether the registry answers; when not, failure() says why (with the registry's log).
  [[nodiscard]] bool running() const { return pid_ > 0; }
  [[nodiscard]] const std::string& failure() const { return failure_; }

  /// "127.0.0.1:PORT", the registry part of references.
  [[nodiscard]] std::string host_port() const { return "127.0.0.1:" + std::to_string(port_); }
  /// "http://127.0.0.1:PORT" ("https://" with tls).
  [[nodiscard]] std::string base_url() const { return (options_.tls ? "https://" : "http://") + host_port(); }
  /// The PEM CA certificate that signed the server certificate (tls only; empty path otherwise).
  [[nodiscard]] std::filesystem::path ca_file() const { return options_.tls ? dir_ / "ca.pem" : std::filesystem::path(); }
  [[nodiscard]] const RegistryOptions& options() const { return options_; }
  /// "Basic base64(user:password)" for the configured credentials.
  [[nodiscard]] std::string basic_authorization() const;
  /// The token server of the token variant; nullptr otherwise.
  [[nodiscard]] TokenServer* token_server() { return token_server_.get(); }
  /// Where the registry keeps its blobs and repositories.
  [[nodiscard]] std::filesystem::path storage_dir() const { return dir_ / "storage"; }
  /// The registry's stdout/stderr so far.
  [[nodiscard]] std::string log() const;

  /// Stops the registry (SIGTERM, SIGKILL after 5 s) and reaps it. Idempotent.
  void stop();

 private:
  bool start_once(std::string& why);
  void write_config() const;

  RegistryOptions options_;
  TempDir dir_;
  std::unique_ptr<TokenServer> token_server_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::string failure_;
};

/// One registry shared by all tests of a suite (starting one takes about a second): start() from
/// SetUpTestSuite(), stop() from TearDownTestSuite(), SIGIL_REQUIRE_SUITE_REGISTRY in SetUp().
class SuiteRegistry {
 public:
  /// Starts the variant when it can run here; otherwise leaves it stopped for the macro to report.
  void start(RegistryOptions options = {}) {
    auth_ = options.auth;
    if (!RegistryServer::missing_reason(auth_)) server_ = std::make_unique<RegistryServer>(std::move(options));
  }
  void stop() { server_.reset(); }
  [[nodiscard]] RegistryAuth auth() const { return auth_; }
  [[nodiscard]] bool running() const { return server_ && server_->running(); }
  [[nodiscard]] std::string failure() const { return server_ ? server_->failure() : "registry not started"; }
  /// The server; only valid while running().
  [[nodiscard]] RegistryServer& server() { return *server_; }
  [[nodiscard]] std::string host_port() const { return server_->host_port(); }

 private:
  RegistryAuth auth_ = RegistryAuth::none;
  std::unique_ptr<RegistryServer> server_;
};

}  // namespace sigil::test

/// In SetUp() of a suite using a SuiteRegistry: skips (fails under CI) when the variant cannot run
/// here, and fails when it could not start.
#define SIGIL_REQUIRE_SUITE_REGISTRY(suite)                                \
  do {                                                                     \
    SIGIL_SKIP_WITHOUT_REGISTRY((suite).auth());                           \
    ASSERT_TRUE((suite).running()) << (suite).failure();                   \
  } while (0)

/// In a test body or SetUp(): skips when the registry variant cannot run here, but fails instead
/// under CI (../shared present), where every registry test must run.
#define SIGIL_SKIP_WITHOUT_REGISTRY(auth)                                                        \
  do {                                                                                           \
    if (auto sigil_missing_ = ::sigil::test::RegistryServer::missing_reason(auth)) {             \
      if (::sigil::test::RegistryServer::skips_forbidden()) {                                    \
        FAIL() << *sigil_missing_ << " (../shared exists, so skipping is not allowed)";          \
      }                                                                                          \
      GTEST_SKIP() << *sigil_missing_;                                                           \
    }                                                                                            \
  } while (0)
