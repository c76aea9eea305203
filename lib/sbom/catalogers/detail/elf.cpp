#include "sbom/catalogers/detail/elf.hpp"

#include <algorithm>

namespace sigil::sbom::detail {
namespace {

constexpr std::uint32_t kShtNobits = 8;
constexpr std::uint32_t kShtStrtab = 3;
constexpr std::uint64_t kShfAlloc = 2;
constexpr std::uint16_t kShnXindex = 0xffff;
// More sections than any real binary has; bounds the table walk of a hostile header.
constexpr std::uint64_t kMaxSections = 1 << 16;

// True when [offset, offset + size) lies inside a buffer of `total` bytes (no overflow).
bool inside(std::uint64_t offset, std::uint64_t size, std::uint64_t total) {
  return offset <= total && size <= total - offset;
}

// The fields of one section header, before its name is resolved.
struct RawSection {
  ElfSection s;
  std::uint32_t name_offset = 0;
  std::uint32_t link = 0;
};

void put_uint(std::string& out, std::size_t at, std::uint64_t value, std::size_t width, bool big_endian) {
  for (std::size_t i = 0; i < width; ++i) {
    std::size_t shift = big_endian ? (width - 1 - i) * 8 : i * 8;
    out[at + i] = static_cast<char>((value >> shift) & 0xff);
  }
}

}  // namespace

bool is_elf(std::string_view data) { return data.starts_with("\x7f" "ELF"); }

std::optional<std::uint64_t> read_uint(std::string_view bytes, std::size_t width, bool big_endian) {
  if (width != 1 && width != 2 && width != 4 && width != 8) return std::nullopt;
  if (bytes.size() < width) return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    auto b = static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[big_endian ? i : width - 1 - i]));
    v = (v << 8) | b;
  }
  return v;
}

std::optional<std::uint64_t> ElfFile::uint(std::string_view bytes, std::size_t width) const {
  return read_uint(bytes, width, big_endian_);
}

Result<ElfFile> ElfFile::parse(std::string_view data, const std::string& what) {
  auto bad = [&](const std::string& why) { return fail(ErrorCategory::input, what + ": " + why); };
  if (!is_elf(data)) return bad("not an ELF file");
  if (data.size() < 52) return bad("truncated ELF header");
  ElfFile f;
  f.data_ = data;
  unsigned char cls = static_cast<unsigned char>(data[4]);
  unsigned char order = static_cast<unsigned char>(data[5]);
  if ((cls != 1 && cls != 2) || (order != 1 && order != 2)) return bad("unknown ELF class or byte order");
  f.is_64_ = cls == 2;
  f.big_endian_ = order == 2;
  if (f.is_64_ && data.size() < 64) return bad("truncated ELF header");
  auto u = [&](std::size_t at, std::size_t width) { return *f.uint(data.substr(at), width); };
  f.machine_ = static_cast<std::uint16_t>(u(18, 2));
  std::uint64_t shoff = f.is_64_ ? u(40, 8) : u(32, 4);
  std::uint64_t shentsize = f.is_64_ ? u(58, 2) : u(46, 2);
  std::uint64_t shnum = f.is_64_ ? u(60, 2) : u(48, 2);
  std::uint64_t shstrndx = f.is_64_ ? u(62, 2) : u(50, 2);
  if (shoff == 0) return f;  // no section table: nothing to find by name
  std::uint64_t min_entry = f.is_64_ ? 64 : 40;
  if (shentsize < min_entry) return bad("section header entries too small");

  auto read_header = [&](std::uint64_t index) -> std::optional<RawSection> {
    // index * shentsize cannot overflow: index < kMaxSections and shentsize < 65536.
    std::uint64_t at = shoff + index * shentsize;
    if (shoff > data.size() || !inside(at, min_entry, data.size())) return std::nullopt;
    std::string_view h = data.substr(at, min_entry);
    RawSection r;
    auto hu = [&](std::size_t off, std::size_t width) { return *f.uint(h.substr(off), width); };
    r.name_offset = static_cast<std::uint32_t>(hu(0, 4));
    r.s.type = static_cast<std::uint32_t>(hu(4, 4));
    if (f.is_64_) {
      r.s.flags = hu(8, 8), r.s.addr = hu(16, 8), r.s.offset = hu(24, 8), r.s.size = hu(32, 8);
      r.link = static_cast<std::uint32_t>(hu(40, 4));
    } else {
      r.s.flags = hu(8, 4), r.s.addr = hu(12, 4), r.s.offset = hu(16, 4), r.s.size = hu(20, 4);
      r.link = static_cast<std::uint32_t>(hu(24, 4));
    }
    return r;
  };

  auto first = read_header(0);
  if (!first) return bad("section table outside the file");
  // Extended numbering: the real count and string table index live in section 0.
  if (shnum == 0) shnum = first->s.size;
  if (shstrndx == kShnXindex) shstrndx = first->link;
  if (shnum > kMaxSections) return bad("too many sections (" + std::to_string(shnum) + ")");
  if (!inside(shoff, shnum * shentsize, data.size())) return bad("section table outside the file");
  std::vector<RawSection> raw;
  raw.reserve(static_cast<std::size_t>(shnum));
  for (std::uint64_t i = 0; i < shnum; ++i) raw.push_back(*read_header(i));

  std::string_view names;
  if (shstrndx != 0 && shstrndx < shnum) {
    const auto& strtab = raw[static_cast<std::size_t>(shstrndx)].s;
    if (strtab.type == kShtNobits || !inside(strtab.offset, strtab.size, data.size())) {
      return bad("section name table outside the file");
    }
    names = data.substr(static_cast<std::size_t>(strtab.offset), static_cast<std::size_t>(strtab.size));
  }
  for (auto& r : raw) {
    if (r.name_offset < names.size()) {
      auto rest = names.substr(r.name_offset);
      r.s.name = std::string(rest.substr(0, rest.find('\0')));
    }
    f.sections_.push_back(std::move(r.s));
  }
  return f;
}

