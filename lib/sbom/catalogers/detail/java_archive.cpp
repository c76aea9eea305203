#include "sbom/catalogers/detail/java_archive.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace sigil::sbom::detail {
namespace {

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

std::uint64_t le(std::string_view b, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
  return v;
}

bool signature_at(std::string_view b, std::size_t at, std::string_view sig) {
  return at + sig.size() <= b.size() && b.substr(at, sig.size()) == sig;
}

constexpr std::string_view kEocd("PK\x05\x06", 4);
constexpr std::string_view kZip64Locator("PK\x06\x07", 4);
constexpr std::string_view kZip64Eocd("PK\x06\x06", 4);

}  // namespace

Result<std::uint64_t> zip_entry_count(std::string_view b) {
  // The record is the last 22 bytes plus a comment of at most 65535 bytes.
  if (b.size() < 22) return fail(ErrorCategory::input, "not a zip archive (too short)");
  std::size_t lowest = b.size() > 22 + 65535 ? b.size() - 22 - 65535 : 0;
  for (std::size_t at = b.size() - 22 + 1; at-- > lowest;) {
    if (!signature_at(b, at, kEocd)) continue;
    std::uint64_t count = le(b, at + 10, 2);
    if (count != 0xFFFF || at < 20 || !signature_at(b, at - 20, kZip64Locator)) return count;
    // zip64: the locator points at the zip64 record, normally just before it.
    std::size_t loc = at - 20;
    for (std::uint64_t record : {static_cast<std::uint64_t>(loc >= 56 ? loc - 56 : b.size()), le(b, loc + 8, 8)}) {
      if (record + 40 <= b.size() && signature_at(b, static_cast<std::size_t>(record), kZip64Eocd)) {
        return le(b, static_cast<std::size_t>(record) + 32, 8);
      }
    }
    return fail(ErrorCategory::input, "zip64 end of central directory record not found");
  }
  return fail(ErrorCategory::input, "not a zip archive (no end of central directory record)");
}

Result<void> read_zip(std::string_view bytes, const ZipLimits& limits, const ZipWant& want, const ZipVisit& visit) {
  auto count = zip_entry_count(bytes);
  if (!count) return std::unexpected(count.error());
  if (*count > limits.max_entries) {
    return fail(ErrorCategory::input, std::to_string(*count) + " entries (more than " +
                                          std::to_string(limits.max_entries) + "), not read");
  }
  std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
  if (!a) return fail(ErrorCategory::internal, "libarchive: out of memory");
  // The seekable zip reader works from the central directory, so archives with a prefix
  // (self-executing jars) and entries written with data descriptors both read correctly.
  archive_read_support_format_zip_seekable(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return fail(ErrorCategory::input, std::string("not a zip archive: ") + archive_error_string(a.get()));
  }
  std::vector<char> buffer(64 * 1024);
  std::uint64_t seen = 0;
  while (true) {
    archive_entry* entry = nullptr;
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) return {};
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return fail(ErrorCategory::input, std::string("corrupt zip archive: ") + archive_error_string(a.get()));
    }
    if (++seen > limits.max_entries) return fail(ErrorCategory::input, "more entries than the directory announced");
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const char* raw_name = archive_entry_pathname(entry);
    if (raw_name == nullptr) continue;
    std::string name(raw_name);
    auto cap = want(name);
    if (!cap) continue;
    std::string content;
    std::int64_t start = archive_filter_bytes(a.get(), -1);
    std::optional<Error> problem;
    while (true) {
      la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
      if (n == 0) break;
      if (n < 0) {
        problem = Error{ErrorCategory::input, std::string("corrupt data: ") + archive_error_string(a.get())};
        break;
      }
      if (content.size() + static_cast<std::size_t>(n) > *cap) {
        problem = Error{ErrorCategory::input, "expands to more than " + std::to_string(*cap) + " bytes, not read"};
        break;
      }
      content.append(buffer.data(), static_cast<std::size_t>(n));
      // Compressed bytes consumed so far for this entry (libarchive counts what it consumed).
      auto consumed = static_cast<std::uint64_t>(std::max<std::int64_t>(archive_filter_bytes(a.get(), -1) - start, 1));
      if (content.size() > limits.ratio_floor && content.size() / consumed > limits.max_ratio) {
        problem = Error{ErrorCategory::input, "compression ratio over " + std::to_string(limits.max_ratio) +
                                                  ":1 (a zip bomb?), not read"};
        break;
      }
    }
    if (problem) {
      content.clear();
      content.shrink_to_fit();
      visit(name, std::unexpected(std::move(*problem)));
      // A data error leaves libarchive unable to go on; the next header call reports it.
      continue;
    }
    visit(name, std::move(content));
  }
}

}  // namespace sigil::sbom::detail
