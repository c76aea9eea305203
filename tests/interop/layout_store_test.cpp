// Layouts written by LayoutStore are read by umoci and skopeo, and layouts skopeo writes (also
// into a sigil layout holding referrers) are read back by LayoutStore. Skips only when a tool
// binary is missing.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>

#include "common/file.hpp"
#include "common/json.hpp"
#include "oci/layout_store.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::oci {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

struct ToolRun {
  int status = -1;
  std::string output;  // stdout and stderr
};

ToolRun run(const std::string& command) {
  ToolRun r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  int status = ::pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool have_tool(const std::string& name) { return run("command -v " + name).status == 0; }

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

struct Fixture {
  TempDir tmp;
  fs::path dir = tmp / "layout";
  std::unique_ptr<LayoutStore> store;
  test::TestImage image;
  Descriptor referrer;
  test::TestImageOptions opts{.layers = 2, .layer_bytes = 300 * 1024 + 17, .seed = 42, .tag = "v1"};

  bool setup() {
    auto s = LayoutStore::open(dir, true);
    if (!s) return false;
    store = std::move(*s);
    auto img = test::write_test_image(*store, opts);
    if (!img) {
      ADD_FAILURE() << img.error().message;
      return false;
    }
    image = std::move(*img);
    // An untagged referrer entry with artifactType: other tools must tolerate it.
    auto ref = test::write_test_referrer(*store, image.manifest, "application/vnd.example.sig", "signature");
    if (!ref) {
      ADD_FAILURE() << ref.error().message;
      return false;
    }
    referrer = *ref;
    return true;
  }
};

TEST(LayoutStoreInterop, UmociUnpacksTheImage) {
  if (!have_tool("umoci")) GTEST_SKIP() << "umoci not installed (apt-get install umoci)";
  Fixture f;
  ASSERT_TRUE(f.setup());
  fs::path bundle = f.tmp / "bundle";
  ToolRun r = run("umoci unpack --rootless --image " + q(f.dir) + ":v1 " + q(bundle));
  ASSERT_EQ(r.status, 0) << r.output;
  for (std::size_t i = 0; i < f.opts.layers; ++i) {
    fs::path file = bundle / "rootfs" / test::test_layer_file(i);
    ASSERT_TRUE(fs::is_regular_file(file)) << file;
    EXPECT_EQ(fs::file_size(file), f.opts.layer_bytes);
  }
  EXPECT_TRUE(fs::exists(bundle / "config.json"));
}

TEST(LayoutStoreInterop, GzipAndTarAcceptTheGeneratedLayers) {
  if (!have_tool("gzip") || !have_tool("tar") || !have_tool("sha256sum")) GTEST_SKIP() << "gzip, tar or sha256sum missing";
  Fixture f;
  ASSERT_TRUE(f.setup());
  for (std::size_t i = 0; i < f.image.layers.size(); ++i) {
    fs::path blob = f.dir / "blobs/sha256" / f.image.layers[i].digest.hex();
    ToolRun sum = run("gzip -dc " + q(blob) + " | sha256sum");
    ASSERT_EQ(sum.status, 0) << sum.output;
    EXPECT_EQ("sha256:" + sum.output.substr(0, 64), f.image.diff_ids[i].str());
    ToolRun list = run("gzip -dc " + q(blob) + " | tar -tvf -");
    ASSERT_EQ(list.status, 0) << list.output;
    EXPECT_NE(list.output.find(test::test_layer_file(i)), std::string::npos) << list.output;
    EXPECT_NE(list.output.find(std::to_string(f.opts.layer_bytes)), std::string::npos) << list.output;
  }
}

TEST(LayoutStoreInterop, SkopeoInspectsTheImage) {
  if (!have_tool("skopeo")) GTEST_SKIP() << "skopeo not installed (apt-get install skopeo)";
  Fixture f;
  ASSERT_TRUE(f.setup());
  ToolRun r = run("skopeo inspect oci:" + f.dir.string() + ":v1");
  ASSERT_EQ(r.status, 0) << r.output;
  auto j = parse_json(r.output, "skopeo inspect output");
  ASSERT_TRUE(j) << r.output;
  EXPECT_EQ((*j)["Digest"], f.image.manifest.digest.str());
  EXPECT_EQ((*j)["Architecture"], "amd64");
  ASSERT_EQ((*j)["Layers"].size(), f.image.layers.size());
  for (std::size_t i = 0; i < f.image.layers.size(); ++i) {
    EXPECT_EQ((*j)["Layers"][i], f.image.layers[i].digest.str());
  }
  ToolRun raw = run("skopeo inspect --raw oci:" + f.dir.string() + ":v1");
  ASSERT_EQ(raw.status, 0) << raw.output;
  EXPECT_EQ(raw.output, f.image.manifest_raw);
}

TEST(LayoutStoreInterop, SkopeoCopiesOutAndLayoutStoreReadsTheResult) {
  if (!have_tool("skopeo")) GTEST_SKIP() << "skopeo not installed (apt-get install skopeo)";
  Fixture f;
  ASSERT_TRUE(f.setup());
  fs::path out = f.tmp / "copy";
  ToolRun r = run("skopeo copy oci:" + f.dir.string() + ":v1 oci:" + out.string() + ":v1");
  ASSERT_EQ(r.status, 0) << r.output;
  auto copy = LayoutStore::open(out, false);
  ASSERT_TRUE(copy) << copy.error().message;
  auto desc = (*copy)->resolve("v1");
  ASSERT_TRUE(desc) << desc.error().message;
  EXPECT_EQ(desc->digest, f.image.manifest.digest);  // skopeo kept the manifest bytes
  auto raw = (*copy)->fetch_manifest(*desc);
  ASSERT_TRUE(raw) << raw.error().message;
  auto manifest = Manifest::parse(*raw);
  ASSERT_TRUE(manifest);
  auto config = (*copy)->fetch_blob_bytes(manifest->config, 1 << 20);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(*config, f.image.config_raw);
  for (const auto& layer : manifest->layers) {
    MemorySink sink(1 << 30);
    auto got = (*copy)->fetch_blob(layer, sink);
    ASSERT_TRUE(got) << got.error().message;
  }
  auto tags = (*copy)->tags();
  ASSERT_TRUE(tags);
  EXPECT_EQ(*tags, std::vector<std::string>{"v1"});
  // sigil can keep writing the layout skopeo made, and skopeo still reads it.
  auto pushed = (*copy)->push_manifest(*raw, media_type::kOciManifest, "again");
  ASSERT_TRUE(pushed) << pushed.error().message;
  ToolRun again = run("skopeo inspect --raw oci:" + out.string() + ":again");
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_EQ(again.output, *raw);
}

TEST(LayoutStoreInterop, SkopeoWritingIntoASigilLayoutKeepsReferrers) {
  if (!have_tool("skopeo")) GTEST_SKIP() << "skopeo not installed (apt-get install skopeo)";
  Fixture f;
  ASSERT_TRUE(f.setup());
  ToolRun r = run("skopeo copy oci:" + f.dir.string() + ":v1 oci:" + f.dir.string() + ":v2");
  ASSERT_EQ(r.status, 0) << r.output;
  auto store = LayoutStore::open(f.dir, false);
  ASSERT_TRUE(store) << store.error().message;
  auto tags = (*store)->tags();
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(*tags, (std::vector<std::string>{"v1", "v2"}));
  auto refs = (*store)->referrers(f.image.manifest.digest);
  ASSERT_TRUE(refs) << refs.error().message;
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ((*refs)[0].digest, f.referrer.digest);
  EXPECT_EQ((*refs)[0].artifact_type, "application/vnd.example.sig");
}

TEST(LayoutStoreInterop, UmociReadsALayoutAfterGarbageCollection) {
  if (!have_tool("umoci")) GTEST_SKIP() << "umoci not installed (apt-get install umoci)";
  Fixture f;
  ASSERT_TRUE(f.setup());
  // Retag v1 to another image, keep the first as v0; GC must leave both intact for umoci.
  ASSERT_TRUE(f.store->push_manifest(f.image.manifest_raw, media_type::kOciManifest, "v0"));
  auto other = test::write_test_image(*f.store, {.layers = 1, .layer_bytes = 1000, .seed = 7, .tag = "v1"});
  ASSERT_TRUE(other);
  auto stats = f.store->garbage_collect();
  ASSERT_TRUE(stats) << stats.error().message;
  for (const char* tag : {"v0", "v1"}) {
    fs::path bundle = f.tmp / (std::string("bundle-") + tag);
    ToolRun r = run("umoci unpack --rootless --image " + q(f.dir) + ":" + tag + " " + q(bundle));
    ASSERT_EQ(r.status, 0) << tag << ": " << r.output;
  }
  // umoci's own tooling accepts the layout as a whole (it lists every blob and tag).
  ToolRun ls = run("umoci ls --layout " + q(f.dir));
  ASSERT_EQ(ls.status, 0) << ls.output;
  EXPECT_NE(ls.output.find("v0"), std::string::npos) << ls.output;
}

}  // namespace
}  // namespace sigil::oci
