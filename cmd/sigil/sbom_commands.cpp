// sigil sbom SOURCE [-o FORMAT[=FILE]]... [--platform P] [--attach]: catalogs an image (oci: layout
// or registry) or a directory (dir:PATH) into CycloneDX / SPDX, with syft's flags; --attach pushes
// each document as an OCI 1.1 referrer of the cataloged manifest; --attest pushes each as a signed
// in-toto statement (with --key or --keyless).
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>

#include "cmd/sigil/attest_helpers.hpp"
#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/key_files.hpp"
#include "cmd/sigil/keyless_options.hpp"
#include "common/file.hpp"
#include "oci/artifact.hpp"
#include "oci/copy.hpp"
#include "sbom/catalog.hpp"
#include "sbom/image_catalog.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/dir_tree.hpp"
#include "sbom/filetree/image_tree.hpp"
#include "sbom/formats/format.hpp"
#include "sign/cosign_image.hpp"
#include "sign/signer.hpp"
#include "sign/statement.hpp"

namespace sigil::cli {
namespace {

struct Output {
  sbom::Format format;
  std::string file;  // empty: stdout
};

Result<std::vector<Output>> parse_outputs(const cxxopts::ParseResult& p) {
  std::vector<std::string> specs{"cyclonedx-json"};
  if (p.count("output") > 0) specs = p["output"].as<std::vector<std::string>>();
  std::vector<Output> outputs;
  std::set<std::string> files;
  int to_stdout = 0;
  for (const auto& spec : specs) {
    auto eq = spec.find('=');
    auto format = sbom::parse_format(spec.substr(0, eq));
    if (!format) return std::unexpected(usage_error("sbom", format.error().message));
    Output out{*format, eq == std::string::npos ? "" : spec.substr(eq + 1)};
    if (eq != std::string::npos && out.file.empty()) return std::unexpected(usage_error("sbom", "-o " + spec + ": empty file name"));
    if (out.file.empty() || out.file == "-") {
      out.file.clear();
      ++to_stdout;
    } else if (!files.insert(std::filesystem::absolute(out.file).lexically_normal().string()).second) {
      return std::unexpected(usage_error("sbom", "two outputs write " + out.file));
    }
    outputs.push_back(std::move(out));
  }
  if (to_stdout > 1) return std::unexpected(usage_error("sbom", "only one output can go to stdout; name files with -o FORMAT=FILE"));
  return outputs;
}

Result<std::int64_t> document_time() {
  const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
  if (epoch == nullptr || *epoch == '\0') return static_cast<std::int64_t>(std::time(nullptr));
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(epoch, &end, 10);
  if (errno != 0 || *end != '\0' || v < 0 || v > 253402300799LL) {
    return fail(ErrorCategory::usage, "SOURCE_DATE_EPOCH \"" + std::string(epoch) + "\" is not a number of seconds");
  }
  return static_cast<std::int64_t>(v);
}

// What was cataloged; for images also where it lives, so --attach can push next to it.
struct Cataloged {
  sbom::Inventory inventory;
  std::unique_ptr<oci::Store> store;
  oci::Descriptor manifest;  // the platform manifest cataloged
};

// The in-toto predicateType of an SBOM format (what cosign attest --type cyclonedx|spdxjson writes).
std::string_view predicate_type(const sbom::Format& format) {
  return format.kind == sbom::Format::Kind::cyclonedx_json ? "https://cyclonedx.org/bom" : "https://spdx.dev/Document";
}

// Signs an in-toto statement (subject: the cataloged manifest, predicate: the SBOM) into a
// Sigstore bundle, as `sigil attest` does; pushed later with push_attestation().
Result<SignedAttestation> sign_sbom_statement(sign::Signer& signer, const oci::Descriptor& manifest,
                                              const std::string& name, const sbom::Format& format,
                                              const std::string& document) {
  auto predicate = nlohmann::ordered_json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (predicate.is_discarded()) return fail(ErrorCategory::internal, "attest: the SBOM is not JSON");
  return sign_attestation(signer, manifest, name, std::string(predicate_type(format)), std::move(predicate));
}

Result<Cataloged> catalog_source(const std::string& source, const cxxopts::ParseResult& p) {
  auto catalogers = sbom::all_catalogers();
  if (source.starts_with("dir:")) {
    std::string path = source.substr(4);
    if (path.empty()) return std::unexpected(usage_error("sbom", "dir: needs a path"));
    auto tree = sbom::DirTree::open(path);
    if (!tree) return std::unexpected(tree.error());
    return Cataloged{sbom::catalog(**tree, sbom::Subject{sbom::Subject::Kind::directory, path, "", ""}, catalogers), nullptr, {}};
  }
  oci::Platform platform = oci::host_platform();
  if (p.count("platform") > 0) {
    auto parsed = oci::Platform::parse(p["platform"].as<std::string>());
    if (!parsed) return std::unexpected(parsed.error().with_context("--platform"));
    platform = *parsed;
  }
  auto opened = open_and_resolve(source, global_options(p));
  if (!opened) return std::unexpected(opened.error());
  auto& [src, desc] = *opened;
  auto cataloged = sbom::catalog_image(*src.store, desc, platform, source);
  if (!cataloged) return std::unexpected(cataloged.error().with_context("sbom " + source));
  return Cataloged{std::move(cataloged->inventory), std::move(src.store), cataloged->manifest};
}

Result<void> run_sbom(Args args) {
  cxxopts::Options options("sigil sbom", "Generate an SBOM (CycloneDX or SPDX) of an image or a directory");
  options.custom_help("[OPTIONS]");
  options.positional_help("SOURCE (oci:DIR[:TAG], REGISTRY/REPO[:TAG|@DIGEST] or dir:PATH)");
  options.add_options()("args", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"args"});
  options.add_options()
      ("o,output", "FORMAT[=FILE]: cyclonedx-json (1.6; @1.5, @1.7) or spdx-json (2.3); repeatable, "
                   "one may go to stdout (default: cyclonedx-json)", cxxopts::value<std::vector<std::string>>(), "FORMAT[=FILE]")
      ("platform", "Platform to catalog from an index (default: the host's)", cxxopts::value<std::string>(), "OS/ARCH[/VARIANT]")
      ("attach", "Also push each SBOM as a referrer of the image (artifactType application/vnd.cyclonedx+json "
                 "or application/spdx+json)")
      ("attest", "Also push each SBOM as a signed in-toto statement (Sigstore bundle referrer; predicateType "
                 "https://cyclonedx.org/bom or https://spdx.dev/Document); needs --key or --keyless")
      ("key", "Private key for --attest (cosign format or PEM; password from SIGIL_PASSWORD/COSIGN_PASSWORD)",
       cxxopts::value<std::string>(), "FILE")
      ("keyless", "Sign --attest statements keyless: OIDC identity -> Fulcio certificate, logged in Rekor (see the Keyless options)");
  add_keyless_options(options);
  add_global_options(options);
  auto parsed = parse_args(options, args, "sbom");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto sources = positionals(p, "sbom", {"SOURCE"});
  if (!sources) return std::unexpected(sources.error());
  auto outputs = parse_outputs(p);
  if (!outputs) return std::unexpected(outputs.error());
  auto when = document_time();
  if (!when) return std::unexpected(when.error());
  bool attach = p.count("attach") > 0;
  if (attach && (*sources)[0].starts_with("dir:")) {
    return std::unexpected(usage_error("sbom", "--attach needs an image, not a directory"));
  }
  bool attest_wanted = p.count("attest") > 0;
  auto keyless = keyless_requested(p, "sbom", "key");
  if (!keyless) return std::unexpected(keyless.error());
  if (attest_wanted != (p.count("key") > 0 || *keyless)) {
    return std::unexpected(usage_error("sbom", "--attest and --key (or --keyless) go together"));
  }
  if (attest_wanted && (*sources)[0].starts_with("dir:")) {
    return std::unexpected(usage_error("sbom", "--attest needs an image, not a directory"));
  }
  // The key (and its password), or the keyless certificate, first: a wrong password or a missing
  // identity token should not cost a catalog run.
  std::optional<sign::KeySigner> key_signer;
  std::unique_ptr<KeylessSession> session;
  if (attest_wanted && *keyless) {
    auto opened = KeylessSession::open(p, "sbom");
    if (!opened) return std::unexpected(opened.error());
    session = std::move(*opened);
  } else if (attest_wanted) {
    auto key = load_signing_key(p["key"].as<std::string>());
    if (!key) return std::unexpected(key.error());
    key_signer.emplace(std::move(*key));
  }
  sign::Signer* signer = session ? &session->signer() : key_signer ? &*key_signer : nullptr;

