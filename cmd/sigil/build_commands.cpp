// `sigil build`: buildx-style flags → lib/build → outputs (layouts, registries, OCI archive),
// the digest on stdout. The build runs completely before any output is touched, so bad input
// or a failed step writes nothing.
#include <ctime>
#include <filesystem>
#include <memory>
#include <system_error>

#include "build/exec/builder.hpp"
#include "build/image/epoch.hpp"
#include "build/image/platform.hpp"
#include "build/output/cache_export.hpp"
#include "build/output/image_output.hpp"
#include "cmd/sigil/build_pipeline.hpp"
#include "cmd/sigil/build_progress.hpp"
#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/key_files.hpp"
#include "cmd/sigil/keyless_options.hpp"
#include "common/file.hpp"

namespace sigil::cli {
namespace {

Result<std::pair<std::string, std::string>> key_value(std::string_view flag, const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return std::unexpected(usage_error("build", std::string(flag) + " \"" + text + "\": expected KEY=VALUE"));
  }
  return std::pair(text.substr(0, eq), text.substr(eq + 1));
}

// "type=oci,dest=out.tar" → {type: oci, dest: out.tar}.
std::map<std::string, std::string> csv_fields(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto eq = item.find('=');
    out[item.substr(0, eq)] = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// cxxopts splits vector values at commas, but buildx values contain them
// ("type=oci,dest=x.tar", "--build-arg LIST=a,b"): repeatable flags are taken out of the
// arguments here, each occurrence one value, before cxxopts sees the rest.
struct RepeatedFlags {
  std::map<std::string, std::vector<std::string>> values;
  std::vector<char*> rest;
};

RepeatedFlags take_repeated(Args args) {
  static const std::map<std::string, std::string> names = {
      {"-t", "tag"},           {"--tag", "tag"},         {"--build-arg", "build-arg"},   {"--label", "label"},
      {"--annotation", "annotation"}, {"--secret", "secret"}, {"--cache-from", "cache-from"},
      {"--cache-to", "cache-to"}, {"-o", "output"},      {"--output", "output"},         {"--build-context", "build-context"}};
  RepeatedFlags out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a == "--") {
      for (; i < args.size(); ++i) out.rest.push_back(args[i]);
      break;
    }
    auto eq = a.find('=');
    std::string flag = a.starts_with("--") && eq != std::string::npos ? a.substr(0, eq) : a;
    auto it = i > 0 ? names.find(flag) : names.end();
    if (it == names.end()) {
      out.rest.push_back(args[i]);
      continue;
    }
    if (flag != a) {
      out.values[it->second].push_back(a.substr(eq + 1));
    } else if (i + 1 < args.size()) {
      out.values[it->second].push_back(args[++i]);
    } else {
      out.rest.push_back(args[i]);  // cxxopts reports the missing value
    }
  }
  return out;
}

struct Destination {
  std::string text;
  oci::Reference reference;
};

// --sbom cyclonedx|spdx|both|none → the formats (syft's default versions).
Result<std::vector<sbom::Format>> sbom_formats(const std::string& value) {
  std::vector<std::string> names;
  if (value == "cyclonedx") names = {"cyclonedx-json"};
  else if (value == "spdx") names = {"spdx-json"};
  else if (value == "both") names = {"cyclonedx-json", "spdx-json"};
  else if (value != "none") return std::unexpected(usage_error("build", "--sbom \"" + value + "\": expected cyclonedx, spdx, both or none"));
  std::vector<sbom::Format> out;
  for (const auto& n : names) {
    auto f = sbom::parse_format(n);
    if (!f) return std::unexpected(f.error());
    out.push_back(*f);
  }
  return out;
}

Result<std::optional<provenance::Mode>> provenance_mode(const std::string& value) {
  if (value == "min") return std::optional(provenance::Mode::min);
  if (value == "max") return std::optional(provenance::Mode::max);
  if (value == "none") return std::optional<provenance::Mode>();
  return std::unexpected(usage_error("build", "--provenance \"" + value + "\": expected min, max or none"));
}

// The Dockerfile as provenance records it: relative to the context when inside it.
std::string relative_dockerfile(const std::filesystem::path& dockerfile, const std::filesystem::path& context) {
  std::error_code ec;
  auto file = std::filesystem::weakly_canonical(dockerfile, ec);
  auto root = std::filesystem::weakly_canonical(context, ec);
  auto rel = file.lexically_relative(root);
  if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
  return file.generic_string();
}

