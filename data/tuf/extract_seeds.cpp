// Build-time helper: writes the TUF root.json and the trusted_root.json target that
// @sigstore/tuf's seeds.json embeds (base64) for one repository, as sigil's default trusted
// material. Usage: sigil_seed_extract SEEDS_JSON REPOSITORY_URL OUT_DIR
// (writes OUT_DIR/trusted_root.json and OUT_DIR/tuf/root.json).
#include <cstdio>
#include <filesystem>
#include <string>

#include "common/base64.hpp"
#include "common/file.hpp"
#include "common/json.hpp"

namespace {

int die(const std::string& message) {
  std::fprintf(stderr, "sigil_seed_extract: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return die("usage: sigil_seed_extract SEEDS_JSON REPOSITORY_URL OUT_DIR");
  const std::filesystem::path seeds_path = argv[1];
  const std::string repo = argv[2];
  const std::filesystem::path out = argv[3];
  auto text = sigil::read_file(seeds_path, 16 * 1024 * 1024);
  if (!text) return die(text.error().message);
  auto seeds = sigil::parse_json(*text, seeds_path.string());
  if (!seeds) return die(seeds.error().message);
  if (!seeds->is_object() || !seeds->contains(repo) || !(*seeds)[repo].is_object()) {
    return die(seeds_path.string() + ": no entry for " + repo);
  }
  const auto& entry = (*seeds)[repo];
  auto decode = [&](const sigil::Json* value, const std::string& what) -> std::optional<std::string> {
    if (value == nullptr || !value->is_string()) return std::nullopt;
    auto bytes = sigil::base64_decode(value->get<std::string>());
    if (!bytes) return std::nullopt;
    // The embedded documents must themselves be JSON, or the data directory would be unusable.
    if (!sigil::parse_json(*bytes, what)) return std::nullopt;
    return bytes;
  };
  const sigil::Json* root_b64 = entry.contains("root.json") ? &entry["root.json"] : nullptr;
  const sigil::Json* targets = entry.contains("targets") ? &entry["targets"] : nullptr;
  const sigil::Json* trusted_b64 =
      targets != nullptr && targets->is_object() && targets->contains("trusted_root.json") ? &(*targets)["trusted_root.json"] : nullptr;
  auto root = decode(root_b64, "root.json");
  if (!root) return die(seeds_path.string() + ": " + repo + " has no valid base64 JSON root.json");
  auto trusted = decode(trusted_b64, "trusted_root.json");
  if (!trusted) return die(seeds_path.string() + ": " + repo + " has no valid base64 JSON targets.trusted_root.json");
  std::error_code ec;
  std::filesystem::create_directories(out / "tuf", ec);
  if (ec) return die("create " + (out / "tuf").string() + ": " + ec.message());
  if (auto ok = sigil::write_file_atomic(out / "tuf" / "root.json", *root); !ok) return die(ok.error().message);
  if (auto ok = sigil::write_file_atomic(out / "trusted_root.json", *trusted); !ok) return die(ok.error().message);
  return 0;
}
