// AST-level behaviour users rely on: locations, heredoc bodies, directives, limits, and the
// one-line located errors.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "build/dockerfile/ast.hpp"
#include "build/dockerfile/dockerfile.hpp"
#include "build/dockerfile/scope.hpp"
#include "common/limits.hpp"

namespace sigil::build::dockerfile {
namespace {

TEST(DockerfileParser, LocationsSpanContinuationsAndHeredocs) {
  const std::string text =
      "FROM alpine\n"
      "  RUN echo a \\\n"
      "      b\n"
      "COPY <<EOF /x\n"
      "body\n"
      "EOF\n"
      "CMD [\"x\"]\n";
  auto ast = parse_ast(text, "Dockerfile");
  ASSERT_TRUE(ast.has_value()) << ast.error().message;
  ASSERT_EQ(ast->nodes.size(), 4u);
  EXPECT_EQ(ast->nodes[1].location.line, 2);
  EXPECT_EQ(ast->nodes[1].location.column, 3);
  EXPECT_EQ(ast->nodes[1].location.end_line, 3);
  EXPECT_EQ(ast->nodes[1].original, "RUN echo a       b");
  EXPECT_EQ(ast->nodes[2].location.line, 4);
  EXPECT_EQ(ast->nodes[2].location.end_line, 6);
  ASSERT_EQ(ast->nodes[2].heredocs.size(), 1u);
  EXPECT_EQ(ast->nodes[2].heredocs[0].content, "body\n");
  EXPECT_EQ(ast->nodes[3].location.line, 7);
  EXPECT_TRUE(ast->nodes[3].json);
}

TEST(DockerfileParser, HeredocMarkerForms) {
  auto ast = parse_ast("FROM a\nRUN 3<<-'E O' cat\n\tx\n\tE O\n", "Dockerfile");
  ASSERT_TRUE(ast.has_value()) << ast.error().message;
  const auto& h = ast->nodes[1].heredocs.at(0);
  EXPECT_EQ(h.name, "E O");
  EXPECT_FALSE(h.expand);
  EXPECT_TRUE(h.chomp);
  EXPECT_EQ(h.fd, 3u);
  EXPECT_EQ(h.content, "\tx\n");
  EXPECT_EQ(heredoc_body(h), "x\n");
}

TEST(DockerfileParser, PartiallyQuotedDelimiterDisablesExpansion) {
  auto ast = parse_ast("FROM a\nRUN <<E\"O\"F\nx\nEOF\n", "Dockerfile");
  ASSERT_TRUE(ast.has_value()) << ast.error().message;
  EXPECT_EQ(ast->nodes[1].heredocs.at(0).name, "EOF");
  EXPECT_FALSE(ast->nodes[1].heredocs.at(0).expand);
}

TEST(DockerfileParser, EscapeDirectiveChangesContinuation) {
  auto ast = parse_ast("# escape=`\nFROM a\nRUN echo \\\nRUN b `\n  c\n", "Dockerfile");
  ASSERT_TRUE(ast.has_value()) << ast.error().message;
  EXPECT_EQ(ast->escape, '`');
  ASSERT_EQ(ast->nodes.size(), 3u);
  EXPECT_EQ(ast->nodes[1].original, "RUN echo \\");
  EXPECT_EQ(ast->nodes[2].original, "RUN b   c");
}

TEST(DockerfileParser, DirectiveAfterInstructionIsAComment) {
  auto ast = parse_ast("FROM a\n# escape=`\nRUN x \\\n y\n", "Dockerfile");
  ASSERT_TRUE(ast.has_value()) << ast.error().message;
  EXPECT_TRUE(ast->directives.empty());
  EXPECT_EQ(ast->escape, '\\');
  EXPECT_EQ(ast->nodes.size(), 2u);
}

TEST(DockerfileParser, CommentsAboveAreKept) {
  auto ast = parse_ast("FROM a\n# build the app\n# quickly\nRUN make\n", "Dockerfile");
  ASSERT_TRUE(ast.has_value());
  EXPECT_EQ(ast->nodes[1].comments, (std::vector<std::string>{"build the app", "quickly"}));
}

TEST(DockerfileParser, OversizedFileIsRefused) {
  std::string text = "FROM a\n";
  text += "# " + std::string(limits::kMaxDockerfileBytes, 'x') + "\n";
  auto r = parse_ast(text, "big/Dockerfile");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().category, ErrorCategory::input);
  EXPECT_NE(r.error().message.find("big/Dockerfile: Dockerfile is"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("larger than the limit"), std::string::npos);
}

TEST(DockerfileParser, NulAndInvalidUtf8AreLocated) {
  auto nul = parse_ast(std::string("FROM a\nRUN x\0y\n", 15), "Dockerfile");
  ASSERT_FALSE(nul.has_value());
  EXPECT_EQ(nul.error().message.rfind("Dockerfile:2:6: NUL byte", 0), 0u) << nul.error().message;
  auto bad = parse_ast("FROM a\nRUN \xff\n", "Dockerfile");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message.rfind("Dockerfile:2:5: invalid UTF-8", 0), 0u) << bad.error().message;
  // Valid multi-byte text is fine.
  EXPECT_TRUE(parse_ast("FROM a\nLABEL name=\"caf\xc3\xa9 \xe2\x9c\x93\"\n", "Dockerfile").has_value());
}

TEST(DockerfileParser, ErrorShowsTheOffendingLine) {
  auto r = parse_dockerfile("FROM alpine\nRUN true\nCOPPY a b\n", "Dockerfile");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "Dockerfile:3:1: unknown instruction: COPPY (did you mean COPY?) (line: \"COPPY a b\")");
  EXPECT_EQ(r.error().category, ErrorCategory::input);
}