Result<void> run_build(Args args) {
  cxxopts::Options options("sigil build", "Build an OCI image from a Dockerfile (BuildKit-compatible, daemonless)");
  options.custom_help("[OPTIONS]");
  options.positional_help("CONTEXT");
  options.add_options()("args", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"args"});
  options.add_options()
      ("f,file", "Dockerfile (default: CONTEXT/Dockerfile)", cxxopts::value<std::string>(), "FILE")
      ("t,tag", "Output image: oci:DIR:TAG, or REGISTRY/REPO:TAG with --push (repeatable)", cxxopts::value<std::vector<std::string>>(), "REF")
      ("build-arg", "Build-time variable (repeatable)", cxxopts::value<std::vector<std::string>>(), "KEY=VALUE")
      ("label", "Label of the image config (repeatable)", cxxopts::value<std::vector<std::string>>(), "KEY=VALUE")
      ("annotation", "Manifest annotation; index:KEY=VALUE for the index (repeatable)", cxxopts::value<std::vector<std::string>>(), "KEY=VALUE")
      ("target", "Stage to build (default: the last)", cxxopts::value<std::string>(), "STAGE")
      ("platform", "Target platforms, comma-separated (default: this machine's)", cxxopts::value<std::string>(), "OS/ARCH[/VARIANT],...")
      ("secret", "Secret for RUN --mount=type=secret (accepted; never stored)", cxxopts::value<std::vector<std::string>>(), "id=ID,src=FILE|env=VAR")
      ("no-cache", "Do not use the cache (results are still stored in it)")
      ("cache-from", "Import an exported build cache (layout or registry ref; repeatable)", cxxopts::value<std::vector<std::string>>(), "REF")
      ("cache-to", "Export the layers this build used (layout or registry ref; repeatable)", cxxopts::value<std::vector<std::string>>(), "REF")
      ("cache-dir", "Local cache directory (default: $XDG_CACHE_HOME/sigil/build or ~/.cache/sigil/build)", cxxopts::value<std::string>(), "DIR")
      ("metadata-file", "Write the build result's digests as JSON (buildx format)", cxxopts::value<std::string>(), "FILE")
      ("progress", "auto, plain, json or quiet", cxxopts::value<std::string>()->default_value("auto"), "MODE")
      ("push", "Push registry -t references")
      ("o,output", "Export: type=oci,dest=FILE.tar or type=registry (repeatable)", cxxopts::value<std::vector<std::string>>(), "SPEC")
      ("compression", "Layer compression: gzip or zstd", cxxopts::value<std::string>()->default_value("gzip"), "ALG")
      ("compression-level", "gzip 1-9, zstd 1-19", cxxopts::value<int>(), "N")
      ("source-date-epoch", "Timestamp of everything in the image (default: $SOURCE_DATE_EPOCH, git HEAD time, 0)", cxxopts::value<std::string>(), "SECONDS")
      ("build-context", "Extra context: name=DIR or name=oci:DIR:TAG / docker-image://REF (repeatable)", cxxopts::value<std::vector<std::string>>(), "NAME=VALUE")
      ("sbom", "Attach an SBOM of each platform image: cyclonedx, spdx, both or none", cxxopts::value<std::string>()->default_value("none"), "FORMAT")
      ("provenance", "Attach SLSA v1 provenance: min, max (adds build args, secret ids, stages, layer map) or none", cxxopts::value<std::string>()->default_value("min"), "MODE")
      ("sign-key", "Sign the image, its SBOMs and its provenance with this private key (password from SIGIL_PASSWORD/COSIGN_PASSWORD)", cxxopts::value<std::string>(), "FILE")
      ("sign-keyless", "Sign the image, its SBOMs and its provenance keyless: OIDC identity -> Fulcio certificate, each logged in Rekor (see the Keyless options)")
      ("keyless", "Same as --sign-keyless (the spelling of sign, attest and sign-blob)")
      ("builder-id", "builder.id of the provenance (default: detected from the CI environment)", cxxopts::value<std::string>(), "URI");
  add_keyless_options(options);
  add_global_options(options);
  auto repeated = take_repeated(args);
  auto strings = [&](const std::string& name) { return repeated.values[name]; };
  auto parsed = parse_args(options, Args(repeated.rest), "build");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto positional = positionals(p, "build", {"CONTEXT"});
  if (!positional) return std::unexpected(positional.error());
  auto globals = global_options(p);

  build::BuildOptions o;
  std::error_code ec;
  o.context = (*positional)[0];
  if (!std::filesystem::is_directory(o.context, ec)) {
    return fail(ErrorCategory::input, "build context " + o.context.string() + ": not a directory");
  }
  o.dockerfile = p.count("file") ? std::filesystem::path(p["file"].as<std::string>()) : o.context / "Dockerfile";
  for (const auto& a : strings("build-arg")) {
    auto eq = a.find('=');
    if (eq == 0) return std::unexpected(usage_error("build", "--build-arg \"" + a + "\": empty name"));
    if (eq == std::string::npos) {
      // buildx: "--build-arg NAME" takes the value from the environment, when set.
      if (const char* v = std::getenv(a.c_str())) o.build_args[a] = v;
      continue;
    }
    o.build_args[a.substr(0, eq)] = a.substr(eq + 1);
  }
  for (const auto& l : strings("label")) {
    auto kv = key_value("--label", l);
    if (!kv) return std::unexpected(kv.error());
    o.labels[kv->first] = kv->second;
  }
  for (const auto& a : strings("annotation")) {
    auto kv = key_value("--annotation", a);
    if (!kv) return std::unexpected(kv.error());
    std::string key = kv->first;
    if (key.starts_with("index:")) {
      o.index_annotations[key.substr(6)] = kv->second;
    } else {
      if (key.starts_with("manifest:")) key = key.substr(9);
      o.annotations[key] = kv->second;
    }
  }
  PipelineOptions pipeline;
  for (const auto& s : strings("secret")) {
    auto fields = csv_fields(s);
    if (fields["id"].empty()) return std::unexpected(usage_error("build", "--secret needs id=ID"));
    pipeline.secret_ids.push_back(fields["id"]);
  }
  for (const auto& c : strings("build-context")) {
    auto kv = key_value("--build-context", c);
    if (!kv) return std::unexpected(kv.error());
    o.build_contexts[kv->first] = kv->second;
  }
  if (p.count("target")) o.target = p["target"].as<std::string>();
  if (p.count("platform")) {
    auto platforms = build::parse_platform_list(p["platform"].as<std::string>());
    if (!platforms) return std::unexpected(platforms.error().with_context("--platform"));
    o.platforms = *platforms;
  }
  auto compression = build::parse_compression(p["compression"].as<std::string>());
  if (!compression) return std::unexpected(compression.error().with_context("--compression"));
  o.layer.compression = *compression;
  if (p.count("compression-level")) {
    int level = p["compression-level"].as<int>();
    int max = *compression == build::Compression::gzip ? 9 : 19;
    if (level < 1 || level > max) {
      return std::unexpected(usage_error("build", "--compression-level must be 1 to " + std::to_string(max)));
    }
    o.layer.compression_level = level;
  }
  o.no_cache = p.count("no-cache") > 0;
  o.cache_from = strings("cache-from");
  o.cache_dir = p.count("cache-dir") ? std::filesystem::path(p["cache-dir"].as<std::string>()) : build::LocalCache::default_dir();
  o.store_options.registry.insecure_registries = globals.insecure_registries;
  o.store_options.registry.ca_file = globals.ca_file;
  auto mode = BuildProgress::parse_mode(p["progress"].as<std::string>(), stderr);
  if (!mode) return std::unexpected(mode.error());
  auto formats = sbom_formats(p["sbom"].as<std::string>());
  if (!formats) return std::unexpected(formats.error());
  pipeline.sbom_formats = *formats;
  auto provenance = provenance_mode(p["provenance"].as<std::string>());
  if (!provenance) return std::unexpected(provenance.error());
  pipeline.provenance = *provenance;
  if (p.count("builder-id")) pipeline.builder_id = p["builder-id"].as<std::string>();
  pipeline.cache_to = strings("cache-to");

  // Outputs are checked before building, so a typo fails fast and writes nothing.
  bool push = p.count("push") > 0;
  std::vector<Destination> destinations;
  for (const auto& t : strings("tag")) {
    auto ref = oci::Reference::parse(t);
    if (!ref) return std::unexpected(ref.error().with_context("-t"));
    if (ref->digest) return std::unexpected(usage_error("build", "-t " + t + ": a tag, not a digest"));
    if (ref->transport == oci::Transport::registry && !push) {
      return std::unexpected(usage_error("build", "-t " + t + " is a registry reference: add --push to push it"));
    }
    destinations.push_back({t, *ref});
  }
  std::vector<std::filesystem::path> archives;
  for (const auto& spec : strings("output")) {
    auto fields = csv_fields(spec);
    if (fields["type"] == "oci" && !fields["dest"].empty()) {
      archives.emplace_back(fields["dest"]);
    } else if (fields["type"] == "registry" || fields["type"] == "image") {
      push = true;
    } else {
      return std::unexpected(usage_error("build", "--output \"" + spec + "\": supported: type=oci,dest=FILE.tar and type=registry"));
    }
  }
  auto keyless = keyless_requested(p, "build", "sign-key", p.count("keyless") ? "keyless" : "sign-keyless");
  if (!keyless) return std::unexpected(keyless.error());
  if (strings("tag").empty() && (!pipeline.sbom_formats.empty() || p.count("sign-key") || *keyless)) {
    return std::unexpected(
        usage_error("build", "--sbom, --sign-key and --sign-keyless attach to the image: give a -t destination"));
  }
  // The key (and its password), or the keyless certificate, before the build: a wrong password or
  // a missing identity token should not cost a build.
  std::optional<sign::KeySigner> signer;
  std::unique_ptr<KeylessSession> session;
  if (*keyless) {
    auto opened = KeylessSession::open(p, "build");
    if (!opened) return std::unexpected(opened.error());
    session = std::move(*opened);
    pipeline.signer = &session->signer();
    pipeline.complete_bundle = [&session](sign::Bundle& bundle) { return session->complete(bundle); };
  } else if (p.count("sign-key")) {
    auto key = load_signing_key(p["sign-key"].as<std::string>());
    if (!key) return std::unexpected(key.error());
    signer.emplace(std::move(*key));
    pipeline.signer = &*signer;
  }
  auto git = build::git_info(o.context);
  auto epoch = build::resolve_epoch(p.count("source-date-epoch") ? std::optional(p["source-date-epoch"].as<std::string>())
                                                                : std::nullopt,
                                    git);
  if (!epoch) return std::unexpected(epoch.error());
  o.epoch = *epoch;
  o.git = git;
  pipeline.git = git;
  pipeline.sbom_timestamp = *epoch;
  pipeline.dockerfile_path = relative_dockerfile(o.dockerfile, o.context);
  // A plain directory is recorded in provenance by its content digest.
  o.context_digest = pipeline.provenance && !(git && !git->revision.empty());
  pipeline.started_on = static_cast<std::int64_t>(std::time(nullptr));

  BuildProgress progress(stderr, *mode);
  o.on_event = [&](const build::BuildEvent& e) { progress.on_event(e); };
  auto result = build::build_image(o);
  if (!result) return std::unexpected(result.error());
  pipeline.finished_on = static_cast<std::int64_t>(std::time(nullptr));

  std::vector<std::string> names;
  std::vector<PipelineDestination> attest_to;
  std::vector<std::unique_ptr<oci::Store>> stores;
  for (const auto& d : destinations) {
    std::optional<std::string> tag = d.reference.tag.empty() ? std::optional<std::string>("latest") : d.reference.tag;
    bool created = d.reference.transport == oci::Transport::layout && !std::filesystem::exists(d.reference.layout_path, ec);
    auto opened = open_reference(d.text, globals, true);
    if (!opened) return std::unexpected(opened.error());
    auto pushed = build::push_result(*opened->store, *result, tag);
    if (!pushed) {
      opened->store.reset();
      if (created) std::filesystem::remove_all(d.reference.layout_path, ec);
      return std::unexpected(pushed.error().with_context("write " + d.text));
    }
    names.push_back(d.text);
    stores.push_back(std::move(opened->store));
    attest_to.push_back(PipelineDestination{d.text, d.reference, stores.back().get()});
  }
  if (auto r = run_pipeline(*result, o, pipeline, attest_to, stderr); !r) return std::unexpected(r.error());
  std::string ref_name = destinations.empty() ? std::string()
                                              : (destinations.front().reference.tag.empty() ? "latest" : destinations.front().reference.tag);
  for (const auto& a : archives) {
    if (auto r = build::write_oci_archive(a, *result, ref_name, o.epoch); !r) return std::unexpected(r.error());
  }
  for (const auto& c : strings("cache-to")) {
    auto cache = build::LocalCache::open(o.cache_dir);
    if (!cache) return std::unexpected(cache.error());
    auto exported = build::export_cache(c, *cache, result->cache_keys, o.store_options);
    if (!exported) return std::unexpected(exported.error().with_context("--cache-to " + c));
  }
  if (p.count("metadata-file")) {
    auto written = write_file_atomic(p["metadata-file"].as<std::string>(), build::metadata_json(*result, names));
    if (!written) return std::unexpected(written.error());
  }
  progress.finish(result->root.digest.str());
  return write_stdout(result->root.digest.str() + "\n");
}

}  // namespace

std::vector<Command> build_commands() {
  return {{"build", "Build an image from a Dockerfile into a layout, a registry or an archive", run_build}};
}

}  // namespace sigil::cli
