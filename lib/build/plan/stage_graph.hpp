// Which stages a build needs and in which order: the target stage (--target or the last), the
// stages it reaches through `FROM <stage>` and `COPY --from=<stage>`, dependencies first.
// References are expanded with the global ARG scope, as BuildKit does for FROM and --from.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "build/dockerfile/dockerfile.hpp"
#include "build/dockerfile/scope.hpp"
#include "common/error.hpp"

namespace sigil::build {

/// What a FROM or COPY --from names once expanded.
struct StageRef {
  enum class Kind { scratch, stage, image, context };
  Kind kind = Kind::image;
  std::size_t stage = 0;  ///< for Kind::stage
  std::string name;       ///< image reference or build-context name (expanded)
};

/// The stages to build, in dependency order, with the target last.
struct StageOrder {
  std::vector<std::size_t> stages;
  std::size_t target = 0;
  std::vector<StageRef> bases;  ///< per stage of the Dockerfile (only needed ones are meaningful)
};

/// Resolves a `--from` / FROM word already expanded: a stage name (only stages before
/// `before` for FROM, any stage for COPY --from), a stage index, "scratch" (FROM only), a
/// --build-context name, or an image reference.
[[nodiscard]] StageRef classify_reference(const dockerfile::Dockerfile& file, const std::string& word,
                                          std::optional<std::size_t> before,
                                          const std::vector<std::string>& build_contexts);

/// Orders the stages needed for `target` ("" = the last stage). Input errors located at the
/// offending line: unknown --target, COPY --from a stage index out of range or naming its own
/// stage, and cyclic references between stages.
[[nodiscard]] Result<StageOrder> order_stages(const dockerfile::Dockerfile& file, const std::string& target,
                                              const dockerfile::GlobalScope& global,
                                              const std::vector<std::string>& build_contexts);

}  // namespace sigil::build
