// The key command group: generate-key-pair and public-key.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/key_files.hpp"
#include "common/file.hpp"
#include "sign/keys.hpp"

namespace sigil::cli {
namespace {

using sign::KeyAlgorithm;
using sign::SecretBytes;

cxxopts::Options key_options(std::string_view name, std::string_view description) {
  cxxopts::Options options("sigil " + std::string(name), std::string(description));
  options.custom_help("[OPTIONS]");
  options.add_options()("args", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"args"});
  return options;
}

Result<std::pair<KeyAlgorithm, int>> parse_algorithm(std::string_view text) {
  if (text == "ecdsa-p256") return std::pair{KeyAlgorithm::ecdsa_p256, 0};
  if (text == "ecdsa-p384") return std::pair{KeyAlgorithm::ecdsa_p384, 0};
  if (text == "ed25519") return std::pair{KeyAlgorithm::ed25519, 0};
  if (text == "rsa-3072") return std::pair{KeyAlgorithm::rsa, 3072};
  if (text == "rsa-4096") return std::pair{KeyAlgorithm::rsa, 4096};
  return std::unexpected(usage_error("generate-key-pair", "--algorithm must be ecdsa-p256, ecdsa-p384, ed25519, "
                                                          "rsa-3072 or rsa-4096, not '" + std::string(text) + "'"));
}

// The private key goes through a temp file made owner-only before any byte is written, then renamed.
Result<void> write_private_file(const std::filesystem::path& path, std::string_view pem) {
  auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  auto temp = TempFile::create(dir);
  if (!temp) return std::unexpected(temp.error());
  std::error_code ec;
  std::filesystem::permissions(temp->path(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace, ec);
  if (ec) return fail(ErrorCategory::internal, "chmod " + temp->path().string() + ": " + ec.message());
  if (auto w = temp->write(pem); !w) return w;
  return temp->commit(path);
}

Result<void> run_generate_key_pair(Args args) {
  auto options = key_options("generate-key-pair", "Generate a key pair: PREFIX.key (encrypted, mode 0600) and PREFIX.pub");
  options.add_options()
      ("output-key-prefix", "Prefix of the files written", cxxopts::value<std::string>()->default_value("cosign"), "P")
      ("algorithm", "ecdsa-p256, ecdsa-p384, ed25519, rsa-3072 or rsa-4096",
       cxxopts::value<std::string>()->default_value("ecdsa-p256"), "ALG")
      ("force", "Overwrite existing PREFIX.key / PREFIX.pub");
  add_global_options(options);
  auto parsed = parse_args(options, args, "generate-key-pair");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  if (auto none = positionals(p, "generate-key-pair", {}); !none) return std::unexpected(none.error());
  auto algorithm = parse_algorithm(p["algorithm"].as<std::string>());
  if (!algorithm) return std::unexpected(algorithm.error());
  std::string prefix = p["output-key-prefix"].as<std::string>();
  if (prefix.empty()) return std::unexpected(usage_error("generate-key-pair", "--output-key-prefix is empty"));
  std::filesystem::path key_path = prefix + ".key";
  std::filesystem::path pub_path = prefix + ".pub";
  // Checked before asking for a password, so a refusal writes and asks nothing.
  if (!p.count("force")) {
    std::error_code ec;
    for (const auto& path : {key_path, pub_path}) {
      if (std::filesystem::exists(path, ec))
        return fail(ErrorCategory::usage, path.string() + " already exists (use --force to overwrite)");
    }
  }
  auto password = read_password(true);
  if (!password) return std::unexpected(password.error());
  auto key = sign::generate_private_key(algorithm->first, algorithm->second);
  if (!key) return std::unexpected(key.error());
  auto pem = sign::encrypt_cosign_private_key(*key, *password);
  if (!pem) return std::unexpected(pem.error());
  if (auto w = write_private_file(key_path, *pem); !w) return std::unexpected(w.error().with_context("write private key"));
  if (auto w = write_file_atomic(pub_path, key->public_key().to_pem()); !w)
    return std::unexpected(w.error().with_context("write public key"));
  std::fprintf(stderr, "Private key written to %s\nPublic key written to %s\n", key_path.c_str(), pub_path.c_str());
  return {};
}

Result<void> run_public_key(Args args) {
  auto options = key_options("public-key", "Print the PKIX public key of a private key");
  options.add_options()("key", "Private key file (cosign-encrypted, PKCS#8, SEC1 or PKCS#1 PEM)",
                        cxxopts::value<std::string>(), "FILE");
  add_global_options(options);
  auto parsed = parse_args(options, args, "public-key");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  if (auto none = positionals(p, "public-key", {}); !none) return std::unexpected(none.error());
  if (!p.count("key")) return std::unexpected(usage_error("public-key", "--key is required"));
  auto key = load_signing_key(p["key"].as<std::string>());
  if (!key) return std::unexpected(key.error());
  return write_stdout(key->public_key().to_pem());
}

}  // namespace

std::vector<Command> key_commands() {
  return {
      {"generate-key-pair", "Generate an encrypted signing key pair (cosign format)", run_generate_key_pair},
      {"public-key", "Print the public key of a private key", run_public_key},
  };
}

}  // namespace sigil::cli
