#include "cmd/sigil/trust_options.hpp"

#include <cstdio>
#include <regex>
#include <string>

#include "cmd/sigil/cli.hpp"
#include "common/file.hpp"
#include "common/limits.hpp"
#include "sign/trust_store.hpp"

namespace sigil::cli {
namespace {

std::string flag(const cxxopts::ParseResult& parsed, const std::string& name) {
  return parsed.count(name) ? parsed[name].as<std::string>() : std::string();
}

Result<void> check_regexp(const std::string& pattern, std::string_view name, std::string_view command) {
  if (pattern.empty()) return {};
  try {
    std::regex compiled(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return std::unexpected(usage_error(command, "--" + std::string(name) + " is not a valid regular expression: " + e.what()));
  }
  if (sign::regexp_is_unanchored(pattern)) {
    std::fprintf(stderr, "sigil: warning: --%s \"%s\" is not anchored with ^ and $: it matches anywhere, as cosign's does\n",
                 std::string(name).c_str(), pattern.c_str());
  }
  return {};
}

}  // namespace

void add_trust_options(cxxopts::Options& options) {
  options.add_options("keyless verification")
      ("trusted-root", "Sigstore trusted_root.json (default: sigil's, updated by 'sigil trust update')",
       cxxopts::value<std::string>(), "FILE")
      ("certificate-identity", "Signer identity the certificate must name exactly (SAN: URI or email)",
       cxxopts::value<std::string>(), "ID")
      ("certificate-identity-regexp", "Regexp the signer identity must match (anywhere, as cosign)",
       cxxopts::value<std::string>(), "RE")
      ("certificate-oidc-issuer", "OIDC issuer the certificate must name exactly", cxxopts::value<std::string>(), "URL")
      ("certificate-oidc-issuer-regexp", "Regexp the OIDC issuer must match", cxxopts::value<std::string>(), "RE")
      ("certificate-github-workflow-trigger", "GitHub workflow trigger (event name) the certificate must carry",
       cxxopts::value<std::string>(), "EVENT")
      ("certificate-github-workflow-sha", "Commit SHA the certificate must carry", cxxopts::value<std::string>(), "SHA")
      ("certificate-github-workflow-name", "Workflow name the certificate must carry", cxxopts::value<std::string>(), "NAME")
      ("certificate-github-workflow-repository", "Repository (owner/name) the certificate must carry",
       cxxopts::value<std::string>(), "REPO")
      ("certificate-github-workflow-ref", "Git ref the certificate must carry", cxxopts::value<std::string>(), "REF")
      ("staging", "Verify against Sigstore's staging instance (needs --trusted-root with its root)");
}

bool has_identity_flags(const cxxopts::ParseResult& parsed) {
  for (const char* name : {"certificate-identity", "certificate-identity-regexp", "certificate-oidc-issuer",
                           "certificate-oidc-issuer-regexp", "certificate-github-workflow-trigger",
                           "certificate-github-workflow-sha", "certificate-github-workflow-name",
                           "certificate-github-workflow-repository", "certificate-github-workflow-ref"}) {
    if (parsed.count(name)) return true;
  }
  return false;
}

Result<sign::IdentityPolicy> identity_policy(const cxxopts::ParseResult& parsed, std::string_view command) {
  sign::IdentityPolicy policy;
  policy.identity = flag(parsed, "certificate-identity");
  policy.identity_regexp = flag(parsed, "certificate-identity-regexp");
  policy.issuer = flag(parsed, "certificate-oidc-issuer");
  policy.issuer_regexp = flag(parsed, "certificate-oidc-issuer-regexp");
  policy.github_workflow_trigger = flag(parsed, "certificate-github-workflow-trigger");
  policy.github_workflow_sha = flag(parsed, "certificate-github-workflow-sha");
  policy.github_workflow_name = flag(parsed, "certificate-github-workflow-name");
  policy.github_workflow_repository = flag(parsed, "certificate-github-workflow-repository");
  policy.github_workflow_ref = flag(parsed, "certificate-github-workflow-ref");
  if (policy.empty()) return policy;
  // cosign refuses a half-stated identity: an identity from any issuer (or any identity from an
  // issuer) is rarely what a policy means.
  const bool has_identity = !policy.identity.empty() || !policy.identity_regexp.empty();
  const bool has_issuer = !policy.issuer.empty() || !policy.issuer_regexp.empty();
  if (!has_identity || !has_issuer) {
    return std::unexpected(usage_error(command,
                                       "keyless verification needs both --certificate-identity[-regexp] and "
                                       "--certificate-oidc-issuer[-regexp]"));
  }
  if (auto ok = check_regexp(policy.identity_regexp, "certificate-identity-regexp", command); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = check_regexp(policy.issuer_regexp, "certificate-oidc-issuer-regexp", command); !ok) {
    return std::unexpected(ok.error());
  }
  return policy;
}

Result<std::optional<sign::TrustedRoot>> load_trusted_root(const cxxopts::ParseResult& parsed, bool required) {
  std::string json;
  std::string source;
  if (parsed.count("trusted-root")) {
    source = parsed["trusted-root"].as<std::string>();
    auto text = read_file(source, limits::kMaxBundleBytes);
    if (!text) return std::unexpected(text.error().with_context("read trusted root"));
    json = std::move(*text);
  } else {
    if (parsed.count("staging")) {
      return fail(ErrorCategory::usage, "--staging needs --trusted-root with the staging instance's trusted_root.json");
    }
    auto text = sign::read_default_trusted_root();
    if (!text) {
      if (!required) return std::optional<sign::TrustedRoot>();
      return std::unexpected(text.error().with_context("default trusted root (give --trusted-root FILE)"));
    }
    source = "default trusted root";
    json = std::move(*text);
  }
  auto root = sign::parse_trusted_root(json);
  if (!root) return std::unexpected(root.error().with_context(source));
  return std::optional<sign::TrustedRoot>(std::move(*root));
}

bool needs_trusted_root(const sign::Bundle& bundle) {
  return bundle.material != sign::MaterialKind::public_key || !bundle.tlog_entries.empty() ||
         (bundle.timestamp_verification_data.is_object() && !bundle.timestamp_verification_data.empty());
}

std::string describe_signer(const sign::Facts& facts) {
  if (!facts.certificate) return "key " + facts.key_id.substr(0, 16);
  return "identity " + facts.certificate->subject_alternative_name + " (issuer " + facts.certificate->issuer + ")";
}

}  // namespace sigil::cli
