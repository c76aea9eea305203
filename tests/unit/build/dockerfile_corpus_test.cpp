// Golden corpus: every tests/data/dockerfile/<case>/ holds a Dockerfile and either `expected`
// (one JSON line per directive, global ARG and instruction, as dumped below) or `error` (the
// exact one-line error). One loop runs them all, so a new case is just a new directory;
// SIGIL_UPDATE_GOLDEN=1 rewrites the golden files (review the diff before committing).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "build/dockerfile/dockerfile.hpp"
#include "common/json.hpp"

namespace sigil::build::dockerfile {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(SIGIL_SOURCE_DIR) / "tests/data/dockerfile";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Json command_json(const CommandLine& c) { return Json{{"args", c.args}, {"shell", c.prepend_shell}}; }

Json inline_json(const std::vector<InlineSource>& sources) {
  Json out = Json::array();
  for (const auto& s : sources) out.push_back({{"name", s.name}, {"data", s.data}, {"expand", s.expand}});
  return out;
}

Json kv_json(const std::vector<KeyValue>& kvs) {
  Json out = Json::array();
  for (const auto& kv : kvs) {
    Json j = {kv.key, kv.value};
    if (kv.legacy_form) j.push_back("legacy");
    out.push_back(j);
  }
  return out;
}

struct Dumper {
  Json operator()(const FromInstruction& v) const { return {{"image", v.image}, {"name", v.name}, {"platform", v.platform}}; }
  Json operator()(const CopyInstruction& v) const {
    return {{"sources", v.sources}, {"inline", inline_json(v.inline_sources)}, {"dest", v.dest}, {"from", v.from},
            {"chown", v.chown}, {"chmod", v.chmod}, {"link", v.link}, {"parents", v.parents}, {"exclude", v.excludes},
            {"json", v.json}};
  }
  Json operator()(const AddInstruction& v) const {
    return {{"sources", v.sources}, {"inline", inline_json(v.inline_sources)}, {"dest", v.dest}, {"chown", v.chown},
            {"chmod", v.chmod}, {"link", v.link}, {"keep_git_dir", v.keep_git_dir}, {"checksum", v.checksum},
            {"exclude", v.excludes}, {"json", v.json}};
  }
  Json operator()(const RunInstruction& v) const {
    Json files = Json::array();
    for (const auto& h : v.files) files.push_back({{"name", h.name}, {"content", h.content}, {"expand", h.expand}, {"chomp", h.chomp}});
    return {{"command", command_json(v.command)}, {"files", files}, {"mounts", v.mounts}, {"network", v.network}, {"security", v.security}};
  }
  Json operator()(const CmdInstruction& v) const { return command_json(v.command); }
  Json operator()(const EntrypointInstruction& v) const { return command_json(v.command); }
  Json operator()(const EnvInstruction& v) const { return kv_json(v.vars); }
  Json operator()(const LabelInstruction& v) const { return kv_json(v.labels); }
  Json operator()(const ArgInstruction& v) const {
    Json out = Json::array();
    for (const auto& a : v.args) out.push_back(a.default_value ? Json{a.name, *a.default_value} : Json{a.name});
    return out;
  }
  Json operator()(const ExposeInstruction& v) const { return v.ports; }
  Json operator()(const UserInstruction& v) const { return v.user; }
  Json operator()(const WorkdirInstruction& v) const { return v.path; }
  Json operator()(const ShellInstruction& v) const { return v.shell; }
  Json operator()(const StopsignalInstruction& v) const { return v.signal; }
  Json operator()(const HealthcheckInstruction& v) const {
    return {{"test", v.test}, {"interval", v.interval.count()}, {"timeout", v.timeout.count()},
            {"start_period", v.start_period.count()}, {"start_interval", v.start_interval.count()}, {"retries", v.retries}};
  }
  Json operator()(const VolumeInstruction& v) const { return v.volumes; }
  Json operator()(const OnbuildInstruction& v) const { return {{"expression", v.expression}, {"trigger", v.trigger}}; }
  Json operator()(const MaintainerInstruction& v) const { return v.maintainer; }
};

std::string where(const SourceLocation& l) {
  return std::to_string(l.line) + ":" + std::to_string(l.column) + "-" + std::to_string(l.end_line);
}

std::string dump_instruction(const Instruction& i) {
  return dump_json(Json{where(i.location), i.keyword, std::visit(Dumper{}, i.value)});
}

std::string dump(const Dockerfile& df) {
  std::string out;
  const auto line = [&](const Json& j) { out += dump_json(j) + "\n"; };
  if (df.directives.syntax) line(Json{"directive", "syntax", *df.directives.syntax});
  if (df.directives.escape) line(Json{"directive", "escape", *df.directives.escape});
  if (df.directives.check) line(Json{"directive", "check", *df.directives.check});
  for (const auto& a : df.global_args) out += "global " + dump_instruction(a) + "\n";
  for (const auto& s : df.stages) {
    line(Json{"stage", s.index, s.name, where(s.location), Dumper{}(s.from)});
    for (const auto& i : s.instructions) out += "  " + dump_instruction(i) + "\n";
  }
  for (const auto& w : df.warnings) line(Json{"warning", w});
  return out;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  if (!fs::is_directory(kCorpus)) return names;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(DockerfileCorpus, HasCases) {
  // The corpus is committed test data: an empty loop would pass silently.
  EXPECT_GE(case_names().size(), 30u) << kCorpus;
}

class Corpus : public testing::TestWithParam<std::string> {};

TEST_P(Corpus, MatchesExpected) {
  const fs::path dir = kCorpus / GetParam();
  const std::string text = slurp(dir / "Dockerfile");
  auto df = parse_dockerfile(text, "Dockerfile");
  const bool want_error = fs::exists(dir / "error");
  if (std::getenv("SIGIL_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(dir / (df ? "expected" : "error"), std::ios::binary) << (df ? dump(*df) : df.error().message + "\n");
    GTEST_SKIP() << "golden file rewritten";
  }
  if (want_error) {
    ASSERT_FALSE(df.has_value()) << "expected an error, got:\n" << dump(*df);
    std::string expected = slurp(dir / "error");
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    EXPECT_EQ(df.error().message, expected);
    EXPECT_EQ(df.error().category, ErrorCategory::input);
    EXPECT_EQ(df.error().message.find('\n'), std::string::npos) << "errors are one line";
  } else {
    ASSERT_TRUE(df.has_value()) << df.error().message;
    EXPECT_EQ(dump(*df), slurp(dir / "expected"));
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, Corpus, testing::ValuesIn(case_names()),
                         [](const testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           for (auto& c : name) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace sigil::build::dockerfile
