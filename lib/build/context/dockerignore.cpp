// .dockerignore parsing (moby/patternmatcher's ignorefile) and matching (MatchesOrParentMatches)
// plus fsutil's rule for walking excluded directories that exceptions may re-include.
#include "build/context/dockerignore.hpp"

#include <system_error>

#include "build/context/detail/glob.hpp"
#include "build/layer/layer_entry.hpp"
#include "common/file.hpp"
#include "common/limits.hpp"

namespace sigil::build {

namespace {

constexpr std::size_t kMaxIgnoreFileBytes = 4 * 1024 * 1024;
constexpr std::size_t kMaxPatternBytes = 4096;

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// filepath.Clean keeping a leading '/' (the caller drops it): "a//b/./../c" → "a/c", "" → ".".
std::string go_clean(std::string_view path) {
  const bool rooted = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t up = 0;  // leading ".." kept for relative paths
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) {
        parts.pop_back();
      } else if (!rooted) {
        ++up;
      }
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t k = 0; k < up; ++k) out += out.empty() || out.back() == '/' ? ".." : "/..";
  for (std::string_view part : parts) {
    if (!out.empty() && out.back() != '/') out += '/';
    out += part;
  }
  if (out.empty()) out = ".";
  return out;
}

}  // namespace

Result<std::vector<std::string>> parse_dockerignore(std::string_view text, std::string_view what) {
  std::vector<std::string> patterns;
  std::size_t line_number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    const bool last = end == text.size();
    pos = end + 1;
    ++line_number;
    if (line_number == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);  // UTF-8 BOM
    if (last && line.empty()) break;
    // A comment is a line whose very first character is '#' (before trimming, as in moby).
    if (line.starts_with('#')) continue;
    std::string_view pattern = trim(line);
    if (pattern.empty()) continue;
    const std::string where = std::string(what) + ":" + std::to_string(line_number);
    if (pattern.size() > kMaxPatternBytes) {
      return fail(ErrorCategory::input, where + ": pattern longer than " + std::to_string(kMaxPatternBytes) + " bytes");
    }
    const bool exception = pattern.front() == '!';
    if (exception) pattern = trim(pattern.substr(1));
    std::string cleaned;
    if (!pattern.empty()) {
      cleaned = go_clean(pattern);
      if (cleaned.size() > 1 && cleaned.front() == '/') cleaned.erase(0, 1);
    }
    if (exception && cleaned.empty()) {
      return fail(ErrorCategory::input, where + ": illegal exclusion pattern \"!\"");
    }
    if (auto glob = detail::Glob::compile(cleaned, detail::Glob::Dialect::ignore); !glob) {
      return fail(ErrorCategory::input, where + ": " + glob.error().message);
    }
    patterns.push_back(exception ? "!" + cleaned : cleaned);
  }
  return patterns;
}

std::optional<std::filesystem::path> find_dockerignore(const std::filesystem::path& context_dir,
                                                       const std::filesystem::path& dockerfile) {
  std::error_code ec;
  if (!dockerfile.empty()) {
    std::filesystem::path specific = dockerfile;
    specific += ".dockerignore";
    if (std::filesystem::is_regular_file(specific, ec)) return specific;
  }
  std::filesystem::path common = context_dir / ".dockerignore";
  if (std::filesystem::is_regular_file(common, ec)) return common;
  return std::nullopt;
}

Result<std::vector<std::string>> load_dockerignore(const std::filesystem::path& context_dir,
                                                   const std::filesystem::path& dockerfile) {
  auto file = find_dockerignore(context_dir, dockerfile);
  if (!file) return std::vector<std::string>{};
  auto text = read_file(*file, kMaxIgnoreFileBytes);
  if (!text) return std::unexpected(text.error());
  return parse_dockerignore(*text, file->string());
}

struct PatternMatcher::Impl {
  struct Pattern {
    std::string text;  // cleaned, without '!'
    bool exception = false;
    detail::Glob glob;
  };
  std::vector<Pattern> patterns;
  bool has_exceptions = false;
  bool wildcard_exceptions = false;  // fsutil then never skips an excluded directory

  [[nodiscard]] bool pattern_matches(const Pattern& pattern, std::string_view path) const {
    if (pattern.glob.match(path)) return true;
    // ... or one of the path's parent directories (MatchesOrParentMatches).
    for (std::size_t pos = path.find('/'); pos != std::string_view::npos; pos = path.find('/', pos + 1)) {
      if (pattern.glob.match(path.substr(0, pos))) return true;
    }
    return false;
  }
};

PatternMatcher::PatternMatcher() : impl_(std::make_unique<Impl>()) {}
PatternMatcher::~PatternMatcher() = default;
PatternMatcher::PatternMatcher(PatternMatcher&&) noexcept = default;
PatternMatcher& PatternMatcher::operator=(PatternMatcher&&) noexcept = default;
PatternMatcher::PatternMatcher(const PatternMatcher& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
PatternMatcher& PatternMatcher::operator=(const PatternMatcher& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}

Result<PatternMatcher> PatternMatcher::create(const std::vector<std::string>& patterns) {
  PatternMatcher matcher;
  for (const std::string& raw : patterns) {
    std::string_view text = trim(raw);
    if (text.empty()) continue;
    std::string cleaned = go_clean(text);
    Impl::Pattern pattern;
    if (cleaned.front() == '!') {
      if (cleaned.size() == 1) return fail(ErrorCategory::input, "illegal exclusion pattern \"!\"");
      pattern.exception = true;
      cleaned.erase(0, 1);
      matcher.impl_->has_exceptions = true;
    }
    auto glob = detail::Glob::compile(cleaned, detail::Glob::Dialect::ignore);
    if (!glob) return std::unexpected(glob.error());
    pattern.glob = std::move(*glob);
    if (pattern.exception) {
      std::string_view stem = cleaned;
      if (stem.ends_with("/**")) {
        stem.remove_suffix(3);
      } else if (stem.ends_with("/*")) {
        stem.remove_suffix(2);
      }
      if (stem.find_first_of("*[]?^\\") != std::string_view::npos) matcher.impl_->wildcard_exceptions = true;
    }
    pattern.text = std::move(cleaned);
    matcher.impl_->patterns.push_back(std::move(pattern));
  }
  return matcher;
}

bool PatternMatcher::empty() const { return impl_->patterns.empty(); }

bool PatternMatcher::has_exceptions() const { return impl_->has_exceptions; }

bool PatternMatcher::excluded(std::string_view path) const {
  bool matched = false;
  for (const Impl::Pattern& pattern : impl_->patterns) {
    // An inclusion cannot change an already excluded path, an exception cannot change a path
    // that is not excluded: skip them (moby's evaluation order, which makes the last match win).
    if (pattern.exception != matched) continue;
    if (impl_->pattern_matches(pattern, path)) matched = !pattern.exception;
  }
  return matched;
}

bool PatternMatcher::walk_excluded_dir(std::string_view dir) const {
  if (!impl_->has_exceptions) return false;
  if (impl_->wildcard_exceptions) return true;
  const std::string dir_slash = std::string(dir) + "/";
  for (const Impl::Pattern& pattern : impl_->patterns) {
    if (!pattern.exception) continue;
    std::string stem = pattern.text;
    if (stem.ends_with("/**")) {
      stem.resize(stem.size() - 3);
    } else if (stem.ends_with("/*")) {
      stem.resize(stem.size() - 2);
    }
    if ((stem + "/").starts_with(dir_slash)) return true;
  }
  return false;
}

}  // namespace sigil::build
