#include "build/exec/users.hpp"

#include <charconv>
#include <vector>

namespace sigil::build {
namespace {

std::optional<std::uint32_t> numeric(std::string_view s) {
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto pos = line.find(sep, start);
    out.push_back(line.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

// The fields of the first line of an /etc/passwd-style file whose first field is `name`.
std::optional<std::vector<std::string_view>> find_entry(const std::optional<std::string>& file, std::string_view name) {
  if (!file) return std::nullopt;
  for (auto line : split(*file, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    auto fields = split(line, ':');
    if (fields.size() >= 3 && fields[0] == name) return fields;
  }
  return std::nullopt;
}

}  // namespace

Result<Chown> resolve_chown(std::string_view spec, const std::optional<std::string>& passwd,
                            const std::optional<std::string>& group) {
  auto colon = spec.find(':');
  std::string_view user = spec.substr(0, colon);
  std::optional<std::string_view> grp;
  if (colon != std::string_view::npos) grp = spec.substr(colon + 1);
  if (user.empty()) return fail(ErrorCategory::input, "invalid --chown \"" + std::string(spec) + "\": empty user");
  Chown out;
  std::optional<std::uint32_t> primary_gid;
  if (auto uid = numeric(user)) {
    out.uid = *uid;
    primary_gid = *uid;
  } else {
    auto entry = find_entry(passwd, user);
    if (!entry || entry->size() < 4) {
      return fail(ErrorCategory::input, "--chown: unknown user \"" + std::string(user) + "\"" +
                                            (passwd ? " (not in /etc/passwd)" : " (the stage has no /etc/passwd)"));
    }
    auto entry_uid = numeric((*entry)[2]);
    auto entry_gid = numeric((*entry)[3]);
    if (!entry_uid || !entry_gid) return fail(ErrorCategory::input, "--chown: /etc/passwd entry of \"" + std::string(user) + "\" is malformed");
    out.uid = *entry_uid;
    primary_gid = *entry_gid;
  }
  if (!grp) {
    out.gid = *primary_gid;
    return out;
  }
  if (grp->empty()) return fail(ErrorCategory::input, "invalid --chown \"" + std::string(spec) + "\": empty group");
  if (auto gid = numeric(*grp)) {
    out.gid = *gid;
    return out;
  }
  auto entry = find_entry(group, *grp);
  auto gid = entry ? numeric((*entry)[2]) : std::nullopt;
  if (!gid) {
    return fail(ErrorCategory::input, "--chown: unknown group \"" + std::string(*grp) + "\"" +
                                          (group ? " (not in /etc/group)" : " (the stage has no /etc/group)"));
  }
  out.gid = *gid;
  return out;
}

}  // namespace sigil::build
