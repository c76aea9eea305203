// Git source URIs as provenance writes them (sigil's "git+URL@REF", BuildKit's "URL#REF[:DIR]"
// and "URL?tag=…"), their comparison form, and slsa-verifier's builder-id match.
#pragma once

#include <string>
#include <string_view>

namespace sigil::provenance::detail {

/// "git@host:path" (scp-like) → "ssh://host/path"; other text unchanged.
[[nodiscard]] std::string scp_to_url(std::string_view uri);

/// `uri` without user info in http(s) URLs and without a password anywhere ("https://TOKEN@host/…"
/// → "https://host/…"): a CI checkout's remote may carry its token, which must not reach provenance.
[[nodiscard]] std::string strip_credentials(std::string_view uri);

/// Comparison form of a repository URI: no "git+" prefix, no scheme, no user info, host
/// lower-cased, scp-like "host:path" as "host/path", no trailing "/" or ".git".
/// "https://GitHub.com/org/repo.git" and "github.com/org/repo" both give "github.com/org/repo".
[[nodiscard]] std::string normalize_repo_uri(std::string_view uri);

/// A repository URI split from the ref it names.
struct GitLocation {
  std::string repo;  ///< the URI without the ref part
  std::string ref;   ///< "refs/tags/v1", a bare name as the user wrote it, or empty
};

/// Splits sigil's "git+URL@refs/…" at its last "@refs/"; no such part → empty ref.
[[nodiscard]] GitLocation split_sigil_uri(std::string_view uri);

/// Splits BuildKit's git context forms: "URL#REF[:SUBDIR]" and "URL?ref=R&tag=T&branch=B&subdir=D"
/// (tag → refs/tags/T, branch → refs/heads/B). No ref → empty ref.
[[nodiscard]] GitLocation split_buildkit_uri(std::string_view uri);

/// slsa-verifier's loose builder-id match (see check.hpp). Returns true on match.
[[nodiscard]] bool builder_id_matches(std::string_view found, std::string_view expected);

/// True for lower-case hex text of exactly `length` characters (any length when 0).
[[nodiscard]] bool is_lower_hex(std::string_view text, std::size_t length = 0);

}  // namespace sigil::provenance::detail
