#include "build/plan/stage_graph.hpp"

#include <gtest/gtest.h>

#include "build/exec/users.hpp"

namespace sigil::build {
namespace {

struct Parsed {
  dockerfile::Dockerfile file;
  dockerfile::GlobalScope global;
};

Parsed parse(const std::string& text, dockerfile::BuildArgs args = {}) {
  auto file = dockerfile::parse_dockerfile(text, "Dockerfile");
  EXPECT_TRUE(file) << (file ? "" : file.error().message);
  auto global = dockerfile::GlobalScope::evaluate(file->global_args, args, {}, '\\', "Dockerfile", text);
  EXPECT_TRUE(global);
  return {*file, *global};
}

TEST(StageGraph, TargetPrunesUnneededStages) {
  auto p = parse("FROM scratch AS a\nFROM scratch AS b\nCOPY --from=a /x /x\nFROM scratch AS c\nFROM b\n");
  auto all = order_stages(p.file, "", p.global, {});
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->stages, (std::vector<std::size_t>{0, 1, 3}));
  EXPECT_EQ(all->target, 3u);
  auto b = order_stages(p.file, "b", p.global, {});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->stages, (std::vector<std::size_t>{0, 1}));
  auto c = order_stages(p.file, "C", p.global, {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->stages, (std::vector<std::size_t>{2}));
}

TEST(StageGraph, UnknownTargetAndCyclesFailWithLines) {
  auto p = parse("FROM scratch AS a\nCOPY --from=b /x /x\nFROM scratch AS b\nCOPY --from=a /y /y\n");
  auto cyc = order_stages(p.file, "", p.global, {});
  ASSERT_FALSE(cyc);
  EXPECT_NE(cyc.error().message.find("circular dependency"), std::string::npos) << cyc.error().message;
  EXPECT_NE(cyc.error().message.find("Dockerfile:"), std::string::npos);
  auto missing = order_stages(p.file, "zzz", p.global, {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("zzz"), std::string::npos);
  auto self = parse("FROM scratch AS a\nCOPY --from=a /x /x\n");
  auto s = order_stages(self.file, "", self.global, {});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("Dockerfile:2"), std::string::npos) << s.error().message;
  auto index = parse("FROM scratch\nCOPY --from=3 /x /x\n");
  EXPECT_FALSE(order_stages(index.file, "", index.global, {}));
}

TEST(StageGraph, ReferencesExpandWithGlobalArgs) {
  auto p = parse("ARG SRC=builder\nFROM scratch AS builder\nFROM ${SRC}\nFROM scratch\nCOPY --from=$SRC /a /a\n");
  auto order = order_stages(p.file, "", p.global, {});
  ASSERT_TRUE(order) << order.error().message;
  EXPECT_EQ(order->bases[1].kind, StageRef::Kind::stage);
  EXPECT_EQ(order->bases[1].stage, 0u);
  EXPECT_EQ(order->stages, (std::vector<std::size_t>{0, 2}));
  auto img = parse("ARG V=3.20\nFROM alpine:$V\n");
  auto o2 = order_stages(img.file, "", img.global, {});
  ASSERT_TRUE(o2);
  EXPECT_EQ(o2->bases[0].kind, StageRef::Kind::image);
  EXPECT_EQ(o2->bases[0].name, "alpine:3.20");
  EXPECT_EQ(classify_reference(img.file, "scratch", 0, {}).kind, StageRef::Kind::scratch);
  EXPECT_EQ(classify_reference(img.file, "ctx", std::nullopt, {"ctx"}).kind, StageRef::Kind::context);
}

TEST(Users, ResolvesNamesNumbersAndPrimaryGroups) {
  std::string passwd = "root:x:0:0:root:/root:/bin/sh\n# c\napp:x:1001:1002::/home/app:/bin/sh\n";
  std::string group = "root:x:0:\nstaff:x:50:app\n";
  auto c = resolve_chown("app", passwd, group).value();
  EXPECT_EQ(c.uid, 1001u);
  EXPECT_EQ(c.gid, 1002u);
  c = resolve_chown("app:staff", passwd, group).value();
  EXPECT_EQ(c.gid, 50u);
  c = resolve_chown("10", std::nullopt, std::nullopt).value();
  EXPECT_EQ(c.uid, 10u);
  EXPECT_EQ(c.gid, 10u);
  c = resolve_chown("10:20", std::nullopt, std::nullopt).value();
  EXPECT_EQ(c.gid, 20u);
  EXPECT_FALSE(resolve_chown("nobody", passwd, group));
  EXPECT_FALSE(resolve_chown("app:wheel", passwd, group));
  EXPECT_FALSE(resolve_chown("app", std::nullopt, std::nullopt));
  EXPECT_FALSE(resolve_chown(":5", passwd, group));
}

}  // namespace
}  // namespace sigil::build
