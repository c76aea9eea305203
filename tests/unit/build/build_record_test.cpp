// What a build records for provenance: the base images it resolved (pinned by digest), the
// instruction behind every layer, each stage's own lines, the Dockerfile digest and, on request,
// a digest of the context that ignores file times.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "build/exec/builder.hpp"
#include "common/file.hpp"
#include "oci/layout_store.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::build {
namespace {

namespace fs = std::filesystem;

void put(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

const char* kDockerfile =
    "FROM oci:BASE:1 AS build\n"
    "COPY a.txt /a.txt\n"
    "\n"
    "FROM scratch\n"
    "COPY --from=build /a.txt /copied.txt\n"
    "COPY b.txt /b.txt\n";

struct Fixture {
  test::TempDir tmp;
  fs::path context = tmp / "ctx";
  oci::Digest base_digest;

  Fixture() {
    auto store = oci::LayoutStore::open(tmp / "base", true);
    EXPECT_TRUE(store);
    test::TestImageOptions opts;
    opts.layers = 1;
    opts.tag = "1";
    auto image = test::write_test_image(**store, opts);
    EXPECT_TRUE(image);
    base_digest = image->manifest.digest;
    std::string text = kDockerfile;
    text.replace(text.find("BASE"), 4, (tmp / "base").string());
    put(context / "Dockerfile", text);
    put(context / "a.txt", "a\n");
    put(context / "b.txt", "b\n");
  }

  [[nodiscard]] Result<BuildResult> build(bool digest = true) const {
    BuildOptions options;
    options.context = context;
    options.dockerfile = context / "Dockerfile";
    options.cache_dir = tmp / "cache";
    options.context_digest = digest;
    options.platforms = {*oci::Platform::parse("linux/amd64")};
    return build_image(options);
  }
};

TEST(BuildRecord, RecordsPinnedBaseImagesLayerOriginsAndStages) {
  Fixture f;
  auto result = f.build();
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->images.size(), 1u);
  const auto& image = result->images[0];

  // The base is only copied from, yet the final image's inputs name it, pinned by digest.
  ASSERT_EQ(image.inputs.size(), 1u);
  EXPECT_EQ(image.inputs[0].kind, ResolvedInput::Kind::image);
  EXPECT_EQ(image.inputs[0].digest, f.base_digest);
  EXPECT_NE(image.inputs[0].uri.find("@" + f.base_digest.str()), std::string::npos) << image.inputs[0].uri;
  EXPECT_EQ(image.inputs[0].stage, "build");

  ASSERT_EQ(image.layer_origins.size(), image.layers.size());
  ASSERT_EQ(image.layer_origins.size(), 2u);
  EXPECT_EQ(image.layer_origins[0].line, 5);
  EXPECT_EQ(image.layer_origins[0].instruction, "COPY /a.txt /copied.txt");
  EXPECT_EQ(image.layer_origins[1].line, 6);
  EXPECT_EQ(image.layer_origins[1].stage, "1");

  auto read = read_file(f.context / "Dockerfile", 1 << 20);
  ASSERT_TRUE(read);
  const std::string& written = *read;
  EXPECT_EQ(result->dockerfile_digest, oci::Digest::of(written));
  ASSERT_EQ(result->stages.size(), 2u);
  EXPECT_EQ(result->stages[0].name, "build");
  EXPECT_EQ(result->stages[0].digest, oci::Digest::of(written.substr(0, written.find("FROM scratch"))));
  EXPECT_EQ(result->stages[1].digest, oci::Digest::of(written.substr(written.find("FROM scratch"))));
}

TEST(BuildRecord, ContextDigestIgnoresTimesAndSeesOneByte) {
  Fixture f;
  auto first = f.build();
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->context_digest);
  struct timespec times[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (f.context / "a.txt").c_str(), times, 0), 0);
  auto touched = f.build();
  ASSERT_TRUE(touched);
  EXPECT_EQ(touched->context_digest, first->context_digest);
  put(f.context / "a.txt", "A\n");
  auto changed = f.build();
  ASSERT_TRUE(changed);
  EXPECT_NE(changed->context_digest, first->context_digest);
  auto without = f.build(false);
  ASSERT_TRUE(without);
  EXPECT_FALSE(without->context_digest);
}

}  // namespace
}  // namespace sigil::build
