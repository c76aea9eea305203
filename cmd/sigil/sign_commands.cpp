// sigil sign: cosign v3 image signatures with a key or keyless, pushed as bundle referrers (and, on
// request with a key, in cosign's legacy `.sig` format). Every image is resolved and the key loaded
// (or the keyless certificate obtained, and every bundle logged) before the first push, so bad
// input or a failing Sigstore service changes nothing.
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/image_sign_helpers.hpp"
#include "cmd/sigil/key_files.hpp"
#include "cmd/sigil/keyless_options.hpp"
#include "oci/artifact.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "sign/cosign_image.hpp"
#include "sign/signer.hpp"
#include "sign/statement.hpp"

namespace sigil::cli {
namespace {

constexpr int kMaxIndexDepth = 4;

// One manifest to sign: where its image lives and how the legacy payload names it.
struct SignTarget {
  oci::Descriptor descriptor;
  std::string docker_reference;
  oci::Store* image_store = nullptr;
};

// With --recursive, an index and every manifest it lists (nested indexes too), each checked to be
// present: signing a digest the store does not hold would leave a signature for nothing.
Result<void> collect(oci::Store& store, const oci::Descriptor& desc, const std::string& docker_reference,
                     bool recursive, int depth, std::vector<SignTarget>& out) {
  out.push_back(SignTarget{desc, docker_reference, &store});
  if (!recursive || !oci::media_type::is_index(desc.media_type)) return {};
  if (depth >= kMaxIndexDepth) {
    return fail(ErrorCategory::input, "index " + desc.digest.str() + ": indexes nested deeper than " +
                                          std::to_string(kMaxIndexDepth) + " levels");
  }
  auto raw = store.fetch_manifest(desc);
  if (!raw) return std::unexpected(raw.error());
  auto index = oci::Index::parse(std::move(*raw), "index " + desc.digest.str());
  if (!index) return std::unexpected(index.error());
  for (const auto& child : index->manifests) {
    if (!oci::media_type::is_manifest(child.media_type) && !oci::media_type::is_index(child.media_type))
      continue;
    auto has = store.has_manifest(child);
    if (!has) return std::unexpected(has.error());
    if (!*has) {
      return fail(ErrorCategory::input, "index " + desc.digest.str() + " lists " + child.digest.str() +
                                            ", which " + store.name() +
                                            " does not hold (copy it with --all-platforms first)");
    }
    if (auto r = collect(store, child, docker_reference, recursive, depth + 1, out); !r) return r;
  }
  return {};
}

// Keyless: one certificate for every target; each statement signed into a bundle and logged in
// Rekor before the first push, so a Fulcio/Rekor/TSA failure leaves every store as it was.
Result<std::string> sign_targets_keyless(const cxxopts::ParseResult& p, const std::vector<SignTarget>& targets,
                                         const std::optional<Opened>& target,
                                         const sign::SignatureAnnotations& annotations) {
  auto session = KeylessSession::open(p, "sign");
  if (!session) return std::unexpected(session.error());
  std::vector<sign::Bundle> bundles;
  for (const auto& t : targets) {
    const std::string what = "sign " + t.descriptor.digest.str();
    auto bundle = sign::sign_dsse_bundle((*session)->signer(), sign::kInTotoPayloadType,
                                         sign::image_signature_statement(t.descriptor.digest, annotations));
    if (!bundle) return std::unexpected(bundle.error().with_context(what));
    if (auto completed = (*session)->complete(*bundle); !completed) {
      return std::unexpected(completed.error().with_context(what));
    }
    bundles.push_back(std::move(*bundle));
  }
  const std::string created = oci::creation_time();
  std::string out;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const auto& t = targets[i];
    oci::Store& store = target ? *target->store : *t.image_store;
    std::fputs(("Pushing signature to: " + store.name() + "\n").c_str(), stderr);
    auto referrer = sign::attach_bundle(store, t.descriptor, bundles[i], sign::kCosignSignPredicateType, created);
    if (!referrer) return std::unexpected(referrer.error().with_context("sign " + t.descriptor.digest.str()));
    out += t.descriptor.digest.str() + " " + referrer->digest.str() + "\n";
  }
  return out;
}

Result<void> run_sign(Args args) {
  auto options = image_command_options("sign", "Sign images with a key or keyless (cosign v3 bundle referrers)",
                                       "IMAGE...");
  // clang-format off
  options.add_options()
      ("key", "Private key file (cosign, PKCS#8, SEC1 or PKCS#1 PEM)", cxxopts::value<std::string>(), "FILE")
      ("a,annotation", "Signed annotation key=value (repeatable)", cxxopts::value<std::vector<std::string>>(), "K=V")
      ("recursive", "For an index, also sign every manifest it lists")
      ("legacy-tag", "Also write cosign's legacy sha256-<hex>.sig simple-signing signature")
      ("target-repository", "Store signatures in this repository (default: the image's; env COSIGN_REPOSITORY)",
       cxxopts::value<std::string>(), "REPO")
      ("keyless", "Sign keyless: OIDC identity -> Fulcio certificate, logged in Rekor (see the Keyless options)");
  // clang-format on
  add_keyless_options(options);
  add_global_options(options);
  auto parsed = parse_args(options, args, "sign");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  std::vector<std::string> images;
  if (p.count("args") > 0) images = p["args"].as<std::vector<std::string>>();
  if (images.empty()) return std::unexpected(usage_error("sign", "expected at least one IMAGE"));
  auto keyless = keyless_requested(p, "sign", "key");
  if (!keyless) return std::unexpected(keyless.error());
  if (!*keyless && p.count("key") == 0) return std::unexpected(usage_error("sign", "--key is required (or --keyless)"));
  if (*keyless && p.count("legacy-tag") > 0) {
    return std::unexpected(usage_error("sign", "--legacy-tag is for key signatures: keyless signatures are bundle referrers only"));
  }
  auto annotations = annotation_options(p, "sign");
  if (!annotations) return std::unexpected(annotations.error());
  auto globals = global_options(p);

  auto resolved = resolve_images(images, globals, "sign");
  if (!resolved) return std::unexpected(resolved.error());
  auto target = target_repository(p, globals, true);
  if (!target) return std::unexpected(target.error());
  std::vector<SignTarget> targets;
  for (auto& image : *resolved) {
    auto r = collect(*image.opened.store, image.descriptor, image.opened.reference.repository_name(),
                     p.count("recursive") > 0, 0, targets);
    if (!r) return std::unexpected(r.error());
  }
  if (*keyless) {
    auto out = sign_targets_keyless(p, targets, *target, *annotations);
    if (!out) return std::unexpected(out.error());
    return write_stdout(*out);
  }
  auto key = load_signing_key(p["key"].as<std::string>());
  if (!key) return std::unexpected(key.error());
  sign::KeySigner signer(std::move(*key));

  sign::SignImageOptions sign_options;
  sign_options.annotations = *annotations;
  sign_options.legacy_tag = p.count("legacy-tag") > 0;
  sign_options.created = oci::creation_time();
  std::string out;
  for (const auto& t : targets) {
    oci::Store& store = *target ? *(*target)->store : *t.image_store;
    std::fputs(("Pushing signature to: " + store.name() + "\n").c_str(), stderr);
    sign_options.docker_reference = t.docker_reference;
    auto signed_image = sign::sign_image(signer, store, t.descriptor, sign_options);
    if (!signed_image) return std::unexpected(signed_image.error());
    out += t.descriptor.digest.str() + " " + signed_image->referrer.digest.str() + "\n";
  }
  return write_stdout(out);
}

}  // namespace

std::vector<Command> image_sign_commands() {
  return {Command{"sign", "Sign images with a key or keyless (cosign v3 format, stored as referrers)", &run_sign},
          verify_command()};
}

}  // namespace sigil::cli
