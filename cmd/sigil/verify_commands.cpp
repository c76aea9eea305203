// sigil verify: finds an image's signatures (bundle referrers and legacy .sig tags), verifies them
// with a public key, or keyless against a trusted root and cosign's identity flags, and prints
// each that verified with who signed it. Exit 0 when every image has at least one, 1 when
// one has none (the reason of each candidate on stderr), 3 when the store could not be read.
#include <cstdio>
#include <utility>

#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/image_sign_helpers.hpp"
#include "cmd/sigil/trust_options.hpp"
#include "cmd/sigil/verify_trust.hpp"
#include "common/json.hpp"
#include "sign/image_verify.hpp"

namespace sigil::cli {
namespace {

using Ordered = nlohmann::ordered_json;

constexpr std::size_t kMaxCandidatesLimit = 100000;

std::string compact(const Ordered& j) { return j.dump(-1, ' ', false, Ordered::error_handler_t::replace); }

Ordered candidate_json(const sign::CandidateResult& c) {
  Ordered j = Ordered::object();
  j["source"] = c.source;
  j["format"] = sign::format_name(c.format);
  j["mediaType"] = c.media_type;
  j["verified"] = c.ok;
  if (!c.ok) j["reason"] = c.reason;
  if (!c.key_id.empty()) j["keyId"] = c.key_id;
  if (c.ok) add_signer_json(j, c.signer);
  if (!c.predicate_type.empty()) j["predicateType"] = c.predicate_type;
  if (!c.docker_reference.empty()) j["dockerReference"] = c.docker_reference;
  j["annotations"] = c.annotations;
  return j;
}

Ordered image_json(const ResolvedImage& image, const sign::ImageVerification& v) {
  Ordered j = Ordered::object();
  j["image"] = image.text;
  j["digest"] = v.image.str();
  j["verified"] = v.verified_count() > 0;
  j["found"] = v.found;
  j["examined"] = v.candidates.size();
  Ordered list = Ordered::array();
  for (const auto& c : v.candidates) list.push_back(candidate_json(c));
  j["signatures"] = std::move(list);
  return j;
}

std::string image_text(const ResolvedImage& image, const sign::ImageVerification& v) {
  std::string out = "Verified " + image.text + " (" + v.image.str() +
                    "): " + std::to_string(v.verified_count()) + " signature" +
                    (v.verified_count() == 1 ? "" : "s") + "\n";
  for (const auto& c : v.candidates) {
    if (!c.ok) continue;
    out += "  " + std::string(sign::format_name(c.format)) + "  " + signer_text(c.signer, c.key_id) + "  " + c.source;
    if (!c.docker_reference.empty()) out += "  docker-reference " + c.docker_reference;
    out += "  annotations " + compact(c.annotations) + "\n";
  }
  return out;
}

// What a user needs to see when nothing verified, or with --verbose: each refusal with its reason.
void print_refusals(const ResolvedImage& image, const sign::ImageVerification& v) {
  for (const auto& c : v.candidates) {
    if (c.ok) continue;
    std::string line = "sigil: " + image.text + ": " + c.source + " (" +
                       std::string(sign::format_name(c.format)) + "): " + c.reason + "\n";
    std::fputs(line.c_str(), stderr);
  }
}

Result<void> run_verify(Args args) {
  auto options = image_command_options("verify", "Verify the signatures of images (key or keyless)", "IMAGE...");
  // clang-format off
  options.add_options()
      ("key", "Public key file (PKIX or PKCS#1 PEM, or an X.509 certificate)", cxxopts::value<std::string>(), "FILE")
      ("a,annotation", "Require this signed annotation key=value (repeatable)",
       cxxopts::value<std::vector<std::string>>(), "K=V")
      ("o,output", "Output format: text or json", cxxopts::value<std::string>()->default_value("text"), "FORMAT")
      ("max-candidates", "Examine at most N signature candidates per image",
       cxxopts::value<long long>()->default_value("100"), "N")
      ("target-repository", "Look for signatures in this repository (default: the image's; env COSIGN_REPOSITORY)",
       cxxopts::value<std::string>(), "REPO");
  // clang-format on
  add_trust_options(options);
  add_global_options(options);
  auto parsed = parse_args(options, args, "verify");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  std::vector<std::string> images;
  if (p.count("args") > 0) images = p["args"].as<std::vector<std::string>>();
  if (images.empty()) return std::unexpected(usage_error("verify", "expected at least one IMAGE"));
  auto output = output_format(p, "verify");
  if (!output) return std::unexpected(output.error());
  const std::string& format = *output;
  auto max = bounded_count(p, "max-candidates", "verify", kMaxCandidatesLimit);
  if (!max) return std::unexpected(max.error());
  sign::ImageVerifyOptions verify_options;
  verify_options.max_candidates = *max;
  auto required = annotation_options(p, "verify");
  if (!required) return std::unexpected(required.error());
  verify_options.required_annotations = *required;
  auto trust = verify_trust(p, "verify");
  if (!trust) return std::unexpected(trust.error());
  verify_options.policy = trust->policy;
  const sign::TrustedMaterial& trusted = trust->trusted;
  auto globals = global_options(p);

  auto resolved = resolve_images(images, globals, "verify");
  if (!resolved) return std::unexpected(resolved.error());
  auto target = target_repository(p, globals, false);
  if (!target) return std::unexpected(target.error());

  Ordered json = Ordered::array();
  std::string text;
  std::vector<std::string> unverified;
  for (const auto& image : *resolved) {
    oci::Store& store = *target ? *(*target)->store : *image.opened.store;
    auto v = sign::verify_image(store, image.descriptor, trusted, verify_options);
    if (!v) return std::unexpected(v.error());
    if (v->truncated()) {
      std::string line = "sigil: warning: " + image.text + ": examined " +
                         std::to_string(v->candidates.size()) + " of " + std::to_string(v->found) +
                         " signature candidates (raise --max-candidates to examine more)\n";
      std::fputs(line.c_str(), stderr);
    }
    bool ok = v->verified_count() > 0;
    if (!ok || globals.verbose) print_refusals(image, *v);
    if (!ok) {
      unverified.push_back(image.text + (v->found == 0 ? " (no signatures found)"
                                                       : " (" + std::to_string(v->candidates.size()) +
                                                             " candidates refused)"));
    }
    json.push_back(image_json(image, *v));
    if (ok) text += image_text(image, *v);
  }
  if (format == "json") {
    if (auto w = write_stdout(json.dump(2, ' ', false, Ordered::error_handler_t::replace) + "\n"); !w)
      return w;
  } else if (auto w = write_stdout(text); !w) {
    return w;
  }
  if (!unverified.empty()) {
    std::string message = "no valid signature for ";
    for (std::size_t i = 0; i < unverified.size(); ++i) message += (i ? ", " : "") + unverified[i];
    return fail(ErrorCategory::denied, message);
  }
  if (format == "text" && trust->keyless) {
    std::fputs(("The following checks were performed on each of these signatures:\n" + trust_checks_text(*trust) +
                "  - The signed image digest is the image's digest\n"
                "  - Only image signatures counted (cosign sign/v1 statements and simple-signing payloads)\n")
                   .c_str(),
               stderr);
    if (!verify_options.required_annotations.empty()) {
      std::fputs("  - The required annotations (-a) were signed with the required values\n", stderr);
    }
  } else if (format == "text") {
    std::fputs(
        "The following checks were performed on each of these signatures:\n"
        "  - The signature was verified against the specified public key\n"
        "  - The signed image digest is the image's digest\n"
        "  - Only image signatures counted (cosign sign/v1 statements and simple-signing payloads)\n"
        "  - Transparency-log entries were not checked (key signatures)\n",
        stderr);
    if (!verify_options.required_annotations.empty()) {
      std::fputs("  - The required annotations (-a) were signed with the required values\n", stderr);
    }
  }
  return {};
}

}  // namespace

Command verify_command() {
  return Command{"verify", "Verify the signatures of images (key or keyless)", &run_verify};
}

}  // namespace sigil::cli
