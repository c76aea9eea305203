// Blob pushes (distribution-spec "Pushing blobs"): POST then monolithic PUT, chunked PATCH
// uploads for large blobs, and cross-repository mounts.
#pragma once

#include <string_view>

#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/detail/registry_context.hpp"
#include "oci/store.hpp"

namespace sigil::oci::detail {

/// Uploads `source` as the blob `desc` (the caller already checked it is absent). POST
/// /blobs/uploads/ → 202 Location (relative or absolute, possibly with a query); a 201 answer
/// (a registry that completed the upload from the POST) is accepted when its digest matches.
/// Blobs up to options.chunk_threshold go in one PUT ?digest= streamed from the source; larger
/// ones in PATCH chunks of options.chunk_size (Content-Range, following each new Location) and a
/// closing PUT. The source's bytes are hashed while they stream: a size or digest mismatch is an
/// integrity error, and for chunked uploads the closing PUT is not sent, so nothing becomes visible.
[[nodiscard]] Result<void> upload_blob(RegistryContext& ctx, const Descriptor& desc, BlobSource& source);

/// POST /blobs/uploads/?mount=DIGEST&from=REPO with pull scope on REPO and push scope here.
/// true on 201; false on 202 (the registry opened an upload instead, which is cancelled).
[[nodiscard]] Result<bool> mount_blob(RegistryContext& ctx, const Descriptor& desc, std::string_view from_repository);

}  // namespace sigil::oci::detail
