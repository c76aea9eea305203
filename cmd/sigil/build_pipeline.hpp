// What `sigil build` does once the image is written: an SBOM of each platform image, SLSA
// provenance for each platform manifest (and for the index of a multi-platform build), and with
// --sign-key or --sign-keyless a signature on every image and every statement, all attached as
// referrers to every -t destination. Everything is prepared (catalogued, encoded, signed and, keyless,
// logged in Rekor) before the first push.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "build/exec/builder.hpp"
#include "build/image/epoch.hpp"
#include "common/error.hpp"
#include "oci/reference.hpp"
#include "oci/store.hpp"
#include "provenance/predicate.hpp"
#include "sbom/formats/format.hpp"
#include "sign/signer.hpp"

namespace sigil::cli {

/// The pipeline flags of `sigil build`.
struct PipelineOptions {
  std::vector<sbom::Format> sbom_formats;      ///< empty: --sbom none
  std::optional<provenance::Mode> provenance;  ///< nullopt: --provenance none
  sign::Signer* signer = nullptr;              ///< --sign-key/--sign-keyless; null: statements are attached unsigned
  /// --sign-keyless: completes each signed bundle (Rekor entry, timestamp) before any push; unset
  /// for key signatures.
  std::function<Result<void>(sign::Bundle&)> complete_bundle;
  std::optional<std::string> builder_id;       ///< --builder-id
  std::vector<std::string> secret_ids;         ///< ids of --secret (never the values)
  std::vector<std::string> cache_to;
  std::string dockerfile_path;                 ///< as recorded: relative to the context when inside it
  std::optional<build::GitInfo> git;
  std::int64_t started_on = 0;
  std::int64_t finished_on = 0;
  std::int64_t sbom_timestamp = 0;             ///< the SBOMs' creation time (the build's epoch)
};

/// True when the options ask for anything at all.
[[nodiscard]] inline bool pipeline_wanted(const PipelineOptions& options) {
  return !options.sbom_formats.empty() || options.provenance || options.signer != nullptr;
}

/// A destination the image was written to.
struct PipelineDestination {
  std::string text;  ///< as given with -t
  oci::Reference reference;
  oci::Store* store = nullptr;
};

/// Catalogs, writes provenance, signs and attaches to every destination. Lines describing what
/// was attached go to `report` (stderr). The SBOMs are catalogued from the first destination.
[[nodiscard]] Result<void> run_pipeline(const build::BuildResult& result, const build::BuildOptions& build_options,
                                        const PipelineOptions& options,
                                        const std::vector<PipelineDestination>& destinations, std::FILE* report);

/// The provenance facts of one platform image (`image` an index into result.images), or of the
/// index when `image` is nullopt. `byproducts` are the SBOM documents made for that subject.
[[nodiscard]] provenance::BuildFacts provenance_facts(const build::BuildResult& result,
                                                      const build::BuildOptions& build_options,
                                                      const PipelineOptions& options, std::optional<std::size_t> image,
                                                      std::vector<provenance::ResourceDescriptor> byproducts);

}  // namespace sigil::cli
