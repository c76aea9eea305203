// sigil verify-provenance: the checks slsa-verifier makes on a container image's provenance, on
// key-signed or keyless (identity-checked) SLSA v1 statements of sigil's or BuildKit's buildType: signature and subject (as
// verify-attestation), then source URI, tag or branch, and builder id (provenance::check_provenance).
// Exit 0 when one provenance statement passes every check, 1 otherwise with each one's reason.
#include <cstdio>
#include <utility>

#include "cmd/sigil/attest_verify.hpp"
#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/image_sign_helpers.hpp"
#include "cmd/sigil/trust_options.hpp"
#include "cmd/sigil/verify_trust.hpp"
#include "common/json.hpp"
#include "provenance/provenance.hpp"

namespace sigil::cli {
namespace {

using Ordered = nlohmann::ordered_json;

constexpr std::size_t kMaxCandidatesLimit = 100000;

bool is_provenance(std::string_view type) {
  return type == provenance::kPredicateTypeV1 || type == provenance::kPredicateTypeV02;
}

/// One provenance statement examined, and what the checks said.
struct Checked {
  std::string source;
  std::string key_id;
  std::optional<sign::Facts> signer;
  bool ok = false;
  std::string reason;
  provenance::ProvenanceFacts facts;
};

Ordered checked_json(const Checked& c) {
  Ordered j = Ordered::object();
  j["source"] = c.source;
  j["verified"] = c.ok;
  if (!c.ok) j["reason"] = c.reason;
  if (!c.key_id.empty()) j["keyId"] = c.key_id;
  if (c.ok) add_signer_json(j, c.signer);
  if (!c.facts.build_type.empty()) {
    j["buildType"] = c.facts.build_type;
    j["builderId"] = c.facts.builder_id;
    j["sourceUri"] = c.facts.source_uri;
    j["sourceCommit"] = c.facts.source_commit;
    j["sourceRef"] = c.facts.source_ref;
    j["invocationId"] = c.facts.invocation_id;
  }
  return j;
}

// Every provenance candidate of the report: refused ones keep their reason, verified v1
// statements go through the slsa-verifier checks, v0.2 ones are refused by name.
std::vector<Checked> check_all(const AttestationReport& report, const provenance::Expectations& expected) {
  std::vector<Checked> out;
  for (const auto& c : report.candidates) {
    if (!is_provenance(c.predicate_type)) continue;  // an SBOM or another attestation
    Checked item{c.source, c.key_id, c.signer, false, c.reason, {}};
    if (c.ok && c.statement) {
      if (c.predicate_type == provenance::kPredicateTypeV02) {
        item.reason = "SLSA provenance v0.2 (" + std::string(provenance::kPredicateTypeV02) +
                      ") is not accepted: verify-provenance checks SLSA v1 (" +
                      std::string(provenance::kPredicateTypeV1) + ") only";
      } else if (auto facts = provenance::check_provenance(c.statement->predicate, expected); !facts) {
        item.reason = facts.error().message;
      } else {
        item.ok = true;
        item.reason.clear();
        item.facts = std::move(*facts);
      }
    }
    out.push_back(std::move(item));
  }
  return out;
}

Result<void> run_verify_provenance(Args args) {
  auto options = image_command_options(
      "verify-provenance", "Verify an image's signed SLSA v1 provenance (key or keyless) as slsa-verifier does",
      "IMAGE");
  // clang-format off
  options.add_options()
      ("key", "Public key file (PKIX or PKCS#1 PEM, or an X.509 certificate)", cxxopts::value<std::string>(), "FILE")
      ("source-uri", "Expected source repository (github.com/org/repo or a git URL)", cxxopts::value<std::string>(), "URI")
      ("source-tag", "Expected git tag the image was built from", cxxopts::value<std::string>(), "TAG")
      ("source-branch", "Expected git branch the image was built from", cxxopts::value<std::string>(), "BRANCH")
      ("builder-id", "Expected builder.id (exact; ID@vX accepted as slsa-verifier does)", cxxopts::value<std::string>(), "ID")
      ("o,output", "Output format: text or json", cxxopts::value<std::string>()->default_value("text"), "FORMAT")
      ("max-candidates", "Examine at most N attestation candidates",
       cxxopts::value<long long>()->default_value("100"), "N");
  // clang-format on
  add_trust_options(options);
  add_global_options(options);
  auto parsed = parse_args(options, args, "verify-provenance");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto images = positionals(p, "verify-provenance", {"IMAGE"});
  if (!images) return std::unexpected(images.error());
  if (p.count("source-uri") == 0 || p["source-uri"].as<std::string>().empty()) {
    return std::unexpected(usage_error("verify-provenance", "--source-uri is required"));
  }
  if (p.count("source-tag") > 0 && p.count("source-branch") > 0) {
    return std::unexpected(usage_error("verify-provenance", "--source-tag and --source-branch exclude each other"));
  }
  auto output = output_format(p, "verify-provenance");
  if (!output) return std::unexpected(output.error());
  const std::string& format = *output;
  provenance::Expectations expected;
  expected.source_uri = p["source-uri"].as<std::string>();
  if (p.count("source-tag") > 0) expected.source_tag = p["source-tag"].as<std::string>();
  if (p.count("source-branch") > 0) expected.source_branch = p["source-branch"].as<std::string>();
  if (p.count("builder-id") > 0) expected.builder_id = p["builder-id"].as<std::string>();
  AttestationQuery query;
  auto max = bounded_count(p, "max-candidates", "verify-provenance", kMaxCandidatesLimit);
  if (!max) return std::unexpected(max.error());
  query.max_candidates = *max;
  auto trust = verify_trust(p, "verify-provenance");
  if (!trust) return std::unexpected(trust.error());
  query.policy = trust->policy;
  const sign::TrustedMaterial& trusted = trust->trusted;
  auto resolved = resolve_images(*images, global_options(p), "verify");
  if (!resolved) return std::unexpected(resolved.error());
  const ResolvedImage& image = (*resolved)[0];

  auto report = find_attestations(*image.opened.store, image.descriptor, trusted, query);
  if (!report) return std::unexpected(report.error());
  AttestationReport unsigned_provenance;
  for (const auto& u : report->unsigned_attestations) {
    if (is_provenance(u.predicate_type)) unsigned_provenance.unsigned_attestations.push_back(u);
  }
  print_unsigned_attestations(image.text, unsigned_provenance);
  auto checked = check_all(*report, expected);
  std::size_t passed = 0;
  for (const auto& c : checked) passed += c.ok ? 1 : 0;

  if (format == "json") {
    Ordered j = Ordered::object();
    j["image"] = image.text;
    j["digest"] = image.descriptor.digest.str();
    j["verified"] = passed > 0;
    Ordered list = Ordered::array();
    for (const auto& c : checked) list.push_back(checked_json(c));
    j["provenance"] = std::move(list);
    if (auto w = write_stdout(j.dump(2, ' ', false, Ordered::error_handler_t::replace) + "\n"); !w) return w;
  } else if (passed > 0) {
    std::string out = "Verified SLSA provenance of " + image.text + " (" + image.descriptor.digest.str() + ")\n";
    for (const auto& c : checked) {
      if (!c.ok) continue;
      out += "  builder " + c.facts.builder_id + "  source " + c.facts.source_uri;
      if (!c.facts.source_commit.empty()) out += "@" + c.facts.source_commit;
      if (!c.facts.source_ref.empty()) out += "  ref " + c.facts.source_ref;
      out += "  buildType " + c.facts.build_type + "  " + signer_text(c.signer, c.key_id) + "  " + c.source + "\n";
    }
    if (auto w = write_stdout(out); !w) return w;
  }
  if (passed == 0 || global_options(p).verbose) {
    for (const auto& c : checked) {
      if (c.ok) continue;
      std::fputs(("sigil: " + image.text + ": " + c.source + ": " + c.reason + "\n").c_str(), stderr);
    }
  }
  if (passed == 0) {
    std::string why = checked.empty() ? "no signed SLSA provenance found"
                                      : std::to_string(checked.size()) + " provenance statement" +
                                            (checked.size() == 1 ? "" : "s") + " refused";
    if (!unsigned_provenance.unsigned_attestations.empty()) {
      why += ", " + std::to_string(unsigned_provenance.unsigned_attestations.size()) + " unsigned";
    }
    return fail(ErrorCategory::denied, "no valid SLSA provenance for " + image.text + " (" + why + ")");
  }
  if (format == "text") std::fputs("PASSED: SLSA verification passed\n", stderr);
  return {};
}

}  // namespace

Command verify_provenance_command() {
  return Command{"verify-provenance", "Verify an image's SLSA provenance (source, ref, builder), key or keyless",
                 &run_verify_provenance};
}

}  // namespace sigil::cli