const ElfSection* ElfFile::find(std::string_view name) const {
  for (const auto& s : sections_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Result<std::string_view> ElfFile::contents(const ElfSection& section) const {
  if (section.type == kShtNobits) return std::string_view();
  if (!inside(section.offset, section.size, data_.size())) {
    return fail(ErrorCategory::input, "section " + section.name + " lies outside the file (offset " +
                                          std::to_string(section.offset) + ", size " + std::to_string(section.size) + ")");
  }
  return data_.substr(static_cast<std::size_t>(section.offset), static_cast<std::size_t>(section.size));
}

std::optional<std::string_view> ElfFile::at_address(std::uint64_t addr, std::uint64_t size) const {
  for (const auto& s : sections_) {
    if ((s.flags & kShfAlloc) == 0 || s.type == kShtNobits) continue;
    if (addr < s.addr || !inside(addr - s.addr, size, s.size)) continue;
    std::uint64_t offset = s.offset + (addr - s.addr);
    if (offset < s.offset || !inside(offset, size, data_.size())) return std::nullopt;
    return data_.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(size));
  }
  return std::nullopt;
}

std::string elf_excerpt(std::string_view data, const std::vector<std::string>& names) {
  auto elf = ElfFile::parse(data, "excerpt");
  if (!elf) return "";
  std::vector<std::pair<const ElfSection*, std::string_view>> kept;
  for (const auto& s : elf->sections()) {
    if (std::find(names.begin(), names.end(), s.name) == names.end()) continue;
    auto bytes = elf->contents(s);
    if (!bytes) continue;  // the reader of the whole file would fail on it too: drop it
    kept.emplace_back(&s, *bytes);
  }
  if (kept.empty()) return "";

  const bool is64 = elf->is_64();
  const bool be = elf->big_endian();
  const std::size_t header = is64 ? 64 : 52;
  const std::size_t entry = is64 ? 64 : 40;
  const std::size_t word = is64 ? 8 : 4;
  // Layout: header, section bytes (8-aligned), name table, section table.
  std::string strtab(1, '\0');
  std::vector<std::pair<std::size_t, std::size_t>> placed;  // (offset, name offset) per kept section
  std::size_t at = header;
  for (const auto& [s, bytes] : kept) {
    at = (at + 7) & ~std::size_t{7};
    placed.emplace_back(at, strtab.size());
    strtab += s->name + '\0';
    at += bytes.size();
  }
  std::size_t strtab_name = strtab.size();
  strtab += std::string(".shstrtab") + '\0';
  std::size_t strtab_at = at;
  std::size_t shoff = (strtab_at + strtab.size() + 7) & ~std::size_t{7};
  std::size_t count = kept.size() + 2;
  std::string out(shoff + count * entry, '\0');
  out.replace(0, 16, data.substr(0, 16));
  put_uint(out, 16, 2, 2, be);  // ET_EXEC
  put_uint(out, 18, elf->machine(), 2, be);
  put_uint(out, 20, 1, 4, be);  // EV_CURRENT
  put_uint(out, is64 ? 40 : 32, shoff, word, be);
  put_uint(out, is64 ? 52 : 40, header, 2, be);
  put_uint(out, is64 ? 58 : 46, entry, 2, be);
  put_uint(out, is64 ? 60 : 48, count, 2, be);
  put_uint(out, is64 ? 62 : 50, count - 1, 2, be);
  auto write_header = [&](std::size_t index, std::size_t name, std::uint32_t type, std::uint64_t flags,
                          std::uint64_t addr, std::size_t offset, std::size_t size) {
    std::size_t h = shoff + index * entry;
    put_uint(out, h, name, 4, be);
    put_uint(out, h + 4, type, 4, be);
    put_uint(out, h + 8, flags, word, be);
    put_uint(out, h + 8 + word, addr, word, be);
    put_uint(out, h + 8 + 2 * word, offset, word, be);
    put_uint(out, h + 8 + 3 * word, size, word, be);
  };
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const auto& [s, bytes] = kept[i];
    out.replace(placed[i].first, bytes.size(), bytes);
    write_header(i + 1, placed[i].second, s->type, s->flags, s->addr, placed[i].first, bytes.size());
  }
  out.replace(strtab_at, strtab.size(), strtab);
  write_header(count - 1, strtab_name, kShtStrtab, 0, 0, strtab_at, strtab.size());
  return out;
}

}  // namespace sigil::sbom::detail
