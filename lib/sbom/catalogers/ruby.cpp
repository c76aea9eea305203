// Ruby: installed gems, as syft's ruby-installed-gemspec-cataloger finds them — every
// specifications/**/*.gemspec (the Ruby stubs RubyGems writes when it installs a gem) — plus
// Gemfile.lock (syft's ruby-gemfile-cataloger) when the source is a directory.
//
// A gemspec is Ruby code; sigil never runs it. Like syft it reads the plain assignments RubyGems
// writes one per line (`s.name = "x".freeze`, `s.authors = ["a".freeze, "b".freeze]`), decoding
// Ruby string literals properly (escapes, \uXXXX) instead of trimming quotes, and lets a list run
// over several lines. Gemfile.lock specs become packages; the indented lines under a spec are its
// dependencies, resolved by name within the same lock file.
#include <cctype>
#include <map>
#include <optional>

#include "common/limits.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/license.hpp"
#include "sbom/purl.hpp"

namespace sigil::sbom {
namespace {

constexpr std::string_view kName = "ruby-installed-gemspec-cataloger";
constexpr std::string_view kLockName = "ruby-gemfile-cataloger";
constexpr std::size_t kMaxListItems = 100000;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // lone surrogates are not characters
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp <= 0x10FFFF) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    append_utf8(out, 0xFFFD);
  }
}

// Reads up to `max` hex digits at `pos`; nullopt when there is none.
std::optional<unsigned long> read_hex(std::string_view s, std::size_t& pos, std::size_t max) {
  unsigned long v = 0;
  std::size_t n = 0;
  while (n < max && pos < s.size() && std::isxdigit(static_cast<unsigned char>(s[pos])) != 0) {
    char c = s[pos++];
    v = v * 16 + static_cast<unsigned long>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    ++n;
  }
  if (n == 0) return std::nullopt;
  return v;
}

// A Ruby string literal at `pos` ('...' or "..."), decoded; `pos` moves past it. nullopt when
// `pos` is not at a quote or the literal does not end (a truncated file).
std::optional<std::string> ruby_string(std::string_view s, std::size_t& pos) {
  if (pos >= s.size() || (s[pos] != '"' && s[pos] != '\'')) return std::nullopt;
  char quote = s[pos++];
  std::string out;
  while (pos < s.size()) {
    char c = s[pos++];
    if (c == quote) return out;
    if (c != '\\' || pos >= s.size()) {
      out += c;
      continue;
    }
    char e = s[pos++];
    if (quote == '\'') {  // single quotes only escape the quote and the backslash
      if (e != '\'' && e != '\\') out += '\\';
      out += e;
      continue;
    }
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'e': out += '\x1b'; break;
      case 's': out += ' '; break;
      case '0': out += '\0'; break;
      case 'x':
        if (auto v = read_hex(s, pos, 2)) out += static_cast<char>(*v);
        break;
      case 'u':
        if (pos < s.size() && s[pos] == '{') {  // \u{E9 301}: one or more code points
          ++pos;
          while (pos < s.size() && s[pos] != '}') {
            if (s[pos] == ' ') {
              ++pos;
            } else if (auto v = read_hex(s, pos, 6)) {
              append_utf8(out, *v);
            } else {
              return std::nullopt;
            }
          }
          if (pos >= s.size()) return std::nullopt;
          ++pos;
        } else if (auto v = read_hex(s, pos, 4)) {
          append_utf8(out, *v);
        }
        break;
      default: out += e;  // \" \\ \# and anything else stand for themselves
    }
  }
  return std::nullopt;
}

void skip_space(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
}

// A string literal with an optional `.freeze` after it.
std::optional<std::string> frozen_string(std::string_view s, std::size_t& pos) {
  auto v = ruby_string(s, pos);
  if (v && s.substr(pos).starts_with(".freeze")) pos += 7;
  return v;
}

// `[ "a".freeze, "b" ]`, possibly over several lines. Stops at the first item that is not a
// string literal (a constant, a method call) and keeps what came before.
std::vector<std::string> string_list(std::string_view s, std::size_t& pos) {
  std::vector<std::string> out;
  if (pos >= s.size() || s[pos] != '[') {
    if (auto single = frozen_string(s, pos)) out.push_back(*single);
    return out;
  }
  ++pos;
  while (out.size() < kMaxListItems) {
    skip_space(s, pos);
    if (pos >= s.size() || s[pos] == ']') break;
    auto item = frozen_string(s, pos);
    if (!item) break;
    out.push_back(std::move(*item));
    skip_space(s, pos);
    if (pos < s.size() && s[pos] == ',') ++pos;
  }
  return out;
}

