// What sign, verify, attach and download share: option setup, -a annotations, the warning for
// tag references, the repository signatures live in (--target-repository / COSIGN_REPOSITORY), and
// images resolved up front so that bad input changes nothing.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/sigil/cli.hpp"
#include "sign/cosign_image.hpp"

namespace sigil::cli {

/// cxxopts options for "sigil NAME" with positional arguments collected in "args".
[[nodiscard]] cxxopts::Options image_command_options(std::string_view name, std::string_view description,
                                                     std::string_view positional);

/// The -a/--annotation values as a map; usage error for one that is not key=value.
[[nodiscard]] Result<sign::SignatureAnnotations> annotation_options(const cxxopts::ParseResult& parsed,
                                                                    std::string_view command);

/// One image named on the command line, opened and resolved to its digest.
struct ResolvedImage {
  std::string text;  ///< as given
  Opened opened;
  oci::Descriptor descriptor;
};

/// Parses every reference first (so a typo in the last changes nothing), then opens and resolves
/// each. Prints the warning for references naming a tag ("tags move") to stderr with `action`
/// ("sign", "verify") in it; no warning when `action` is empty.
[[nodiscard]] Result<std::vector<ResolvedImage>> resolve_images(const std::vector<std::string>& texts,
                                                                const GlobalOptions& globals,
                                                                std::string_view action);

/// The repository named by --target-repository, else $COSIGN_REPOSITORY, else nothing (the image's
/// own repository). `create` creates a missing layout directory (for writers).
[[nodiscard]] Result<std::optional<Opened>> target_repository(const cxxopts::ParseResult& parsed,
                                                              const GlobalOptions& globals, bool create);

/// A strictly positive integer option within [1, max]; usage error otherwise.
[[nodiscard]] Result<std::size_t> bounded_count(const cxxopts::ParseResult& parsed, const std::string& name,
                                                std::string_view command, std::size_t max);

/// --output of the verify commands: "text" or "json"; usage error otherwise.
[[nodiscard]] Result<std::string> output_format(const cxxopts::ParseResult& parsed, std::string_view command);

/// The verify command (verify_commands.cpp); image_sign_commands() lists it beside sign.
[[nodiscard]] Command verify_command();

}  // namespace sigil::cli
