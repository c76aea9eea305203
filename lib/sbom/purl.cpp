#include "sbom/purl.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace sigil::sbom {
namespace {

// syft's qualifiers: the type's own ones (empty ones dropped) and distro=<ID>-<VERSION_ID>, all
// sorted by key as the purl spec's canonical form orders them and as syft writes them
// ("?arch=a&distro=centos-7&epoch=1", "?distro=debian-11&upstream=s").
std::vector<std::pair<std::string, std::string>> syft_qualifiers(std::map<std::string, std::string> own,
                                                                 const std::optional<Distro>& distro) {
  if (distro && !distro->id.empty() && !distro->version_id.empty()) {
    own["distro"] = distro->id + "-" + distro->version_id;
  }
  std::vector<std::pair<std::string, std::string>> q;
  for (const auto& [k, v] : own) {
    if (!v.empty()) q.emplace_back(k, v);
  }
  return q;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string purl_escape(std::string_view text) {
  // packageurl-go only rewrites a component when it holds '@', '?', '#', ' ' or non-ASCII; '+'
  // becomes %2B only in that rewrite. Matching this keeps our purls byte-identical to syft's.
  bool needs = std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return c == '@' || c == '?' || c == '#' || c == ' ' || u > 0x7f;
  });
  if (!needs) return std::string(text);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '@' || c == '?' || c == '#' || c == ' ' || c == '+' || u > 0x7f) {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::string Purl::str() const {
  std::string out = "pkg:" + type + "/";
  if (!namespace_.empty()) {
    std::size_t start = 0;
    while (true) {
      std::size_t slash = namespace_.find('/', start);
      out += purl_escape(std::string_view(namespace_).substr(start, slash - start));
      out += '/';
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }
  out += purl_escape(name);
  if (!version.empty()) out += "@" + purl_escape(version);
  bool first = true;
  for (const auto& [k, v] : qualifiers) {
    if (v.empty()) continue;
    out += first ? '?' : '&';
    first = false;
    out += k + "=" + purl_escape(v);
  }
  if (!subpath.empty()) {
    out += '#';
    std::size_t start = 0;
    while (true) {
      std::size_t slash = subpath.find('/', start);
      out += purl_escape(std::string_view(subpath).substr(start, slash - start));
      if (slash == std::string::npos) break;
      out += '/';
      start = slash + 1;
    }
  }
  return out;
}

std::string deb_purl(const std::optional<Distro>& distro, std::string_view name, std::string_view version,
                     std::string_view arch, std::string_view source, std::string_view source_version) {
  if (!distro || !distro->is_like("debian")) return "";
  std::map<std::string, std::string> own{{"arch", std::string(arch)}};
  if (!source.empty()) {
    own["upstream"] = source_version.empty() ? std::string(source) : std::string(source) + "@" + std::string(source_version);
  }
  return Purl{"deb", distro->id, std::string(name), std::string(version), syft_qualifiers(own, distro), ""}.str();
}

std::string apk_purl(const std::optional<Distro>& distro, std::string_view name, std::string_view version,
                     std::string_view arch, std::string_view origin) {
  if (!distro) return "";
  std::map<std::string, std::string> own{{"arch", std::string(arch)}};
  if (!origin.empty() && origin != name) own["upstream"] = std::string(origin);
  return Purl{"apk", lower(distro->id), std::string(name), std::string(version), syft_qualifiers(own, distro), ""}.str();
}

std::string rpm_namespace(const std::optional<Distro>& distro) {
  if (!distro) return "";
  // As syft: Red Hat's packages are "redhat" whatever the release calls itself (RHEL, and
  // Hummingbird), every openSUSE flavour is "opensuse"; other IDs are kept as written.
  if (distro->id == "rhel" || distro->id == "hummingbird") return "redhat";
  if (distro->id.starts_with("opensuse")) return "opensuse";
  return distro->id;
}

std::string rpm_purl(const std::optional<Distro>& distro, std::string_view name, std::string_view version,
                     std::string_view release, std::optional<int> epoch, std::string_view arch,
                     std::string_view source_rpm) {
  std::map<std::string, std::string> own{{"arch", std::string(arch)}};
  if (epoch) own["epoch"] = std::to_string(*epoch);
  if (!source_rpm.empty()) own["upstream"] = std::string(source_rpm);
  std::string full = std::string(version);
  if (!release.empty()) full += "-" + std::string(release);
  return Purl{"rpm", rpm_namespace(distro), std::string(name), full, syft_qualifiers(own, distro), ""}.str();
}

std::string pypi_purl(std::string_view name, std::string_view version) {
  std::string n = lower(name);
  std::replace(n.begin(), n.end(), '_', '-');
  return Purl{"pypi", "", n, std::string(version), {}, ""}.str();
}

std::string npm_purl(std::string_view name, std::string_view version) {
  std::string ns;
  std::string n(name);
  if (name.starts_with('@')) {
    if (auto slash = name.find('/'); slash != std::string_view::npos) {
      ns = std::string(name.substr(0, slash));
      n = std::string(name.substr(slash + 1));
    }
  }
  return Purl{"npm", ns, n, std::string(version), {}, ""}.str();
}

std::string golang_purl(std::string_view module_path, std::string_view version) {
  std::string ns;
  std::string n(module_path);
  if (auto slash = module_path.rfind('/'); slash != std::string_view::npos) {
    ns = std::string(module_path.substr(0, slash));
    n = std::string(module_path.substr(slash + 1));
  }
  return Purl{"golang", ns, n, std::string(version), {}, ""}.str();
}

std::string maven_purl(std::string_view group, std::string_view artifact, std::string_view version) {
  return Purl{"maven", std::string(group), std::string(artifact), std::string(version), {}, ""}.str();
}

std::string cargo_purl(std::string_view name, std::string_view version) {
  return Purl{"cargo", "", std::string(name), std::string(version), {}, ""}.str();
}

std::string gem_purl(std::string_view name, std::string_view version) {
  return Purl{"gem", "", std::string(name), std::string(version), {}, ""}.str();
}

std::string composer_purl(std::string_view name, std::string_view version) {
  std::string ns;
  std::string n(name);
  if (auto slash = name.find('/'); slash != std::string_view::npos) {
    ns = std::string(name.substr(0, slash));
    n = std::string(name.substr(slash + 1));
  }
  return Purl{"composer", ns, n, std::string(version), {}, ""}.str();
}

std::string nuget_purl(std::string_view name, std::string_view version) {
  return Purl{"nuget", "", std::string(name), std::string(version), {}, ""}.str();
}

}  // namespace sigil::sbom
