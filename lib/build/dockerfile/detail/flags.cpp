#include "build/dockerfile/detail/flags.hpp"

#include <algorithm>
#include <cctype>

namespace sigil::build::dockerfile::detail {
namespace {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::size_t levenshtein(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string suggest(std::string_view value, const std::vector<std::string>& options, bool case_sensitive) {
  const std::string val = case_sensitive ? std::string(value) : to_lower(value);
  std::string match;
  std::size_t best = 3;
  for (const auto& option : options) {
    const std::string opt = case_sensitive ? option : to_lower(option);
    if (opt == val) return "";  // an exact match means the problem is elsewhere
    const std::size_t d = levenshtein(val, opt);
    if (d < best) {
      best = d;
      match = opt;
    }
  }
  if (!case_sensitive && !match.empty()) {
    // Match the user's case: all upper-case input gets an upper-case suggestion.
    const bool upper = std::none_of(value.begin(), value.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)); });
    if (upper) {
      for (auto& c : match) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return match;
}

void Flags::add(std::string name, Kind kind) {
  order_.push_back(name);
  flags_[std::move(name)] = Flag{kind, false, {}, {}};
}

std::expected<void, std::string> Flags::parse(const std::vector<std::string>& raw) {
  for (const auto& arg : raw) {
    if (arg == "--") break;
    if (!arg.starts_with("--")) return std::unexpected("arg should start with -- : " + arg);
    const std::string_view body = std::string_view(arg).substr(2);
    const auto eq = body.find('=');
    const bool has_value = eq != std::string_view::npos;
    const std::string name(body.substr(0, eq));
    const std::string value = has_value ? std::string(body.substr(eq + 1)) : std::string();
    auto it = flags_.find(name);
    if (it == flags_.end()) {
      std::string msg = "unknown flag: " + name;
      if (auto s = suggest(name, order_, true); !s.empty()) msg += " (did you mean " + s + "?)";
      return std::unexpected(msg);
    }
    Flag& flag = it->second;
    if (flag.used && flag.kind != Kind::strings) return std::unexpected("duplicate flag specified: " + name);
    flag.used = true;
    switch (flag.kind) {
      case Kind::boolean: {
        if (has_value && value.empty()) return std::unexpected("missing a value on flag: " + name);
        const std::string v = to_lower(value);
        if (v == "true" || v.empty()) {
          flag.value = "true";
        } else if (v == "false") {
          flag.value = "false";
        } else {
          return std::unexpected("expecting boolean value for flag " + name + ", not: " + value);
        }
        break;
      }
      case Kind::string:
        if (!has_value) return std::unexpected("missing a value on flag: " + name);
        flag.value = value;
        break;
      case Kind::strings:
        if (!has_value) return std::unexpected("missing a value on flag: " + name);
        flag.values.push_back(value);
        break;
    }
  }
  return {};
}

bool Flags::boolean(std::string_view name) const {
  auto it = flags_.find(name);
  return it != flags_.end() && it->second.value == "true";
}

std::string Flags::string(std::string_view name) const {
  auto it = flags_.find(name);
  return it == flags_.end() ? std::string() : it->second.value;
}

std::vector<std::string> Flags::strings(std::string_view name) const {
  auto it = flags_.find(name);
  return it == flags_.end() ? std::vector<std::string>{} : it->second.values;
}

bool Flags::used(std::string_view name) const {
  auto it = flags_.find(name);
  return it != flags_.end() && it->second.used;
}

}  // namespace sigil::build::dockerfile::detail
