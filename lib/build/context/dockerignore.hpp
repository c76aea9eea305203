// .dockerignore files and the pattern matcher behind them (moby/patternmatcher semantics), also
// used for COPY --exclude.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace sigil::build {

/// Reads the patterns of a .dockerignore file: one per line, '#' lines are comments, blank lines
/// are skipped, surrounding whitespace is trimmed, a leading '!' marks an exception, and each
/// pattern is cleaned as a path (leading '/' and "./" dropped, "a//b/../c" → "a/c").
/// Input error (naming `what`, e.g. the file) for a pattern that is only "!" or exceeds limits.
[[nodiscard]] Result<std::vector<std::string>> parse_dockerignore(std::string_view text,
                                                                  std::string_view what = ".dockerignore");

/// The ignore file that applies to a build: `<Dockerfile name>.dockerignore` beside the
/// Dockerfile wins over `<context>/.dockerignore`; nothing when neither exists.
[[nodiscard]] std::optional<std::filesystem::path> find_dockerignore(const std::filesystem::path& context_dir,
                                                                     const std::filesystem::path& dockerfile);

/// Reads and parses the ignore file that applies (see find_dockerignore); no patterns if none.
[[nodiscard]] Result<std::vector<std::string>> load_dockerignore(const std::filesystem::path& context_dir,
                                                                 const std::filesystem::path& dockerfile);

/// Matches slash-separated relative paths against patterns with moby/patternmatcher semantics:
/// `*` and `?` never cross '/', `**` matches any number of directories, `[...]` classes and '\'
/// escapes as in Go's filepath.Match, a pattern also matches everything below a matched
/// directory, and the last matching pattern wins ('!' patterns re-include).
class PatternMatcher {
 public:
  PatternMatcher();
  ~PatternMatcher();
  PatternMatcher(PatternMatcher&&) noexcept;
  PatternMatcher& operator=(PatternMatcher&&) noexcept;
  PatternMatcher(const PatternMatcher&);
  PatternMatcher& operator=(const PatternMatcher&);

  /// Compiles patterns (already cleaned, '!' prefix for exceptions); input error naming the bad
  /// pattern (e.g. an unterminated '[').
  [[nodiscard]] static Result<PatternMatcher> create(const std::vector<std::string>& patterns);

  /// True when no pattern was given.
  [[nodiscard]] bool empty() const;
  /// True when `path` (relative, clean, '/'-separated) or one of its parents is excluded and no
  /// later exception re-includes it.
  [[nodiscard]] bool excluded(std::string_view path) const;
  /// True when an excluded directory must still be walked because an exception pattern may
  /// re-include something below it (the directory itself is then kept as a parent).
  [[nodiscard]] bool walk_excluded_dir(std::string_view dir) const;
  /// True when at least one '!' exception pattern exists.
  [[nodiscard]] bool has_exceptions() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sigil::build
