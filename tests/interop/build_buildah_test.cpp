// buildah reads the config sigil build writes: labels, env, entrypoint, working dir.
#include <gtest/gtest.h>

#include "e2e/build_support.hpp"
#include "support/registry_server.hpp"

namespace sigil::test {
namespace {

TEST(BuildBuildah, InspectReadsOurConfig) {
  if (!on_path("buildah")) {
    if (RegistryServer::skips_forbidden()) FAIL() << "buildah missing (scripts/bootstrap --test installs it)";
    GTEST_SKIP() << "buildah not installed";
  }
  TempDir tmp;
  write_sample_context(tmp / "ctx",
                       "FROM scratch\nLABEL org.example.team=supply-chain\nENV MODE=prod\nWORKDIR /app\n"
                       "COPY app/ ./\nENTRYPOINT [\"/app/main.sh\"]\n");
  // buildah names the container after the layout path and refuses upper case (TempDir has some).
  fs::path out = fs::path("/tmp") / ("sigil-buildah-test-" + std::to_string(::getpid()));
  struct Remove {
    fs::path p;
    ~Remove() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } remove_out{out};
  auto r = build(tmp / "cache", {"-t", layout_ref(out, "v1"), (tmp / "ctx").string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  // A private storage root, so the test needs no system configuration and leaves nothing behind.
  std::vector<std::string> storage{"--root", (tmp / "storage").string(), "--runroot", (tmp / "run").string(),
                                   "--storage-driver", "vfs"};
  std::vector<std::string> from{"buildah"};
  from.insert(from.end(), storage.begin(), storage.end());
  from.insert(from.end(), {"from", "--name", "sigil-test", "oci:" + out.string() + ":v1"});
  auto f = run_program(from, std::chrono::seconds(180));
  ASSERT_EQ(f.exit_code, 0) << f.describe();
  std::vector<std::string> inspect{"buildah"};
  inspect.insert(inspect.end(), storage.begin(), storage.end());
  inspect.insert(inspect.end(), {"inspect", "--type", "container", "sigil-test"});
  auto i = run_program(inspect, std::chrono::seconds(60));
  ASSERT_EQ(i.exit_code, 0) << i.describe();
  auto j = parse_json(i.out, "buildah inspect");
  ASSERT_TRUE(j) << i.out;
  const Json& config = (*j)["OCIv1"]["config"];
  EXPECT_EQ(config["Labels"]["org.example.team"], "supply-chain");
  EXPECT_EQ(config["Entrypoint"], Json({"/app/main.sh"}));
  EXPECT_EQ(config["WorkingDir"], "/app");
  bool has_mode = false;
  for (const auto& e : config["Env"]) has_mode = has_mode || e == "MODE=prod";
  EXPECT_TRUE(has_mode) << config.dump();
  std::vector<std::string> rm{"buildah"};
  rm.insert(rm.end(), storage.begin(), storage.end());
  rm.insert(rm.end(), {"rm", "sigil-test"});
  (void)run_program(rm, std::chrono::seconds(60));
}

}  // namespace
}  // namespace sigil::test
