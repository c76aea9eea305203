// `sigil build` end to end: images from scratch and from earlier stages into layouts, archives
// and metadata files; reproducibility across contexts with different times and owners; the
// cache; and every kind of bad input failing with one line, exit 2 (3 for the network), and
// nothing written.
#include <gtest/gtest.h>
#include <utime.h>

#include <thread>

#include "e2e/build_support.hpp"

namespace sigil::test {
namespace {

constexpr const char* kSimple =
    "FROM scratch\n"
    "LABEL org.example.name=\"sample app\"\n"
    "ENV APP_HOME=/app\n"
    "WORKDIR $APP_HOME\n"
    "COPY hello.txt /\n"
    "COPY app/ ./\n"
    "ENTRYPOINT [\"/app/main.sh\"]\n"
    "CMD [\"--help\"]\n"
    "EXPOSE 8080\n"
    "USER 1000:1000\n";

class Build : public ::testing::Test {
 protected:
  TempDir tmp_;
  fs::path cache() const { return tmp_ / "cache"; }
};

TEST_F(Build, ScratchImageHasBuildKitConfigAndPrintsTheDigest) {
  write_sample_context(tmp_ / "ctx", kSimple);
  auto r = build(cache(), {"-t", layout_ref(tmp_ / "out", "v1"), (tmp_ / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto image = read_built(tmp_ / "out", "v1");
  EXPECT_EQ(r.out, image.manifest.descriptor().digest.str() + "\n");
  const Json& c = image.config;
  EXPECT_EQ(c["created"], "1970-01-01T00:00:00Z");
  EXPECT_EQ(c["config"]["Env"], Json({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_HOME=/app"}));
  EXPECT_EQ(c["config"]["WorkingDir"], "/app");
  EXPECT_EQ(c["config"]["Entrypoint"], Json({"/app/main.sh"}));
  EXPECT_EQ(c["config"]["Cmd"], Json({"--help"}));
  EXPECT_EQ(c["config"]["User"], "1000:1000");
  EXPECT_TRUE(c["config"]["ExposedPorts"].contains("8080/tcp"));
  EXPECT_EQ(c["config"]["Labels"]["org.example.name"], "sample app");
  // WORKDIR /app (a layer), COPY, COPY: three layers, three diff_ids.
  EXPECT_EQ(image.manifest.layers.size(), 3u);
  EXPECT_EQ(c["rootfs"]["diff_ids"].size(), 3u);
  std::vector<std::string> created_by;
  for (const auto& h : c["history"]) created_by.push_back(h["created_by"]);
  EXPECT_EQ(created_by, (std::vector<std::string>{"LABEL org.example.name=sample app", "ENV APP_HOME=/app",
                                                   "WORKDIR /app", "COPY hello.txt / # buildkit", "COPY app/ ./ # buildkit",
                                                   "ENTRYPOINT [\"/app/main.sh\"]", "CMD [\"--help\"]",
                                                   "EXPOSE map[8080/tcp:{}]", "USER 1000:1000"}));
  EXPECT_EQ(c["history"][0]["empty_layer"], true);
  EXPECT_EQ(c["history"][0]["comment"], "buildkit.dockerfile.v0");
  EXPECT_FALSE(c["history"][3].contains("empty_layer"));
  EXPECT_EQ(image.manifest.annotations["org.opencontainers.image.created"], "1970-01-01T00:00:00Z");
}

TEST_F(Build, EntrypointResetsAnInheritedCmdButNotOneSetInTheStage) {
  put(tmp_ / "ctx" / "Dockerfile",
      "FROM scratch AS base\nCMD [\"base\"]\n"
      "FROM base\nENTRYPOINT [\"/bin/tool\"]\n");
  auto r = build(cache(), {"-t", layout_ref(tmp_ / "out"), (tmp_ / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto image = read_built(tmp_ / "out", "latest");
  EXPECT_FALSE(image.config["config"].contains("Cmd"));
  EXPECT_EQ(image.config["config"]["Entrypoint"], Json({"/bin/tool"}));
}

TEST_F(Build, WorkdirOnAnExistingDirectoryAddsNoLayer) {
  write_sample_context(tmp_ / "ctx", "FROM scratch\nCOPY app /app\nWORKDIR /app\nWORKDIR /app/new\n");
  auto r = build(cache(), {"-t", layout_ref(tmp_ / "out"), (tmp_ / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto image = read_built(tmp_ / "out", "latest");
  // COPY and the new directory are layers; WORKDIR on /app, which exists, changes nothing.
  EXPECT_EQ(image.manifest.layers.size(), 2u);
  const Json& history = image.config["history"];
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1]["created_by"], "WORKDIR /app");
  EXPECT_EQ(history[1]["empty_layer"], true);
  EXPECT_EQ(history[2]["created_by"], "WORKDIR /app/new");
  EXPECT_FALSE(history[2].contains("empty_layer"));
  EXPECT_EQ(image.config["config"]["WorkingDir"], "/app/new");
}

TEST_F(Build, EnvKeysExpandInTheConfigAndTheHistory) {
  put(tmp_ / "ctx" / "Dockerfile", "FROM scratch\nARG NAME=GREETING\nENV $NAME=hi OTHER=${NAME}_x\n");
  auto r = build(cache(), {"-t", layout_ref(tmp_ / "out"), (tmp_ / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto image = read_built(tmp_ / "out", "latest");
  EXPECT_EQ(image.config["config"]["Env"],
            Json({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hi", "OTHER=GREETING_x"}));
  EXPECT_EQ(image.config["history"][1]["created_by"], "ENV GREETING=hi OTHER=GREETING_x");
}

TEST_F(Build, OnbuildTriggersOfTheBaseRunFirstAndAreCleared) {
  write_sample_context(tmp_ / "base", "FROM scratch\nONBUILD COPY hello.txt /from-trigger.txt\nONBUILD LABEL trig=yes\n");
  auto base = build(cache(), {"-t", layout_ref(tmp_ / "base-out", "1"), (tmp_ / "base").string()});
  ASSERT_EQ(base.exit_code, 0) << base.describe();
  EXPECT_EQ(read_built(tmp_ / "base-out", "1").config["config"]["OnBuild"],
            Json({"COPY hello.txt /from-trigger.txt", "LABEL trig=yes"}));

  write_sample_context(tmp_ / "child", "FROM " + layout_ref(tmp_ / "base-out", "1") + "\nCOPY app /app\n");
  auto r = build(cache(), {"-t", layout_ref(tmp_ / "out"), (tmp_ / "child").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto image = read_built(tmp_ / "out", "latest");
  EXPECT_FALSE(image.config["config"].contains("OnBuild")) << "triggers run once, in the child";
  EXPECT_EQ(image.config["config"]["Labels"]["trig"], "yes");
  EXPECT_EQ(image.manifest.layers.size(), 2u);
  std::vector<std::string> created_by;
  for (const auto& h : image.config["history"]) created_by.push_back(h["created_by"]);
  EXPECT_NE(std::find(created_by.begin(), created_by.end(), "COPY hello.txt /from-trigger.txt # buildkit"),
            created_by.end());

  // A trigger sigil cannot run fails the build at the FROM line, quoting the trigger.
  write_sample_context(tmp_ / "bad-base", "FROM scratch\nONBUILD RUN make\n");
  ASSERT_EQ(build(cache(), {"-t", layout_ref(tmp_ / "bad-out", "1"), (tmp_ / "bad-base").string()}).exit_code, 0);
  write_sample_context(tmp_ / "bad-child", "FROM " + layout_ref(tmp_ / "bad-out", "1") + "\n");
  auto bad = build(cache(), {"-t", layout_ref(tmp_ / "bad-result"), (tmp_ / "bad-child").string()});
  EXPECT_EQ(bad.exit_code, 2) << bad.describe();
  EXPECT_NE(bad.err.find("Dockerfile:1:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("ONBUILD trigger \"RUN make\""), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(tmp_ / "bad-result"));
}

// The same context in two directories with different mtimes and owners builds to the same
// digest, twice, seconds apart, for gzip and zstd.
TEST_F(Build, SameContextDifferentTimesAndOwnersSameDigest) {
  for (const char* compression : {"gzip", "zstd"}) {
    std::vector<std::string> digests;
    for (int copy = 0; copy < 2; ++copy) {
      fs::path ctx = tmp_ / (std::string(compression) + std::to_string(copy));
      write_sample_context(ctx, kSimple);
      // One copy older than the epoch, one newer; different owners when we may chown.
      for (const auto& e : fs::recursive_directory_iterator(ctx)) {
        struct timespec times[2] = {{copy == 0 ? 1000 : 2000000000, 0}, {copy == 0 ? 1000 : 2000000000, 0}};
        ::utimensat(AT_FDCWD, e.path().c_str(), times, AT_SYMLINK_NOFOLLOW);
        if (::geteuid() == 0) (void)::lchown(e.path().c_str(), copy == 0 ? 1234 : 4321, copy == 0 ? 1234 : 4321);
      }
      for (int run = 0; run < 2; ++run) {
        if (run == 1) std::this_thread::sleep_for(std::chrono::seconds(2));
        auto r = build(tmp_ / ("cache-" + std::to_string(copy) + "-" + std::to_string(run)),
                       {"--compression", compression, "--source-date-epoch", "1700000000", ctx.string()});
        ASSERT_EQ(r.exit_code, 0) << r.describe();
        digests.push_back(r.out);
      }
    }
    for (const auto& d : digests) EXPECT_EQ(d, digests[0]) << compression;
  }
}

TEST_F(Build, GzipLayersHaveAZeroMtimeInTheirHeader) {
  write_sample_context(tmp_ / "ctx", kSimple);
  auto r = build(cache(), {"-t", layout_ref(tmp_ / "out"), (tmp_ / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto image = read_built(tmp_ / "out", "latest");
  for (const auto& layer : image.manifest.layers) {
    auto bytes = read_file(image.store->blob_path(layer.digest), 1 << 20);
    ASSERT_TRUE(bytes);
    ASSERT_GT(bytes->size(), 10u);
    EXPECT_EQ(bytes->substr(4, 4), std::string(4, '\0'));
  }
}

TEST_F(Build, MultiStageCopyFromAndTargetPruning) {
  put(tmp_ / "ctx" / "Dockerfile",
      "FROM scratch AS files\nCOPY hello.txt /src/hello.txt\nCOPY app /src/app\n"
      "FROM scratch AS unused\nRUN make\n"
      "FROM scratch\nCOPY --from=files /src/app/main.sh /bin/main.sh\nCOPY --from=0 /src/hello.txt /hello\n");
  write_sample_context(tmp_ / "ctx2", "");
  fs::copy(tmp_ / "ctx2" / "hello.txt", tmp_ / "ctx" / "hello.txt");
  fs::copy(tmp_ / "ctx2" / "app", tmp_ / "ctx" / "app", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  // The stage with RUN is not needed, so it never runs.
  auto r = build(cache(), {"-t", layout_ref(tmp_ / "out"), (tmp_ / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto image = read_built(tmp_ / "out", "latest");
  EXPECT_EQ(image.manifest.layers.size(), 2u);
  // --target builds the first stage alone.
  auto t = build(cache(), {"--target", "files", "-t", layout_ref(tmp_ / "out", "files"), (tmp_ / "ctx").string()});
  ASSERT_EQ(t.exit_code, 0) << t.describe();
  EXPECT_EQ(read_built(tmp_ / "out", "files").manifest.layers.size(), 2u);
  // Targeting the stage with RUN fails, naming its line.
  auto bad = build(cache(), {"--target", "unused", (tmp_ / "ctx").string()});
  EXPECT_EQ(bad.exit_code, 2) << bad.describe();
  EXPECT_NE(bad.err.find("Dockerfile:5"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("RUN"), std::string::npos) << bad.err;
}

TEST_F(Build, CacheHitWithoutChangeMissAfterOneByte) {
  write_sample_context(tmp_ / "ctx", kSimple);
  auto json_build = [&] {
    return run_sigil({"build", "--cache-dir", cache().string(), "--progress", "json", (tmp_ / "ctx").string()},
                     std::chrono::seconds(120), {"SOURCE_DATE_EPOCH="});
  };
  auto count_uncached = [](const std::string& err) {
    int n = 0;
    std::size_t start = 0;
    while (start < err.size()) {
      auto end = err.find('\n', start);
      if (end == std::string::npos) end = err.size();
      std::string line = err.substr(start, end - start);
      if (line.find("\"kind\":\"layer\"") != std::string::npos && line.find("\"cached\":false") != std::string::npos) ++n;
      start = end + 1;
    }
    return n;
  };
  auto first = json_build();
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_EQ(count_uncached(first.err), 3) << first.err;
  // Touching files changes times only: still a hit.
  struct timespec times[2] = {{5, 0}, {5, 0}};
  ::utimensat(AT_FDCWD, (tmp_ / "ctx" / "hello.txt").c_str(), times, 0);
  auto second = json_build();
  ASSERT_EQ(second.exit_code, 0) << second.describe();
  EXPECT_EQ(second.out, first.out);
  EXPECT_EQ(count_uncached(second.err), 0) << second.err;
  // One byte changed in app/: that COPY is rebuilt, the others are not.
  put(tmp_ / "ctx" / "app" / "data" / "table.csv", "a,b\n1,3\n");
  auto third = json_build();
  ASSERT_EQ(third.exit_code, 0) << third.describe();
  EXPECT_NE(third.out, first.out);
  EXPECT_EQ(count_uncached(third.err), 1) << third.err;
  // --no-cache rebuilds everything, to the same digest.
  auto fourth = run_sigil({"build", "--no-cache", "--cache-dir", cache().string(), "--progress", "json",
                           (tmp_ / "ctx").string()},
                          std::chrono::seconds(120), {"SOURCE_DATE_EPOCH="});
  EXPECT_EQ(fourth.out, third.out);
  EXPECT_EQ(count_uncached(fourth.err), 3);
}

TEST_F(Build, ChownByNameUsesTheStagePasswd) {
  put(tmp_ / "ctx" / "Dockerfile",
      "FROM scratch AS base\nCOPY passwd /etc/passwd\nCOPY group /etc/group\n"
      "FROM base\nCOPY --chown=app:staff --chmod=600 hello.txt /home/hello.txt\n");
  put(tmp_ / "ctx" / "passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001::/home/app:/bin/sh\n");
  put(tmp_ / "ctx" / "group", "root:x:0:\nstaff:x:50:\n");
  put(tmp_ / "ctx" / "hello.txt", "hi\n");
  auto r = build(cache(), {"-t", layout_ref(tmp_ / "out"), (tmp_ / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto image = read_built(tmp_ / "out", "latest");
  ASSERT_EQ(image.manifest.layers.size(), 3u);
  auto listing = run_program({"tar", "--numeric-owner", "-tvzf", image.store->blob_path(image.manifest.layers[2].digest).string()});
  ASSERT_EQ(listing.exit_code, 0) << listing.describe();
  EXPECT_NE(listing.out.find("-rw------- 1001/50"), std::string::npos) << listing.out;
  EXPECT_NE(listing.out.find("home/hello.txt"), std::string::npos) << listing.out;
  // An unknown name is an input error naming it.
  put(tmp_ / "ctx" / "Dockerfile", "FROM scratch\nCOPY passwd /etc/passwd\nCOPY --chown=nobody hello.txt /x\n");
  auto bad = build(cache(), {(tmp_ / "ctx").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("nobody"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("Dockerfile:3"), std::string::npos) << bad.err;
}

TEST_F(Build, MultiPlatformWritesAnIndex) {
  put(tmp_ / "ctx" / "Dockerfile", "FROM scratch\nARG TARGETARCH\nCOPY $TARGETARCH.txt /arch.txt\n");
  put(tmp_ / "ctx" / "amd64.txt", "amd64\n");
  put(tmp_ / "ctx" / "arm64.txt", "arm64\n");
  auto r = build(cache(), {"--platform", "linux/amd64,linux/arm64", "-t", layout_ref(tmp_ / "out"), (tmp_ / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto store = oci::LayoutStore::open(tmp_ / "out", false);
  ASSERT_TRUE(store);
  auto desc = (*store)->resolve("latest");
  ASSERT_TRUE(desc);
  EXPECT_EQ(desc->media_type, "application/vnd.oci.image.index.v1+json");
  auto index = oci::Index::parse((*store)->fetch_manifest(*desc).value());
  ASSERT_TRUE(index);
  ASSERT_EQ(index->manifests.size(), 2u);
  for (const auto& m : index->manifests) {
    ASSERT_TRUE(m.platform);
    auto manifest = oci::Manifest::parse((*store)->fetch_manifest(m).value());
    ASSERT_TRUE(manifest);
    auto config = parse_json((*store)->fetch_blob_bytes(manifest->config, 1 << 20).value(), "config").value();
    EXPECT_EQ(config["architecture"], m.platform->architecture);
  }
  EXPECT_NE(index->manifests[0].digest, index->manifests[1].digest);
}

TEST_F(Build, OciArchiveAndMetadataFile) {
  write_sample_context(tmp_ / "ctx", kSimple);
  auto r = build(cache(), {"--output", "type=oci,dest=" + (tmp_ / "image.tar").string(), "--metadata-file",
                           (tmp_ / "meta.json").string(), "-t", layout_ref(tmp_ / "out", "v2"), (tmp_ / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  auto listing = run_program({"tar", "-tf", (tmp_ / "image.tar").string()});
  ASSERT_EQ(listing.exit_code, 0);
  EXPECT_NE(listing.out.find("oci-layout\n"), std::string::npos);
  EXPECT_NE(listing.out.find("index.json\n"), std::string::npos);
  EXPECT_NE(listing.out.find("blobs/sha256/"), std::string::npos);
  auto meta = parse_json(read_file(tmp_ / "meta.json", 1 << 20).value(), "metadata").value();
  std::string digest = r.out.substr(0, r.out.size() - 1);
  EXPECT_EQ(meta["containerimage.digest"], digest);
  EXPECT_EQ(meta["containerimage.descriptor"]["digest"], digest);
  EXPECT_EQ(meta["image.name"], layout_ref(tmp_ / "out", "v2"));
  EXPECT_TRUE(meta.contains("containerimage.config.digest"));
  // The archive is reproducible.
  auto again = build(cache(), {"--output", "type=oci,dest=" + (tmp_ / "image2.tar").string(), "-t",
                               layout_ref(tmp_ / "out2", "v2"), (tmp_ / "ctx").string()});
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  // Compared by digest: a failure must not print megabytes of tar.
  EXPECT_EQ(oci::Digest::of(read_file(tmp_ / "image.tar", 1 << 24).value()),
            oci::Digest::of(read_file(tmp_ / "image2.tar", 1 << 24).value()));
}

struct BadCase {
  const char* name;
  const char* dockerfile;
  std::vector<std::string> flags;
  int exit_code;
  const char* expect;  ///< a fragment of the one-line error
};

class BuildBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(BuildBadInput, OneLineErrorAndNothingWritten) {
  TempDir tmp;
  const auto& c = GetParam();
  put(tmp / "ctx" / "Dockerfile", c.dockerfile);
  put(tmp / "ctx" / "hello.txt", "hi\n");
  put(tmp / "outside.txt", "secret\n");
  fs::create_symlink("../outside.txt", tmp / "ctx" / "escape");
  std::vector<std::string> args = c.flags;
  args.insert(args.end(), {"-t", layout_ref(tmp / "out"), "--output", "type=oci,dest=" + (tmp / "o.tar").string(),
                           (tmp / "ctx").string()});
  args.insert(args.begin(), {"build", "--progress", "quiet", "--cache-dir", (tmp / "cache").string()});
  auto r = run_sigil(args, std::chrono::seconds(60), {"SOURCE_DATE_EPOCH="});
  EXPECT_EQ(r.exit_code, c.exit_code) << r.describe();
  EXPECT_EQ(r.stderr_lines(), 1u) << r.err;
  EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_FALSE(fs::exists(tmp / "out"));
  EXPECT_FALSE(fs::exists(tmp / "o.tar"));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BuildBadInput,
    ::testing::Values(
        BadCase{"unknown_instruction", "FROM scratch\nCOPPY hello.txt /\n", {}, 2, "Dockerfile:2"},
        BadCase{"unknown_flag", "FROM scratch\nCOPY --frm=x hello.txt /\n", {}, 2, "Dockerfile:2"},
        BadCase{"unknown_target", "FROM scratch\nCOPY hello.txt /\n", {"--target", "nope"}, 2, "nope"},
        BadCase{"cyclic", "FROM scratch AS a\nCOPY --from=b /x /x\nFROM scratch AS b\nCOPY --from=a /y /y\n", {}, 2,
                "circular dependency"},
        BadCase{"stage_index", "FROM scratch\nCOPY --from=7 /x /x\n", {}, 2, "Dockerfile:2"},
        BadCase{"missing_source", "FROM scratch\nCOPY nothere.txt /\n", {}, 2, "Dockerfile:2"},
        BadCase{"parent_escape", "FROM scratch\nCOPY ../outside.txt /\n", {}, 2, "Dockerfile:2"},
        BadCase{"symlink_escape", "FROM scratch\nCOPY escape /\n", {}, 2, "Dockerfile:2"},
        BadCase{"missing_in_stage", "FROM scratch AS a\nFROM scratch\nCOPY --from=a /nothing /\n", {}, 2, "Dockerfile:3"},
        BadCase{"invalid_platform", "FROM scratch\nCOPY hello.txt /\n", {"--platform", "linux"}, 2, "platform"},
        BadCase{"run_needed", "FROM scratch\nCOPY hello.txt /\nRUN echo hi\n", {}, 2, "Dockerfile:3"},
        BadCase{"checksum_mismatch", "FROM scratch\nADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 http://127.0.0.1:1/x /x\n",
                {}, 3, "Dockerfile:2"},
        BadCase{"checksum_local", "FROM scratch\nADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 hello.txt /x\n",
                {}, 2, "Dockerfile:2"},
        BadCase{"unreachable_base", "FROM 127.0.0.1:1/none/image:1\nCOPY hello.txt /\n", {}, 3, "127.0.0.1:1"},
        BadCase{"bad_compression", "FROM scratch\n", {"--compression", "lz4"}, 2, "lz4"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace sigil::test
