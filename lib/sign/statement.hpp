// in-toto Statement (v1, and v0.1 on read): what DSSE envelopes of attestations and of cosign v3
// image signatures carry. Parsing checks structure only; what a subject must match is the
// verifier's business.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/json.hpp"
#include "oci/digest.hpp"

namespace sigil::sign {

inline constexpr std::string_view kStatementTypeV1 = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kStatementTypeV01 = "https://in-toto.io/Statement/v0.1";
/// The DSSE payloadType of an in-toto statement.
inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";

/// A resource the statement is about: a name and its digests ("sha256" → lower-case hex).
struct Subject {
  std::string name;
  std::map<std::string, std::string> digest;
  /// Free-form string → value annotations (cosign puts the -a annotations here); null when absent.
  nlohmann::ordered_json annotations;
};

struct Statement {
  std::string type = std::string(kStatementTypeV1);
  std::vector<Subject> subjects;
  std::string predicate_type;
  nlohmann::ordered_json predicate = nlohmann::ordered_json::object();
};

/// Parses a statement (at most limits::kMaxDsseEnvelopeBytes). Input error for malformed JSON, an
/// unknown _type, no subjects, a subject without digests, non-string digest values, or no predicateType.
[[nodiscard]] Result<Statement> parse_statement(std::string_view json);

/// Compact JSON in the member order in-toto's Go types write: _type, subject (name, digest,
/// annotations), predicateType, predicate.
[[nodiscard]] std::string serialize_statement(const Statement& statement);

/// True when some subject carries `digest` (same algorithm name, same hex).
[[nodiscard]] bool has_subject_digest(const Statement& statement, const oci::Digest& digest);

}  // namespace sigil::sign
