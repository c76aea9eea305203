// --chown and USER names resolved against a stage's /etc/passwd and /etc/group, as BuildKit's
// file operations resolve them (numeric ids need no files; a user without group gets the
// user's primary group from passwd, or its uid as gid when numeric).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "build/layer/layer_entry.hpp"
#include "common/error.hpp"

namespace sigil::build {

/// Resolves "user[:group]" with the given passwd/group file contents (nullopt: file absent).
/// Input error naming the unknown user or group otherwise.
[[nodiscard]] Result<Chown> resolve_chown(std::string_view spec, const std::optional<std::string>& passwd,
                                          const std::optional<std::string>& group);

}  // namespace sigil::build
