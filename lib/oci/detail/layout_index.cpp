#include "oci/detail/layout_index.hpp"

#include <algorithm>

#include "common/file.hpp"
#include "common/limits.hpp"
#include "oci/media_types.hpp"
#include "oci/reference.hpp"

namespace sigil::oci::detail {
namespace fs = std::filesystem;
namespace {

// The raw ref.name annotation of an entry, empty when absent.
std::string_view raw_ref_name(const Descriptor& entry) {
  auto it = entry.annotations.find(std::string(kAnnotationRefName));
  return it == entry.annotations.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace

std::optional<std::string> entry_tag(const Descriptor& entry) {
  std::string_view name = raw_ref_name(entry);
  if (name.empty()) return std::nullopt;
  if (is_valid_tag(name)) return std::string(name);
  // Some older tools stored a full reference ("example.com/repo:tag"): its tag is what users name.
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash) &&
      is_valid_tag(name.substr(colon + 1))) {
    return std::string(name.substr(colon + 1));
  }
  return std::string(name);
}

LayoutIndex LayoutIndex::empty() {
  LayoutIndex idx;
  idx.json = {{"schemaVersion", 2}, {"mediaType", media_type::kOciIndex}, {"manifests", Json::array()}};
  return idx;
}

Result<LayoutIndex> LayoutIndex::parse(std::string_view text, std::string_view what) {
  auto j = parse_json(text, what);
  if (!j) return std::unexpected(j.error());
  std::string w(what);
  if (!j->is_object()) return fail(ErrorCategory::input, w + ": not a JSON object");
  auto version = j->find("schemaVersion");
  if (version == j->end() || !version->is_number_integer() || version->get<std::int64_t>() != 2) {
    return fail(ErrorCategory::input, w + ": schemaVersion must be 2");
  }
  auto mt = json_string_member(*j, "mediaType", what);
  if (!mt) return std::unexpected(mt.error());
  if (!mt->empty() && *mt != media_type::kOciIndex) {
    return fail(ErrorCategory::input, w + ": mediaType \"" + *mt + "\" is not an OCI image index");
  }
  LayoutIndex idx;
  auto manifests = j->find("manifests");
  if (manifests == j->end() || manifests->is_null()) {
    (*j)["manifests"] = Json::array();
  } else if (!manifests->is_array()) {
    return fail(ErrorCategory::input, w + ": \"manifests\" is not an array");
  }
  std::size_t i = 0;
  for (const auto& item : (*j)["manifests"]) {
    auto d = Descriptor::from_json(item, w + " manifests[" + std::to_string(i++) + "]");
    if (!d) return std::unexpected(d.error());
    idx.entries.push_back(std::move(*d));
  }
  idx.json = std::move(*j);
  return idx;
}

std::string LayoutIndex::serialize() const { return dump_json(json); }

bool LayoutIndex::set_tag(const Descriptor& entry, const std::string& tag) {
  Descriptor tagged = entry;
  tagged.annotations = {{std::string(kAnnotationRefName), tag}};
  Json tagged_json = tagged.to_json();
  Json& list = json["manifests"];
  Json new_list = Json::array();
  std::vector<Descriptor> new_entries;
  bool placed = false;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::string_view name = raw_ref_name(entries[i]);
    if (name == tag) {
      if (!placed && entries[i].digest == entry.digest) {
        // Already tagged so (perhaps by another tool, with extra fields): keep that entry.
        new_list.push_back(list[i]);
        new_entries.push_back(entries[i]);
        placed = true;
      } else if (!placed) {
        new_list.push_back(tagged_json);
        new_entries.push_back(tagged);
        placed = true;
      }
      continue;
    }
    // An untagged entry of the same manifest is now redundant: the tag keeps it reachable and
    // findable as a referrer. Dropping it keeps `oci:DIR@digest` unambiguous for other tools.
    if (name.empty() && entries[i].digest == entry.digest) continue;
    new_list.push_back(list[i]);
    new_entries.push_back(entries[i]);
  }
  if (!placed) {
    new_list.push_back(tagged_json);
    new_entries.push_back(tagged);
  }
  if (new_list == list) return false;
  list = std::move(new_list);
  entries = std::move(new_entries);
  return true;
}

bool LayoutIndex::add_untagged(const Descriptor& entry) {
  if (find_digest(entry.digest)) return false;
  Descriptor d = entry;
  d.annotations.clear();
  json["manifests"].push_back(d.to_json());
  entries.push_back(std::move(d));
  return true;
}

std::optional<std::size_t> LayoutIndex::find_tag(std::string_view tag) const {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (raw_ref_name(entries[i]) == tag) return i;
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto t = entry_tag(entries[i]);
    if (t && *t == tag) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> LayoutIndex::find_digest(const Digest& digest) const {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].digest == digest) return i;
  }
  return std::nullopt;
}

std::vector<std::string> LayoutIndex::tags() const {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    if (auto t = entry_tag(e)) out.push_back(std::move(*t));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<LayoutIndex> read_layout_index(const fs::path& root) {
  fs::path path = root / kIndexFile;
  auto text = read_file(path, limits::kMaxLayoutIndexBytes);
  if (!text) return std::unexpected(text.error());
  return LayoutIndex::parse(*text, path.string());
}

Result<void> write_layout_index(const fs::path& root, const LayoutIndex& index) {
  return write_file_atomic(root / kIndexFile, index.serialize());
}

Result<void> check_layout_file(const fs::path& root) {
  fs::path path = root / kLayoutFile;
  auto text = read_file(path, 64 * 1024);
  if (!text) return std::unexpected(text.error());
  auto j = parse_json(*text, path.string());
  if (!j) return std::unexpected(j.error());
  if (!j->is_object()) return fail(ErrorCategory::input, path.string() + ": not a JSON object");
  auto version = json_string_member(*j, "imageLayoutVersion", path.string());
  if (!version) return std::unexpected(version.error());
  if (*version != kLayoutVersion) {
    return fail(ErrorCategory::input, path.string() + ": unsupported imageLayoutVersion \"" + *version +
                                          "\" (expected " + std::string(kLayoutVersion) + ")");
  }
  return {};
}

}  // namespace sigil::oci::detail
