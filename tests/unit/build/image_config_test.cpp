#include "build/image/image_config.hpp"

#include <gtest/gtest.h>

#include "build/image/platform.hpp"

namespace sigil::build {
namespace {

TEST(ImageConfig, ScratchConfigAsBuildKitWritesIt) {
  ImageState s = scratch_state(parse_platform("linux/amd64").value());
  s.add_history("COPY a /b # buildkit", true, "1970-01-01T00:00:00Z");
  s.diff_ids.push_back(oci::Digest::of("layer"));
  std::string json = serialize_config(s, "1970-01-01T00:00:00Z");
  EXPECT_EQ(json,
            "{\"architecture\":\"amd64\",\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],"
            "\"WorkingDir\":\"/\"},\"created\":\"1970-01-01T00:00:00Z\",\"history\":[{\"created\":\"1970-01-01T00:00:00Z\","
            "\"created_by\":\"COPY a /b # buildkit\",\"comment\":\"buildkit.dockerfile.v0\"}],\"os\":\"linux\","
            "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" +
                oci::Digest::of("layer").str() + "\"]}}");
}

TEST(ImageConfig, ConfigFieldsInDockerOrderAndGoEscapes) {
  ImageState s;
  s.platform = parse_platform("linux/arm/v7").value();
  s.user = "app";
  s.exposed_ports = {"80/tcp"};
  s.env = {"A=1"};
  s.entrypoint = std::vector<std::string>{"/e"};
  s.cmd = std::vector<std::string>{"c"};
  s.volumes = {"/data"};
  s.working_dir = "/w";
  s.labels = {{"b", "x<y&z"}, {"a", "1"}};
  s.stop_signal = "SIGTERM";
  s.args_escaped = true;
  s.healthcheck = Healthcheck{{"CMD", "true"}, 30000000000, 0, 0, 0, 3};
  s.on_build = {"RUN x"};
  s.shell = {"/bin/bash", "-c"};
  std::string json = serialize_config(s, "2023-11-14T22:13:20Z");
  auto pos = [&](const char* key) { return json.find(std::string("\"") + key + "\""); };
  std::vector<const char*> order{"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir",
                                 "Labels", "StopSignal", "ArgsEscaped", "Healthcheck", "OnBuild", "Shell"};
  for (std::size_t i = 1; i < order.size(); ++i) EXPECT_LT(pos(order[i - 1]), pos(order[i])) << order[i];
  EXPECT_NE(json.find("\"a\":\"1\",\"b\":\"x\\u003cy\\u0026z\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":30000000000,\"Retries\":3}"), std::string::npos);
  EXPECT_NE(json.find("\"variant\":\"v7\""), std::string::npos);
  EXPECT_LT(json.find("\"rootfs\""), json.find("\"variant\""));
}

TEST(ImageConfig, HistoryLaterThanTheEpochIsClamped) {
  ImageState s = scratch_state(parse_platform("linux/amd64").value());
  s.history.push_back(HistoryEntry{"2030-01-01T00:00:00Z", "", "old", "", false});
  s.history.push_back(HistoryEntry{"2001-01-01T00:00:00Z", "", "older", "", true});
  std::string json = serialize_config(s, "2020-01-01T00:00:00Z");
  EXPECT_NE(json.find("{\"created\":\"2020-01-01T00:00:00Z\",\"created_by\":\"old\"}"), std::string::npos) << json;
  EXPECT_NE(json.find("{\"created\":\"2001-01-01T00:00:00Z\",\"created_by\":\"older\",\"empty_layer\":true}"), std::string::npos);
}

TEST(ImageConfig, BaseConfigRoundTrip) {
  auto config = oci::ImageConfig::parse(
      R"({"architecture":"arm64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"],"Labels":{"k":"v"},"ExposedPorts":{"53/udp":{}},"User":"1"},"rootfs":{"type":"layers","diff_ids":[]},"history":[{"created_by":"x","empty_layer":true}]})");
  ASSERT_TRUE(config);
  auto s = state_from_config(*config, "base");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->env, std::vector<std::string>{"PATH=/bin"});
  EXPECT_EQ(*s->cmd, std::vector<std::string>{"sh"});
  EXPECT_EQ(s->labels.at("k"), "v");
  EXPECT_TRUE(s->exposed_ports.count("53/udp"));
  EXPECT_EQ(s->user, "1");
  ASSERT_EQ(s->history.size(), 1u);
  EXPECT_TRUE(s->history[0].empty_layer);
  auto bad = oci::ImageConfig::parse(R"({"architecture":"arm64","os":"linux","config":{"Env":"PATH=/bin"}})");
  ASSERT_TRUE(bad);
  EXPECT_FALSE(state_from_config(*bad, "base"));
}

TEST(ImageConfig, EnvReplacesInPlace) {
  ImageState s = scratch_state(parse_platform("linux/amd64").value());
  s.setenv("A", "1");
  s.setenv("PATH", "/x");
  EXPECT_EQ(s.env, (std::vector<std::string>{"PATH=/x", "A=1"}));
  EXPECT_EQ(s.getenv("A").value(), "1");
  EXPECT_FALSE(s.getenv("B"));
}

TEST(ImageConfig, GoFormattedLists) {
  EXPECT_EQ(go_quoted_list({"/bin/sh", "-c", "echo \"hi\""}), "[\"/bin/sh\" \"-c\" \"echo \\\"hi\\\"\"]");
  EXPECT_EQ(go_plain_list({"/bin/sh", "-c"}), "[/bin/sh -c]");
}

TEST(ImageConfig, ManifestFieldOrder) {
  oci::Descriptor config = oci::Descriptor::of("{}", "application/vnd.oci.image.config.v1+json");
  std::string m = serialize_manifest(config, {}, {{"org.opencontainers.image.created", "1970-01-01T00:00:00Z"}});
  EXPECT_TRUE(m.starts_with("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\""));
  EXPECT_TRUE(oci::Manifest::parse(m));
}

}  // namespace
}  // namespace sigil::build
