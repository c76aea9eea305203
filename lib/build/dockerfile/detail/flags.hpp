// BuildKit's BFlags (instructions/bflag.go): the `--name=value` flags of one instruction,
// checked against the flags that instruction declares.
#pragma once

#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::build::dockerfile::detail {

class Flags {
 public:
  enum class Kind { boolean, string, strings };

  void add(std::string name, Kind kind);
  /// Checks and assigns the raw flags ("--from=x"). Messages as BuildKit's, e.g.
  /// "unknown flag: chwon (did you mean chown?)", "missing a value on flag: from".
  std::expected<void, std::string> parse(const std::vector<std::string>& raw);

  [[nodiscard]] bool boolean(std::string_view name) const;
  [[nodiscard]] std::string string(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> strings(std::string_view name) const;
  [[nodiscard]] bool used(std::string_view name) const;

 private:
  struct Flag {
    Kind kind = Kind::string;
    bool used = false;
    std::string value;
    std::vector<std::string> values;
  };
  std::vector<std::string> order_;
  std::map<std::string, Flag, std::less<>> flags_;
};

/// BuildKit's suggest.Search: the closest option within edit distance 2 ("" if none), in the
/// case style of `value` when `case_sensitive` is false.
std::string suggest(std::string_view value, const std::vector<std::string>& options, bool case_sensitive);

}  // namespace sigil::build::dockerfile::detail
