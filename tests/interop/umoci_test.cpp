// umoci, an independent implementation, unpacks layouts sigil wrote (after a trip through a real
// registry), including the demo's busybox image, whose binary then runs.
#include <gtest/gtest.h>

#include "e2e/run_sigil.hpp"
#include "oci/layout_store.hpp"
#include "support/registry_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::test {
namespace {
namespace fs = std::filesystem;

class UmociInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!on_path("umoci")) {
      if (RegistryServer::skips_forbidden()) FAIL() << "umoci missing (scripts/bootstrap --test installs it)";
      GTEST_SKIP() << "umoci not installed (apt-get install umoci)";
    }
  }
  RunResult unpack(const fs::path& layout, const std::string& tag, const fs::path& bundle) {
    return run_program({"umoci", "unpack", "--rootless", "--image", layout.string() + ":" + tag, bundle.string()},
                       std::chrono::seconds(180));
  }
  TempDir tmp_;
};

TEST_F(UmociInterop, UnpacksALayoutSigilCopiedThroughARegistry) {
  SIGIL_SKIP_WITHOUT_REGISTRY(RegistryAuth::none);
  RegistryServer registry;
  ASSERT_TRUE(registry.running()) << registry.failure();
  auto store = oci::LayoutStore::open(tmp_ / "src", true);
  ASSERT_TRUE(store);
  TestImageOptions o;
  o.tag = "v1";
  o.layers = 2;
  o.layer_bytes = 100000;
  auto image = write_test_image(**store, o);
  ASSERT_TRUE(image) << image.error().message;
  std::string ref = registry.host_port() + "/sigil/umoci:v1";
  ASSERT_EQ(run_sigil({"copy", layout_ref(tmp_ / "src", "v1"), ref}).exit_code, 0);
  auto pull = run_sigil({"copy", ref, layout_ref(tmp_ / "back", "v1")});
  ASSERT_EQ(pull.exit_code, 0) << pull.describe();

  auto r = unpack(tmp_ / "back", "v1", tmp_ / "bundle");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  for (std::size_t i = 0; i < o.layers; ++i) {
    std::error_code ec;
    EXPECT_EQ(fs::file_size(tmp_ / "bundle" / "rootfs" / test_layer_file(i), ec), o.layer_bytes) << test_layer_file(i);
  }
}

TEST_F(UmociInterop, DemoBusyboxImageUnpacksAndRuns) {
  auto made = run_program({std::string(SIGIL_SOURCE_DIR) + "/scripts/make-demo-layout", (tmp_ / "demo").string()});
  if (made.exit_code != 0 && !fs::exists("/bin/busybox") && !RegistryServer::skips_forbidden()) {
    GTEST_SKIP() << "busybox-static not installed";
  }
  ASSERT_EQ(made.exit_code, 0) << made.describe();
  auto copy = run_sigil({"copy", "--referrers", layout_ref(tmp_ / "demo"), layout_ref(tmp_ / "copy", "v1")});
  ASSERT_EQ(copy.exit_code, 0) << copy.describe();
  EXPECT_EQ(copy.out, made.out);  // the script prints the manifest digest

  auto r = unpack(tmp_ / "copy", "v1", tmp_ / "bundle");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto echo = run_program({(tmp_ / "bundle" / "rootfs" / "bin" / "busybox").string(), "echo", "hello from the image"});
  EXPECT_EQ(echo.exit_code, 0) << echo.describe();
  EXPECT_EQ(echo.out, "hello from the image\n");
}

}  // namespace
}  // namespace sigil::test
