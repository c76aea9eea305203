// Follows BuildKit's shell.Lex state machine (frontend/dockerfile/shell/lex.go) rune by rune so
// that quoting, escaping, word splitting and every ${...} form give the same result. One
// deliberate difference: each nested word (${V:-word}) collects its own split words, where
// BuildKit's recent versions share one buffer and can drop text before a ${...} in word lists.
#include "build/dockerfile/shell_lex.hpp"

#include <expected>

#include "build/dockerfile/detail/go_quote.hpp"
#include "build/dockerfile/detail/shell_pattern.hpp"
#include "build/dockerfile/detail/unicode.hpp"

namespace sigil::build::dockerfile {

Environment Environment::from_strings(const std::vector<std::string>& entries) {
  Environment env;
  for (const auto& entry : entries) {
    const auto eq = entry.find('=');
    if (eq == std::string::npos) {
      env.set(entry, "");
    } else {
      env.set(std::string_view(entry).substr(0, eq), std::string_view(entry).substr(eq + 1));
    }
  }
  return env;
}

void Environment::set(std::string_view name, std::string_view value) {
  for (auto& [key, val] : entries_) {
    if (key == name) {
      val = std::string(value);
      return;
    }
  }
  entries_.emplace_back(std::string(name), std::string(value));
}

bool Environment::erase(std::string_view name) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == name) {
      entries_.erase(it);
      return true;
    }
  }
  return false;
}

std::optional<std::string_view> Environment::get(std::string_view name) const {
  for (const auto& [key, val] : entries_) {
    if (key == name) return std::string_view(val);
  }
  return std::nullopt;
}

std::vector<std::string> Environment::to_strings() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [key, val] : entries_) out.push_back(key + "=" + val);
  return out;
}

namespace {

using detail::kEof;
template <class T>
using Lexed = std::expected<T, std::string>;

// Word collection of one (possibly nested) word: BuildKit's wordsStruct.
struct Words {
  std::string buf;
  std::vector<std::string> words;
  bool in_word = false;

  void add_raw_char(char32_t ch) {
    detail::append_utf8(buf, ch);
    in_word = true;
  }
  void add_char(char32_t ch) {
    if (detail::is_space(ch)) {
      if (in_word && !buf.empty()) {
        words.push_back(std::move(buf));
        buf.clear();
        in_word = false;
      }
    } else {
      add_raw_char(ch);
    }
  }
  void add_string(std::string_view str) {
    for (std::size_t pos = 0; pos < str.size();) {
      std::size_t width = 1;
      add_char(detail::decode_utf8(str, pos, width));
      pos += width;
    }
  }
  void add_raw_string(std::string_view str) {
    buf += str;
    in_word = true;
  }
  std::vector<std::string> take() {
    if (!buf.empty()) {
      words.push_back(std::move(buf));
      buf.clear();
      in_word = false;
    }
    return std::move(words);
  }
};

class Lexer {
 public:
  Lexer(std::string_view text, const Environment& env, const LexOptions& options)
      : text_(text), env_(env), opt_(options), raw_escapes_(options.raw_escapes) {}

  Lexed<LexResult> run() {
    auto r = process_stop_on(kEof, raw_escapes_);
    if (!r) return std::unexpected(r.error());
    LexResult out;
    out.word = std::move(r->first);
    out.words = std::move(r->second);
    out.matched = std::move(matched_);
    out.unmatched = std::move(unmatched_);
    return out;
  }

 private:
  char32_t peek() const {
    if (pos_ >= text_.size()) return kEof;
    std::size_t width = 1;
    return detail::decode_utf8(text_, pos_, width);
  }
  char32_t next() {
    if (pos_ >= text_.size()) return kEof;
    std::size_t width = 1;
    const char32_t ch = detail::decode_utf8(text_, pos_, width);
    pos_ += width;
    return ch;
  }
  bool is_escape(char32_t ch) const { return ch == static_cast<unsigned char>(opt_.escape); }

