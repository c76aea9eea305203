// ARG/ENV scoping as BuildKit applies it when converting a Dockerfile (see scope.hpp).
#include <gtest/gtest.h>

#include "build/dockerfile/dockerfile.hpp"
#include "build/dockerfile/scope.hpp"

namespace sigil::build::dockerfile {
namespace {

Environment automatic(std::string_view arch) {
  Environment env;
  env.set("TARGETPLATFORM", "linux/" + std::string(arch));
  env.set("TARGETOS", "linux");
  env.set("TARGETARCH", arch);
  env.set("TARGETVARIANT", "");
  env.set("BUILDPLATFORM", "linux/amd64");
  env.set("BUILDOS", "linux");
  env.set("BUILDARCH", "amd64");
  env.set("BUILDVARIANT", "");
  return env;
}

Dockerfile parse(std::string_view text) {
  auto df = parse_dockerfile(text, "Dockerfile");
  EXPECT_TRUE(df.has_value()) << df.error().message;
  return std::move(*df);
}

TEST(GlobalScope, DefaultsBuildArgsAndAutomaticArgs) {
  auto df = parse("ARG REG=docker.io\nARG IMG=${REG}/library/alpine\nARG TAG\nARG UNDECLARED_USE=$NOPE\n"
                  "FROM --platform=$BUILDPLATFORM ${IMG}:${TAG:-latest}\n");
  BuildArgs args{{"REG", "ghcr.io"}, {"NOT_DECLARED", "x"}};
  auto scope = GlobalScope::evaluate(df.global_args, args, automatic("arm64"), '\\', df.filename, df.text);
  ASSERT_TRUE(scope.has_value()) << scope.error().message;
  EXPECT_EQ(*expand_word(df.stages[0].from.image, scope->env()), "ghcr.io/library/alpine:latest");
  EXPECT_EQ(*expand_word(df.stages[0].from.platform, scope->env()), "linux/amd64");
  EXPECT_FALSE(scope->env().contains("TAG"));           // declared without value
  EXPECT_FALSE(scope->env().contains("NOT_DECLARED"));  // build args need an ARG
  EXPECT_EQ(scope->declared(), (std::vector<std::string>{"REG", "IMG", "TAG", "UNDECLARED_USE"}));
  EXPECT_EQ(*scope->value("UNDECLARED_USE"), "");
}

TEST(GlobalScope, ExpansionErrorIsLocated) {
  // Quoted: unquoted, BuildKit would split the words into three ARG declarations.
  auto df = parse("ARG A\nARG B=\"${A:?A is required}\"\nFROM x\n");
  auto scope = GlobalScope::evaluate(df.global_args, {}, Environment{}, '\\', df.filename, df.text);
  ASSERT_FALSE(scope.has_value());
  EXPECT_EQ(scope.error().message,
            "Dockerfile:2:1: failed to process \"\\\"${A:?A is required}\\\"\": A: A is required "
            "(line: \"ARG B=\\\"${A:?A is required}\\\"\")");
}

TEST(StageScope, GlobalArgsNeedRedeclaration) {
  auto df = parse("ARG V=1\nARG W=2\nFROM x\nARG V\nARG W=own\n");
  auto global = GlobalScope::evaluate(df.global_args, {}, automatic("amd64"), '\\', df.filename, df.text);
  ASSERT_TRUE(global.has_value());
  StageScope stage(*global, {}, automatic("amd64"), Environment{}, '\\');
  EXPECT_EQ(*stage.expand("[$V]"), "[]");  // not visible before ARG V
  ASSERT_TRUE(stage.apply_arg(std::get<ArgInstruction>(df.stages[0].instructions[0].value)).has_value());
  EXPECT_EQ(*stage.expand("[$V]"), "[1]");
  ASSERT_TRUE(stage.apply_arg(std::get<ArgInstruction>(df.stages[0].instructions[1].value)).has_value());
  EXPECT_EQ(*stage.expand("$W"), "own");  // the stage's default beats the global value
  EXPECT_FALSE(stage.config_env().contains("V"));
}

TEST(StageScope, BuildArgBeatsDefaultAndAutomaticArgsNeedDeclaration) {
  auto df = parse("FROM x\nARG A=default B=$A\nARG TARGETARCH=ignored\nARG TARGETOS\nARG NOVALUE\n");
  auto global = GlobalScope::evaluate(df.global_args, {}, automatic("arm64"), '\\', df.filename, df.text);
  StageScope stage(*global, {{"A", "cli"}}, automatic("arm64"), Environment{}, '\\');
  EXPECT_EQ(*stage.expand("${TARGETARCH:-none}"), "none");
  for (const auto& i : df.stages[0].instructions) {
    ASSERT_TRUE(stage.apply_arg(std::get<ArgInstruction>(i.value)).has_value());
  }
  EXPECT_EQ(*stage.expand("$A $B $TARGETARCH $TARGETOS"), "cli cli arm64 linux");
  EXPECT_EQ(stage.args().back().first, "NOVALUE");
  EXPECT_FALSE(stage.args().back().second.has_value());
  EXPECT_FALSE(stage.env().contains("NOVALUE"));
}

TEST(StageScope, EnvAndArgLaterWinsOnlyEnvReachesConfig) {
  auto df = parse("FROM x\nENV P=env\nARG P\nENV Q=1 R=$Q\nENV Q=2\n");
  auto global = GlobalScope::evaluate(df.global_args, {}, Environment{}, '\\', df.filename, df.text);
  StageScope stage(*global, {{"P", "arg"}}, Environment{}, Environment::from_strings({"PATH=/usr/bin", "Q=base"}), '\\');
  const auto& ins = df.stages[0].instructions;
  ASSERT_TRUE(stage.apply_env(std::get<EnvInstruction>(ins[0].value)).has_value());
  ASSERT_TRUE(stage.apply_arg(std::get<ArgInstruction>(ins[1].value)).has_value());
  EXPECT_EQ(*stage.expand("$P"), "arg");
  EXPECT_EQ(*stage.config_env().get("P"), "env");
  ASSERT_TRUE(stage.apply_env(std::get<EnvInstruction>(ins[2].value)).has_value());
  EXPECT_EQ(*stage.expand("$R"), "base");  // ENV pairs expand against the scope before the line
  ASSERT_TRUE(stage.apply_env(std::get<EnvInstruction>(ins[3].value)).has_value());
  EXPECT_EQ(stage.config_env().to_strings(), (std::vector<std::string>{"PATH=/usr/bin", "Q=2", "P=env", "R=base"}));
  EXPECT_EQ(*stage.expand_split("$PATH  $Q"), (std::vector<std::string>{"/usr/bin", "2"}));
}

TEST(StageScope, EnvKeysAreExpandedAndPairsReturned) {
  auto df = parse("FROM x\nARG K=NAME\nENV ${K}=v \"x y\"=$K\n");
  auto global = GlobalScope::evaluate(df.global_args, {}, Environment{}, '\\', df.filename, df.text);
  StageScope stage(*global, {}, Environment{}, Environment{}, '\\');
  ASSERT_TRUE(stage.apply_arg(std::get<ArgInstruction>(df.stages[0].instructions[0].value)).has_value());
  auto pairs = stage.apply_env(std::get<EnvInstruction>(df.stages[0].instructions[1].value));
  ASSERT_TRUE(pairs.has_value()) << pairs.error().message;
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(*pairs, (Pairs{{"NAME", "v"}, {"x y", "NAME"}}));
  EXPECT_EQ(stage.config_env().to_strings(), (std::vector<std::string>{"NAME=v", "x y=NAME"}));
}

TEST(StageScope, UnusedBadDefaultIsNotEvaluated) {
  auto df = parse("FROM x\nARG A=${NOPE:?required}\n");
  auto global = GlobalScope::evaluate(df.global_args, {}, Environment{}, '\\', df.filename, df.text);
  const auto& arg = std::get<ArgInstruction>(df.stages[0].instructions[0].value);
  StageScope with_build_arg(*global, {{"A", "given"}}, Environment{}, Environment{}, '\\');
  ASSERT_TRUE(with_build_arg.apply_arg(arg).has_value());
  EXPECT_EQ(*with_build_arg.expand("$A"), "given");
  StageScope without(*global, {}, Environment{}, Environment{}, '\\');
  auto r = without.apply_arg(arg);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("NOPE: required"), std::string::npos) << r.error().message;
}

TEST(StageScope, QuotesInValuesAreRemovedByExpansion) {
  auto df = parse("FROM x\nENV A=\"two words\" B='$A' C=\"$A\"\n");
  auto global = GlobalScope::evaluate(df.global_args, {}, Environment{}, '\\', df.filename, df.text);
  StageScope stage(*global, {}, Environment{}, Environment{}, '\\');
  ASSERT_TRUE(stage.apply_env(std::get<EnvInstruction>(df.stages[0].instructions[0].value)).has_value());
  EXPECT_EQ(*stage.config_env().get("A"), "two words");
  EXPECT_EQ(*stage.config_env().get("B"), "$A");
  EXPECT_EQ(*stage.config_env().get("C"), "");  // expanded against the scope before this line
}

}  // namespace
}  // namespace sigil::build::dockerfile
