#include "oci/reference.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>

#include "common/hex.hpp"

namespace sigil::oci {
namespace {

constexpr std::string_view kDockerHub = "docker.io";
constexpr std::string_view kLegacyDockerHub = "index.docker.io";
constexpr std::string_view kDockerHubApi = "registry-1.docker.io";
constexpr std::string_view kOfficialPrefix = "library/";
constexpr std::string_view kLayoutPrefix = "oci:";
constexpr std::string_view kDockerPrefix = "docker://";
constexpr std::size_t kMaxPathLength = 255;
constexpr std::size_t kMaxTagLength = 128;

// Transports of skopeo/containers-image that sigil does not read. Naming them explicitly turns
// "docker-archive:x.tar" into a clear error instead of a confusing grammar failure, or worse, a
// Docker Hub lookup of an image called "dir".
constexpr std::array<std::string_view, 8> kForeignTransports = {
    "containers-storage", "dir", "docker-archive", "docker-daemon", "oci-archive", "ostree", "sif", "tarball"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z'); }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_alnum(char c) { return is_lower_alnum(c) || is_upper(c); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_hex_or_colon(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':'; }

bool has_upper(std::string_view s) { return std::any_of(s.begin(), s.end(), is_upper); }

// component := [a-z0-9]+ ( ('.' | '_' | '__' | '-'+) [a-z0-9]+ )*
bool is_path_component(std::string_view c) {
  std::size_t i = 0;
  auto alnum_run = [&] {
    std::size_t start = i;
    while (i < c.size() && is_lower_alnum(c[i])) ++i;
    return i > start;
  };
  if (!alnum_run()) return false;
  while (i < c.size()) {
    std::size_t start = i;
    while (i < c.size() && (c[i] == '.' || c[i] == '_' || c[i] == '-')) ++i;
    std::string_view sep = c.substr(start, i - start);
    bool dashes = !sep.empty() && sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    if (!alnum_run()) return false;
  }
  return true;
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool is_domain_component(std::string_view c) {
  if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) { return is_alnum(ch) || ch == '-'; });
}

bool is_port(std::string_view p) { return !p.empty() && std::all_of(p.begin(), p.end(), is_digit); }

// domain := (domain-name | '[' [a-fA-F0-9:]+ ']') [':' port]. IPv6 zones and embedded IPv4
// ("[::ffff:1.2.3.4]") are excluded on purpose, as upstream does.
bool is_domain(std::string_view d) {
  std::string_view host = d;
  if (!d.empty() && d.front() == '[') {
    auto close = d.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    std::string_view inner = d.substr(1, close - 1);
    if (!std::all_of(inner.begin(), inner.end(), is_hex_or_colon)) return false;
    std::string_view rest = d.substr(close + 1);
    return rest.empty() || (rest.front() == ':' && is_port(rest.substr(1)));
  }
  if (auto colon = d.find(':'); colon != std::string_view::npos) {
    if (!is_port(d.substr(colon + 1))) return false;
    host = d.substr(0, colon);
  }
  std::size_t start = 0;
  while (true) {
    auto dot = host.find('.', start);
    if (!is_domain_component(host.substr(start, dot == std::string_view::npos ? dot : dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Checks a whole path and names the first problem; empty string when valid.
std::string path_problem(std::string_view path) {
  if (path.empty()) return "missing repository name";
  if (has_upper(path)) return "repository name \"" + std::string(path) + "\" must be lowercase";
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    std::string_view comp = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (comp.empty()) return "repository name \"" + std::string(path) + "\" has an empty path component";
    if (!is_path_component(comp)) {
      return "invalid repository name component \"" + std::string(comp) +
             "\" (lower-case letters and digits, separated by '.', '_', '__' or dashes)";
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (path.size() > kMaxPathLength) {
    return "repository name is " + std::to_string(path.size()) + " characters long, more than " +
           std::to_string(kMaxPathLength);
  }
  return {};
}

std::unexpected<Error> invalid(std::string_view text, const std::string& why) {
  return fail(ErrorCategory::input, "invalid reference \"" + std::string(text) + "\": " + why);
}

Result<Digest> parse_reference_digest(std::string_view digest_text, std::string_view whole) {
  auto d = Digest::parse(digest_text);
  if (!d) return invalid(whole, d.error().message);
  return d;
}

// The registry grammar, after the transport prefix (if any) is gone. `whole` is the user's text.
Result<Reference> parse_registry(std::string_view text, std::string_view whole) {
  if (text.empty()) return invalid(whole, "empty reference");
  if (text.size() == 64 && is_lower_hex(text)) {
    return invalid(whole, "a 64-character hex string is an image ID, not a repository name");
  }
  Reference ref;
  ref.transport = Transport::registry;

  // Which first element is a registry: upstream's splitDockerDomain rules.
  std::string_view remote = text;
  ref.registry = kDockerHub;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view first = text.substr(0, slash);
    if (first == kLegacyDockerHub) {
      remote = text.substr(slash + 1);
    } else if (first == "localhost" || first.find_first_of(".:") != std::string_view::npos || has_upper(first)) {
      ref.registry = first;
      remote = text.substr(slash + 1);
    }
  }
  if (ref.registry != kDockerHub && !is_domain(ref.registry)) {
    // An upper-case first element is only taken for a host because namespaces cannot be upper
    // case; when it is no host either, the user most likely typed an upper-case name.
    if (ref.registry.find_first_of(".:") == std::string::npos && ref.registry != "localhost") {
      return invalid(whole, "repository name \"" + std::string(text) + "\" must be lowercase");
    }
    return invalid(whole, "invalid registry host \"" + ref.registry + "\"");
  }

  // The path holds neither ':' nor '@', so the first of each starts the tag and the digest.
  std::string_view digest_text;
  bool has_digest = false;
  if (auto at = remote.find('@'); at != std::string_view::npos) {
    digest_text = remote.substr(at + 1);
    remote = remote.substr(0, at);
    has_digest = true;
  }
  std::string_view path = remote;
  if (auto colon = remote.find(':'); colon != std::string_view::npos) {
    ref.tag = remote.substr(colon + 1);
    path = remote.substr(0, colon);
    if (ref.tag.empty()) return invalid(whole, "empty tag after ':'");
  }
  std::string problem = path_problem(path);
  if (!problem.empty()) return invalid(whole, problem);
  ref.repository = path;
  if (ref.registry == kDockerHub && path.find('/') == std::string_view::npos) {
    ref.repository = std::string(kOfficialPrefix) + ref.repository;
    if (ref.repository.size() > kMaxPathLength) {
      return invalid(whole, "repository name is " + std::to_string(ref.repository.size()) +
                                " characters long, more than " + std::to_string(kMaxPathLength));
    }
  }
  if (!ref.tag.empty() && !is_valid_tag(ref.tag)) {
    return invalid(whole, "invalid tag \"" + ref.tag + "\" (letters, digits, '_', '.' and '-', not starting with '.' "
                          "or '-', at most 128 characters)");
  }
  if (has_digest) {
    auto d = parse_reference_digest(digest_text, whole);
    if (!d) return std::unexpected(d.error());
    ref.digest = *d;
  }
  return ref;
}

// oci:DIR[:TAG][@DIGEST]; see the header for how ':' inside DIR is handled.
Result<Reference> parse_layout(std::string_view text) {
  std::string_view rest = text.substr(kLayoutPrefix.size());
  Reference ref;
  ref.transport = Transport::layout;
  if (auto at = rest.rfind('@'); at != std::string_view::npos && rest.find(':', at) != std::string_view::npos) {
    auto d = parse_reference_digest(rest.substr(at + 1), text);
    if (!d) return std::unexpected(d.error());
    ref.digest = *d;
    rest = rest.substr(0, at);
  }
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    std::string_view candidate = rest.substr(colon + 1);
    if (candidate.empty()) return invalid(text, "empty tag after ':'");
    if (is_valid_tag(candidate)) {
      ref.tag = candidate;
      rest = rest.substr(0, colon);
    }
  }
  if (rest.empty()) return invalid(text, "empty layout directory (expected oci:DIR[:TAG|@DIGEST])");
  ref.layout_path = std::filesystem::path(std::string(rest));
  return ref;
}

}  // namespace

bool is_valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagLength || !is_word(tag.front())) return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

bool is_valid_repository_path(std::string_view path) { return path_problem(path).empty(); }

Result<Reference> Reference::parse(std::string_view text) {
  // A NUL would silently cut a layout path short at the system-call boundary.
  if (text.find('\0') != std::string_view::npos) {
    return fail(ErrorCategory::input, "invalid reference: contains a NUL byte");
  }
  if (text.starts_with(kLayoutPrefix)) return parse_layout(text);
  if (text.starts_with(kDockerPrefix)) return parse_registry(text.substr(kDockerPrefix.size()), text);
  if (auto scheme = text.find("://"); scheme != std::string_view::npos && text.find('/') > scheme) {
    return invalid(text, "unsupported transport \"" + std::string(text.substr(0, scheme)) +
                             "\" (use oci:DIR, docker://REF or a plain registry reference)");
  }
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    std::string_view prefix = text.substr(0, colon);
    if (std::find(kForeignTransports.begin(), kForeignTransports.end(), prefix) != kForeignTransports.end()) {
      return invalid(text, "unsupported transport \"" + std::string(prefix) +
                               "\" (use oci:DIR, docker://REF or a plain registry reference)");
    }
  }
  return parse_registry(text, text);
}

std::string Reference::str() const {
  std::string s = transport == Transport::layout ? std::string(kLayoutPrefix) + layout_path.string()
                                                 : registry + "/" + repository;
  if (!tag.empty()) s += ":" + tag;
  if (digest) s += "@" + digest->str();
  return s;
}

std::string Reference::repository_name() const {
  return transport == Transport::layout ? layout_path.string() : registry + "/" + repository;
}

std::string Reference::identifier() const {
  if (digest) return digest->str();
  return tag.empty() ? std::string("latest") : tag;
}

std::string Reference::api_host() const {
  if (transport == Transport::layout) return {};
  return registry == kDockerHub ? std::string(kDockerHubApi) : registry;
}

bool Reference::is_loopback_registry() const {
  if (transport == Transport::layout) return false;
  std::string host;
  if (registry.starts_with('[')) {
    host = registry.substr(1, registry.find(']') - 1);
  } else {
    host = registry.substr(0, registry.find(':'));
  }
  std::transform(host.begin(), host.end(), host.begin(), [](char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; });
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

Reference Reference::with_digest(const Digest& d) const {
  Reference r = *this;
  r.tag.clear();
  r.digest = d;
  return r;
}

Reference Reference::with_tag(std::string_view t) const {
  Reference r = *this;
  r.digest.reset();
  r.tag = t;
  return r;
}

}  // namespace sigil::oci