TEST(DockerfileParser, ErrorAtHelperForThePlanner) {
  auto df = parse_dockerfile("FROM alpine\n  RUN make  \n", "ctx/Dockerfile");
  ASSERT_TRUE(df.has_value());
  const auto& run = df->stages.at(0).instructions.at(0);
  auto e = df->error_at(run.location, "RUN is not supported yet");
  EXPECT_EQ(e.message, "ctx/Dockerfile:2:3: RUN is not supported yet (line: \"RUN make\")");
}

TEST(Dockerfile, FindStageByNameOrIndex) {
  auto df = parse_dockerfile("FROM a AS Build\nFROM b\nFROM c AS final\n", "Dockerfile");
  ASSERT_TRUE(df.has_value());
  ASSERT_NE(df->find_stage("build"), nullptr);
  EXPECT_EQ(df->find_stage("BUILD")->index, 0u);
  EXPECT_EQ(df->find_stage("1")->from.image, "b");
  EXPECT_EQ(df->find_stage("final")->index, 2u);
  EXPECT_EQ(df->find_stage("3"), nullptr);
  EXPECT_EQ(df->find_stage("missing"), nullptr);
}

TEST(DockerfileParser, HostileInputNeverCrashesAndErrorsStayOneLine) {
  // Random Dockerfiles from the characters and words that drive the parser's states.
  const std::vector<std::string> pieces = {
      "FROM ", "RUN ", "COPY ", "ADD ", "ENV ", "ARG ", "LABEL ", "ONBUILD ", "HEALTHCHECK ", "CMD ",
      "SHELL ", "EXPOSE ", "VOLUME ", "USER ", "x", "a=b", " ", "\t", "\n", "\r\n", "\\", "`", "\"",
      "'", "$", "${", "}", ":-", ":?", "#", "/", "%%", "##", "<<", "<<-", "EOF", "\"EOF\"", "[", "]",
      ",", "--", "--from=", "--mount=", "=", "# escape=`\n", "# syntax=x\n", "\xc3\xa9", "*", "?"};
  std::mt19937 rng(20261126);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(1, 60);
  int parsed = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = round % 3 == 0 ? "" : "FROM x\n";
    for (int i = length(rng); i > 0; --i) text += pieces[pick(rng)];
    auto df = parse_dockerfile(text, "Dockerfile");
    if (!df) {
      EXPECT_EQ(df.error().message.find('\n'), std::string::npos) << df.error().message;
      EXPECT_EQ(df.error().category, ErrorCategory::input);
      continue;
    }
    ++parsed;
    // Expanding whatever was parsed must not crash either.
    auto global = GlobalScope::evaluate(df->global_args, {}, Environment{}, df->directives.escape_char,
                                        df->filename, df->text);
    if (!global) continue;
    for (const auto& stage : df->stages) {
      (void)expand_word(stage.from.image, global->env(), df->directives.escape_char);
      StageScope scope(*global, {}, Environment{}, Environment{}, df->directives.escape_char);
      for (const auto& inst : stage.instructions) {
        if (const auto* env = std::get_if<EnvInstruction>(&inst.value)) (void)scope.apply_env(*env);
        if (const auto* arg = std::get_if<ArgInstruction>(&inst.value)) (void)scope.apply_arg(*arg);
        if (const auto* copy = std::get_if<CopyInstruction>(&inst.value)) {
          for (const auto& src : copy->sources) (void)scope.expand(src);
          for (const auto& in : copy->inline_sources) (void)expand_heredoc(in.data, scope.env());
        }
      }
    }
  }
  EXPECT_GT(parsed, 100);  // the generator also produces valid files
}

}  // namespace
}  // namespace sigil::build::dockerfile