  auto cataloged = catalog_source((*sources)[0], p);
  if (!cataloged) return std::unexpected(cataloged.error());
  const sbom::Inventory* inventory = &cataloged->inventory;
  sbom::EncodeOptions encode_options;
  encode_options.timestamp = *when;
  // Everything is encoded before anything is written: a failure leaves no partial set of files.
  std::vector<std::string> documents;
  for (const auto& out : *outputs) {
    auto doc = sbom::encode(*inventory, out.format, encode_options);
    if (!doc) return std::unexpected(doc.error());
    documents.push_back(std::move(*doc));
  }
  // Attestations are signed (and, keyless, logged in Rekor) before anything is written or pushed.
  std::vector<SignedAttestation> attestations;
  if (signer != nullptr) {
    for (std::size_t i = 0; i < outputs->size(); ++i) {
      const auto& format = (*outputs)[i].format;
      auto signed_statement =
          sign_sbom_statement(*signer, cataloged->manifest, (*sources)[0], format, documents[i]);
      if (!signed_statement) return std::unexpected(signed_statement.error().with_context("attest " + format.name()));
      if (session) {
        if (auto completed = session->complete(signed_statement->bundle); !completed) {
          return std::unexpected(completed.error().with_context("attest " + format.name()));
        }
      }
      attestations.push_back(std::move(*signed_statement));
    }
  }
  for (std::size_t i = 0; i < outputs->size(); ++i) {
    const auto& out = (*outputs)[i];
    if (out.file.empty()) continue;
    auto written = write_file_atomic(out.file, documents[i]);
    if (!written) return std::unexpected(written.error());
  }
  for (std::size_t i = 0; i < outputs->size(); ++i) {
    if (!(*outputs)[i].file.empty()) continue;
    auto written = write_stdout(documents[i]);
    if (!written) return std::unexpected(written.error());
  }
  if (attach) {
    for (std::size_t i = 0; i < outputs->size(); ++i) {
      const auto& format = (*outputs)[i].format;
      std::string media_type(format.media_type());
      std::string title = format.kind == sbom::Format::Kind::cyclonedx_json ? "sbom.cdx.json" : "sbom.spdx.json";
      oci::ArtifactLayer layer{media_type, documents[i], {{std::string(oci::kAnnotationTitle), title}}};
      auto pushed = oci::attach_artifact(*cataloged->store, cataloged->manifest, media_type, {layer},
                                         {{std::string(oci::kAnnotationCreated), oci::creation_time()}});
      if (!pushed) return std::unexpected(pushed.error().with_context("attach " + format.name()));
      std::fprintf(stderr, "sigil sbom: attached %s as %s\n", format.name().c_str(), pushed->digest.str().c_str());
    }
  }
  for (std::size_t i = 0; i < attestations.size(); ++i) {
    const auto& format = (*outputs)[i].format;
    auto pushed = push_attestation(*cataloged->store, cataloged->manifest, attestations[i]);
    if (!pushed) return std::unexpected(pushed.error().with_context("attest " + format.name()));
    std::fprintf(stderr, "sigil sbom: attested %s as %s\n", format.name().c_str(), pushed->digest.str().c_str());
  }
  if (!inventory->warnings.empty() && (is_terminal(stderr) || global_options(p).verbose)) {
    std::fprintf(stderr, "sigil sbom: %zu packages, %zu warnings (recorded in the SBOM)\n", inventory->packages.size(),
                 inventory->warnings.size() + inventory->warnings_dropped);
  }
  return {};
}

}  // namespace

std::vector<Command> sbom_commands() { return {Command{"sbom", "Generate an SBOM of an image or a directory", run_sbom}}; }

}  // namespace sigil::cli
