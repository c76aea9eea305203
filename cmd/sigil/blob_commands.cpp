// sign-blob: writes a Sigstore bundle (v0.3, messageSignature) for a file, with a key or keyless.
// Verifying is verify-blob / verify-bundle, in verify_blob_commands.cpp.
#include <string>

#include "cmd/sigil/blob_io.hpp"
#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/key_files.hpp"
#include "cmd/sigil/keyless_options.hpp"
#include "oci/digest.hpp"
#include "sign/bundle.hpp"
#include "sign/signer.hpp"
#include "sign/verifier.hpp"

namespace sigil::cli {
namespace {

cxxopts::Options blob_options(std::string_view name, std::string_view description, std::string_view args) {
  cxxopts::Options options("sigil " + std::string(name), std::string(description));
  options.custom_help("[OPTIONS]");
  options.positional_help(std::string(args));
  options.add_options()("args", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"args"});
  return options;
}

Result<void> run_sign_blob(Args args) {
  auto options = blob_options("sign-blob", "Sign a file with a key, or keyless, into a Sigstore bundle (v0.3, messageSignature)",
                              "FILE");
  options.add_options()
      ("key", "Private key file (cosign-encrypted, PKCS#8, SEC1 or PKCS#1 PEM)", cxxopts::value<std::string>(), "FILE")
      ("bundle", "Where to write the bundle", cxxopts::value<std::string>(), "FILE")
      ("keyless", "Sign keyless: OIDC identity -> Fulcio certificate, logged in Rekor (see the Keyless options)");
  add_keyless_options(options);
  add_global_options(options);
  auto parsed = parse_args(options, args, "sign-blob");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto files = positionals(p, "sign-blob", {"FILE"});
  if (!files) return std::unexpected(files.error());
  const bool keyless = p.count("keyless") > 0;
  if (keyless && p.count("key")) return std::unexpected(usage_error("sign-blob", "--key and --keyless exclude each other"));
  if (!keyless && keyless_flags_given(p)) {
    return std::unexpected(usage_error("sign-blob", "keyless options need --keyless"));
  }
  if (!keyless && !p.count("key")) return std::unexpected(usage_error("sign-blob", "--key (or --keyless) is required"));
  if (!p.count("bundle")) return std::unexpected(usage_error("sign-blob", "--bundle is required"));
  const std::string out = p["bundle"].as<std::string>();
  if (out.empty()) return std::unexpected(usage_error("sign-blob", "--bundle is empty"));
  // The blob is read before the key so a missing file asks for no password.
  auto blob = read_blob((*files)[0]);
  if (!blob) return std::unexpected(blob.error().with_context("read blob"));
  if (keyless) {
    auto bundle = sign_keyless(p, "sign-blob", [&](sign::Signer& signer) { return sign::sign_message_bundle(signer, *blob); });
    if (!bundle) return std::unexpected(bundle.error());
    return write_bundle(out, *bundle);
  }
  auto key = load_signing_key(p["key"].as<std::string>());
  if (!key) return std::unexpected(key.error());
  sign::KeySigner signer(std::move(*key));
  auto bundle = sign::sign_message_bundle(signer, *blob);
  if (!bundle) return std::unexpected(bundle.error());
  return write_bundle(out, *bundle);
}

}  // namespace

std::vector<Command> blob_commands() {
  return {
      {"sign-blob", "Sign a file with a key into a Sigstore bundle", run_sign_blob},
  };
}

}  // namespace sigil::cli
