#include "sbom/catalogers/detail/rpm_header.hpp"

namespace sigil::sbom::detail {
namespace {

// rpm's tag types (rpmTagType_e).
constexpr std::uint32_t kChar = 1;
constexpr std::uint32_t kInt8 = 2;
constexpr std::uint32_t kInt16 = 3;
constexpr std::uint32_t kInt32 = 4;
constexpr std::uint32_t kInt64 = 5;
constexpr std::uint32_t kString = 6;
constexpr std::uint32_t kBin = 7;
constexpr std::uint32_t kStringArray = 8;
constexpr std::uint32_t kI18nString = 9;

// Region tags (HEADERIMAGE, HEADERSIGNATURES, HEADERIMMUTABLE) and the first real tag
// (HEADERI18NTABLE): anything below it after the region entry is malformed (rpm's hdrchkTag).
constexpr std::int32_t kRegionFirst = 61;
constexpr std::int32_t kRegionLast = 63;
constexpr std::int32_t kFirstTag = 100;
constexpr std::uint32_t kEntrySize = 16;
// rpm's hdrchkTags: more index entries than this is a corrupt header.
constexpr std::uint32_t kMaxEntries = 0xffff;

std::uint32_t be32(std::string_view s, std::size_t at) {
  auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

std::uint64_t be64(std::string_view s, std::size_t at) {
  return (static_cast<std::uint64_t>(be32(s, at)) << 32) | be32(s, at + 4);
}

std::string entry_name(std::uint32_t index, std::int32_t tag) {
  return "index entry " + std::to_string(index) + " (tag " + std::to_string(tag) + ")";
}

}  // namespace

Result<RpmHeader> RpmHeader::parse(std::string_view blob) {
  if (blob.size() < 8) return fail(ErrorCategory::input, "rpm header: " + std::to_string(blob.size()) + " bytes, too short");
  std::uint32_t il = be32(blob, 0);
  std::uint32_t dl = be32(blob, 4);
  if (il < 1 || il > kMaxEntries) return fail(ErrorCategory::input, "rpm header: bad index entry count " + std::to_string(il));
  if (dl > kMaxRpmHeaderBytes) return fail(ErrorCategory::input, "rpm header: data length " + std::to_string(dl) + " exceeds the limit");
  // 64-bit arithmetic: il and dl come from the input.
  std::uint64_t data_start = 8 + std::uint64_t{il} * kEntrySize;
  if (data_start + dl > blob.size()) {
    return fail(ErrorCategory::input, "rpm header: " + std::to_string(il) + " entries and " + std::to_string(dl) +
                                          " data bytes need more than the " + std::to_string(blob.size()) + " bytes present");
  }
  std::string_view data = blob.substr(static_cast<std::size_t>(data_start), dl);

  RpmHeader h;
  for (std::uint32_t i = 0; i < il; ++i) {
    std::size_t at = 8 + std::size_t{i} * kEntrySize;
    auto tag = static_cast<std::int32_t>(be32(blob, at));
    std::uint32_t type = be32(blob, at + 4);
    auto offset = static_cast<std::int32_t>(be32(blob, at + 8));
    std::uint32_t count = be32(blob, at + 12);
    if (i == 0 && tag >= kRegionFirst && tag <= kRegionLast) {
      // The region entry describes the immutable region (its trailer sits in the data); it
      // carries no value of its own. Check it as rpm's hdrblobVerifyRegion does, then skip it.
      if (type != kBin || count != kEntrySize || offset < 0 || std::uint64_t(offset) + kEntrySize > dl) {
        return fail(ErrorCategory::input, "rpm header: bad region entry (tag " + std::to_string(tag) + ")");
      }
      continue;
    }
    if (tag < kFirstTag) return fail(ErrorCategory::input, "rpm header: " + entry_name(i, tag) + ": bad tag");
    if (type < kChar || type > kI18nString) {
      return fail(ErrorCategory::input, "rpm header: " + entry_name(i, tag) + ": bad type " + std::to_string(type));
    }
    if (offset < 0 || std::uint32_t(offset) >= dl) {
      return fail(ErrorCategory::input, "rpm header: " + entry_name(i, tag) + ": offset " + std::to_string(offset) +
                                            " outside the " + std::to_string(dl) + " data bytes");
    }
    auto start = static_cast<std::size_t>(offset);
    std::uint64_t align = type == kInt16 ? 2 : type == kInt32 ? 4 : type == kInt64 ? 8 : 1;
    if (start % align != 0) return fail(ErrorCategory::input, "rpm header: " + entry_name(i, tag) + ": misaligned offset");
    std::uint64_t length = 0;
    if (type == kString || type == kStringArray || type == kI18nString) {
      // Each string ends with a NUL inside the data; a count larger than the bytes left cannot fit.
      if (count < 1 || (type == kString && count != 1) || count > dl - start) {
        return fail(ErrorCategory::input, "rpm header: " + entry_name(i, tag) + ": bad string count " + std::to_string(count));
      }
      std::size_t pos = start;
      for (std::uint32_t c = 0; c < count; ++c) {
        std::size_t nul = data.find('\0', pos);
        if (nul == std::string_view::npos) {
          return fail(ErrorCategory::input, "rpm header: " + entry_name(i, tag) + ": string runs past the data");
        }
        pos = nul + 1;
      }
      length = pos - start;
    } else {
      std::uint64_t size = type == kInt16 ? 2 : type == kInt32 ? 4 : type == kInt64 ? 8 : 1;
      length = size * count;
      if (count < 1 || length > dl - start) {
        return fail(ErrorCategory::input, "rpm header: " + entry_name(i, tag) + ": count " + std::to_string(count) +
                                              " runs past the data");
      }
    }
    // Later entries (the dribble after the region) replace earlier ones, as in headerImport.
    h.items_[tag] = Item{type, count, data.substr(start, static_cast<std::size_t>(length))};
  }
  return h;
}

std::optional<std::string> RpmHeader::string(std::int32_t tag) const {
  auto it = items_.find(tag);
  if (it == items_.end()) return std::nullopt;
  const Item& item = it->second;
  if (item.type != kString && item.type != kStringArray && item.type != kI18nString) return std::nullopt;
  return std::string(item.data.substr(0, item.data.find('\0')));
}

std::vector<std::string> RpmHeader::strings(std::int32_t tag) const {
  std::vector<std::string> out;
  auto it = items_.find(tag);
  if (it == items_.end()) return out;
  const Item& item = it->second;
  if (item.type != kString && item.type != kStringArray) return out;
  std::size_t pos = 0;
  for (std::uint32_t c = 0; c < item.count; ++c) {
    std::size_t nul = item.data.find('\0', pos);  // present: parse checked every terminator
    out.emplace_back(item.data.substr(pos, nul - pos));
    pos = nul + 1;
  }
  return out;
}

std::vector<std::int32_t> RpmHeader::int32s(std::int32_t tag) const {
  std::vector<std::int32_t> out;
  auto it = items_.find(tag);
  if (it == items_.end() || it->second.type != kInt32) return out;
  out.reserve(it->second.count);
  for (std::uint32_t c = 0; c < it->second.count; ++c) out.push_back(static_cast<std::int32_t>(be32(it->second.data, c * 4)));
  return out;
}

std::vector<std::int64_t> RpmHeader::int64s(std::int32_t tag) const {
  std::vector<std::int64_t> out;
  auto it = items_.find(tag);
  if (it == items_.end() || it->second.type != kInt64) return out;
  for (std::uint32_t c = 0; c < it->second.count; ++c) out.push_back(static_cast<std::int64_t>(be64(it->second.data, c * 8)));
  return out;
}

Result<RpmPackageInfo> read_rpm_package(std::string_view blob) {
  auto header = RpmHeader::parse(blob);
  if (!header) return std::unexpected(header.error());
  const RpmHeader& h = *header;
  RpmPackageInfo p;
  auto name = h.string(kRpmTagName);
  auto version = h.string(kRpmTagVersion);
  if (!name || name->empty()) return fail(ErrorCategory::input, "rpm header: no NAME");
  if (!version || version->empty()) return fail(ErrorCategory::input, "rpm header of " + *name + ": no VERSION");
  p.name = *name;
  p.version = *version;
  p.release = h.string(kRpmTagRelease).value_or("");
  if (auto epoch = h.int32s(kRpmTagEpoch); !epoch.empty()) p.epoch = epoch.front();
  p.arch = h.string(kRpmTagArch).value_or("");
  // rpm writes "(none)" for these when unset (go-rpmdb and syft read it as empty).
  auto unset_none = [&](std::int32_t tag) {
    std::string v = h.string(tag).value_or("");
    return v == "(none)" ? std::string() : v;
  };
  p.source_rpm = unset_none(kRpmTagSourceRpm);
  p.license = unset_none(kRpmTagLicense);
  p.vendor = unset_none(kRpmTagVendor);
  p.summary = h.string(kRpmTagSummary).value_or("");
  p.url = h.string(kRpmTagUrl).value_or("");
  p.modularity_label = h.string(kRpmTagModularityLabel).value_or("");
  if (auto l = h.int64s(kRpmTagLongSize); !l.empty()) {
    p.size = l.front();
  } else if (auto s = h.int32s(kRpmTagSize); !s.empty()) {
    p.size = static_cast<std::uint32_t>(s.front());
  }
  p.provides = h.strings(kRpmTagProvideName);
  p.requirements = h.strings(kRpmTagRequireName);

  // Files: rpm keeps (dirname index, basename) pairs; very old headers a flat OLDFILENAMES list.
  auto base = h.strings(kRpmTagBaseNames);
  if (!base.empty()) {
    auto dirs = h.strings(kRpmTagDirNames);
    auto index = h.int32s(kRpmTagDirIndexes);
    if (index.size() != base.size()) {
      p.files_problem = std::to_string(base.size()) + " basenames but " + std::to_string(index.size()) + " dirindexes";
      return p;
    }
    p.files.reserve(base.size());
    for (std::size_t i = 0; i < base.size(); ++i) {
      if (index[i] < 0 || std::size_t(index[i]) >= dirs.size()) {
        p.files_problem = "dirindex " + std::to_string(index[i]) + " outside the " + std::to_string(dirs.size()) + " dirnames";
        p.files.clear();
        return p;
      }
      const std::string& dir = dirs[std::size_t(index[i])];
      p.files.push_back(dir + (dir.ends_with('/') ? "" : "/") + base[i]);
    }
  } else {
    p.files = h.strings(kRpmTagOldFilenames);
  }
  return p;
}

}  // namespace sigil::sbom::detail
