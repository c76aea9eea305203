// sigil: the command table. Each command group lives in its own file; this one dispatches,
// prints errors as one line and turns error categories into exit codes.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/sigil/cli.hpp"
#include "cmd/sigil/keyless_options.hpp"

namespace {

using sigil::cli::Command;

// In the order the help lists them: the main job first (build, sbom, sign, verify), then the rest.
std::vector<Command> all_commands() {
  std::vector<Command> commands;
  for (const auto& group : {sigil::cli::build_commands(), sigil::cli::sbom_commands(),
                            sigil::cli::image_sign_commands(), sigil::cli::attest_commands(),
                            sigil::cli::artifact_commands(), sigil::cli::blob_commands(), sigil::cli::verify_blob_commands(),
                            sigil::cli::keyless_commands(),
                            sigil::cli::key_commands(), sigil::cli::oci_commands(), sigil::cli::trust_commands()}) {
    commands.insert(commands.end(), group.begin(), group.end());
  }
  return commands;
}

std::string overview(const std::vector<Command>& commands) {
  std::string text =
      "sigil " SIGIL_VERSION " - supply-chain security toolkit for OCI images\n\n"
      "Usage: sigil [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\nCommands:\n";
  std::size_t width = std::string_view("version").size();
  for (const auto& c : commands) width = std::max(width, c.name.size());
  auto line = [&](std::string_view name, std::string_view summary) {
    std::string padded(name);
    padded.resize(width + 2, ' ');
    text += "  " + padded + std::string(summary) + "\n";
  };
  for (const auto& c : commands) line(c.name, c.summary);
  line("version", "Print the version");
  text += "\n"
          "Global options (before or after the command):\n"
          "  --insecure-registry HOST  allow plain HTTP to HOST[:PORT] (repeatable)\n"
          "  --ca-file FILE            extra PEM CA bundle for registry TLS\n"
          "  -v, --verbose             report each step on stderr\n\n"
          "References: oci:DIR[:TAG|@DIGEST] (an image layout), REGISTRY/REPO[:TAG|@DIGEST] or docker://...\n"
          "Exit codes: 0 ok, 1 denied, 2 usage or input error, 3 network, 4 internal error.\n"
          "Run 'sigil COMMAND --help' for a command's options.\n";
  return text;
}

// Global flags given before the command are moved after it, where every command parses them.
bool takes_value(std::string_view arg) { return arg == "--insecure-registry" || arg == "--ca-file"; }
bool is_global(std::string_view arg) {
  return takes_value(arg) || arg == "-v" || arg == "--verbose" || arg.starts_with("--insecure-registry=") ||
         arg.starts_with("--ca-file=");
}

int run(int argc, char** argv) {
  std::vector<char*> globals;
  int i = 1;
  while (i < argc && is_global(argv[i])) {
    globals.push_back(argv[i]);
    if (takes_value(argv[i]) && i + 1 < argc) globals.push_back(argv[++i]);
    ++i;
  }
  auto commands = all_commands();
  if (i >= argc) {
    sigil::cli::print_error(sigil::Error{sigil::ErrorCategory::usage, "no command given (see 'sigil --help')"});
    return sigil::exit_code(sigil::ErrorCategory::usage);
  }
  std::string_view name = argv[i];
  if (name == "-h" || name == "--help" || name == "help") {
    std::fputs(overview(commands).c_str(), stdout);
    return 0;
  }
  if (name == "version" || name == "--version") {
    std::puts("sigil " SIGIL_VERSION);
    return 0;
  }
  for (const auto& c : commands) {
    if (c.name != name) continue;
    std::string program = "sigil " + std::string(name);
    std::vector<char*> args{program.data()};
    for (int k = i + 1; k < argc; ++k) args.push_back(argv[k]);
    args.insert(args.end(), globals.begin(), globals.end());
    auto result = c.run(sigil::cli::Args(args));
    if (result) return 0;
    sigil::cli::print_error(result.error());
    return sigil::exit_code(result.error().category);
  }
  sigil::cli::print_error(sigil::Error{sigil::ErrorCategory::usage,
                                       "unknown command \"" + std::string(name) + "\" (see 'sigil --help')"});
  return sigil::exit_code(sigil::ErrorCategory::usage);
}

}  // namespace

int main(int argc, char** argv) {
  // No library throws; this only catches what the CLI layer itself might (allocation, cxxopts
  // value conversions), so even then the user gets one line and exit 4, not an abort.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    sigil::cli::print_error(sigil::Error{sigil::ErrorCategory::internal, std::string("unexpected: ") + e.what()});
  } catch (...) {
    sigil::cli::print_error(sigil::Error{sigil::ErrorCategory::internal, "unexpected exception"});
  }
  return sigil::exit_code(sigil::ErrorCategory::internal);
}
