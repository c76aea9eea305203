// Build-argument and environment scoping exactly as BuildKit's dockerfile2llb applies it when it
// expands instructions (BuildKit expands at conversion time, not while parsing):
//
//  Global scope (ARGs before the first FROM; used to expand FROM's image and --platform, and
//  COPY --from image references):
//   - starts with the automatic platform ARGs (TARGETPLATFORM, TARGETOS, TARGETARCH,
//     TARGETVARIANT, BUILDPLATFORM, BUILDOS, BUILDARCH, BUILDVARIANT), no declaration needed;
//   - each global `ARG name[=default]`, in order: a --build-arg for `name` wins; otherwise the
//     default, expanded with the global scope so far; an ARG with neither stays unset.
//     --build-args that no ARG declares are not visible.
//  Stage scope (instructions after a FROM):
//   - starts with the base image's config Env (for `FROM scratch`: empty; the planner adds
//     BuildKit's default PATH to the config, not here);
//   - global ARGs are NOT visible until redeclared with `ARG name` inside the stage; then the
//     value is, in order of precedence: the --build-arg (automatic platform ARGs count as
//     build args, so `ARG TARGETARCH` always takes the stage's platform value), else the ARG's
//     own default expanded with the stage scope so far, else the global ARG's value (only
//     when the stage's ARG has no default), else unset (declared, no value);
//   - ENV and ARG both write into one ordered environment used for expansion and RUN, so the
//     later of `ENV X` / `ARG X` wins; only ENV reaches the image config's Env.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "build/dockerfile/instructions.hpp"
#include "build/dockerfile/shell_lex.hpp"
#include "common/error.hpp"

namespace sigil::build::dockerfile {

/// --build-arg values as given on the command line (name → value).
using BuildArgs = std::map<std::string, std::string, std::less<>>;

/// The global (pre-FROM) ARG scope.
class GlobalScope {
 public:
  /// Evaluates the global ARGs in order. `automatic` holds the automatic platform ARGs for the
  /// platform being built (see build/image/platform.hpp: platform_args). `escape` is the
  /// Dockerfile's escape character. Errors are expansion errors located at the ARG's line.
  [[nodiscard]] static Result<GlobalScope> evaluate(const std::vector<Instruction>& global_args,
                                                    const BuildArgs& build_args,
                                                    const Environment& automatic, char escape,
                                                    std::string_view filename,
                                                    std::string_view text);

  /// Everything visible to FROM: automatic ARGs then the global ARGs that have a value.
  [[nodiscard]] const Environment& env() const { return env_; }
  /// Names declared by global ARGs (with or without a value).
  [[nodiscard]] const std::vector<std::string>& declared() const { return declared_; }
  /// The value of a global ARG for a stage's `ARG name` without default (nullopt: unset).
  [[nodiscard]] std::optional<std::string_view> value(std::string_view name) const {
    return env_.get(name);
  }

 private:
  Environment env_;
  std::vector<std::string> declared_;
};

/// The scope of one stage while its instructions are planned in order.
class StageScope {
 public:
  /// `base_env` is the base image's config Env; `automatic` the stage's platform ARGs (the
  /// stage's own --platform target when FROM has one).
  StageScope(const GlobalScope& global, BuildArgs build_args, const Environment& automatic,
             const Environment& base_env, char escape);

  /// Applies `ENV k=v...`: keys and values are expanded with the scope as it is before the
  /// instruction (so `ENV a=1 b=$a` sees the old `a`, as BuildKit does), then set. Returns the
  /// expanded pairs in order (for history and the config).
  [[nodiscard]] Result<std::vector<std::pair<std::string, std::string>>> apply_env(const EnvInstruction& env);
  /// Applies `ARG a[=d]...` with the precedence documented above. As in BuildKit, the ARG name
  /// is not expanded, and the default is expanded only when it is used (a --build-arg for the
  /// name means a default that would fail to expand is never evaluated).
  [[nodiscard]] Result<void> apply_arg(const ArgInstruction& arg);

  /// Expands one word (WORKDIR, USER, COPY/ADD paths and flags, LABEL values...).
  [[nodiscard]] Result<std::string> expand(std::string_view word) const;
  /// Expands and splits (EXPOSE).
  [[nodiscard]] Result<std::vector<std::string>> expand_split(std::string_view text) const;

  /// The expansion / RUN environment (config Env + ARG values, later definitions win).
  [[nodiscard]] const Environment& env() const { return state_env_; }
  /// What the image config's Env becomes (base Env + ENV instructions, no ARGs).
  [[nodiscard]] const Environment& config_env() const { return config_env_; }
  /// ARGs declared in this stage so far, with their resolved values (nullopt: no value).
  [[nodiscard]] const std::vector<std::pair<std::string, std::optional<std::string>>>& args()
      const {
    return args_;
  }
  [[nodiscard]] char escape() const { return escape_; }

 private:
  const GlobalScope* global_;
  BuildArgs build_args_;
  Environment state_env_;
  Environment config_env_;
  std::vector<std::pair<std::string, std::optional<std::string>>> args_;
  char escape_;
};

}  // namespace sigil::build::dockerfile