  Lexed<std::pair<std::string, std::vector<std::string>>> process_stop_on(char32_t stop,
                                                                         bool raw_escapes) {
    std::string result;
    Words words;
    const bool saved_raw = raw_escapes_;
    raw_escapes_ = raw_escapes;
    struct Restore {
      bool& flag;
      bool value;
      ~Restore() { flag = value; }
    } restore{raw_escapes_, saved_raw};

    while (peek() != kEof) {
      char32_t ch = peek();
      if (stop != kEof && ch == stop) {
        next();
        return std::pair{std::move(result), words.take()};
      }
      const bool quote = !opt_.skip_process_quotes && (ch == U'\'' || ch == U'"');
      if (ch == U'$' || quote) {
        Lexed<std::string> tmp = ch == U'$'    ? process_dollar()
                                 : ch == U'\'' ? process_single_quote()
                                               : process_double_quote();
        if (!tmp) return std::unexpected(tmp.error());
        result += *tmp;
        // Expanded variables split into words; quoted text stays one word.
        if (ch == U'$') {
          words.add_string(*tmp);
        } else {
          words.add_raw_string(*tmp);
        }
        continue;
      }
      ch = next();
      if (is_escape(ch)) {
        if (raw_escapes_) {
          words.add_raw_char(ch);
          detail::append_utf8(result, ch);
        }
        ch = next();  // the escape character escapes the next one, except at the end
        if (ch == kEof) break;
        words.add_raw_char(ch);
      } else {
        words.add_char(ch);
      }
      detail::append_utf8(result, ch);
    }
    if (stop != kEof) {
      std::string s;
      detail::append_utf8(s, stop);
      return std::unexpected("unexpected end of statement while looking for matching " + s);
    }
    return std::pair{std::move(result), words.take()};
  }

  Lexed<std::string> process_single_quote() {
    // Everything up to the next single quote is literal; a single quote cannot be escaped.
    std::string result;
    char32_t ch = next();
    if (opt_.raw_quotes) detail::append_utf8(result, ch);
    for (;;) {
      ch = next();
      if (ch == kEof) return std::unexpected("unexpected end of statement while looking for matching single-quote");
      if (ch == U'\'') {
        if (opt_.raw_quotes) detail::append_utf8(result, ch);
        return result;
      }
      detail::append_utf8(result, ch);
    }
  }

  Lexed<std::string> process_double_quote() {
    // Literal except $ expansions; the escape character only escapes " $ and itself.
    std::string result;
    char32_t ch = next();
    if (opt_.raw_quotes) detail::append_utf8(result, ch);
    for (;;) {
      const char32_t p = peek();
      if (p == kEof) return std::unexpected("unexpected end of statement while looking for matching double-quote");
      if (p == U'"') {
        ch = next();
        if (opt_.raw_quotes) detail::append_utf8(result, ch);
        return result;
      }
      if (p == U'$') {
        auto value = process_dollar();
        if (!value) return value;
        result += *value;
        continue;
      }
      ch = next();
      if (is_escape(ch)) {
        if (raw_escapes_) detail::append_utf8(result, ch);
        const char32_t after = peek();
        if (after == kEof) continue;  // an escape at the very end is dropped
        if (after == U'"' || after == U'$' || is_escape(after)) ch = next();
      }
      detail::append_utf8(result, ch);
    }
  }

  std::optional<std::string> get_env(const std::string& name) {
    if (auto v = env_.get(name)) {
      matched_.insert(name);
      return std::string(*v);
    }
    unmatched_.insert(name);
    return std::nullopt;
  }

  static bool is_special_param(char32_t ch) {
    switch (ch) {
      case U'@': case U'*': case U'#': case U'?': case U'-': case U'$': case U'!': case U'0':
        return true;
      default:
        return false;
    }
  }

  std::string process_name() {
    // A name is letters, digits and _; a leading digit reads digits only; one special parameter.
    std::string name;
    while (peek() != kEof) {
      char32_t ch = peek();
      if (name.empty() && detail::is_digit(ch)) {
        while (peek() != kEof && detail::is_digit(peek())) detail::append_utf8(name, next());
        return name;
      }
      if (name.empty() && is_special_param(ch)) {
        detail::append_utf8(name, next());
        return name;
      }
      if (!detail::is_letter(ch) && !detail::is_digit(ch) && ch != U'_') break;
      detail::append_utf8(name, next());
    }
    return name;
  }

