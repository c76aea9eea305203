// sigil attest / verify-attestation: in-toto attestations about images, signed with a key or keyless into
// Sigstore bundles and stored as OCI 1.1 referrers (cosign v3's layout), with cosign's flags,
// predicate types and output. Everything is checked and signed before the first push, so bad
// input changes nothing.
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>

#include "cmd/sigil/attest_helpers.hpp"
#include "cmd/sigil/attest_verify.hpp"
#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/image_sign_helpers.hpp"
#include "cmd/sigil/key_files.hpp"
#include "cmd/sigil/keyless_options.hpp"
#include "cmd/sigil/trust_options.hpp"
#include "cmd/sigil/verify_trust.hpp"
#include "common/limits.hpp"
#include "oci/artifact.hpp"
#include "sign/dsse.hpp"
#include "sign/signer.hpp"

namespace sigil::cli {
namespace {

/// Default bound on a predicate file: a statement must still fit a verifier's envelope limit.
constexpr long long kDefaultMaxPredicateBytes = 8LL * 1024 * 1024;
constexpr std::size_t kMaxCandidatesLimit = 100000;

Result<void> run_attest(Args args) {
  auto options = image_command_options(
      "attest", "Attest an image: sign an in-toto statement with a key or keyless and store it beside the image",
      "IMAGE");
  // clang-format off
  options.add_options()
      ("predicate", "Predicate file (\"-\": standard input)", cxxopts::value<std::string>(), "FILE")
      ("type", "Predicate type: " + predicate_type_names() + " (cosign's names) or a URI",
       cxxopts::value<std::string>()->default_value("custom"), "TYPE")
      ("key", "Private key file (cosign, PKCS#8, SEC1 or PKCS#1 PEM)", cxxopts::value<std::string>(), "FILE")
      ("a,annotation", "Signed annotation key=value on the statement's subject (repeatable)",
       cxxopts::value<std::vector<std::string>>(), "K=V")
      ("replace", "Replace attestations of the same type (cosign v2's .att tag; not possible for referrers)")
      ("max-predicate-bytes", "Refuse predicate files larger than N bytes",
       cxxopts::value<long long>()->default_value(std::to_string(kDefaultMaxPredicateBytes)), "N")
      ("keyless", "Sign keyless: OIDC identity -> Fulcio certificate, logged in Rekor (see the Keyless options)");
  // clang-format on
  add_keyless_options(options);
  add_global_options(options);
  auto parsed = parse_args(options, args, "attest");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto images = positionals(p, "attest", {"IMAGE"});
  if (!images) return std::unexpected(images.error());
  if (p.count("predicate") == 0) return std::unexpected(usage_error("attest", "--predicate FILE is required"));
  auto keyless = keyless_requested(p, "attest", "key");
  if (!keyless) return std::unexpected(keyless.error());
  if (!*keyless && p.count("key") == 0) return std::unexpected(usage_error("attest", "--key is required (or --keyless)"));
  if (p.count("replace") > 0) {
    // Referrers are immutable manifests found through the subject; nothing replaces one in place
    // (cosign v3 has no --replace either). Refused rather than silently ignored.
    return std::unexpected(usage_error(
        "attest", "--replace is not supported: attestations are OCI referrers, which are added, never replaced "
                  "(cosign v3 dropped --replace too); verify-attestation --type selects by type"));
  }
  auto spec = predicate_spec(p["type"].as<std::string>());
  if (!spec) return std::unexpected(usage_error("attest", "--type: " + spec.error().message));
  auto max_bytes = bounded_count(p, "max-predicate-bytes", "attest", limits::kMaxDsseEnvelopeBytes);
  if (!max_bytes) return std::unexpected(max_bytes.error());
  auto annotations = annotation_options(p, "attest");
  if (!annotations) return std::unexpected(annotations.error());

  const std::string predicate_path = p["predicate"].as<std::string>();
  auto bytes = read_predicate_file(predicate_path, *max_bytes);
  if (!bytes) return std::unexpected(bytes.error());
  auto predicate = predicate_from_file(*spec, *bytes, predicate_path == "-" ? "(standard input)" : predicate_path,
                                  oci::creation_time());
  if (!predicate) return std::unexpected(predicate.error());

  auto globals = global_options(p);
  auto resolved = resolve_images(*images, globals, "attest");
  if (!resolved) return std::unexpected(resolved.error());
  ResolvedImage& image = (*resolved)[0];
  // Keyless: the certificate is obtained and the bundle logged in Rekor before the push.
  std::unique_ptr<KeylessSession> session;
  std::optional<sign::KeySigner> key_signer;
  if (*keyless) {
    auto opened = KeylessSession::open(p, "attest");
    if (!opened) return std::unexpected(opened.error());
    session = std::move(*opened);
  } else {
    auto key = load_signing_key(p["key"].as<std::string>());
    if (!key) return std::unexpected(key.error());
    key_signer.emplace(std::move(*key));
  }
  sign::Signer& signer = session ? session->signer() : static_cast<sign::Signer&>(*key_signer);

  auto attestation = sign_attestation(signer, image.descriptor, attestation_subject_name(image.opened.reference),
                                      spec->uri, std::move(*predicate), *annotations);
  if (!attestation) return std::unexpected(attestation.error());
  if (session) {
    if (auto completed = session->complete(attestation->bundle); !completed) {
      return std::unexpected(completed.error().with_context("attest " + image.text));
    }
  }
  std::fputs(("Pushing attestation to: " + image.opened.store->name() + "\n").c_str(), stderr);
  auto pushed = push_attestation(*image.opened.store, image.descriptor, *attestation);
  if (!pushed) return std::unexpected(pushed.error().with_context("attest " + image.text));
  return write_stdout(image.descriptor.digest.str() + " " + pushed->digest.str() + "\n");
}

std::string text_summary(const ResolvedImage& image, const AttestationReport& report) {
  std::size_t n = report.verified_count();
  std::string out = "Verified " + image.text + " (" + report.image.str() + "): " + std::to_string(n) +
                    " attestation" + (n == 1 ? "" : "s") + "\n";
  for (const auto& c : report.candidates) {
    if (!c.ok) continue;
    out += "  " + c.predicate_type + "  " + signer_text(c.signer, c.key_id) + "  " + c.source + "\n";
  }
  return out;
}

Result<void> run_verify_attestation(Args args) {
  auto options = image_command_options("verify-attestation", "Verify the signed attestations of images (key or keyless)",
                                       "IMAGE...");
  // clang-format off
  options.add_options()
      ("key", "Public key file (PKIX or PKCS#1 PEM, or an X.509 certificate)", cxxopts::value<std::string>(), "FILE")
      ("type", "Only attestations of this predicate type: " + predicate_type_names() + " or a URI (default: all)",
       cxxopts::value<std::string>(), "TYPE")
      ("a,annotation", "Require this signed subject annotation key=value (repeatable)",
       cxxopts::value<std::vector<std::string>>(), "K=V")
      ("o,output", "text (one line per verified statement) or json (one DSSE envelope per line, as cosign prints)",
       cxxopts::value<std::string>()->default_value("text"), "FORMAT")
      ("max-candidates", "Examine at most N attestation candidates per image",
       cxxopts::value<long long>()->default_value("100"), "N");
  // clang-format on
  add_trust_options(options);
  add_global_options(options);
  auto parsed = parse_args(options, args, "verify-attestation");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  std::vector<std::string> images;
  if (p.count("args") > 0) images = p["args"].as<std::vector<std::string>>();
  if (images.empty()) return std::unexpected(usage_error("verify-attestation", "expected at least one IMAGE"));
  auto output = output_format(p, "verify-attestation");
  if (!output) return std::unexpected(output.error());
  const std::string& format = *output;
  AttestationQuery query;
  if (p.count("type") > 0) {
    auto spec = predicate_spec(p["type"].as<std::string>());
    if (!spec) return std::unexpected(usage_error("verify-attestation", "--type: " + spec.error().message));
    query.predicate_type = spec->uri;
  }
  auto max = bounded_count(p, "max-candidates", "verify-attestation", kMaxCandidatesLimit);
  if (!max) return std::unexpected(max.error());
  query.max_candidates = *max;
  auto required = annotation_options(p, "verify-attestation");
  if (!required) return std::unexpected(required.error());
  query.required_annotations = *required;
  auto trust = verify_trust(p, "verify-attestation");
  if (!trust) return std::unexpected(trust.error());
  query.policy = trust->policy;
  const sign::TrustedMaterial& trusted = trust->trusted;
  auto globals = global_options(p);
  auto resolved = resolve_images(images, globals, "verify");
  if (!resolved) return std::unexpected(resolved.error());

  std::string out;
  std::vector<std::string> unverified;
  for (const auto& image : *resolved) {
    auto report = find_attestations(*image.opened.store, image.descriptor, trusted, query);
    if (!report) return std::unexpected(report.error());
    if (report->truncated()) {
      std::string line = "sigil: warning: " + image.text + ": examined " + std::to_string(report->candidates.size()) +
                         " of " + std::to_string(report->found) +
                         " attestation candidates (raise --max-candidates to examine more)\n";
      std::fputs(line.c_str(), stderr);
    }
    print_unsigned_attestations(image.text, *report);
    bool ok = report->verified_count() > 0;
    if (!ok || globals.verbose) print_attestation_refusals(image.text, *report);
    if (!ok) {
      std::string why = report->found == 0 ? "no signed attestations found" : std::to_string(report->candidates.size()) + " candidates refused";
      if (report->other_types > 0) why += ", " + std::to_string(report->other_types) + " of another type";
      if (!report->unsigned_attestations.empty()) {
        why += ", " + std::to_string(report->unsigned_attestations.size()) + " unsigned";
      }
      unverified.push_back(image.text + " (" + why + ")");
      continue;
    }
    if (format == "text") {
      out += text_summary(image, *report);
    } else {
      for (const auto& c : report->candidates) {
        if (c.ok) out += sign::serialize_envelope_for_oci_layer(c.envelope) + "\n";
      }
    }
  }
  if (auto w = write_stdout(out); !w) return w;
  if (!unverified.empty()) {
    std::string message = "no valid attestation";
    if (!query.predicate_type.empty()) message += " of type " + query.predicate_type;
    message += " for ";
    for (std::size_t i = 0; i < unverified.size(); ++i) message += (i ? ", " : "") + unverified[i];
    return fail(ErrorCategory::denied, message);
  }
  if (format == "text" && trust->keyless) {
    std::fputs(("The following checks were performed on each of these attestations:\n" + trust_checks_text(*trust) +
                "  - The statement's subject is the image's digest\n")
                   .c_str(),
               stderr);
  } else if (format == "text") {
    std::fputs(
        "The following checks were performed on each of these attestations:\n"
        "  - The signature was verified against the specified public key\n"
        "  - The statement's subject is the image's digest\n"
        "  - Transparency-log entries were not checked (key signatures)\n",
        stderr);
  }
  return {};
}

}  // namespace

std::vector<Command> attest_commands() {
  return {Command{"attest", "Attest an image with a key or keyless (in-toto statement, stored as a referrer)", &run_attest},
          Command{"verify-attestation", "Verify the signed attestations of images (key or keyless)",
                  &run_verify_attestation},
          verify_provenance_command()};
}

}  // namespace sigil::cli
