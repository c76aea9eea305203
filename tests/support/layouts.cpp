#include "support/layouts.hpp"

#include <gtest/gtest.h>

namespace sigil::test {

std::unique_ptr<oci::LayoutStore> open_layout(const std::filesystem::path& dir) {
  auto store = oci::LayoutStore::open(dir, true);
  EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().message);
  return store ? std::move(*store) : nullptr;
}

ImageWithReferrers write_layout_image(const std::filesystem::path& dir, const TestImageOptions& options,
                                      bool referrers) {
  ImageWithReferrers out;
  auto store = open_layout(dir);
  if (!store) return out;
  auto image = write_test_image(*store, options);
  EXPECT_TRUE(image) << image.error().message;
  if (!image) return out;
  out.image = *image;
  if (!referrers) return out;
  auto sbom = write_test_referrer(*store, image->manifest, "application/spdx+json", R"({"spdxVersion":"SPDX-2.3"})",
                                  {{"org.opencontainers.image.created", "2000-01-01T00:00:00Z"}});
  EXPECT_TRUE(sbom) << sbom.error().message;
  if (!sbom) return out;
  out.sbom = *sbom;
  auto sig = write_test_referrer(*store, out.sbom, "application/vnd.dev.sigstore.bundle.v0.3+json", "bundle");
  EXPECT_TRUE(sig) << sig.error().message;
  if (sig) out.signature = *sig;
  return out;
}

}  // namespace sigil::test
