// The ARG/ENV precedence of BuildKit's dockerfile2llb (toDispatchState, dispatchArg,
// dispatchEnv); see scope.hpp for the rules in words.
#include "build/dockerfile/scope.hpp"

namespace sigil::build::dockerfile {
namespace {

// Build args that BuildKit consumes itself and never puts in the environment.
bool is_non_env_arg(std::string_view name) {
  return name == "BUILDKIT_SBOM_SCAN_CONTEXT" || name == "BUILDKIT_SBOM_SCAN_STAGE";
}

}  // namespace

Result<GlobalScope> GlobalScope::evaluate(const std::vector<Instruction>& global_args, const BuildArgs& build_args,
                                          const Environment& automatic, char escape, std::string_view filename,
                                          std::string_view text) {
  GlobalScope scope;
  scope.env_ = automatic;
  for (const auto& instruction : global_args) {
    const auto* arg = std::get_if<ArgInstruction>(&instruction.value);
    if (arg == nullptr) continue;
    for (const auto& decl : arg->args) {
      std::optional<std::string> value;
      if (auto it = build_args.find(decl.name); it != build_args.end()) {
        value = it->second;
      } else if (decl.default_value) {
        auto expanded = expand_word(*decl.default_value, scope.env_, escape);
        if (!expanded) {
          return std::unexpected(located_error(filename, text, instruction.location, expanded.error().message));
        }
        value = std::move(*expanded);
      }
      if (value) scope.env_.set(decl.name, *value);
      scope.declared_.push_back(decl.name);
    }
  }
  return scope;
}

StageScope::StageScope(const GlobalScope& global, BuildArgs build_args, const Environment& automatic,
                       const Environment& base_env, char escape)
    : global_(&global), build_args_(std::move(build_args)), state_env_(base_env), config_env_(base_env),
      escape_(escape) {
  // The automatic platform ARGs behave as build args inside a stage: `ARG TARGETOS` takes the
  // stage's value whatever default it is given.
  for (const auto& [name, value] : automatic.entries()) build_args_.insert_or_assign(name, value);
}

Result<std::vector<std::pair<std::string, std::string>>> StageScope::apply_env(const EnvInstruction& env) {
  // Every key and value is expanded before any of this instruction's pairs is set.
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& kv : env.vars) {
    auto key = expand_word(kv.key, state_env_, escape_);
    if (!key) return std::unexpected(key.error());
    auto value = expand_word(kv.value, state_env_, escape_);
    if (!value) return std::unexpected(value.error());
    values.emplace_back(std::move(*key), std::move(*value));
  }
  for (const auto& [key, value] : values) {
    state_env_.set(key, value);
    config_env_.set(key, value);
  }
  return values;
}

Result<void> StageScope::apply_arg(const ArgInstruction& arg) {
  for (const auto& decl : arg.args) {
    std::optional<std::string> value;
    if (auto it = build_args_.find(decl.name); it != build_args_.end()) {
      value = it->second;
    } else if (decl.default_value) {
      auto expanded = expand_word(*decl.default_value, state_env_, escape_);
      if (!expanded) return std::unexpected(expanded.error());
      value = std::move(*expanded);
    } else if (auto global = global_->value(decl.name)) {
      value = std::string(*global);
    }
    if (value && !is_non_env_arg(decl.name)) state_env_.set(decl.name, *value);
    args_.emplace_back(decl.name, value);
  }
  return {};
}

Result<std::string> StageScope::expand(std::string_view word) const { return expand_word(word, state_env_, escape_); }

Result<std::vector<std::string>> StageScope::expand_split(std::string_view text) const {
  return expand_words(text, state_env_, escape_);
}

}  // namespace sigil::build::dockerfile
