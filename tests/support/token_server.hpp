// A Docker registry token server for tests (the "auth.token" realm of distribution): checks
// basic credentials and issues RS256 JWTs whose "access" claim grants the requested scopes.
//
// Tokens carry the signing certificate in the JWT header ("x5c"); distribution 2.8 verifies that
// chain against its `rootcertbundle`, which is the same self-signed certificate
// (write_root_cert()). The RSA key and certificate are made once per process with OpenSSL.
//
//   GET  /token?service=S&scope=repository:NAME:pull,push[&scope=...]   (Authorization: Basic)
//   POST /token  grant_type=password&username=U&password=P&service=S&scope=...  (OAuth2 form)
// answer {"token","access_token","expires_in","issued_at"}; wrong credentials answer 401.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "support/http_stub.hpp"

namespace sigil::test {

/// One access grant in a token ("repository", "library/busybox", {"pull", "push"}).
struct TokenAccess {
  std::string type;
  std::string name;
  std::vector<std::string> actions;
};

struct TokenServerOptions {
  std::string service = "sigil-test-registry";  ///< the registry's auth.token.service (JWT "aud")
  std::string issuer = "sigil-test-issuer";     ///< the registry's auth.token.issuer (JWT "iss")
  std::string username = "sigil";               ///< accepted credentials
  std::string password = "sigil-password";
  bool allow_anonymous = false;                 ///< no credentials: grant pull only instead of 401
  long expires_in = 300;                        ///< token lifetime in seconds
  /// Actions ever granted; requested actions outside this list are silently dropped (as real
  /// token servers do), so tests can simulate a read-only account.
  std::vector<std::string> grantable_actions = {"pull", "push", "delete", "*"};
};

class TokenServer {
 public:
  explicit TokenServer(TokenServerOptions options = {});
  TokenServer(const TokenServer&) = delete;
  TokenServer& operator=(const TokenServer&) = delete;

  /// The realm URL to configure in the registry: "http://127.0.0.1:PORT/token".
  [[nodiscard]] std::string realm() const { return stub_.base_url() + "/token"; }
  [[nodiscard]] const TokenServerOptions& options() const { return options_; }
  /// Writes the PEM certificate the registry trusts (auth.token.rootcertbundle).
  void write_root_cert(const std::filesystem::path& path) const;
  /// Signs a token for `subject` granting `access` directly (no HTTP), e.g. to forge scopes.
  [[nodiscard]] std::string issue(const std::string& subject, const std::vector<TokenAccess>& access) const;
  /// Tokens handed out over HTTP so far.
  [[nodiscard]] std::size_t tokens_issued() const;
  /// The underlying stub, for its request log.
  [[nodiscard]] HttpStub& stub() { return stub_; }

 private:
  StubResponse handle(const StubRequest& request);

  TokenServerOptions options_;
  mutable std::mutex mutex_;
  std::size_t issued_ = 0;
  HttpStub stub_;  // last: stops (joins its threads) before the members above go away
};

/// Parses "repository:NAME:pull,push" (several scopes may be space-separated in one string).
[[nodiscard]] std::vector<TokenAccess> parse_scopes(const std::string& scopes);

}  // namespace sigil::test
