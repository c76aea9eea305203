// The blob command group: sign-blob writes a Sigstore bundle (v0.3, messageSignature) for a file;
// verify-blob checks one against a public key, for a file or only its digest. verify-bundle is the
// same command under the name and argument order of the Sigstore conformance client protocol.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/key_files.hpp"
#include "cmd/sigil/keyless_options.hpp"
#include "common/file.hpp"
#include "common/limits.hpp"
#include "oci/digest.hpp"
#include "sign/bundle.hpp"
#include "sign/signer.hpp"
#include "sign/verifier.hpp"

namespace sigil::cli {
namespace {

/// Largest blob read into memory: signing, and Ed25519 verification, need the bytes themselves.
/// Other verifications stream the file through a hasher and have no limit.
constexpr std::uint64_t kMaxBlobInMemoryBytes = 1024ull * 1024 * 1024;

cxxopts::Options blob_options(std::string_view name, std::string_view description, std::string_view args) {
  cxxopts::Options options("sigil " + std::string(name), std::string(description));
  options.custom_help("[OPTIONS]");
  options.positional_help(std::string(args));
  options.add_options()("args", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"args"});
  return options;
}

// stat() first, so a file that is too large is refused before anything is read.
Result<std::string> read_blob(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::unexpected(errno_error(ErrorCategory::input, path, errno));
  if (!S_ISREG(info.st_mode)) return fail(ErrorCategory::input, path + ": not a regular file");
  if (static_cast<std::uint64_t>(info.st_size) > kMaxBlobInMemoryBytes) {
    return fail(ErrorCategory::input, path + ": larger than the limit of " + std::to_string(kMaxBlobInMemoryBytes) +
                                          " bytes for signing in memory");
  }
  return read_file(path, kMaxBlobInMemoryBytes);
}

// Streams the file through the hasher: verifying a large artifact costs no memory.
Result<oci::Digest> hash_file(const std::string& path, oci::DigestAlgorithm algorithm) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(errno_error(ErrorCategory::input, path, errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return fail(ErrorCategory::input, path + ": not a regular file");
  }
  oci::Hasher hasher(algorithm);
  std::string buffer(1 << 20, '\0');
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return std::unexpected(errno_error(ErrorCategory::input, path, err));
    }
    if (n == 0) break;
    hasher.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  ::close(fd);
  return hasher.finish();
}

Result<sign::Bundle> read_bundle(const std::string& path) {
  auto text = read_file(path, limits::kMaxBundleBytes);
  if (!text) return std::unexpected(text.error().with_context("read bundle"));
  auto bundle = sign::parse_bundle(*text);
  if (!bundle) return std::unexpected(bundle.error().with_context(path));
  return bundle;
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
  if (keyless) {
    auto blob = read_blob((*files)[0]);
    if (!blob) return std::unexpected(blob.error().with_context("read blob"));
    auto bundle = sign_keyless(p, "sign-blob", [&](sign::Signer& signer) { return sign::sign_message_bundle(signer, *blob); });
    if (!bundle) return std::unexpected(bundle.error());
    if (auto written = write_file_atomic(out, sign::serialize_bundle(*bundle)); !written) {
      return std::unexpected(written.error().with_context("write bundle"));
    }
    std::fprintf(stderr, "Wrote bundle to %s\n", out.c_str());
    return {};
  }

  // The blob is read before the key so a missing file asks for no password.
  auto blob = read_blob((*files)[0]);
  if (!blob) return std::unexpected(blob.error().with_context("read blob"));
  auto key = load_signing_key(p["key"].as<std::string>());
  if (!key) return std::unexpected(key.error());
  sign::KeySigner signer(std::move(*key));
  auto bundle = sign::sign_message_bundle(signer, *blob);
  if (!bundle) return std::unexpected(bundle.error());
  if (auto written = write_file_atomic(out, sign::serialize_bundle(*bundle)); !written) {
    return std::unexpected(written.error().with_context("write bundle"));
  }
  std::fprintf(stderr, "Wrote bundle to %s\n", out.c_str());
  return {};
}

// The conformance protocol's rule: "sha256:" + 64 hex that is not a path on disk is a digest;
// anything else is a file.
std::optional<oci::Digest> as_digest(const std::string& text) {
  auto digest = oci::Digest::parse(text);
  if (!digest) return std::nullopt;
  std::error_code ec;
  if (std::filesystem::exists(text, ec)) return std::nullopt;
  return *digest;
}

