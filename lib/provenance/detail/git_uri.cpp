#include "provenance/detail/git_uri.hpp"

#include <cctype>
#include <vector>

namespace sigil::provenance::detail {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "user@host:path" with no scheme and a ':' before the first '/' is git's scp-like syntax.
bool is_scp_like(std::string_view uri) {
  if (uri.find("://") != std::string_view::npos) return false;
  auto colon = uri.find(':');
  auto slash = uri.find('/');
  return colon != std::string_view::npos && colon > 0 && (slash == std::string_view::npos || colon < slash);
}

}  // namespace

std::string scp_to_url(std::string_view uri) {
  if (!is_scp_like(uri)) return std::string(uri);
  std::string_view host = uri.substr(0, uri.find(':'));
  std::string_view path = uri.substr(uri.find(':') + 1);
  if (auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
  while (starts_with(path, "/")) path.remove_prefix(1);
  return "ssh://" + std::string(host) + "/" + std::string(path);
}

std::string strip_credentials(std::string_view uri) {
  auto scheme = uri.find("://");
  if (scheme == std::string_view::npos) return std::string(uri);
  std::string_view rest = uri.substr(scheme + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(uri);
  std::string_view userinfo = authority.substr(0, at);
  std::string scheme_name = lower(uri.substr(0, scheme));
  bool http = scheme_name == "http" || scheme_name == "https" || scheme_name == "git+http" || scheme_name == "git+https";
  if (!http && userinfo.find(':') == std::string_view::npos) return std::string(uri);  // ssh://git@host
  return std::string(uri.substr(0, scheme + 3)) + std::string(rest.substr(at + 1));
}

std::string normalize_repo_uri(std::string_view uri) {
  if (starts_with(uri, "git+")) uri.remove_prefix(4);
  std::string url = scp_to_url(uri);
  std::string_view rest = url;
  if (auto scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path = authority.size() < rest.size() ? rest.substr(authority.size()) : std::string_view();
  // User info ("git@", "token@") names who fetched, not what was fetched.
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.size() >= 4 && path.substr(path.size() - 4) == ".git") path.remove_suffix(4);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return lower(authority) + std::string(path);
}

GitLocation split_sigil_uri(std::string_view uri) {
  auto at = uri.rfind("@refs/");
  if (at == std::string_view::npos) return {std::string(uri), ""};
  return {std::string(uri.substr(0, at)), std::string(uri.substr(at + 1))};
}

GitLocation split_buildkit_uri(std::string_view uri) {
  GitLocation out;
  if (auto hash = uri.find('#'); hash != std::string_view::npos) {
    out.repo = std::string(uri.substr(0, hash));
    std::string_view fragment = uri.substr(hash + 1);
    // git check-ref-format forbids ':' in refs, so the first ':' starts BuildKit's subdir.
    out.ref = std::string(fragment.substr(0, fragment.find(':')));
    return out;
  }
  auto query = uri.find('?');
  if (query == std::string_view::npos) return {std::string(uri), ""};
  out.repo = std::string(uri.substr(0, query));
  std::string_view params = uri.substr(query + 1);
  while (!params.empty()) {
    std::string_view param = params.substr(0, params.find('&'));
    params.remove_prefix(param.size() < params.size() ? param.size() + 1 : param.size());
    auto eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = param.substr(0, eq);
    std::string_view value = param.substr(eq + 1);
    if (key == "tag") out.ref = "refs/tags/" + std::string(value);
    else if (key == "branch") out.ref = "refs/heads/" + std::string(value);
    else if (key == "ref" && out.ref.empty()) out.ref = std::string(value);
  }
  return out;
}

bool builder_id_matches(std::string_view found, std::string_view expected) {
  if (found == expected) return true;
  // slsa-verifier's ParseBuilderID: one '@' splits name from version; more is malformed, and a
  // malformed id only matches exactly.
  auto split = [](std::string_view id, std::string_view& name, std::string_view& version) {
    auto at = id.find('@');
    if (at == std::string_view::npos) {
      name = id;
      version = {};
      return true;
    }
    if (id.find('@', at + 1) != std::string_view::npos || at + 1 == id.size()) return false;
    name = id.substr(0, at);
    version = id.substr(at + 1);
    return true;
  };
  std::string_view found_name, found_version, expected_name, expected_version;
  if (!split(found, found_name, found_version) || !split(expected, expected_name, expected_version)) return false;
  if (found_name != expected_name) return false;
  if (expected_version.empty()) return true;
  return found_version == expected_version || found_version == "refs/tags/" + std::string(expected_version);
}

bool is_lower_hex(std::string_view text, std::size_t length) {
  if (text.empty() || (length != 0 && text.size() != length)) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace sigil::provenance::detail