  Lexed<std::string> process_dollar() {
    next();  // '$'
    if (peek() != U'{') {
      std::string name = process_name();
      if (name.empty()) return std::string("$");
      auto value = get_env(name);
      if (!value && opt_.skip_unset_env) return "$" + name;
      return value.value_or("");
    }
    next();  // '{'
    const char32_t first = peek();
    if (first == kEof) return std::unexpected("syntax error: missing '}'");
    if (first == U'{' || first == U'}' || first == U':') return std::unexpected("syntax error: bad substitution");
    std::string name = process_name();
    char32_t ch = next();
    if (ch == kEof) return std::unexpected("syntax error: missing '}'");
    std::string chs;
    detail::append_utf8(chs, ch);
    if (ch == U'}') {
      auto value = get_env(name);
      if (!value && opt_.skip_unset_env) return "${" + name + "}";
      return value.value_or("");
    }
    if (ch == U'/') return process_replace(name);
    bool null_is_unset = false;
    if (ch == U':') {
      null_is_unset = true;
      ch = next();
      if (ch == kEof) return std::unexpected("syntax error: missing '}'");
      detail::append_utf8(chs, ch);
    } else if (ch != U'+' && ch != U'-' && ch != U'?' && ch != U'#' && ch != U'%') {
      return std::unexpected("unsupported modifier (" + chs + ") in substitution");
    }
    const bool pattern = ch == U'#' || ch == U'%';
    if (null_is_unset && pattern) return std::unexpected("unsupported modifier (" + chs + ") in substitution");
    auto word = process_stop_on(U'}', pattern);
    if (!word) {
      if (peek() == kEof) return std::unexpected("syntax error: missing '}'");
      return std::unexpected(word.error());
    }
    std::string w = std::move(word->first);
    auto value = get_env(name);
    if (!value && opt_.skip_unset_env) return "${" + name + chs + w + "}";
    const bool set = value.has_value();
    const std::string v = value.value_or("");
    switch (ch) {
      case U'-':
        return (!set || (null_is_unset && v.empty())) ? w : v;
      case U'+':
        return (!set || (null_is_unset && v.empty())) ? std::string() : w;
      case U'?':
        if (!set) return std::unexpected(name + ": " + (w.empty() ? "is not allowed to be unset" : w));
        if (null_is_unset && v.empty()) return std::unexpected(name + ": " + (w.empty() ? "is not allowed to be empty" : w));
        return v;
      case U'%':
      case U'#': {
        // One character: shortest match; doubled (%% or ##): longest.
        bool greedy = false;
        if (!w.empty() && static_cast<unsigned char>(w[0]) == ch) {
          greedy = true;
          w.erase(0, 1);
        }
        return ch == U'%' ? detail::trim_suffix(w, v, greedy) : detail::trim_prefix(w, v, greedy);
      }
      default:
        return std::unexpected("unsupported modifier (" + chs + ") in substitution");
    }
  }

  Lexed<std::string> process_replace(const std::string& name) {
    const bool all = peek() == U'/';
    if (all) next();
    auto pattern = process_stop_on(U'/', true);
    if (!pattern) {
      if (peek() == kEof) return std::unexpected("syntax error: missing '/' in ${}");
      return std::unexpected(pattern.error());
    }
    auto replacement = process_stop_on(U'}', true);
    if (!replacement) {
      if (peek() == kEof) return std::unexpected("syntax error: missing '}'");
      return std::unexpected(replacement.error());
    }
    auto value = get_env(name);
    if (!value && opt_.skip_unset_env) return "${" + name + "/" + pattern->first + "/" + replacement->first + "}";
    return detail::replace_pattern(pattern->first, replacement->first, value.value_or(""), all);
  }

  std::string_view text_;
  const Environment& env_;
  const LexOptions& opt_;
  bool raw_escapes_;
  std::size_t pos_ = 0;
  std::set<std::string> matched_;
  std::set<std::string> unmatched_;
};

}  // namespace

Result<LexResult> shell_lex(std::string_view text, const Environment& env, const LexOptions& options) {
  Lexer lexer(text, env, options);
  auto r = lexer.run();
  if (!r) return fail(ErrorCategory::input, "failed to process " + detail::go_quote(text) + ": " + r.error());
  return std::move(*r);
}

Result<std::string> expand_word(std::string_view text, const Environment& env, char escape) {
  auto r = shell_lex(text, env, LexOptions{.escape = escape});
  if (!r) return std::unexpected(r.error());
  return std::move(r->word);
}

Result<std::vector<std::string>> expand_words(std::string_view text, const Environment& env, char escape) {
  auto r = shell_lex(text, env, LexOptions{.escape = escape});
  if (!r) return std::unexpected(r.error());
  return std::move(r->words);
}

Result<std::string> expand_heredoc(std::string_view body, const Environment& env, char escape) {
  auto r = shell_lex(body, env, LexOptions{.escape = escape, .skip_process_quotes = true});
  if (!r) return std::unexpected(r.error());
  return std::move(r->word);
}

}  // namespace sigil::build::dockerfile
