#include "sbom/catalogers/detail/rpm_bdb.hpp"

#include <cstdint>

#include "sbom/catalogers/detail/rpm_header.hpp"

namespace sigil::sbom::detail {
namespace {

// BerkeleyDB constants (libdb's dbinc/db_page.h).
constexpr std::uint32_t kHashMagic = 0x061561;
constexpr std::uint32_t kBtreeMagic = 0x053162;
constexpr std::uint8_t kPageHashUnsorted = 2;  // P_HASH_UNSORTED (RHEL/CentOS 5)
constexpr std::uint8_t kPageOverflow = 7;      // P_OVERFLOW
constexpr std::uint8_t kPageHashMeta = 8;      // P_HASHMETA
constexpr std::uint8_t kPageHash = 13;         // P_HASH
constexpr std::uint8_t kItemKeyData = 1;       // H_KEYDATA: the value is inline
constexpr std::uint8_t kItemOffPage = 3;       // H_OFFPAGE: the value sits in overflow pages
constexpr std::size_t kPageHeader = 26;        // every page's header
constexpr std::size_t kOffPageItem = 12;       // {type, pad[3], pgno, tlen}
// Smallest value that can be an rpm header (il, dl and one entry); rpm's own bookkeeping record
// (key 0, a 4-byte counter) is shorter and is skipped without a problem.
constexpr std::size_t kMinHeader = 8 + 16;

class Reader {
 public:
  Reader(std::string_view bytes, bool big) : s_(bytes), big_(big) {}
  [[nodiscard]] std::uint16_t u16(std::size_t at) const {
    auto a = byte(at), b = byte(at + 1);
    return static_cast<std::uint16_t>(big_ ? (a << 8) | b : (b << 8) | a);
  }
  [[nodiscard]] std::uint32_t u32(std::size_t at) const {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v |= std::uint32_t{byte(at + i)} << (big_ ? 8 * (3 - i) : 8 * i);
    return v;
  }

 private:
  [[nodiscard]] std::uint32_t byte(std::size_t at) const { return static_cast<unsigned char>(s_[at]); }
  std::string_view s_;
  bool big_;
};

}  // namespace

Result<void> read_bdb_hash_values(std::string_view db, const std::function<void(std::string_view, const std::string&)>& value,
                                  const std::function<void(const std::string&)>& problem) {
  if (db.size() < 512) {
    return fail(ErrorCategory::input, "BerkeleyDB: " + std::to_string(db.size()) + " bytes, shorter than a metadata page");
  }
  // The metadata page is written in the byte order of the machine that made the database.
  bool big = false;
  if (Reader(db, false).u32(12) != kHashMagic) {
    big = true;
    if (Reader(db, true).u32(12) != kHashMagic) {
      bool btree = Reader(db, false).u32(12) == kBtreeMagic || Reader(db, true).u32(12) == kBtreeMagic;
      return fail(ErrorCategory::input, btree ? "BerkeleyDB: a btree database, not the hash database rpm writes"
                                              : "not a BerkeleyDB hash database (bad magic)");
    }
  }
  Reader meta(db, big);
  std::uint32_t page_size = meta.u32(20);
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0) {
    return fail(ErrorCategory::input, "BerkeleyDB: bad page size " + std::to_string(page_size));
  }
  if (db[24] != 0) return fail(ErrorCategory::input, "BerkeleyDB: encrypted database");
  if (static_cast<std::uint8_t>(db[25]) != kPageHashMeta) {
    return fail(ErrorCategory::input, "BerkeleyDB: first page is not a hash metadata page");
  }
  std::uint64_t last = meta.u32(32);
  std::uint64_t present = db.size() / page_size;
  if (present == 0) return fail(ErrorCategory::input, "BerkeleyDB: shorter than one page");
  if (last + 1 > present) {
    problem("truncated: the metadata names " + std::to_string(last + 1) + " pages, the file holds " +
            std::to_string(present));
    last = present - 1;
  }
  auto page_at = [&](std::uint64_t n) { return db.substr(static_cast<std::size_t>(n * page_size), page_size); };

  // Overflow pages belong to one value each, so all values together fit in the file; more means
  // records share a chain (a hostile file multiplying memory), and reading stops.
  std::uint64_t total = 0;
  std::string buffer;
  for (std::uint64_t n = 1; n <= last; ++n) {
    std::string_view page = page_at(n);
    Reader r(page, big);
    auto type = static_cast<std::uint8_t>(page[25]);
    if (type != kPageHash && type != kPageHashUnsorted) continue;
    std::size_t entries = r.u16(20);
    if (kPageHeader + 2 * entries > page_size) {
      problem("page " + std::to_string(n) + ": " + std::to_string(entries) + " index entries do not fit the page");
      continue;
    }
    // Index entries alternate key, value: the values are the odd ones.
    for (std::size_t i = 1; i < entries; i += 2) {
      std::size_t off = r.u16(kPageHeader + 2 * i);
      std::string where = "page " + std::to_string(n) + " entry " + std::to_string(i);
      if (off >= page_size) {
        problem(where + ": offset " + std::to_string(off) + " outside the page");
        continue;
      }
      auto item = static_cast<std::uint8_t>(page[off]);
      if (item == kItemKeyData) {
        // An inline value runs to the start of the previous item (items fill the page from its end).
        std::size_t end = r.u16(kPageHeader + 2 * (i - 1));
        if (end <= off || end > page_size) {
          problem(where + ": inline value with a bad length");
          continue;
        }
        if (end - off - 1 >= kMinHeader) value(page.substr(off + 1, end - off - 1), where);
        continue;
      }
      if (item != kItemOffPage) continue;  // duplicates sets are not used by rpm
      if (off + kOffPageItem > page_size) {
        problem(where + ": off-page item runs past the page");
        continue;
      }
      std::uint64_t next = r.u32(off + 4);
      std::uint64_t length = r.u32(off + 8);
      if (length > kMaxRpmHeaderBytes || length > db.size()) {
        problem(where + ": value of " + std::to_string(length) + " bytes exceeds the limit");
        continue;
      }
      total += length;
      if (total > db.size()) {
        problem("values add up to more than the file holds (overflow pages shared between records); reading stopped");
        return {};
      }
      buffer.clear();
      buffer.reserve(static_cast<std::size_t>(length));
      std::string bad;
      for (std::uint64_t steps = 0; next != 0 && bad.empty(); ++steps) {
        if (next > last || steps > last) {
          bad = next > last ? "overflow page " + std::to_string(next) + " outside the file" : "overflow chain loops";
          break;
        }
        std::string_view ov = page_at(next);
        Reader o(ov, big);
        if (static_cast<std::uint8_t>(ov[25]) != kPageOverflow) {
          bad = "page " + std::to_string(next) + " in an overflow chain is not an overflow page";
          break;
        }
        // An overflow page's "high free offset" holds the bytes of the value it carries (OV_LEN).
        std::size_t used = o.u16(22);
        if (used > page_size - kPageHeader || buffer.size() + used > length) {
          bad = "overflow page " + std::to_string(next) + " holds more than the value's length";
          break;
        }
        buffer.append(ov.substr(kPageHeader, used));
        next = o.u32(16);
      }
      if (bad.empty() && buffer.size() != length) {
        bad = "overflow chain ends after " + std::to_string(buffer.size()) + " of " + std::to_string(length) + " bytes";
      }
      if (!bad.empty()) {
        problem(where + ": " + bad);
        continue;
      }
      value(buffer, where);
    }
  }
  return {};
}

}  // namespace sigil::sbom::detail
