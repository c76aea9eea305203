// Groups typed instructions into stages as BuildKit's instructions.Parse does: ARGs before the
// first FROM are global, anything else before a FROM has no stage to go to.
#include "build/dockerfile/dockerfile.hpp"

#include <algorithm>
#include <cctype>

namespace sigil::build::dockerfile {

const Stage* Dockerfile::find_stage(std::string_view name) const {
  std::string lowered(name);
  for (auto& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& stage : stages) {
    if (!stage.name.empty() && stage.name == lowered) return &stage;
  }
  if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      name.size() < 10) {
    const auto index = static_cast<std::size_t>(std::stoul(std::string(name)));
    if (index < stages.size()) return &stages[index];
  }
  return nullptr;
}

Error Dockerfile::error_at(const SourceLocation& location, std::string_view message) const {
  return located_error(filename, text, location, message);
}

Result<Dockerfile> parse_dockerfile(std::string_view text, std::string filename) {
  auto ast = parse_ast(text, filename);
  if (!ast) return std::unexpected(ast.error());
  Dockerfile df;
  df.filename = std::move(filename);
  df.text = std::string(text);
  df.warnings = std::move(ast->warnings);
  df.directives.escape_char = ast->escape;
  for (const auto& d : ast->directives) {
    if (d.name == "syntax") df.directives.syntax = d.value;
    if (d.name == "escape") df.directives.escape = d.value;
    if (d.name == "check") df.directives.check = d.value;
  }
  for (const auto& node : ast->nodes) {
    auto instruction = parse_instruction(node, df.filename, df.text);
    if (!instruction) return std::unexpected(instruction.error());
    if (auto* from = std::get_if<FromInstruction>(&instruction->value)) {
      if (!from->name.empty()) {
        for (const auto& stage : df.stages) {
          if (stage.name == from->name) {
            return std::unexpected(df.error_at(node.location, "duplicate stage name \"" + from->name + "\""));
          }
        }
      }
      Stage stage;
      stage.index = df.stages.size();
      stage.name = from->name;
      stage.from = *from;
      stage.location = instruction->location;
      stage.original = instruction->original;
      df.stages.push_back(std::move(stage));
      continue;
    }
    if (df.stages.empty()) {
      if (std::holds_alternative<ArgInstruction>(instruction->value)) {
        df.global_args.push_back(std::move(*instruction));
        continue;
      }
      return std::unexpected(df.error_at(node.location, "no build stage in current context"));
    }
    df.stages.back().instructions.push_back(std::move(*instruction));
  }
  return df;
}

}  // namespace sigil::build::dockerfile
