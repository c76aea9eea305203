#include "provenance/detail/rules.hpp"

#include <array>
#include <utility>

#include "provenance/detail/git_uri.hpp"

namespace sigil::provenance::detail {
namespace {

struct KnownAlgorithm {
  std::string_view name;
  std::size_t length;      // hex characters; 0 = any length
  std::size_t alternative; // a second valid length (git's SHA-256 object ids), or 0
};

// in-toto DigestSet's named algorithms (spec/v1/digest_set.md) use lower-case hex.
constexpr std::array<KnownAlgorithm, 22> kKnown{{
    {"sha1", 40, 0},       {"sha224", 56, 0},       {"sha256", 64, 0},     {"sha384", 96, 0},
    {"sha512", 128, 0},    {"sha512_224", 56, 0},   {"sha512_256", 64, 0}, {"sha3_224", 56, 0},
    {"sha3_256", 64, 0},   {"sha3_384", 96, 0},     {"sha3_512", 128, 0},  {"shake128", 0, 0},
    {"shake256", 0, 0},    {"blake2b", 0, 0},       {"blake2s", 0, 0},     {"ripemd160", 40, 0},
    {"sm3", 64, 0},        {"md5", 32, 0},          {"gitCommit", 40, 64}, {"gitTree", 40, 64},
    {"gitBlob", 40, 64},   {"dirHash", 64, 0},
}};

bool digits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) return false;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

int number(std::string_view text, std::size_t pos, std::size_t count) {
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

}  // namespace

std::unexpected<Error> bad(std::string_view path, std::string_view problem) {
  return fail(ErrorCategory::input, "provenance predicate: " + std::string(path) + ": " + std::string(problem));
}

const Ordered* member(const Ordered& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(std::string(key));
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::string> string_member(const Ordered& object, std::string_view key, std::string_view path) {
  const Ordered* value = member(object, key);
  if (value == nullptr) return std::string();
  if (!value->is_string()) return bad(std::string(path) + "." + std::string(key), "not a string");
  return value->get<std::string>();
}

Result<const Ordered*> object_member(const Ordered& object, std::string_view key, std::string_view path) {
  const Ordered* value = member(object, key);
  if (value != nullptr && !value->is_object()) return bad(std::string(path) + "." + std::string(key), "not an object");
  return value;
}

Result<void> check_digest_set(const Ordered& digest, std::string_view path) {
  if (!digest.is_object()) return bad(path, "not an object");
  if (digest.empty()) return bad(path, "empty digest set");
  for (const auto& [algorithm, value] : digest.items()) {
    std::string where = std::string(path) + "." + algorithm;
    if (!value.is_string()) return bad(where, "not a string");
    const std::string& text = value.get_ref<const std::string&>();
    for (const auto& known : kKnown) {
      if (known.name != algorithm) continue;
      bool ok = is_lower_hex(text, known.length) || (known.alternative != 0 && is_lower_hex(text, known.alternative));
      if (!ok) {
        std::string expected = known.length == 0 ? std::string("lower-case hex")
                               : std::to_string(known.length) +
                                     (known.alternative != 0 ? " or " + std::to_string(known.alternative) : "") +
                                     " lower-case hex digits";
        return bad(where, "\"" + text.substr(0, 160) + "\" is not " + expected);
      }
    }
  }
  return {};
}

Result<void> check_descriptor(const Ordered& descriptor, std::string_view path) {
  if (!descriptor.is_object()) return bad(path, "not an object");
  for (std::string_view key : {"uri", "name", "downloadLocation", "mediaType", "content"}) {
    if (auto r = string_member(descriptor, key, path); !r) return std::unexpected(std::move(r.error()));
  }
  const Ordered* digest = member(descriptor, "digest");
  if (digest != nullptr) {
    if (auto r = check_digest_set(*digest, std::string(path) + ".digest"); !r) return r;
  }
  if (auto r = object_member(descriptor, "annotations", path); !r) return std::unexpected(std::move(r.error()));
  auto non_empty = [&](std::string_view key) {
    const Ordered* value = member(descriptor, key);
    return value != nullptr && value->is_string() && !value->get_ref<const std::string&>().empty();
  };
  if (!non_empty("uri") && digest == nullptr && !non_empty("content")) {
    return bad(path, "needs at least one of uri, digest, content");
  }
  return {};
}

Result<void> check_descriptor_list(const Ordered& object, std::string_view key, std::string_view path) {
  const Ordered* list = member(object, key);
  if (list == nullptr) return {};
  std::string where = std::string(path) + "." + std::string(key);
  if (!list->is_array()) return bad(where, "not an array");
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (auto r = check_descriptor((*list)[i], where + "[" + std::to_string(i) + "]"); !r) return r;
  }
  return {};
}

bool is_rfc3339(std::string_view t) {
  // date-time = full-date "T" partial-time time-offset (RFC 3339 section 5.6).
  if (t.size() < 20 || !digits(t, 0, 4) || t[4] != '-' || !digits(t, 5, 2) || t[7] != '-' || !digits(t, 8, 2) ||
      (t[10] != 'T' && t[10] != 't') || !digits(t, 11, 2) || t[13] != ':' || !digits(t, 14, 2) || t[16] != ':' ||
      !digits(t, 17, 2)) {
    return false;
  }
  int year = number(t, 0, 4), month = number(t, 5, 2), day = number(t, 8, 2);
  int hour = number(t, 11, 2), minute = number(t, 14, 2), second = number(t, 17, 2);
  static constexpr std::array<int, 12> kDays{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12 || day < 1 || day > kDays[static_cast<std::size_t>(month - 1)] ||
      (month == 2 && day == 29 && !leap) || hour > 23 || minute > 59 || second > 60) {
    return false;
  }
  std::size_t pos = 19;
  if (pos < t.size() && t[pos] == '.') {
    std::size_t start = ++pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
    if (pos == start) return false;
  }
  std::string_view offset = t.substr(pos);
  if (offset == "Z" || offset == "z") return true;
  return offset.size() == 6 && (offset[0] == '+' || offset[0] == '-') && digits(offset, 1, 2) && offset[3] == ':' &&
         digits(offset, 4, 2) && number(offset, 1, 2) <= 23 && number(offset, 4, 2) <= 59;
}

}  // namespace sigil::provenance::detail
