// Keyless signing options shared by every command that signs (sign-blob --keyless, sign-bundle; later
// sign, attest, build): the identity token sources, the Sigstore endpoints (a signing config,
// --staging, or --fulcio-url/--rekor-url/--tsa-url), and one call that signs, logs and timestamps.
#pragma once

#include <functional>
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

/// sign-bundle (the Sigstore conformance client's signing command), in keyless_commands.cpp.
[[nodiscard]] std::vector<Command> keyless_commands();

}  // namespace sigil::cli
