// A small, bounds-checked ELF reader for catalogers that look inside binaries (Go build info,
// cargo-auditable data): the header and section table of 32/64-bit, little/big-endian files,
// section lookup by name, and reads by virtual address through the sections. Every offset and
// size comes from untrusted input, so each read is checked against the data before it happens;
// a hostile file yields an input error, never a read out of bounds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace sigil::sbom::detail {

/// One section header, with its name resolved.
struct ElfSection {
  std::string name;
  std::uint32_t type = 0;    ///< SHT_*; 8 (SHT_NOBITS) occupies no file bytes
  std::uint64_t flags = 0;
  std::uint64_t addr = 0;    ///< virtual address when loaded
  std::uint64_t offset = 0;  ///< file offset of its bytes
  std::uint64_t size = 0;
};

/// True when `data` starts with the ELF magic "\x7fELF".
[[nodiscard]] bool is_elf(std::string_view data);

/// A parsed view over the bytes of an ELF file (the bytes must outlive it).
class ElfFile {
 public:
  /// Parses the header and the section table of `data`. Input error, naming `what`, for a file
  /// that is not ELF, truncated, or whose table or names lie outside the data.
  [[nodiscard]] static Result<ElfFile> parse(std::string_view data, const std::string& what);

  [[nodiscard]] bool is_64() const { return is_64_; }
  [[nodiscard]] bool big_endian() const { return big_endian_; }
  [[nodiscard]] std::uint16_t machine() const { return machine_; }
  [[nodiscard]] const std::vector<ElfSection>& sections() const { return sections_; }

  /// The first section named `name`, or nullptr.
  [[nodiscard]] const ElfSection* find(std::string_view name) const;

  /// The file bytes of `section`: input error when they lie outside the data; empty for NOBITS.
  [[nodiscard]] Result<std::string_view> contents(const ElfSection& section) const;

  /// `size` bytes at virtual address `addr`, taken from the allocated section holding all of
  /// them; nullopt when no section does or the bytes lie outside the data.
  [[nodiscard]] std::optional<std::string_view> at_address(std::uint64_t addr, std::uint64_t size) const;

  /// The unsigned integer of `width` (1, 2, 4 or 8) bytes at the start of `bytes`, in this
  /// file's byte order; nullopt when `bytes` is shorter.
  [[nodiscard]] std::optional<std::uint64_t> uint(std::string_view bytes, std::size_t width) const;

 private:
  std::string_view data_;
  bool is_64_ = false;
  bool big_endian_ = false;
  std::uint16_t machine_ = 0;
  std::vector<ElfSection> sections_;
};

/// The unsigned integer of `width` bytes at the start of `bytes` in the given byte order
/// (nullopt when `bytes` is shorter or `width` is not 1, 2, 4 or 8).
[[nodiscard]] std::optional<std::uint64_t> read_uint(std::string_view bytes, std::size_t width, bool big_endian);

/// A smaller ELF file holding only the sections of `data` named in `names` (same class, byte
/// order, machine, and section addresses; no program headers), so that a reader of those
/// sections sees the same bytes at the same addresses. Empty when `data` is not a readable ELF
/// file or has none of the sections.
[[nodiscard]] std::string elf_excerpt(std::string_view data, const std::vector<std::string>& names);

}  // namespace sigil::sbom::detail
