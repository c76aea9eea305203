#include "build/image/platform.hpp"

#include <algorithm>
#include <cctype>

#include "oci/copy.hpp"

namespace sigil::build {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

oci::Platform normalize_platform(oci::Platform p) {
  p.os = lower(p.os);
  if (p.os == "macos") p.os = "darwin";
  std::string arch = lower(p.architecture);
  std::string variant = lower(p.variant);
  // Aliases and default variants follow containerd's platforms.Normalize, which BuildKit uses,
  // so "--platform linux/aarch64" and "linux/arm64/v8" select the same index entry.
  if (arch == "i386") {
    arch = "386";
    variant.clear();
  } else if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    arch = "amd64";
    if (variant == "v1") variant.clear();
  } else if (arch == "aarch64" || arch == "arm64") {
    arch = "arm64";
    if (variant == "8" || variant == "v8" || variant == "v8.0") variant.clear();
  } else if (arch == "armhf") {
    arch = "arm";
    variant = "v7";
  } else if (arch == "armel") {
    arch = "arm";
    variant = "v6";
  } else if (arch == "arm") {
    if (variant.empty() || variant == "7") variant = "v7";
    if (variant == "5" || variant == "6" || variant == "8") variant = "v" + variant;
  }
  p.architecture = arch;
  p.variant = variant;
  return p;
}

Result<oci::Platform> parse_platform(std::string_view text) {
  auto p = oci::Platform::parse(text);
  if (!p) return std::unexpected(p.error());
  for (char c : text) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '.')) {
      return fail(ErrorCategory::input, "invalid platform \"" + std::string(text) + "\": unexpected character");
    }
  }
  return normalize_platform(*p);
}

Result<std::vector<oci::Platform>> parse_platform_list(std::string_view text) {
  std::vector<oci::Platform> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) return fail(ErrorCategory::input, "invalid platform list \"" + std::string(text) + "\": empty entry");
    auto p = item == "local" ? Result<oci::Platform>(build_platform()) : parse_platform(item);
    if (!p) return std::unexpected(p.error());
    if (std::find(out.begin(), out.end(), *p) == out.end()) out.push_back(*p);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

oci::Platform build_platform() { return normalize_platform(oci::host_platform()); }

std::string format_platform(const oci::Platform& p) {
  std::string s = p.os + "/" + p.architecture;
  if (!p.variant.empty()) s += "/" + p.variant;
  return s;
}

std::vector<std::pair<std::string, std::string>> platform_args(const oci::Platform& target,
                                                               const oci::Platform& build) {
  return {
      {"TARGETPLATFORM", format_platform(target)}, {"TARGETOS", target.os},
      {"TARGETARCH", target.architecture},         {"TARGETVARIANT", target.variant},
      {"BUILDPLATFORM", format_platform(build)},   {"BUILDOS", build.os},
      {"BUILDARCH", build.architecture},           {"BUILDVARIANT", build.variant},
  };
}

}  // namespace sigil::build
