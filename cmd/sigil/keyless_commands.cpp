// sign-bundle: keyless signing as the Sigstore conformance suite calls a client
//   sigil sign-bundle [--staging] [--in-toto] --identity-token T --bundle F [--trusted-root F]
//                     [--signing-config F] FILE
// A file becomes a messageSignature bundle (hashedrekord entry); with --in-toto the file is an
// in-toto statement signed into a DSSE envelope (dsse entry). Bundle v0.3 with the Fulcio leaf.
#include <cstddef>
#include <string>

#include "cmd/sigil/blob_io.hpp"
#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/keyless_options.hpp"
#include "common/file.hpp"
#include "sign/statement.hpp"

namespace sigil::cli {
namespace {

constexpr std::size_t kMaxTrustedRootBytes = 32 * 1024 * 1024;

Result<void> run_sign_bundle(Args args) {
  cxxopts::Options options("sigil sign-bundle",
                           "Sign a file (or, with --in-toto, an in-toto statement) keyless into a Sigstore bundle v0.3: "
                           "OIDC token -> Fulcio certificate -> signature -> Rekor entry (+ RFC 3161 timestamp)");
  options.custom_help("[OPTIONS]");
  options.positional_help("FILE");
  options.add_options()("args", "", cxxopts::value<std::vector<std::string>>())
      ("bundle", "Where to write the bundle", cxxopts::value<std::string>(), "FILE")
      ("in-toto", "FILE is an in-toto statement: sign it as a DSSE envelope")
      ("trusted-root", "Sigstore trusted_root.json of the services (checked to be readable)",
       cxxopts::value<std::string>(), "FILE");
  options.parse_positional({"args"});
  add_keyless_options(options);
  add_global_options(options);
  auto parsed = parse_args(options, args, "sign-bundle");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto files = positionals(p, "sign-bundle", {"FILE"});
  if (!files) return std::unexpected(files.error());
  if (!p.count("bundle")) return std::unexpected(usage_error("sign-bundle", "--bundle is required"));
  const std::string out = p["bundle"].as<std::string>();
  if (out.empty()) return std::unexpected(usage_error("sign-bundle", "--bundle is empty"));
  if (p.count("trusted-root")) {
    // Read now so a wrong path fails before anything is signed or logged.
    auto root = read_file(p["trusted-root"].as<std::string>(), kMaxTrustedRootBytes);
    if (!root) return std::unexpected(root.error().with_context("read trusted root"));
  }

  auto artifact = read_blob((*files)[0]);
  if (!artifact) return std::unexpected(artifact.error().with_context("read artifact"));
  const bool in_toto = p.count("in-toto") > 0;
  if (in_toto) {
    auto statement = sign::parse_statement(*artifact);
    if (!statement) return std::unexpected(statement.error().with_context((*files)[0]));
  }
  auto bundle = sign_keyless(p, "sign-bundle", [&](sign::Signer& signer) {
    return in_toto ? sign::sign_dsse_bundle(signer, sign::kInTotoPayloadType, *artifact)
                   : sign::sign_message_bundle(signer, *artifact);
  });
  if (!bundle) return std::unexpected(bundle.error());
  return write_bundle(out, *bundle);
}

}  // namespace

std::vector<Command> keyless_commands() {
  return {{"sign-bundle", "Sign a file or in-toto statement keyless (Sigstore conformance protocol)", run_sign_bundle}};
}

}  // namespace sigil::cli
