// Keyless signing options shared by every command that signs (sign-blob --keyless, sign-bundle; later
// sign, attest, build): the identity token sources, the Sigstore endpoints (a signing config,
// --staging, or --fulcio-url/--rekor-url/--tsa-url), and one call that signs, logs and timestamps.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include <cxxopts.hpp>

#include "cmd/sigil/cli.hpp"
#include "common/error.hpp"
#include "sign/bundle.hpp"
#include "sign/keyless/signing_config.hpp"
#include "sign/signer.hpp"

namespace sigil::cli {

/// Adds --identity-token, --signing-config, --staging, --fulcio-url, --rekor-url, --tsa-url,
/// --no-timestamp and --oidc-issuer to `options`.
void add_keyless_options(cxxopts::Options& options);

/// True when any keyless flag (other than --staging) was given: commands that sign with --key use it
/// to refuse a mix.
[[nodiscard]] bool keyless_flags_given(const cxxopts::ParseResult& parsed);

/// The endpoints the flags select: --signing-config FILE (Fulcio, Rekor v1, TSA, OIDC valid now),
/// else staging (--staging) or public-good defaults; each --*-url then overrides one service.
/// --no-timestamp clears the TSA. Usage/input errors for a bad file or URL.
[[nodiscard]] Result<sign::keyless::KeylessEndpoints> keyless_endpoints(const cxxopts::ParseResult& parsed,
                                                                       std::string_view command);

/// Builds the signed bundle with a keyless signer: finds and checks the identity token, gets a
/// Fulcio certificate for an in-memory ephemeral key, calls `make` with the signer, then timestamps
/// and logs the bundle in Rekor. Nothing is written: the caller writes the result.
[[nodiscard]] Result<sign::Bundle> sign_keyless(const cxxopts::ParseResult& parsed, std::string_view command,
                                                const std::function<Result<sign::Bundle>(sign::Signer&)>& make);

/// Checks the keyless flag `keyless_flag` ("keyless"; build's "sign-keyless") against the command's
/// key flag `key_flag` ("key", "sign-key"): usage error when both are given (they exclude each
/// other) or when keyless options come without the keyless flag. Returns whether it was given.
[[nodiscard]] Result<bool> keyless_requested(const cxxopts::ParseResult& parsed, std::string_view command,
                                             std::string_view key_flag, std::string_view keyless_flag = "keyless");

/// Keyless signing for a command that signs several things (sign of several images, attest, sbom
/// --attest, build): the identity token is found and the Fulcio certificate fetched once, when the
/// session opens; every bundle signed with signer() is then logged in Rekor (and timestamped) on
/// its own by complete(). Callers sign and complete everything before the first push, so a
/// Fulcio/Rekor/TSA failure (network error, exit 3) leaves every store as it was.
class KeylessSession {
 public:
  /// Finds and checks the identity token and certifies an in-memory ephemeral key at Fulcio.
  [[nodiscard]] static Result<std::unique_ptr<KeylessSession>> open(const cxxopts::ParseResult& parsed,
                                                                    std::string_view command);
  ~KeylessSession();
  KeylessSession(const KeylessSession&) = delete;
  KeylessSession& operator=(const KeylessSession&) = delete;

  /// Signs with the certified ephemeral key (the material is the Fulcio chain).
  [[nodiscard]] sign::Signer& signer();

  /// Timestamps (when a TSA is configured) and logs `bundle` in Rekor; the bundle is changed only
  /// when both succeed.
  [[nodiscard]] Result<void> complete(sign::Bundle& bundle);

 private:
  struct State;
  explicit KeylessSession(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// sign-bundle (the Sigstore conformance client's signing command), in keyless_commands.cpp.
[[nodiscard]] std::vector<Command> keyless_commands();

}  // namespace sigil::cli
