// Platforms as BuildKit and buildx spell them: parsing "--platform" values, containerd-style
// normalization (x86_64 → amd64, aarch64 → arm64, arm → arm/v7...), the build platform of this
// machine, and the automatic platform ARGs (TARGETPLATFORM, BUILDARCH, ...).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "oci/descriptor.hpp"

namespace sigil::build {

/// The platform with containerd's normalization applied: OS lower-cased, architecture aliases
/// (x86_64/x86-64 → amd64, aarch64 → arm64, armhf → arm/v7, armel → arm/v6, i386 → 386),
/// default variants (arm → v7; arm64 v8 and amd64 v1 dropped, as they are the baseline).
[[nodiscard]] oci::Platform normalize_platform(oci::Platform platform);

/// Parses one "os/arch[/variant]" (normalized); input error naming the text otherwise.
[[nodiscard]] Result<oci::Platform> parse_platform(std::string_view text);

/// Parses a comma-separated list ("linux/amd64,linux/arm64"); duplicates (after normalization)
/// are dropped, order is kept; input error for an empty list or an invalid entry.
[[nodiscard]] Result<std::vector<oci::Platform>> parse_platform_list(std::string_view text);

/// The platform of the machine running the build (BUILDPLATFORM), normalized.
[[nodiscard]] oci::Platform build_platform();

/// "os/arch[/variant]" as BuildKit prints a platform.
[[nodiscard]] std::string format_platform(const oci::Platform& platform);

/// The automatic platform ARGs BuildKit defines in the global scope, in this order:
/// TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT, BUILDPLATFORM, BUILDOS, BUILDARCH, BUILDVARIANT.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> platform_args(const oci::Platform& target,
                                                                            const oci::Platform& build);

}  // namespace sigil::build
