#include "sign/detail/checkpoint.hpp"

#include <charconv>
#include <utility>

#include "common/base64.hpp"
#include "oci/digest.hpp"
#include "sign/detail/merkle.hpp"
#include "sign/signature.hpp"

namespace sigil::sign::detail {
namespace {

Error bad(std::string problem) { return Error{ErrorCategory::input, "checkpoint: " + std::move(problem)}; }

constexpr std::string_view kEmDash = "\xE2\x80\x94";  // U+2014, which starts every signature line

// Splits at '\n'; `text` ends with '\n', so the last (empty) piece is dropped.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return lines;
}

// Strict base64 of the standard alphabet (the note format allows no other): our decoder also takes
// the URL-safe alphabet, so check the characters first.
std::optional<std::string> standard_base64(std::string_view text) {
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '/' || c == '=';
    if (!ok) return std::nullopt;
  }
  return base64_decode(text);
}

Result<NoteSignature> parse_signature_line(std::string_view line) {
  // "— <name> <base64>": the name has no spaces (c2sp.org/signed-note).
  if (line.substr(0, kEmDash.size()) != kEmDash || line.size() <= kEmDash.size() + 1 ||
      line[kEmDash.size()] != ' ') {
    return std::unexpected(bad("signature line does not start with \"\u2014 \""));
  }
  line.remove_prefix(kEmDash.size() + 1);
  const std::size_t space = line.find(' ');
  if (space == 0 || space == std::string_view::npos || line.find(' ', space + 1) != std::string_view::npos) {
    return std::unexpected(bad("signature line is not \"\u2014 <name> <signature>\""));
  }
  auto bytes = standard_base64(line.substr(space + 1));
  if (!bytes) return std::unexpected(bad("signature of " + std::string(line.substr(0, space)) + " is not base64"));
  if (bytes->size() < 5) return std::unexpected(bad("signature of " + std::string(line.substr(0, space)) + " is too short"));
  return NoteSignature{std::string(line.substr(0, space)), bytes->substr(0, 4), bytes->substr(4)};
}

}  // namespace

Result<Checkpoint> parse_checkpoint(std::string_view envelope) {
  // The signature block follows the last blank line (as golang.org/x/mod/sumdb/note and Rekor split).
  const std::size_t split = envelope.rfind("\n\n");
  if (split == std::string_view::npos) return std::unexpected(bad("no blank line before the signatures"));
  Checkpoint checkpoint;
  checkpoint.text = std::string(envelope.substr(0, split + 1));
  const std::string_view signature_block = envelope.substr(split + 2);
  if (signature_block.empty()) return std::unexpected(bad("no signature lines"));
  if (signature_block.back() != '\n') return std::unexpected(bad("signature block does not end with a newline"));
  for (std::string_view line : lines_of(signature_block)) {
    auto signature = parse_signature_line(line);
    if (!signature) return std::unexpected(std::move(signature.error()));
    checkpoint.signatures.push_back(std::move(*signature));
  }

  const auto lines = lines_of(checkpoint.text);
  if (lines.size() < 3) return std::unexpected(bad("needs an origin, a tree size and a root hash"));
  checkpoint.origin = std::string(lines[0]);
  if (checkpoint.origin.empty()) return std::unexpected(bad("empty origin line"));
  const std::string_view size = lines[1];
  const bool decimal = !size.empty() && size.find_first_not_of("0123456789") == std::string_view::npos &&
                       (size.size() == 1 || size[0] != '0');
  const auto parsed = std::from_chars(size.data(), size.data() + size.size(), checkpoint.size);
  if (!decimal || parsed.ec != std::errc() || parsed.ptr != size.data() + size.size()) {
    return std::unexpected(bad("tree size \"" + std::string(size.substr(0, 40)) + "\" is not a decimal number"));
  }
  auto root = standard_base64(lines[2]);
  if (!root || root->size() != 32) return std::unexpected(bad("root hash is not 32 bytes of base64"));
  checkpoint.root_hash = std::move(*root);
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return std::unexpected(bad("blank line inside the note text"));
    checkpoint.extra.emplace_back(lines[i]);
  }
  return checkpoint;
}

Result<void> verify_checkpoint_signature(const Checkpoint& checkpoint, const CheckpointKey& log) {
  if (log.key == nullptr) return fail(ErrorCategory::internal, "checkpoint: no log key");
  bool found = false;
  for (const NoteSignature& line : checkpoint.signatures) {
    if (line.key_hint != log.key_hint) continue;          // another key: a witness or another log
    if (!log.name.empty() && line.name != log.name) continue;  // a note verifier matches name and hint
    found = true;
    Result<void> verified;
    if (log.key->algorithm() == KeyAlgorithm::ed25519) {
      verified = verify_message(log.key->get(), checkpoint.text, line.signature);
    } else {
      // Rekor signs SHA-256 of the note text whatever the curve (rekor pkg/util SignedNote).
      verified = verify_digest_signature(log.key->get(), oci::DigestAlgorithm::sha256, sha256_raw(checkpoint.text),
                                         line.signature);
    }
    if (!verified) {
      return fail(ErrorCategory::denied, "checkpoint signature does not verify with the log key");
    }
  }
  if (!found) {
    return fail(ErrorCategory::denied, "checkpoint has no signature from the log" +
                                           (log.name.empty() ? std::string() : " \"" + log.name + "\""));
  }
  return {};
}

}  // namespace sigil::sign::detail