Result<void> verify(std::string_view command, Args args) {
  auto options = blob_options(command, "Verify a Sigstore bundle for a file, or for a digest (sha256:HEX), with a public key",
                              "FILE|sha256:HEX");
  options.add_options()
      ("bundle", "The Sigstore bundle (v0.1 to v0.3)", cxxopts::value<std::string>(), "FILE")
      ("key", "Public key file (PKIX or PKCS#1 PEM, or a certificate)", cxxopts::value<std::string>(), "FILE")
      ("trusted-root", "Sigstore trusted_root.json (needed by keyless bundles; not yet used with --key)",
       cxxopts::value<std::string>(), "FILE")
      ("certificate-identity", "Expected signer identity (keyless; not implemented yet)", cxxopts::value<std::string>(), "ID")
      ("certificate-oidc-issuer", "Expected OIDC issuer (keyless; not implemented yet)", cxxopts::value<std::string>(), "URL")
      ("staging", "Use Sigstore staging infrastructure (keyless; ignored with --key)");
  add_global_options(options);
  auto parsed = parse_args(options, args, command);
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto inputs = positionals(p, command, {"FILE|sha256:HEX"});
  if (!inputs) return std::unexpected(inputs.error());
  if (!p.count("bundle")) return std::unexpected(usage_error(command, "--bundle is required"));
  if (!p.count("key")) {
    if (p.count("certificate-identity") || p.count("certificate-oidc-issuer")) {
      return std::unexpected(usage_error(
          command, "keyless verification (--certificate-identity/--certificate-oidc-issuer) is not implemented yet; "
                   "give --key PUB"));
    }
    return std::unexpected(usage_error(command, "--key is required"));
  }
  const bool verbose = global_options(p).verbose;

  auto key = load_verification_key(p["key"].as<std::string>());
  if (!key) return std::unexpected(key.error());
  auto bundle = read_bundle(p["bundle"].as<std::string>());
  if (!bundle) return std::unexpected(bundle.error());
  const sign::KeyAlgorithm algorithm = key->algorithm();
  sign::TrustedMaterial trusted;
  trusted.keys.push_back(std::move(*key));

  // What the bundle must be about. Ed25519 needs the bytes themselves; everything else is verified
  // over a digest computed while streaming the file, with the algorithm the bundle recorded.
  const std::string& input = (*inputs)[0];
  std::optional<std::string> bytes;
  sign::ArtifactRef artifact;
  if (auto digest = as_digest(input)) {
    artifact.digest = *digest;
  } else {
    const auto* message = std::get_if<sign::MessageSignature>(&bundle->content);
    if (message != nullptr && algorithm == sign::KeyAlgorithm::ed25519) {
      auto blob = read_blob(input);
      if (!blob) return std::unexpected(blob.error().with_context("read artifact"));
      bytes = std::move(*blob);
      artifact.bytes = *bytes;
    } else {
      oci::DigestAlgorithm hash = algorithm == sign::KeyAlgorithm::ecdsa_p384 ? oci::DigestAlgorithm::sha384
                                                                              : oci::DigestAlgorithm::sha256;
      if (message != nullptr && message->digest_algorithm == "SHA2_256") hash = oci::DigestAlgorithm::sha256;
      if (message != nullptr && message->digest_algorithm == "SHA2_384") hash = oci::DigestAlgorithm::sha384;
      if (message != nullptr && message->digest_algorithm == "SHA2_512") hash = oci::DigestAlgorithm::sha512;
      if (message == nullptr) hash = oci::DigestAlgorithm::sha256;  // in-toto subjects: sha256
      auto digest_of_file = hash_file(input, hash);
      if (!digest_of_file) return std::unexpected(digest_of_file.error().with_context("read artifact"));
      artifact.digest = *digest_of_file;
    }
  }
  if (p.count("trusted-root") && verbose) {
    std::fprintf(stderr, "sigil: note: --trusted-root is not used for key-signed bundles yet\n");
  }
  auto facts = sign::verify_bundle(*bundle, artifact, trusted);
  if (!facts) return std::unexpected(facts.error().with_context(input));
  if (!bundle->tlog_entries.empty()) {
    std::fprintf(stderr, "sigil: warning: the bundle's transparency-log entries were not verified (key signature only)\n");
  }
  std::fprintf(stderr, "Verified OK (%s, key %s)\n", facts->content.c_str(), facts->key_id.substr(0, 16).c_str());
  return {};
}

Result<void> run_verify_blob(Args args) { return verify("verify-blob", args); }
Result<void> run_verify_bundle(Args args) { return verify("verify-bundle", args); }

}  // namespace

std::vector<Command> blob_commands() {
  return {
      {"sign-blob", "Sign a file with a key into a Sigstore bundle", run_sign_blob},
      {"verify-blob", "Verify a file's (or digest's) Sigstore bundle with a public key", run_verify_blob},
      {"verify-bundle", "verify-blob, as the Sigstore conformance client calls it", run_verify_bundle},
  };
}

}  // namespace sigil::cli
