#include "sbom/catalogers/detail/rpm_license.hpp"

#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sbom/license.hpp"

namespace sigil::sbom::detail {
namespace {

// Fedora's legacy short names whose SPDX id is not in doubt (Fedora's own migration table).
constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kLegacy{{
    {"GPL+", "GPL-1.0-or-later"},       {"GPLv2", "GPL-2.0-only"},          {"GPLv2+", "GPL-2.0-or-later"},
    {"GPLv3", "GPL-3.0-only"},          {"GPLv3+", "GPL-3.0-or-later"},     {"LGPLv2", "LGPL-2.0-only"},
    {"LGPLv2+", "LGPL-2.0-or-later"},   {"LGPLv2.1", "LGPL-2.1-only"},      {"LGPLv2.1+", "LGPL-2.1-or-later"},
    {"LGPLv3", "LGPL-3.0-only"},        {"LGPLv3+", "LGPL-3.0-or-later"},   {"AGPLv3", "AGPL-3.0-only"},
    {"AGPLv3+", "AGPL-3.0-or-later"},   {"ASL 1.1", "Apache-1.1"},          {"ASL 2.0", "Apache-2.0"},
    {"MPLv1.0", "MPL-1.0"},             {"MPLv1.1", "MPL-1.1"},             {"MPLv2.0", "MPL-2.0"},
    {"Artistic 2.0", "Artistic-2.0"},   {"Boost", "BSL-1.0"},               {"CC0", "CC0-1.0"},
    {"EPL", "EPL-1.0"},                 {"OFL", "OFL-1.1"},                 {"Python", "Python-2.0"},
}};

std::optional<std::string> operand_id(const std::string& operand) {
  for (const auto& [legacy, id] : kLegacy) {
    if (operand == legacy) return std::string(id);
  }
  return spdx_license_id(operand);
}

bool is_operator(const std::string& word) {
  std::string l;
  for (char c : word) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l == "and" || l == "or";
}

}  // namespace

License rpm_license(std::string_view declared) {
  License as_declared = classify_license(declared);
  if (as_declared.kind != License::Kind::text) return as_declared;
  // Tokens: parentheses, operators, and operands of one or more words ("ASL 2.0").
  std::vector<std::string> out;
  std::string operand;
  auto flush = [&]() -> bool {
    if (operand.empty()) return true;
    auto id = operand_id(operand);
    operand.clear();
    if (!id) return false;
    out.push_back(*id);
    return true;
  };
  std::string word;
  auto take_word = [&]() -> bool {
    if (word.empty()) return true;
    if (is_operator(word)) {
      if (!flush()) return false;
      std::string op = word.size() == 3 ? "AND" : "OR";
      out.push_back(op);
    } else {
      operand += (operand.empty() ? "" : " ") + word;
    }
    word.clear();
    return true;
  };
  for (char c : declared) {
    if (c == '(' || c == ')' || std::isspace(static_cast<unsigned char>(c))) {
      if (!take_word()) return as_declared;
      if (c == '(' || c == ')') {
        if (!flush()) return as_declared;
        out.emplace_back(1, c);
      }
    } else {
      word += c;
    }
  }
  if (!take_word() || !flush() || out.empty()) return as_declared;
  std::string expr;
  for (const auto& t : out) {
    if (!expr.empty() && t != ")" && expr.back() != '(') expr += ' ';
    expr += t;
  }
  License mapped = classify_license(expr);
  return mapped.kind == License::Kind::text ? as_declared : mapped;
}

}  // namespace sigil::sbom::detail
