// Variable expansion and word splitting exactly as BuildKit's shell.Lex does it for Dockerfile
// instructions: $V, ${V}, ${V:-w}, ${V-w}, ${V:+w}, ${V+w}, ${V:?msg}, ${V?msg}, ${V#pat},
// ${V##pat}, ${V%pat}, ${V%%pat}, ${V/pat/repl}, ${V//pat/repl}; single and double quotes; the
// escape character (\ or ` from `# escape=`). It never runs commands: `$(...)` is literal text.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace sigil::build::dockerfile {

/// An ordered set of variables (names are case-sensitive, as on Linux). Setting an existing
/// name replaces its value in place, so iteration order is first-definition order.
class Environment {
 public:
  Environment() = default;
  /// From "KEY=VALUE" strings (an image config's Env); an entry without '=' gets an empty value.
  [[nodiscard]] static Environment from_strings(const std::vector<std::string>& entries);

  void set(std::string_view name, std::string_view value);
  /// Removes `name`; returns whether it was present.
  bool erase(std::string_view name);
  /// The value, or nullopt when `name` is unset (an empty value is set).
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  [[nodiscard]] bool contains(std::string_view name) const { return get(name).has_value(); }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& entries() const {
    return entries_;
  }
  /// "KEY=VALUE" strings in order (as an image config's Env).
  [[nodiscard]] std::vector<std::string> to_strings() const;
  [[nodiscard]] bool empty() const { return entries_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

/// Switches of BuildKit's Lex; the defaults are what instruction expansion uses.
struct LexOptions {
  char escape = '\\';                ///< the Dockerfile's escape character
  bool raw_quotes = false;           ///< keep quote characters in the result
  bool raw_escapes = false;          ///< keep escape characters in the result
  bool skip_process_quotes = false;  ///< quotes are ordinary characters (heredoc bodies)
  bool skip_unset_env = false;       ///< leave references to unset variables as written
};

/// What one expansion produced.
struct LexResult {
  std::string word;                ///< the whole input expanded as one word (spaces kept)
  std::vector<std::string> words;  ///< the input split into words after expansion
  std::set<std::string> matched;   ///< variables referenced and set
  std::set<std::string> unmatched;  ///< variables referenced but unset
};

/// Expands `text` with `env`. Errors (category input) are one line:
/// `failed to process "<text>": <reason>` (unterminated quote, bad substitution, ${V?msg}, ...).
[[nodiscard]] Result<LexResult> shell_lex(std::string_view text, const Environment& env,
                                          const LexOptions& options = {});

/// Expands one word as BuildKit's ProcessWord (ENV/LABEL values, WORKDIR, USER, COPY sources...).
[[nodiscard]] Result<std::string> expand_word(std::string_view text, const Environment& env,
                                              char escape = '\\');

/// Expands and splits into words as BuildKit's ProcessWords (EXPOSE, quoted ARG lists).
[[nodiscard]] Result<std::vector<std::string>> expand_words(std::string_view text,
                                                            const Environment& env,
                                                            char escape = '\\');

/// Expands a heredoc body whose delimiter was not quoted (COPY/ADD <<EOF): variables are
/// replaced, quotes are kept as ordinary characters. BuildKit always lexes heredoc bodies with
/// the backslash escape, whatever `# escape=` says: keep the default.
[[nodiscard]] Result<std::string> expand_heredoc(std::string_view body, const Environment& env,
                                                 char escape = '\\');

}  // namespace sigil::build::dockerfile
