// attach and download: unsigned referrer artifacts (as `oras attach` pushes them) and reading back
// what sign, attest and attach stored beside an image (as `cosign download` prints it).
#include <cstdio>
#include <filesystem>
#include <utility>
#include <variant>

#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/image_sign_helpers.hpp"
#include "common/base64.hpp"
#include "common/file.hpp"
#include "common/json.hpp"
#include "common/limits.hpp"
#include "oci/artifact.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "sign/bundle.hpp"
#include "sign/cosign_image.hpp"
#include "sign/image_verify.hpp"
#include "sign/statement.hpp"

namespace sigil::cli {
namespace {

using Ordered = nlohmann::ordered_json;

/// Largest file `attach artifact` reads, and largest layer `download artifact` writes.
constexpr std::size_t kMaxArtifactBytes = 256 * 1024 * 1024;
/// Layer media type when --media-type is not given (oras attach's default).
constexpr std::string_view kDefaultLayerMediaType = "application/vnd.oci.image.layer.v1.tar";

std::string compact(const Ordered& j) { return j.dump(-1, ' ', false, Ordered::error_handler_t::replace); }

Result<void> run_attach(Args args) {
  auto options = image_command_options("attach", "Attach a file to an image as an unsigned OCI 1.1 referrer",
                                       "artifact IMAGE");
  // clang-format off
  options.add_options()
      ("file", "The file to attach (the artifact's one layer)", cxxopts::value<std::string>(), "FILE")
      ("artifact-type", "artifactType of the referrer manifest", cxxopts::value<std::string>(), "TYPE")
      ("media-type", "Media type of the layer (default application/vnd.oci.image.layer.v1.tar)",
       cxxopts::value<std::string>(), "TYPE")
      ("a,annotation", "Manifest annotation key=value (repeatable)", cxxopts::value<std::vector<std::string>>(), "K=V");
  // clang-format on
  add_global_options(options);
  auto parsed = parse_args(options, args, "attach");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto pos = positionals(p, "attach", {"artifact", "IMAGE"});
  if (!pos) return std::unexpected(pos.error());
  if ((*pos)[0] != "artifact") {
    return std::unexpected(
        usage_error("attach", "unknown kind \"" + (*pos)[0] + "\" (expected: attach artifact IMAGE)"));
  }
  if (p.count("file") == 0) return std::unexpected(usage_error("attach", "--file is required"));
  if (p.count("artifact-type") == 0)
    return std::unexpected(usage_error("attach", "--artifact-type is required"));
  std::string artifact_type = p["artifact-type"].as<std::string>();
  std::string layer_type =
      p.count("media-type") ? p["media-type"].as<std::string>() : std::string(kDefaultLayerMediaType);
  for (const auto& [flag, value] :
       {std::pair{"--artifact-type", artifact_type}, std::pair{"--media-type", layer_type}}) {
    if (!oci::is_media_type(value)) {
      return std::unexpected(
          usage_error("attach", std::string(flag) + " \"" + value + "\" is not a media type"));
    }
  }
  auto annotations = annotation_options(p, "attach");
  if (!annotations) return std::unexpected(annotations.error());
  std::string path = p["file"].as<std::string>();
  auto bytes = read_file(path, kMaxArtifactBytes);
  if (!bytes) return std::unexpected(bytes.error());

  auto resolved = resolve_images({(*pos)[1]}, global_options(p), "");
  if (!resolved) return std::unexpected(resolved.error());
  auto& image = (*resolved)[0];
  oci::ArtifactLayer layer;
  layer.media_type = layer_type;
  layer.bytes = std::move(*bytes);
  layer.annotations[std::string(oci::kAnnotationTitle)] = std::filesystem::path(path).filename().string();
  oci::Annotations manifest_annotations(annotations->begin(), annotations->end());
  if (!manifest_annotations.contains(std::string(oci::kAnnotationCreated))) {
    manifest_annotations[std::string(oci::kAnnotationCreated)] = oci::creation_time();
  }
  auto pushed = oci::attach_artifact(*image.opened.store, image.descriptor, artifact_type, {std::move(layer)},
                                     manifest_annotations, oci::ManifestStyle::oras);
  if (!pushed) return std::unexpected(pushed.error());
  return write_stdout(pushed->digest.str() + "\n");
}

// The one layer of a referrer manifest, read into memory (bundles and artifacts are small).
Result<std::string> referrer_layer(oci::Store& store, const oci::Descriptor& referrer,
                                   std::size_t max_bytes) {
  auto raw = store.fetch_manifest(referrer);
  if (!raw) return std::unexpected(raw.error());
  auto manifest = oci::Manifest::parse(std::move(*raw), "referrer " + referrer.digest.str());
  if (!manifest) return std::unexpected(manifest.error());
  if (manifest->layers.size() != 1) {
    return fail(ErrorCategory::input, "referrer " + referrer.digest.str() + " has " +
                                          std::to_string(manifest->layers.size()) + " layers, expected one");
  }
  auto bytes = store.fetch_blob_bytes(manifest->layers[0], max_bytes);
  if (!bytes) return std::unexpected(bytes.error().with_context("referrer " + referrer.digest.str()));
  return bytes;
}

// The predicateType a bundle's DSSE statement declares (unverified: download shows, it does not
// judge); "" for message signatures and payloads that are not statements.
std::string bundle_predicate_type(std::string_view bundle_json) {
  auto bundle = sign::parse_bundle(bundle_json);
  if (!bundle) return {};
  const auto* envelope = std::get_if<sign::Envelope>(&bundle->content);
  if (envelope == nullptr || envelope->payload_type != sign::kInTotoPayloadType) return {};
  auto statement = sign::parse_statement(envelope->payload);
  return statement ? statement->predicate_type : std::string();
}

// One line per legacy signature, as cosign download signature prints its LocalSignedPayload.
std::string legacy_signature_line(const sign::LegacyLayer& layer) {
  Ordered j = Ordered::object();
  j["Base64Signature"] = base64_encode(layer.signature);
  j["Payload"] = base64_encode(layer.payload);
  j["Cert"] = nullptr;
  j["Chain"] = nullptr;
  j["Bundle"] = nullptr;
  j["RFC3161Timestamp"] = nullptr;
  return compact(j) + "\n";
}

// A stored JSON document on one line (bundles and envelopes), its bytes kept when they already are.
std::string one_line(std::string bytes) {
  while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r')) bytes.pop_back();
  if (bytes.find('\n') == std::string::npos) return bytes + "\n";
  auto j = Ordered::parse(bytes, nullptr, false);
  return j.is_discarded() ? bytes + "\n" : compact(j) + "\n";
}

Result<std::string> download_bundles(oci::Store& store, const oci::Descriptor& image, bool signatures,
                                     const std::string& predicate_filter) {
  auto referrers = store.referrers(image.digest);
  if (!referrers) return std::unexpected(referrers.error());
  std::string out;
  for (const auto& r : *referrers) {
    if (!sign::is_bundle_artifact_type(r.artifact_type)) continue;
    auto layer = referrer_layer(store, r, limits::kMaxBundleBytes);
    if (!layer) {
      if (layer.error().category == ErrorCategory::network) return std::unexpected(layer.error());
      std::fputs(("sigil: warning: skipping " + layer.error().message + "\n").c_str(), stderr);
      continue;
    }
    std::string type = bundle_predicate_type(*layer);
    if (type.empty()) continue;
    bool is_signature = type == sign::kCosignSignPredicateType;
    if (is_signature != signatures) continue;
    if (!predicate_filter.empty() && type != predicate_filter) continue;
    out += one_line(std::move(*layer));
  }
  return out;
}

Result<std::string> download_legacy(oci::Store& store, const oci::Descriptor& image, bool signatures) {
  std::string tag =
      signatures ? sign::legacy_signature_tag(image.digest) : sign::legacy_attestation_tag(image.digest);
  std::size_t total = 0;
  auto layers = sign::read_legacy_layers(store, tag, limits::kMaxDsseSignatures * 1000, total);
  if (!layers) return std::unexpected(layers.error());
  std::string out;
  if (!*layers) return out;
  for (const auto& layer : **layers) {
    if (!layer.problem.empty()) {
      std::fputs(("sigil: warning: skipping " + tag + " layer " + layer.layer.digest.str() + ": " +
                  layer.problem + "\n")
                     .c_str(),
                 stderr);
      continue;
    }
    out += signatures ? legacy_signature_line(layer) : one_line(layer.payload);
  }
  return out;
}

Result<std::string> download_artifact(oci::Store& store, const oci::Descriptor& image,
                                      const std::string& artifact_type, const std::string& digest) {
  auto referrers = store.referrers(image.digest, artifact_type);
  if (!referrers) return std::unexpected(referrers.error());
  std::vector<oci::Descriptor> matching;
  for (const auto& r : *referrers) {
    if (digest.empty() || r.digest.str() == digest) matching.push_back(r);
  }
  if (matching.empty()) {
    return fail(ErrorCategory::input,
                "no referrer of " + image.digest.str() +
                    (artifact_type.empty() ? "" : " with artifact type " + artifact_type) +
                    (digest.empty() ? "" : " and digest " + digest));
  }
  if (matching.size() > 1) {
    return fail(ErrorCategory::usage, std::to_string(matching.size()) + " referrers of " +
                                          image.digest.str() +
                                          " match; choose one with --digest (see 'sigil tree')");
  }
  return referrer_layer(store, matching[0], kMaxArtifactBytes);
}

Result<void> run_download(Args args) {
  auto options = image_command_options(
      "download", "Print the signatures, attestations or an artifact stored beside an image",
      "signature|attestation|artifact IMAGE");
  // clang-format off
  options.add_options()
      ("artifact-type", "artifact: only referrers of this artifactType", cxxopts::value<std::string>(), "TYPE")
      ("digest", "artifact: the referrer manifest to download, when several match", cxxopts::value<std::string>(), "DIGEST")
      ("predicate-type", "attestation: only statements of this predicateType", cxxopts::value<std::string>(), "URI")
      ("output-file", "Write to FILE instead of stdout", cxxopts::value<std::string>(), "FILE")
      ("target-repository", "Read from this repository (default: the image's; env COSIGN_REPOSITORY)",
       cxxopts::value<std::string>(), "REPO");
  // clang-format on
  add_global_options(options);
  auto parsed = parse_args(options, args, "download");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto pos = positionals(p, "download", {"KIND", "IMAGE"});
  if (!pos) return std::unexpected(pos.error());
  const std::string& kind = (*pos)[0];
  if (kind != "signature" && kind != "attestation" && kind != "artifact") {
    return std::unexpected(
        usage_error("download", "unknown kind \"" + kind + "\" (signature, attestation or artifact)"));
  }
  auto string_option = [&](const char* name) {
    return p.count(name) ? p[name].as<std::string>() : std::string();
  };
  std::string digest = string_option("digest");
  if (!digest.empty()) {
    if (auto d = oci::Digest::parse(digest); !d)
      return std::unexpected(usage_error("download", "--digest: " + d.error().message));
  }
  auto globals = global_options(p);
  auto resolved = resolve_images({(*pos)[1]}, globals, "");
  if (!resolved) return std::unexpected(resolved.error());
  auto target = target_repository(p, globals, false);
  if (!target) return std::unexpected(target.error());
  auto& image = (*resolved)[0];
  oci::Store& store = *target ? *(*target)->store : *image.opened.store;

  std::string out;
  if (kind == "artifact") {
    auto bytes = download_artifact(store, image.descriptor, string_option("artifact-type"), digest);
    if (!bytes) return std::unexpected(bytes.error());
    out = std::move(*bytes);
  } else {
    bool signatures = kind == "signature";
    auto bundles = download_bundles(store, image.descriptor, signatures, string_option("predicate-type"));
    if (!bundles) return std::unexpected(bundles.error());
    auto legacy = download_legacy(store, image.descriptor, signatures);
    if (!legacy) return std::unexpected(legacy.error());
    out = *bundles + *legacy;
    if (out.empty()) {
      return fail(ErrorCategory::input,
                  "no " + kind + "s found for " + image.text + " (" + image.descriptor.digest.str() + ")");
    }
  }
  if (p.count("output-file")) return write_file_atomic(p["output-file"].as<std::string>(), out);
  return write_stdout(out);
}

}  // namespace

std::vector<Command> artifact_commands() {
  return {
      Command{"attach", "Attach a file to an image as an unsigned referrer (attach artifact)", &run_attach},
      Command{"download", "Print an image's signatures, attestations or an attached artifact",
              &run_download}};
}

}  // namespace sigil::cli
