#include "sbom/license.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace sigil::sbom {
namespace {

constexpr std::array kIds = {
#include "sbom/detail/spdx_license_ids.inc"
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> lookup(std::string_view name) {
  // Exact first (binary search over the sorted list), then case-insensitive.
  auto it = std::lower_bound(kIds.begin(), kIds.end(), name, [](const char* a, std::string_view b) { return a < b; });
  if (it != kIds.end() && name == *it) return std::string(*it);
  std::string want = lower(name);
  for (const char* id : kIds) {
    if (lower(id) == want) return std::string(id);
  }
  return std::nullopt;
}

bool ends_with_version_number(std::string_view s) {
  // "GPL-2" / "LGPL-3": a dash and digits only at the end.
  auto dash = s.rfind('-');
  if (dash == std::string_view::npos || dash + 1 >= s.size()) return false;
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(dash) + 1, s.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

std::optional<std::string> spdx_license_id(std::string_view raw) {
  std::string name = trim(raw);
  if (name.empty()) return std::nullopt;
  // "X+" means "or later": the current -or-later id wins over the deprecated "X+" ids the list keeps.
  if (name.ends_with('+')) {
    std::string base = name.substr(0, name.size() - 1);
    if (auto id = lookup(base + "-or-later")) return id;
    if (ends_with_version_number(base)) {
      if (auto id = lookup(base + ".0-or-later")) return id;
    }
  }
  if (auto id = lookup(name)) {
    // The list keeps deprecated ids ("GPL-2.0"); prefer the current "-only" form when it exists.
    if (auto only = lookup(*id + "-only"); only && (id->starts_with("GPL") || id->starts_with("LGPL") || id->starts_with("AGPL"))) {
      return only;
    }
    return id;
  }
  std::string l = lower(name);
  if (l == "expat") return std::string("MIT");
  if (l == "bsd-3") return std::string("BSD-3-Clause");
  if (l == "bsd-2") return std::string("BSD-2-Clause");
  if (l == "psf" || l == "psf-2") return std::string("PSF-2.0");
  bool or_later = name.ends_with('+');
  std::string base = or_later ? name.substr(0, name.size() - 1) : name;
  if (or_later) {
    if (auto id = lookup(base + "-or-later")) return id;
    if (ends_with_version_number(base)) {
      if (auto id = lookup(base + ".0-or-later")) return id;
    }
    return std::nullopt;
  }
  if (ends_with_version_number(base)) {
    if (auto id = lookup(base + ".0-only")) return id;
    if (auto id = lookup(base + ".0")) return id;
  }
  return std::nullopt;
}

License classify_license(std::string_view declared) {
  std::string text = trim(declared);
  if (auto id = spdx_license_id(text)) return License{License::Kind::spdx_id, *id};
  // An expression: operands separated by AND / OR / WITH (any case), optional parentheses.
  std::vector<std::string> tokens;
  std::string cur;
  for (char c : text) {
    if (c == '(' || c == ')' || std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) tokens.push_back(cur);
      cur.clear();
      if (c != ' ' && c != '\t') tokens.emplace_back(1, c);
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) tokens.push_back(cur);
  if (tokens.size() >= 3) {
    std::string expr;
    bool ok = true;
    bool expect_operand = true;
    bool after_with = false;
    for (const auto& t : tokens) {
      std::string u = lower(t);
      if (t == "(" || t == ")") {
        expr += t;
        continue;
      }
      if (u == "and" || u == "or" || u == "with") {
        if (expect_operand) { ok = false; break; }
        if (!expr.empty() && expr.back() != '(') expr += ' ';
        expr += u == "and" ? "AND " : u == "or" ? "OR " : "WITH ";
        expect_operand = true;
        after_with = u == "with";
        continue;
      }
      if (!expect_operand) { ok = false; break; }
      if (after_with) {
        expr += t;  // exception ids are not in the license list; keep as written
      } else if (auto id = spdx_license_id(t)) {
        expr += *id;
      } else {
        ok = false;
        break;
      }
      expect_operand = false;
      after_with = false;
    }
    if (ok && !expect_operand) return License{License::Kind::expression, expr};
  }
  return License{License::Kind::text, text};
}

}  // namespace sigil::sbom
