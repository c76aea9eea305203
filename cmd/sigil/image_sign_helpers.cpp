#include "cmd/sigil/image_sign_helpers.hpp"

#include <cstdio>
#include <cstdlib>

namespace sigil::cli {

cxxopts::Options image_command_options(std::string_view name, std::string_view description,
                                       std::string_view positional) {
  cxxopts::Options options("sigil " + std::string(name), std::string(description));
  options.custom_help("[OPTIONS]");
  options.positional_help(std::string(positional));
  options.add_options()("args", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"args"});
  return options;
}

Result<sign::SignatureAnnotations> annotation_options(const cxxopts::ParseResult& parsed,
                                                      std::string_view command) {
  sign::SignatureAnnotations out;
  if (parsed.count("annotation") == 0) return out;
  for (const auto& text : parsed["annotation"].as<std::vector<std::string>>()) {
    auto kv = sign::parse_annotation(text);
    if (!kv) return std::unexpected(usage_error(command, "-a: " + kv.error().message));
    out[kv->first] = kv->second;
  }
  return out;
}

Result<std::vector<ResolvedImage>> resolve_images(const std::vector<std::string>& texts,
                                                  const GlobalOptions& globals, std::string_view action) {
  for (const auto& text : texts) {
    if (auto ref = oci::Reference::parse(text); !ref) return std::unexpected(ref.error());
  }
  std::vector<ResolvedImage> out;
  for (const auto& text : texts) {
    auto resolved = open_and_resolve(text, globals);
    if (!resolved) return std::unexpected(resolved.error());
    auto& [opened, desc] = *resolved;
    if (!action.empty() && !opened.reference.digest) {
      // Said once, here, because everything after works on the digest (cosign warns likewise).
      std::string line = "sigil: warning: image reference " + text +
                         " uses a tag, not a digest, to identify the image to " + std::string(action) +
                         "; tags move, so this will " + std::string(action) + " " + desc.digest.str() +
                         " (name it by digest to be sure)\n";
      std::fputs(line.c_str(), stderr);
    }
    out.push_back(ResolvedImage{text, std::move(opened), std::move(desc)});
  }
  return out;
}

Result<std::optional<Opened>> target_repository(const cxxopts::ParseResult& parsed,
                                                const GlobalOptions& globals, bool create) {
  std::string text;
  if (parsed.count("target-repository") > 0) {
    text = parsed["target-repository"].as<std::string>();
  } else if (const char* env = std::getenv("COSIGN_REPOSITORY"); env != nullptr && *env != '\0') {
    text = env;
  }
  if (text.empty()) return std::optional<Opened>();
  auto ref = oci::Reference::parse(text);
  if (!ref) return std::unexpected(ref.error().with_context("target repository"));
  if (ref->digest || !ref->tag.empty()) {
    return fail(ErrorCategory::usage,
                "target repository " + text + " must name a repository, not a tag or digest");
  }
  auto opened = open_reference(text, globals, create);
  if (!opened) return std::unexpected(opened.error().with_context("target repository"));
  return std::optional<Opened>(std::move(*opened));
}

Result<std::string> output_format(const cxxopts::ParseResult& parsed, std::string_view command) {
  std::string format = parsed["output"].as<std::string>();
  if (format != "text" && format != "json") {
    return std::unexpected(usage_error(command, "--output must be text or json, not \"" + format + "\""));
  }
  return format;
}

Result<std::size_t> bounded_count(const cxxopts::ParseResult& parsed, const std::string& name,
                                  std::string_view command, std::size_t max) {
  long long value = parsed[name].as<long long>();
  if (value < 1 || static_cast<unsigned long long>(value) > max) {
    return std::unexpected(usage_error(command, "--" + name + " must be 1 to " + std::to_string(max)));
  }
  return static_cast<std::size_t>(value);
}

}  // namespace sigil::cli
