// The flags every keyless-aware verifying command shares: the trusted root and cosign's identity
// flags (--certificate-identity[-regexp], --certificate-oidc-issuer[-regexp], the GitHub workflow
// extension flags), turned into sign::TrustedMaterial and sign::VerificationPolicy.
#pragma once

#include <optional>

#include <cxxopts.hpp>

#include "common/error.hpp"
#include "sign/bundle.hpp"
#include "sign/verifier.hpp"

namespace sigil::cli {

/// Adds --trusted-root, the identity flags and --staging to `options`.
void add_trust_options(cxxopts::Options& options);

/// The identity policy the flags give; usage error for a regexp that does not compile or for an
/// identity without issuer (or the reverse), as cosign requires both. Prints a warning on stderr
/// for a regexp that is not anchored with ^ and $ (cosign's regexps match anywhere).
[[nodiscard]] Result<sign::IdentityPolicy> identity_policy(const cxxopts::ParseResult& parsed, std::string_view command);

/// True when any identity flag was given.
[[nodiscard]] bool has_identity_flags(const cxxopts::ParseResult& parsed);

/// The trusted root: --trusted-root FILE, else sigil's default from its data directory. With
/// `required` false, a missing default yields nullopt (a key-only verification then skips log
/// entries with a warning); a --trusted-root that does not load is always an error.
[[nodiscard]] Result<std::optional<sign::TrustedRoot>> load_trusted_root(const cxxopts::ParseResult& parsed,
                                                                         bool required);

/// Whether verifying `bundle` involves the trusted root: certificate material, log entries or
/// timestamps.
[[nodiscard]] bool needs_trusted_root(const sign::Bundle& bundle);

/// "identity <SAN> (issuer <issuer>)" for printed results.
[[nodiscard]] std::string describe_signer(const sign::Facts& facts);

}  // namespace sigil::cli
