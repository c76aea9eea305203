// The oci command group: copy, inspect, digest, tree. Thin: parse flags, call lib/oci, print.
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/oci_tree.hpp"
#include "cmd/sigil/progress.hpp"
#include "common/json.hpp"
#include "common/limits.hpp"
#include "oci/copy.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"

namespace sigil::cli {
namespace {

cxxopts::Options command_options(std::string_view name, std::string_view description, std::string_view positional) {
  cxxopts::Options options("sigil " + std::string(name), std::string(description));
  options.custom_help("[OPTIONS]");
  options.positional_help(std::string(positional));
  options.add_options()("args", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"args"});
  return options;
}

Result<std::optional<oci::Platform>> platform_option(const cxxopts::ParseResult& parsed) {
  if (parsed.count("platform") == 0) return std::optional<oci::Platform>();
  auto p = oci::Platform::parse(parsed["platform"].as<std::string>());
  if (!p) return std::unexpected(p.error().with_context("--platform"));
  return std::optional<oci::Platform>(*p);
}

// The tag a copy gives its destination: the destination's own, else the source's, else "latest"
// (as docker push does); none when the destination names a digest.
std::optional<std::string> destination_tag(const oci::Reference& src, const oci::Reference& dst) {
  if (!dst.tag.empty()) return dst.tag;
  if (dst.digest) return std::nullopt;
  if (!src.tag.empty()) return src.tag;
  return std::string("latest");
}

Result<void> run_copy(Args args) {
  auto options = command_options("copy", "Copy an image, index or artifact between layouts and registries", "SRC DST");
  options.add_options()
      ("all-platforms", "Copy every platform of an index (default: only the host's, or --platform's)")
      ("platform", "Platform to copy from an index", cxxopts::value<std::string>(), "OS/ARCH[/VARIANT]")
      ("referrers", "Also copy referrers (signatures, SBOMs, attestations), recursively")
      ("parallel", "Blobs transferred at once", cxxopts::value<int>()->default_value("4"), "N");
  add_global_options(options);
  auto parsed = parse_args(options, args, "copy");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto refs = positionals(p, "copy", {"SRC", "DST"});
  if (!refs) return std::unexpected(refs.error());
  auto globals = global_options(p);
  auto platform = platform_option(p);
  if (!platform) return std::unexpected(platform.error());
  int parallel = p["parallel"].as<int>();
  if (parallel < 1 || parallel > 64) return std::unexpected(usage_error("copy", "--parallel must be 1 to 64"));

  // Both references are parsed before anything is opened, so a typo in DST creates nothing.
  auto dst_ref = oci::Reference::parse((*refs)[1]);
  if (!dst_ref) return std::unexpected(dst_ref.error());
  auto source = open_and_resolve((*refs)[0], globals);
  if (!source) return std::unexpected(source.error());
  auto& [src, root] = *source;
  if (dst_ref->digest && *dst_ref->digest != root.digest) {
    return fail(ErrorCategory::usage, "copy: destination digest " + dst_ref->digest->str() +
                                          " differs from the source's " + root.digest.str());
  }
  if (dst_ref->digest && oci::media_type::is_index(root.media_type) && !p.count("all-platforms")) {
    return std::unexpected(usage_error("copy", "a destination digest names the whole index; add --all-platforms"));
  }
  // A layout directory this copy creates is removed again if the copy fails: bad input changes nothing.
  std::error_code ec;
  bool created_layout = dst_ref->transport == oci::Transport::layout && !std::filesystem::exists(dst_ref->layout_path, ec);
  auto remove_created = [&] {
    if (created_layout) std::filesystem::remove_all(dst_ref->layout_path, ec);
  };
  auto dst = open_reference((*refs)[1], globals, true);
  if (!dst) {
    remove_created();
    return std::unexpected(dst.error());
  }

  CopyProgress progress(stderr, is_terminal(stderr), is_terminal(stderr) || globals.verbose);
  oci::CopyOptions copy_options;
  copy_options.all_platforms = p.count("all-platforms") > 0;
  copy_options.platform = *platform;
  copy_options.referrers = p.count("referrers") > 0;
  copy_options.parallelism = parallel;
  copy_options.tag = destination_tag(src.reference, dst->reference);
  copy_options.on_event = [&](const oci::CopyEvent& e) { progress.on_event(e); };
  auto copied = oci::copy(*src.store, *dst->store, root, copy_options);
  progress.finish();
  if (!copied) {
    dst->store.reset();
    remove_created();
    return std::unexpected(copied.error());
  }
  return write_stdout(copied->digest.str() + "\n");
}

// The manifest a platform-specific question is about: `desc` itself, or its platform's entry.
Result<std::pair<oci::Descriptor, std::string>> platform_manifest(oci::Store& store, const oci::Descriptor& desc,
                                                                  std::string raw,
                                                                  const std::optional<oci::Platform>& platform) {
  auto type = oci::detect_manifest_media_type(raw, "manifest " + desc.digest.str());
  if (!type) return std::unexpected(type.error());
  if (!oci::media_type::is_index(*type)) return std::pair(desc, std::move(raw));
  auto index = oci::Index::parse(std::move(raw), "index " + desc.digest.str());
  if (!index) return std::unexpected(index.error());
  auto pick = oci::select_platform(*index, platform ? *platform : oci::host_platform(), "index " + desc.digest.str());
  if (!pick) return std::unexpected(pick.error());
  auto child = store.fetch_manifest(*pick);
  if (!child) return std::unexpected(child.error());
  return std::pair(*pick, std::move(*child));
}

Result<void> run_inspect(Args args) {
  auto options = command_options("inspect", "Show a manifest or index (or the image config) of a reference", "REF");
  options.add_options()
      ("raw", "Print the exact bytes stored, not a pretty summary")
      ("config", "Show the image config (of the host's or --platform's manifest for an index)")
      ("platform", "Platform for --config on an index", cxxopts::value<std::string>(), "OS/ARCH[/VARIANT]");
  add_global_options(options);
  auto parsed = parse_args(options, args, "inspect");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto refs = positionals(p, "inspect", {"REF"});
  if (!refs) return std::unexpected(refs.error());
  auto platform = platform_option(p);
  if (!platform) return std::unexpected(platform.error());
  auto source = open_and_resolve((*refs)[0], global_options(p));
  if (!source) return std::unexpected(source.error());
  auto& [src, desc] = *source;
  auto raw = src.store->fetch_manifest(desc);
  if (!raw) return std::unexpected(raw.error());
  bool want_raw = p.count("raw") > 0;

  if (p.count("config") > 0) {
    auto chosen = platform_manifest(*src.store, desc, std::move(*raw), *platform);
    if (!chosen) return std::unexpected(chosen.error());
    auto manifest = oci::Manifest::parse(std::move(chosen->second), "manifest " + chosen->first.digest.str());
    if (!manifest) return std::unexpected(manifest.error());
    auto config = src.store->fetch_blob_bytes(manifest->config, limits::kMaxConfigBytes);
    if (!config) return std::unexpected(config.error());
    if (want_raw) return write_stdout(*config);
    auto json = parse_json(*config, "config " + manifest->config.digest.str());
    if (!json) return std::unexpected(json.error());
    return write_stdout(dump_json_pretty(*json) + "\n");
  }
  if (want_raw) return write_stdout(*raw);
  auto json = parse_json(*raw, "manifest " + desc.digest.str());
  if (!json) return std::unexpected(json.error());
  auto type = oci::detect_manifest_media_type(*raw, "manifest " + desc.digest.str());
  if (!type) return std::unexpected(type.error());
  Json out = {{"name", src.reference.str()}, {"digest", desc.digest.str()}, {"mediaType", *type},
              {"size", desc.size}, {"manifest", std::move(*json)}};
  return write_stdout(dump_json_pretty(out) + "\n");
}

Result<void> run_digest(Args args) {
  auto options = command_options("digest", "Print the digest of the manifest or index a reference names", "REF");
  add_global_options(options);
  auto parsed = parse_args(options, args, "digest");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  auto refs = positionals(**parsed, "digest", {"REF"});
  if (!refs) return std::unexpected(refs.error());
  auto source = open_and_resolve((*refs)[0], global_options(**parsed));
  if (!source) return std::unexpected(source.error());
  auto& [src, desc] = *source;
  // Fetching checks the bytes behind the digest exist and match it.
  auto raw = src.store->fetch_manifest(desc);
  if (!raw) return std::unexpected(raw.error());
  return write_stdout(desc.digest.str() + "\n");
}

Result<void> run_tree(Args args) {
  auto options = command_options("tree", "Show the referrers of a reference (signatures, SBOMs...) as a tree", "REF");
  options.add_options()("o,output", "Output format: text or json", cxxopts::value<std::string>()->default_value("text"),
                        "FORMAT");
  add_global_options(options);
  auto parsed = parse_args(options, args, "tree");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  auto refs = positionals(p, "tree", {"REF"});
  if (!refs) return std::unexpected(refs.error());
  std::string format = p["output"].as<std::string>();
  if (format != "text" && format != "json") {
    return std::unexpected(usage_error("tree", "--output must be text or json, not \"" + format + "\""));
  }
  auto source = open_and_resolve((*refs)[0], global_options(p));
  if (!source) return std::unexpected(source.error());
  auto& [src, desc] = *source;
  auto tree = build_referrer_tree(*src.store, desc);
  if (!tree) return std::unexpected(tree.error());
  std::string title = src.reference.repository_name() + "@" + desc.digest.str();
  if (format == "json") return write_stdout(dump_json_pretty(tree_to_json(*tree, title)) + "\n");
  return write_stdout(tree_to_text(*tree, title));
}

}  // namespace

std::vector<Command> oci_commands() {
  return {
      {"copy", "Copy an image, index or artifact (and its referrers) between layouts and registries", run_copy},
      {"inspect", "Show a manifest, index or image config", run_inspect},
      {"digest", "Print the digest a reference resolves to", run_digest},
      {"tree", "Show the referrers graph of an image", run_tree},
  };
}

}  // namespace sigil::cli
