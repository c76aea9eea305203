#include "sign/statement.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "common/limits.hpp"

namespace sigil::sign {
namespace {

constexpr std::string_view kWhat = "in-toto statement";

std::unexpected<Error> bad(std::string problem) {
  return fail(ErrorCategory::input, std::string(kWhat) + ": " + std::move(problem));
}

using Ordered = nlohmann::ordered_json;

Result<Subject> parse_subject(const Ordered& value, std::size_t index) {
  const std::string where = "subject[" + std::to_string(index) + "]";
  if (!value.is_object()) return bad(where + " is not an object");
  Subject subject;
  if (auto name = value.find("name"); name != value.end()) {
    if (!name->is_string()) return bad(where + ".name is not a string");
    subject.name = name->get<std::string>();
  }
  auto digest = value.find("digest");
  if (digest == value.end() || !digest->is_object()) return bad(where + " has no digest object");
  if (digest->empty()) return bad(where + ".digest is empty");
  for (const auto& [algorithm, hex] : digest->items()) {
    if (!hex.is_string()) return bad(where + ".digest." + algorithm + " is not a string");
    subject.digest[algorithm] = hex.get<std::string>();
  }
  if (auto annotations = value.find("annotations"); annotations != value.end() && !annotations->is_null()) {
    if (!annotations->is_object()) return bad(where + ".annotations is not an object");
    subject.annotations = *annotations;
  }
  return subject;
}

// protojson (and Go's encoding/json for maps) writes map and Struct members sorted by key, so an
// annotations object written by in-toto's Go types is in key order at every level.
Ordered sorted(const Ordered& value) {
  if (value.is_object()) {
    std::vector<std::string> keys;
    for (const auto& item : value.items()) keys.push_back(item.key());
    std::sort(keys.begin(), keys.end());
    Ordered out = Ordered::object();
    for (const auto& key : keys) out[key] = sorted(value.at(key));
    return out;
  }
  if (value.is_array()) {
    Ordered out = Ordered::array();
    for (const auto& element : value) out.push_back(sorted(element));
    return out;
  }
  return value;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<Statement> parse_statement(std::string_view json) {
  if (json.size() > limits::kMaxDsseEnvelopeBytes) {
    return bad("larger than " + std::to_string(limits::kMaxDsseEnvelopeBytes) + " bytes");
  }
  // parse_json refuses hostile depth and never throws; the second, order-keeping parse keeps the
  // predicate and annotations as the producer wrote them.
  auto checked = parse_json(json, kWhat);
  if (!checked) return std::unexpected(std::move(checked.error()));
  const Ordered document = Ordered::parse(json, nullptr, false);
  if (document.is_discarded() || !document.is_object()) return bad("not a JSON object");

  Statement statement;
  auto type = document.find("_type");
  if (type == document.end() || !type->is_string()) return bad("missing _type");
  statement.type = type->get<std::string>();
  if (statement.type != kStatementTypeV1 && statement.type != kStatementTypeV01) {
    return bad("unknown _type \"" + statement.type + "\"");
  }
  auto subjects = document.find("subject");
  if (subjects == document.end() || !subjects->is_array()) return bad("missing subject array");
  if (subjects->empty()) return bad("has no subjects");
  for (std::size_t i = 0; i < subjects->size(); ++i) {
    auto subject = parse_subject((*subjects)[i], i);
    if (!subject) return std::unexpected(std::move(subject.error()));
    statement.subjects.push_back(std::move(*subject));
  }
  auto predicate_type = document.find("predicateType");
  if (predicate_type == document.end() || !predicate_type->is_string() ||
      predicate_type->get_ref<const std::string&>().empty()) {
    return bad("missing predicateType");
  }
  statement.predicate_type = predicate_type->get<std::string>();
  if (auto predicate = document.find("predicate"); predicate != document.end() && !predicate->is_null()) {
    if (!predicate->is_object()) return bad("predicate is not an object");
    statement.predicate = *predicate;
  }
  return statement;
}

std::string serialize_statement(const Statement& statement) {
  Ordered subjects = Ordered::array();
  for (const Subject& subject : statement.subjects) {
    Ordered out = Ordered::object();
    // protojson leaves out empty strings and empty maps.
    if (!subject.name.empty()) out["name"] = subject.name;
    Ordered digest = Ordered::object();
    for (const auto& [algorithm, hex] : subject.digest) digest[algorithm] = hex;  // std::map: sorted
    out["digest"] = std::move(digest);
    if (subject.annotations.is_object() && !subject.annotations.empty()) {
      out["annotations"] = sorted(subject.annotations);
    }
    subjects.push_back(std::move(out));
  }
  Ordered document = Ordered::object();
  document["_type"] = statement.type;
  document["subject"] = std::move(subjects);
  document["predicateType"] = statement.predicate_type;
  document["predicate"] = statement.predicate.is_null() ? Ordered::object() : statement.predicate;
  return document.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool has_subject_digest(const Statement& statement, const oci::Digest& digest) {
  if (digest.empty()) return false;
  const std::string algorithm(oci::algorithm_name(digest.algorithm()));
  for (const Subject& subject : statement.subjects) {
    auto it = subject.digest.find(algorithm);
    if (it != subject.digest.end() && lower(it->second) == digest.hex()) return true;
  }
  return false;
}

}  // namespace sigil::sign
