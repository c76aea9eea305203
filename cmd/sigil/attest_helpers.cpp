#include "cmd/sigil/attest_helpers.hpp"

#include <array>
#include <utility>
#include <variant>

#include "common/file.hpp"
#include "common/limits.hpp"
#include "oci/artifact.hpp"
#include "provenance/provenance.hpp"
#include "sign/cosign_image.hpp"
#include "sign/statement.hpp"

namespace sigil::cli {
namespace {

using Ordered = nlohmann::ordered_json;

struct KnownType {
  std::string_view name;
  std::string_view uri;
  PredicateWrap wrap;
  std::vector<std::string> required;
};

// cosign's --type names (pkg/cosign/attestation, cosign v3). slsaprovenance still means SLSA v0.2
// there; the required members are those cosign's checkRequiredJSONFields demands.
const std::vector<KnownType>& known_types() {
  static const std::vector<KnownType> types = {
      {"custom", kCosignCustomPredicateType, PredicateWrap::text, {}},
      {"slsaprovenance", provenance::kPredicateTypeV02, PredicateWrap::json_object, {"builder", "buildType"}},
      {"slsaprovenance02", provenance::kPredicateTypeV02, PredicateWrap::json_object, {"builder", "buildType"}},
      {"slsaprovenance1", provenance::kPredicateTypeV1, PredicateWrap::json_object,
       {"buildDefinition", "runDetails"}},
      {"link", "https://in-toto.io/Link/v1", PredicateWrap::json_object,
       {"_type", "name", "materials", "products", "byproducts", "command", "environment"}},
      {"spdx", "https://spdx.dev/Document", PredicateWrap::json_object, {}},
      {"spdxjson", "https://spdx.dev/Document", PredicateWrap::json_object, {}},
      {"cyclonedx", "https://cyclonedx.org/bom", PredicateWrap::json_object, {}},
      {"vuln", kCosignVulnPredicateType, PredicateWrap::json_object, {}},
      {"openvex", "https://openvex.dev/ns", PredicateWrap::json_object, {}},
  };
  return types;
}

// A predicate type must be a URI (in-toto's TypeURI): "scheme:rest", no spaces or controls.
bool is_type_uri(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(text[0])) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    char c = text[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

// JSON strings are UTF-8: a custom predicate carries the file as text, so it must be text.
bool is_utf8(std::string_view s) {
  static constexpr std::array<std::uint32_t, 4> kMin = {0, 0x80, 0x800, 0x10000};
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    if (c >= 0x80) {
      if ((c >> 5) == 0x6) n = 1;
      else if ((c >> 4) == 0xe) n = 2;
      else if ((c >> 3) == 0x1e) n = 3;
      else return false;
    }
    if (s.size() - i <= n) return false;
    std::uint32_t cp = n == 0 ? c : (c & (0x7fu >> (n + 1)));
    for (std::size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = (cp << 6) | (cc & 0x3fu);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace

std::string predicate_type_names() {
  std::string out;
  for (const auto& t : known_types()) out += (out.empty() ? "" : "|") + std::string(t.name);
  return out;
}

Result<PredicateSpec> predicate_spec(std::string_view type) {
  for (const auto& t : known_types()) {
    if (type == t.name) return PredicateSpec{std::string(t.name), std::string(t.uri), t.wrap, t.required};
  }
  if (!is_type_uri(type)) {
    return fail(ErrorCategory::usage, "unknown predicate type \"" + std::string(type) + "\" (expected " +
                                          predicate_type_names() + " or a URI such as https://example.com/p/v1)");
  }
  // A known type's URI given directly means that type (cosign's custom URI wraps the file as text).
  for (const auto& t : known_types()) {
    if (type == t.uri) return PredicateSpec{"", std::string(t.uri), t.wrap, t.required};
  }
  return PredicateSpec{"", std::string(type), PredicateWrap::json_object, {}};
}

Result<Ordered> predicate_from_file(const PredicateSpec& spec, std::string_view bytes, std::string_view source,
                               std::string_view timestamp) {
  const std::string what = "predicate " + std::string(source);
  if (spec.wrap == PredicateWrap::text) {
    if (!is_utf8(bytes)) return fail(ErrorCategory::input, what + ": not UTF-8 text (a " + spec.uri + " predicate carries text)");
    Ordered predicate = Ordered::object();
    predicate["Data"] = std::string(bytes);
    predicate["Timestamp"] = std::string(timestamp);
    return predicate;
  }
  // parse_json bounds the depth and never throws; the second parse keeps member order and numbers.
  auto checked = parse_json(bytes, what);
  if (!checked) {
    std::string message = checked.error().message;
    if (spec.name == "spdx") message += " (sigil attests SPDX JSON only: an in-toto v1 predicate is a JSON object)";
    return fail(ErrorCategory::input, message);
  }
  Ordered predicate = Ordered::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (predicate.is_discarded()) return fail(ErrorCategory::input, what + ": not JSON");
  if (!predicate.is_object()) {
    return fail(ErrorCategory::input, what + ": a " + spec.uri + " predicate must be a JSON object, not " +
                                          std::string(predicate.type_name()));
  }
  for (const auto& member : spec.required) {
    if (!predicate.contains(member)) {
      return fail(ErrorCategory::input, what + ": required member \"" + member + "\" of a " + spec.uri +
                                            " predicate is missing");
    }
  }
  if (spec.uri == provenance::kPredicateTypeV1) {
    if (auto ok = provenance::check_predicate_v1(predicate); !ok) {
      return fail(ErrorCategory::input, what + ": " + ok.error().message);
    }
  }
  return predicate;
}

Result<std::string> read_predicate_file(const std::string& path, std::size_t max_bytes) {
  auto bytes = read_file(path == "-" ? std::string("/dev/stdin") : path, max_bytes);
  if (!bytes) {
    return fail(ErrorCategory::input, "predicate " + (path == "-" ? std::string("(standard input)") : path) + ": " +
                                          (bytes.error().message.find("larger than") != std::string::npos
                                               ? "larger than the limit of " + std::to_string(max_bytes) +
                                                     " bytes (raise --max-predicate-bytes)"
                                               : bytes.error().message));
  }
  return bytes;
}

std::string attestation_subject_name(const oci::Reference& reference) { return reference.repository_name(); }

Result<SignedAttestation> sign_attestation(sign::Signer& signer, const oci::Descriptor& image,
                                           const std::string& subject_name, const std::string& predicate_type,
                                           Ordered predicate, const std::map<std::string, std::string>& annotations) {
  sign::Statement statement;
  sign::Subject subject;
  subject.name = subject_name;
  if (!annotations.empty()) {
    subject.annotations = Ordered::object();
    for (const auto& [key, value] : annotations) subject.annotations[key] = value;
  }
  subject.digest[std::string(oci::algorithm_name(image.digest.algorithm()))] = image.digest.hex();
  statement.subjects.push_back(std::move(subject));
  statement.predicate_type = predicate_type;
  statement.predicate = std::move(predicate);
  SignedAttestation out;
  out.predicate_type = predicate_type;
  out.statement = sign::serialize_statement(statement);
  // A verifier refuses envelopes past this limit: better to refuse before pushing than to push
  // something nobody can verify.
  if (out.statement.size() > limits::kMaxDsseEnvelopeBytes * 3 / 4 - 1024) {
    return fail(ErrorCategory::input, "attestation statement of " + std::to_string(out.statement.size()) +
                                          " bytes would make a DSSE envelope larger than verifiers accept (" +
                                          std::to_string(limits::kMaxDsseEnvelopeBytes) + " bytes)");
  }
  auto bundle = sign::sign_dsse_bundle(signer, sign::kInTotoPayloadType, out.statement);
  if (!bundle) return std::unexpected(bundle.error().with_context("sign attestation"));
  std::size_t envelope_size = sign::serialize_envelope(std::get<sign::Envelope>(bundle->content)).size();
  if (envelope_size > limits::kMaxDsseEnvelopeBytes) {
    return fail(ErrorCategory::input, "signed attestation of " + std::to_string(envelope_size) +
                                          " bytes is larger than verifiers accept (" +
                                          std::to_string(limits::kMaxDsseEnvelopeBytes) + " bytes)");
  }
  out.bundle = std::move(*bundle);
  return out;
}

Result<oci::Descriptor> push_attestation(oci::Store& store, const oci::Descriptor& image,
                                         const SignedAttestation& attestation) {
  return sign::attach_bundle(store, image, attestation.bundle, attestation.predicate_type, oci::creation_time());
}

Result<oci::Descriptor> attest_image(sign::Signer& signer, oci::Store& store, const oci::Descriptor& image,
                                     const std::string& subject_name, const std::string& predicate_type,
                                     Ordered predicate) {
  auto signed_attestation = sign_attestation(signer, image, subject_name, predicate_type, std::move(predicate));
  if (!signed_attestation) return std::unexpected(signed_attestation.error());
  return push_attestation(store, image, *signed_attestation);
}

}  // namespace sigil::cli
