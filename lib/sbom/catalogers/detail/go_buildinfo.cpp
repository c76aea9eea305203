#include "sbom/catalogers/detail/go_buildinfo.hpp"

#include <algorithm>

namespace sigil::sbom::detail {
namespace {

constexpr std::string_view kMagic = "\xff Go buildinf:";
constexpr std::size_t kHeaderSize = 32;
constexpr std::size_t kAlign = 16;
// Go searches the first 64 KiB of the data for the header; so do we.
constexpr std::size_t kSearchBytes = 64 * 1024;
// Go refuses longer strings (1 << 32); ours is smaller still: module info is a few KiB.
constexpr std::uint64_t kMaxString = 16 * 1024 * 1024;

struct Header {
  std::string_view bytes;  ///< from the header to the end of the section
  std::size_t ptr_size = 0;
  bool big_endian = false;
  bool inline_strings = false;
};

Result<std::optional<Header>> find_header(const ElfFile& elf) {
  const ElfSection* s = elf.find(".go.buildinfo");
  if (s == nullptr) return std::optional<Header>();
  auto data = elf.contents(*s);
  if (!data) return std::unexpected(data.error());
  std::string_view window = data->substr(0, std::min(data->size(), kSearchBytes));
  for (std::size_t at = 0; at + kHeaderSize <= window.size(); at += kAlign) {
    if (window.substr(at, kMagic.size()) != kMagic) continue;
    Header h;
    h.bytes = data->substr(at);
    h.ptr_size = static_cast<unsigned char>(h.bytes[14]);
    auto flags = static_cast<unsigned char>(h.bytes[15]);
    h.big_endian = (flags & 1) != 0;
    h.inline_strings = (flags & 2) != 0;
    return std::optional<Header>(h);
  }
  return fail(ErrorCategory::input, "section .go.buildinfo has no build info header");
}

// Go >= 1.18: a uvarint length, then the bytes, inside the section.
Result<std::string> decode_inline(std::string_view& rest) {
  std::uint64_t n = 0;
  std::size_t i = 0;
  for (int shift = 0;; shift += 7, ++i) {
    if (i >= rest.size() || shift > 63) return fail(ErrorCategory::input, "Go build info: truncated string length");
    auto b = static_cast<unsigned char>(rest[i]);
    n |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) break;
  }
  rest.remove_prefix(i + 1);
  if (n > rest.size()) return fail(ErrorCategory::input, "Go build info: string runs past the section");
  std::string out(rest.substr(0, static_cast<std::size_t>(n)));
  rest.remove_prefix(static_cast<std::size_t>(n));
  return out;
}

// Go < 1.18: `ptr` is the address of a string header (data pointer, length).
Result<std::string> read_pointed(const ElfFile& elf, const Header& h, std::uint64_t ptr,
                                 std::vector<std::string>* sections = nullptr) {
  auto note_section = [&](std::uint64_t addr) {
    if (sections == nullptr) return;
    for (const auto& s : elf.sections()) {
      if (addr >= s.addr && addr - s.addr < s.size) sections->push_back(s.name);
    }
  };
  note_section(ptr);
  auto hdr = elf.at_address(ptr, 2 * h.ptr_size);
  if (!hdr) return fail(ErrorCategory::input, "Go build info: string header address outside the file");
  std::uint64_t addr = *read_uint(*hdr, h.ptr_size, h.big_endian);
  std::uint64_t len = *read_uint(hdr->substr(h.ptr_size), h.ptr_size, h.big_endian);
  if (len > kMaxString) return fail(ErrorCategory::input, "Go build info: string of " + std::to_string(len) + " bytes");
  note_section(addr);
  auto bytes = elf.at_address(addr, len);
  if (!bytes) return fail(ErrorCategory::input, "Go build info: string address outside the file");
  return std::string(*bytes);
}

Result<GoRawBuildInfo> read_strings(const ElfFile& elf, const Header& h, std::vector<std::string>* sections) {
  GoRawBuildInfo raw;
  if (h.inline_strings) {
    std::string_view rest = h.bytes.substr(kHeaderSize);
    auto v = decode_inline(rest);
    if (!v) return std::unexpected(v.error());
    auto m = decode_inline(rest);
    if (!m) return std::unexpected(m.error());
    raw.version = std::move(*v), raw.modinfo = std::move(*m);
  } else {
    if (h.ptr_size != 4 && h.ptr_size != 8) {
      return fail(ErrorCategory::input, "Go build info: pointer size " + std::to_string(h.ptr_size));
    }
    if (h.bytes.size() < 16 + 2 * h.ptr_size) return fail(ErrorCategory::input, "Go build info: truncated header");
    auto v = read_pointed(elf, h, *read_uint(h.bytes.substr(16), h.ptr_size, h.big_endian), sections);
    if (!v) return std::unexpected(v.error());
    auto m = read_pointed(elf, h, *read_uint(h.bytes.substr(16 + h.ptr_size), h.ptr_size, h.big_endian), sections);
    if (!m) return std::unexpected(m.error());
    raw.version = std::move(*v), raw.modinfo = std::move(*m);
  }
  // The module text sits between two 16-byte sentinels; without them Go reports none.
  const auto& mod = raw.modinfo;
  if (mod.size() >= 33 && mod[mod.size() - 17] == '\n') {
    raw.modinfo = mod.substr(16, mod.size() - 32);
  } else {
    raw.modinfo.clear();
  }
  return raw;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto at = s.find(sep, start);
    out.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

// strconv.Unquote for the double-quoted strings BuildInfo.String writes (keys and values with
// spaces, tabs, quotes or '=').
std::optional<std::string> unquote(std::string_view q) {
  if (q.size() < 2 || q.front() != '"' || q.back() != '"') return std::nullopt;
  std::string out;
  for (std::size_t i = 1; i + 1 < q.size(); ++i) {
    char c = q[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i + 1 >= q.size()) return std::nullopt;
    switch (q[i]) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case '\'': out += '\''; break;
      case 'x': {
        if (i + 3 >= q.size()) return std::nullopt;
        int v = 0;
        for (char h : q.substr(i + 1, 2)) {
          int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
          if (d < 0) return std::nullopt;
          v = v * 16 + d;
        }
        out += static_cast<char>(v);
        i += 2;
        break;
      }
      default: out += '\\', out += q[i];  // \u escapes and the rest: kept as written
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> go_buildinfo_sections(const ElfFile& elf) {
  auto h = find_header(elf);
  if (!h || !*h) return {};
  std::vector<std::string> names{".go.buildinfo"};
  if (!(*h)->inline_strings) (void)read_strings(elf, **h, &names);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

Result<std::optional<GoRawBuildInfo>> read_go_buildinfo(const ElfFile& elf) {
  auto h = find_header(elf);
  if (!h) return std::unexpected(h.error());
  if (!*h) return std::optional<GoRawBuildInfo>();
  auto raw = read_strings(elf, **h, nullptr);
  if (!raw) return std::unexpected(raw.error());
  if (raw->version.empty()) return fail(ErrorCategory::input, "Go build info: empty toolchain version");
  return std::optional<GoRawBuildInfo>(std::move(*raw));
}

Result<GoBuildInfo> parse_go_modinfo(std::string_view text) {
  GoBuildInfo info;
  GoDependency* last = nullptr;
  int line_no = 0;
  for (const auto& line : split(text, '\n')) {
    ++line_no;
    auto bad = [&](const std::string& why) {
      return fail(ErrorCategory::input, "Go module info line " + std::to_string(line_no) + ": " + why);
    };
    if (line.empty()) continue;
    auto tab = line.find('\t');
    std::string word = line.substr(0, tab);
    std::string rest = tab == std::string::npos ? "" : line.substr(tab + 1);
    if (word == "go") {
      info.go_version = rest;
    } else if (word == "path") {
      info.path = rest;
    } else if (word == "mod" || word == "dep") {
      auto elem = split(rest, '\t');
      if (elem.size() != 2 && elem.size() != 3) return bad("expected path, version and optional sum");
      GoDependency d{GoModule{elem[0], elem[1], elem.size() == 3 ? elem[2] : ""}, std::nullopt};
      if (word == "mod") {
        info.main = std::move(d);
        last = &*info.main;
      } else {
        info.deps.push_back(std::move(d));
        last = &info.deps.back();
      }
    } else if (word == "=>") {
      auto elem = split(rest, '\t');
      if (elem.size() != 3) return bad("replacement needs path, version and sum");
      if (last == nullptr) return bad("replacement with no module on the previous line");
      last->replace = GoModule{elem[0], elem[1], elem[2]};
      last = nullptr;
    } else if (word == "build") {
      if (rest.empty() || rest.front() == '=') return bad("build setting without a key");
      std::string key, value;
      if (rest.front() == '"') {
        // A quoted key ends at the first unescaped quote.
        std::size_t end = 1;
        while (end < rest.size() && rest[end] != '"') end += rest[end] == '\\' ? 2 : 1;
        if (end >= rest.size() || end + 1 >= rest.size() || rest[end + 1] != '=') return bad("bad quoted build key");
        auto k = unquote(std::string_view(rest).substr(0, end + 1));
        if (!k) return bad("bad quoted build key");
        key = *k, value = rest.substr(end + 2);
      } else {
        auto eq = rest.find('=');
        if (eq == std::string::npos) return bad("build setting without '='");
        key = rest.substr(0, eq), value = rest.substr(eq + 1);
      }
      if (value.starts_with('"')) {
        auto v = unquote(value);
        if (!v) return bad("bad quoted build value");
        value = *v;
      }
      info.settings.emplace_back(std::move(key), std::move(value));
    }
    // Unknown words are skipped, as newer toolchains may add lines.
  }
  return info;
}

}  // namespace sigil::sbom::detail