struct Gemspec {
  std::string name, version, homepage;
  std::vector<std::string> authors, licenses, files;
  bool has_name = false, has_version = false;
};

// `#{s.name}`, `#{ spec.version }`, `#{name}`... resolved from the spec itself, as syft does; a
// homepage with any other interpolation left is dropped (it would not be a valid IRI).
std::string resolve_interpolation(std::string text, const Gemspec& g) {
  std::size_t at = 0;
  while ((at = text.find("#{", at)) != std::string::npos) {
    auto close = text.find('}', at);
    if (close == std::string::npos) return "";
    std::string_view expr(text);
    expr = expr.substr(at + 2, close - at - 2);
    while (!expr.empty() && expr.front() == ' ') expr.remove_prefix(1);
    while (!expr.empty() && expr.back() == ' ') expr.remove_suffix(1);
    if (auto dot = expr.find('.'); dot != std::string_view::npos) {
      auto receiver = expr.substr(0, dot);
      if (receiver != "s" && receiver != "gem" && receiver != "spec") return "";
      expr = expr.substr(dot + 1);
    }
    std::string value = expr == "name" ? g.name : expr == "version" ? g.version : "";
    if (value.empty()) return "";
    text.replace(at, close - at + 1, value);
    at += value.size();
  }
  return text;
}

Gemspec parse_gemspec(std::string_view text) {
  Gemspec g;
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    std::size_t pos = line_start;
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    std::size_t line_end = text.find('\n', pos);
    if (line_end == std::string_view::npos) line_end = text.size();
    line_start = line_end + 1;
    // `receiver.field = value`: the receiver is the block variable (s, spec, gem...).
    std::size_t id = pos;
    while (pos < line_end && is_ident(text[pos])) ++pos;
    if (pos == id || pos >= line_end || text[pos] != '.') continue;
    std::size_t field_start = ++pos;
    while (pos < line_end && is_ident(text[pos])) ++pos;
    std::string_view field = text.substr(field_start, pos - field_start);
    while (pos < line_end && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    if (pos + 1 >= line_end || text[pos] != '=' || text[pos + 1] == '=' || text[pos + 1] == '~') continue;
    ++pos;
    while (pos < line_end && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    if (field == "name" || field == "version" || field == "homepage" || field == "license" || field == "author") {
      auto v = frozen_string(text, pos);
      if (!v) continue;
      if (field == "name") {
        g.name = *v;
        g.has_name = true;
      } else if (field == "version") {
        g.version = *v;
        g.has_version = true;
      } else if (field == "homepage") {
        g.homepage = *v;
      } else if (field == "license") {
        g.licenses = {*v};
      } else {
        g.authors = {*v};
      }
    } else if (field == "authors" || field == "licenses" || field == "files") {
      auto list = string_list(text, pos);
      (field == "authors" ? g.authors : field == "licenses" ? g.licenses : g.files) = std::move(list);
      // A list may continue over following lines: resume after where it ended.
      if (pos > line_end) {
        auto next = text.find('\n', pos);
        line_start = next == std::string_view::npos ? text.size() : next + 1;
      }
    }
  }
  g.homepage = resolve_interpolation(g.homepage, g);
  return g;
}

bool valid_token(const std::string& s) {
  if (s.empty() || s.size() > 1024) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) {
    if (i.empty()) continue;
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

// Gemfile.lock: "GEM"/"GIT"/"PATH"/"PLUGIN SOURCE" sections; a spec at four spaces
// ("    rake (13.0.6)"), its dependencies at six ("      rack (>= 1.0)").
struct LockEntry {
  std::string name, version;
  std::vector<std::string> deps;
};

std::vector<LockEntry> parse_gemfile_lock(std::string_view text) {
  std::vector<LockEntry> out;
  bool in_specs_section = false;
  bool current = false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.size() > 1 && line[0] != ' ') {
      in_specs_section = line == "GEM" || line == "GIT" || line == "PATH" || line == "PLUGIN SOURCE";
      current = false;
      continue;
    }
    if (!in_specs_section) continue;
    std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos) continue;
    std::string_view rest = line.substr(indent);
    auto space = rest.find(' ');
    std::string_view first = rest.substr(0, space);
    if (indent == 4) {
      current = false;
      if (space == std::string_view::npos) continue;
      std::string_view version = rest.substr(space + 1);
      if (version.size() < 3 || version.front() != '(' || version.back() != ')' ||
          version.find(' ') != std::string_view::npos) {
        continue;
      }
      out.push_back(LockEntry{std::string(first), std::string(version.substr(1, version.size() - 2)), {}});
      current = true;
    } else if (indent == 6 && current) {
      out.back().deps.emplace_back(first);
    }
  }
  return out;
}

class RubyCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return kName; }

  bool matches(std::string_view path) const override {
    return (path.ends_with(".gemspec") && path.find("/specifications/") != std::string_view::npos) ||
           path.ends_with("/Gemfile.lock");
  }

  void catalog(const CatalogContext& ctx, const std::vector<std::string>& matches) const override {
    for (const auto& path : matches) {
      if (path.ends_with("/Gemfile.lock")) {
        if (ctx.inventory.subject.kind == Subject::Kind::directory) catalog_lock(ctx, path);
      } else {
        catalog_gemspec(ctx, path);
      }
    }
  }

 private:
  void catalog_gemspec(const CatalogContext& ctx, const std::string& path) const {
    auto text = ctx.tree.read(path, limits::kMaxSbomFileBytes);
    if (!text) {
      ctx.warn(kName, path, text.error().message);
      return;
    }
    if (text->find('\0') != std::string::npos) {
      ctx.warn(kName, path, "binary content, not a gemspec, skipped");
      return;
    }
    Gemspec g = parse_gemspec(*text);
    if (!g.has_name || !g.has_version || !valid_token(g.name) || !valid_token(g.version)) {
      ctx.warn(kName, path, "no name and version assignments (s.name = \"...\"), skipped");
      return;
    }
    Package p;
    p.name = g.name;
    p.version = g.version;
    p.type = "gem";
    p.found_by = std::string(kName);
    p.purl = gem_purl(g.name, g.version);
    for (const auto& l : g.licenses) {
      if (!l.empty()) p.licenses.push_back(classify_license(l));
    }
    p.author = join(g.authors, ", ");
    if (!g.homepage.empty()) p.metadata["homepage"] = g.homepage;
    // RubyGems installs a gem's files under <gem home>/gems/<spec file stem>/ beside specifications/.
    std::string stem = path.substr(path.rfind('/') + 1);
    stem.resize(stem.size() - 8);
    std::string home = path.substr(0, path.rfind("/specifications/"));
    for (const auto& f : g.files) {
      if (!f.empty()) p.files.push_back(normalize_tree_path(home + "/gems/" + stem + "/" + f));
    }
    p.id = "gem:" + path;
    p.locations.push_back(ctx.location(path));
    ctx.inventory.packages.push_back(std::move(p));
  }

  void catalog_lock(const CatalogContext& ctx, const std::string& path) const {
    auto text = ctx.tree.read(path, limits::kMaxSbomFileBytes);
    if (!text) {
      ctx.warn(kLockName, path, text.error().message);
      return;
    }
    auto entries = parse_gemfile_lock(*text);
    if (entries.empty()) {
      ctx.warn(kLockName, path, "no gem specs in GEM, GIT, PATH or PLUGIN SOURCE sections, skipped");
      return;
    }
    Location where = ctx.location(path);
    std::map<std::string, std::string> id_of;  // gem name → package id (first spec wins)
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& e = entries[i];
      Package p;
      p.name = e.name;
      p.version = e.version;
      p.type = "gem";
      p.found_by = std::string(kLockName);
      p.purl = gem_purl(e.name, e.version);
      p.id = "gem-lock:" + path + ":" + std::to_string(i);
      p.locations.push_back(where);
      id_of.emplace(e.name, p.id);
      ids.push_back(p.id);
      ctx.inventory.packages.push_back(std::move(p));
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      for (const auto& dep : entries[i].deps) {
        if (auto it = id_of.find(dep); it != id_of.end()) {
          ctx.inventory.relationships.push_back(Relationship{ids[i], it->second, Relationship::Type::depends_on});
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> make_ruby_cataloger() { return std::make_unique<RubyCataloger>(); }

}  // namespace sigil::sbom
