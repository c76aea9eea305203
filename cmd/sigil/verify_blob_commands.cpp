// verify-blob and verify-bundle: check a Sigstore bundle for a file, or for only its digest
// (sha256:HEX), with a public key or keyless (trusted root + expected identity). verify-bundle is
// the same command under the name the Sigstore conformance client protocol uses; the exit code is
// the verdict.
#include <cstdio>
#include <optional>
#include <string>
#include <variant>

#include "cmd/sigil/blob_io.hpp"
#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/key_files.hpp"
#include "cmd/sigil/trust_options.hpp"
#include "sign/bundle.hpp"
#include "sign/certificate.hpp"
#include "sign/verifier.hpp"

namespace sigil::cli {
namespace {

// The key algorithm that made the signature: Ed25519 needs the artifact's bytes, ECDSA P-384 hashes
// with SHA-384; everything else is verified over a streamed SHA-256.
std::optional<sign::KeyAlgorithm> signing_algorithm(const sign::Bundle& bundle, const sign::TrustedMaterial& trusted) {
  if (bundle.material == sign::MaterialKind::public_key) {
    if (trusted.keys.empty()) return std::nullopt;
    return trusted.keys.front().algorithm();
  }
  const std::string& leaf =
      bundle.material == sign::MaterialKind::certificate ? bundle.certificate : bundle.certificate_chain.front();
  auto key = sign::certificate_public_key(leaf);
  if (!key) return std::nullopt;
  return key->algorithm();
}

// What the bundle must be about, read from the command line's last argument. The bytes are kept in
// `bytes` only when the signature scheme needs them.
Result<sign::ArtifactRef> artifact_for(const std::string& input, const sign::Bundle& bundle,
                                       std::optional<sign::KeyAlgorithm> algorithm, std::optional<std::string>& bytes) {
  sign::ArtifactRef artifact;
  if (auto digest = as_digest(input)) {
    artifact.digest = *digest;
    return artifact;
  }
  const auto* message = std::get_if<sign::MessageSignature>(&bundle.content);
  if (message != nullptr && algorithm == sign::KeyAlgorithm::ed25519) {
    auto blob = read_blob(input);
    if (!blob) return std::unexpected(blob.error().with_context("read artifact"));
    bytes = std::move(*blob);
    artifact.bytes = *bytes;
    return artifact;
  }
  oci::DigestAlgorithm hash =
      algorithm == sign::KeyAlgorithm::ecdsa_p384 ? oci::DigestAlgorithm::sha384 : oci::DigestAlgorithm::sha256;
  if (message != nullptr && message->digest_algorithm == "SHA2_256") hash = oci::DigestAlgorithm::sha256;
  if (message != nullptr && message->digest_algorithm == "SHA2_384") hash = oci::DigestAlgorithm::sha384;
  if (message != nullptr && message->digest_algorithm == "SHA2_512") hash = oci::DigestAlgorithm::sha512;
  if (message == nullptr) hash = oci::DigestAlgorithm::sha256;  // in-toto subjects: sha256
  auto digest = hash_file(input, hash);
  if (!digest) return std::unexpected(digest.error().with_context("read artifact"));
  artifact.digest = *digest;
  return artifact;
}

Result<void> verify(std::string_view command, Args args) {
  cxxopts::Options options("sigil " + std::string(command),
                           "Verify a Sigstore bundle for a file, or for a digest (sha256:HEX), with a public key or "
                           "keyless (trusted root and expected signer identity)");
  options.custom_help("[OPTIONS]");
  options.positional_help("FILE|sha256:HEX");
  options.add_options()("args", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"args"});
  options.add_options()
      ("bundle", "The Sigstore bundle (v0.1 to v0.3)", cxxopts::value<std::string>(), "FILE")
      ("key", "Public key file (PKIX or PKCS#1 PEM, or a certificate)", cxxopts::value<std::string>(), "FILE");
  add_trust_options(options);
  add_global_options(options);
  auto parsed = parse_args(options, args, command);
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto inputs = positionals(p, command, {"FILE|sha256:HEX"});
  if (!inputs) return std::unexpected(inputs.error());
  if (!p.count("bundle")) return std::unexpected(usage_error(command, "--bundle is required"));
  if (!p.count("key") && !has_identity_flags(p)) {
    return std::unexpected(usage_error(
        command, "give --key PUB, or --certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp]"));
  }
  auto identity = identity_policy(p, command);
  if (!identity) return std::unexpected(identity.error());

  sign::TrustedMaterial trusted;
  if (p.count("key")) {
    auto key = load_verification_key(p["key"].as<std::string>());
    if (!key) return std::unexpected(key.error());
    trusted.keys.push_back(std::move(*key));
  }
  auto bundle = read_bundle(p["bundle"].as<std::string>());
  if (!bundle) return std::unexpected(bundle.error());
  if (needs_trusted_root(*bundle) || p.count("trusted-root")) {
    // A keyless bundle cannot be judged without a root; a key bundle's log entries are checked
    // whenever a root is at hand, and only warned about when none is.
    auto root = load_trusted_root(p, bundle->material != sign::MaterialKind::public_key);
    if (!root) return std::unexpected(root.error());
    trusted.root = std::move(*root);
  }

  const std::string& input = (*inputs)[0];
  std::optional<std::string> bytes;
  auto artifact = artifact_for(input, *bundle, signing_algorithm(*bundle, trusted), bytes);
  if (!artifact) return std::unexpected(artifact.error());

  sign::VerificationPolicy policy;
  policy.identity = std::move(*identity);
  auto facts = sign::verify_bundle(*bundle, *artifact, trusted, policy);
  if (!facts) return std::unexpected(facts.error().with_context(input));
  if (!bundle->tlog_entries.empty() && !facts->transparency_logged) {
    std::fprintf(stderr,
                 "sigil: warning: the bundle's transparency-log entries were not verified (no trusted root; "
                 "key signature only)\n");
  }
  std::string logged;
  for (const auto& entry : facts->tlog_entries) {
    logged += logged.empty() ? ", logged at " : " and ";
    logged += entry.base_url + " index " + std::to_string(entry.log_index);
  }
  std::fprintf(stderr, "Verified OK (%s, %s%s)\n", facts->content.c_str(), describe_signer(*facts).c_str(),
               logged.c_str());
  return {};
}

Result<void> run_verify_blob(Args args) { return verify("verify-blob", args); }
Result<void> run_verify_bundle(Args args) { return verify("verify-bundle", args); }

}  // namespace

std::vector<Command> verify_blob_commands() {
  return {
      {"verify-blob", "Verify a file's (or digest's) Sigstore bundle, with a key or keyless", run_verify_blob},
      {"verify-bundle", "verify-blob, as the Sigstore conformance client calls it", run_verify_bundle},
  };
}

}  // namespace sigil::cli
