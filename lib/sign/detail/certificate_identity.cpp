// Identity policy as cosign's flags mean it: exact strings compare whole, `-regexp` forms are
// ECMAScript regexps searched anywhere in the value (Go's regexp.MatchString is unanchored, and
// users copy patterns from cosign docs). Every regexp is compiled before anything is compared,
// so a typo in a pattern is reported as such and never hidden behind an unrelated mismatch.
#include <array>
#include <optional>
#include <regex>
#include <utility>

#include "sign/certificate.hpp"

namespace sigil::sign {
namespace {

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

Result<std::optional<std::regex>> compile(const std::string& pattern, std::string_view what) {
  if (pattern.empty()) return std::optional<std::regex>();
  try {
    return std::optional<std::regex>(std::regex(pattern, std::regex::ECMAScript));
  } catch (const std::regex_error& e) {
    return fail(ErrorCategory::usage, "invalid " + std::string(what) + " regexp " + quoted(pattern) + ": " + e.what());
  }
}

// Exact constraint first, then the regexp; both must hold when both are given.
Result<void> check(std::string_view what, const std::string& actual, const std::string& exact,
                   const std::optional<std::regex>& regexp, const std::string& pattern) {
  if (!exact.empty() && actual != exact) {
    return fail(ErrorCategory::denied, "certificate " + std::string(what) + " " + quoted(actual) +
                                           " does not match " + quoted(exact));
  }
  if (regexp) {
    bool found = false;
    try {
      found = std::regex_search(actual, *regexp);
    } catch (const std::regex_error& e) {
      return fail(ErrorCategory::usage, std::string(what) + " regexp " + quoted(pattern) + " is too complex: " + e.what());
    }
    if (!found) {
      return fail(ErrorCategory::denied, "certificate " + std::string(what) + " " + quoted(actual) +
                                             " does not match regexp " + quoted(pattern));
    }
  }
  return {};
}

}  // namespace

bool IdentityPolicy::empty() const {
  return identity.empty() && identity_regexp.empty() && issuer.empty() && issuer_regexp.empty() &&
         github_workflow_trigger.empty() && github_workflow_sha.empty() && github_workflow_name.empty() &&
         github_workflow_repository.empty() && github_workflow_ref.empty();
}

Result<void> match_identity(const CertificateFacts& facts, const IdentityPolicy& policy) {
  auto identity_re = compile(policy.identity_regexp, "identity");
  if (!identity_re) return std::unexpected(identity_re.error());
  auto issuer_re = compile(policy.issuer_regexp, "issuer");
  if (!issuer_re) return std::unexpected(issuer_re.error());

  if (auto r = check("identity", facts.subject_alternative_name, policy.identity, *identity_re, policy.identity_regexp);
      !r) {
    return r;
  }
  if (auto r = check("issuer", facts.issuer, policy.issuer, *issuer_re, policy.issuer_regexp); !r) return r;

  // The GitHub workflow flags name the deprecated .1.2-.1.6 extensions, as cosign's do.
  const std::array<std::pair<std::string_view, const std::string*>, 5> extensions = {{
      {"githubWorkflowTrigger", &policy.github_workflow_trigger},
      {"githubWorkflowSHA", &policy.github_workflow_sha},
      {"githubWorkflowName", &policy.github_workflow_name},
      {"githubWorkflowRepository", &policy.github_workflow_repository},
      {"githubWorkflowRef", &policy.github_workflow_ref},
  }};
  for (const auto& [name, expected] : extensions) {
    if (expected->empty()) continue;
    auto it = facts.extensions.find(std::string(name));
    const std::string actual = it == facts.extensions.end() ? std::string() : it->second;
    if (auto r = check(name, actual, *expected, std::nullopt, ""); !r) return r;
  }
  return {};
}

bool regexp_is_unanchored(std::string_view pattern) {
  if (pattern.empty()) return false;
  const bool starts = pattern.front() == '^';
  bool ends = false;
  if (pattern.size() >= 2 && pattern.back() == '$') {
    // "\$" is a literal dollar: the anchor needs an even run of backslashes before it.
    std::size_t backslashes = 0;
    for (std::size_t i = pattern.size() - 1; i > 0 && pattern[i - 1] == '\\'; --i) ++backslashes;
    ends = backslashes % 2 == 0;
  }
  return !(starts && ends);
}

}  // namespace sigil::sign
