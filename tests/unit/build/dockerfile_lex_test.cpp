// Variable expansion and word splitting, case by case, with the results BuildKit's shell.Lex
// gives (its envVarTest and lex_test cases, restated here as a table of our own).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "build/dockerfile/shell_lex.hpp"

namespace sigil::build::dockerfile {
namespace {

Environment test_env() {
  Environment env;
  env.set("PWD", "/home");
  env.set("SHELL", "bash");
  env.set("FOO", "foo");
  env.set("BAR", "bar");
  env.set("EMPTY", "");
  env.set("SPACED", "a  b c");
  env.set("PATHLIKE", "/usr/local/bin/tool.tar.gz");
  env.set("X_Y", "xy");
  return env;
}

struct WordCase {
  const char* input;
  const char* expected;  // nullptr: an error is expected
  const char* error = "";  // substring of the error when expected is nullptr
};

class ExpandWord : public testing::TestWithParam<WordCase> {};

TEST_P(ExpandWord, MatchesBuildKit) {
  const auto& c = GetParam();
  auto r = expand_word(c.input, test_env());
  if (c.expected == nullptr) {
    ASSERT_FALSE(r.has_value()) << c.input << " gave " << *r;
    EXPECT_EQ(r.error().category, ErrorCategory::input);
    EXPECT_NE(r.error().message.find(c.error), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.rfind("failed to process \"", 0), 0u) << r.error().message;
  } else {
    ASSERT_TRUE(r.has_value()) << c.input << ": " << r.error().message;
    EXPECT_EQ(*r, c.expected) << c.input;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ExpandWord,
    testing::Values(
        // plain text, quotes and escapes
        WordCase{"hello", "hello"}, WordCase{"he'll'o", "hello"}, WordCase{"he\"ll\"o", "hello"},
        WordCase{"he'llo", nullptr, "matching single-quote"}, WordCase{"he\"llo", nullptr, "matching double-quote"},
        WordCase{"he\\'llo", "he'llo"}, WordCase{"he\\\\'llo", nullptr, "single-quote"},
        WordCase{"abc\\", "abc"}, WordCase{"abc\\\\", "abc\\"}, WordCase{"'abc\\'", "abc\\"},
        WordCase{"'a\\\"b'", "a\\\"b"}, WordCase{"\"abc\\\\\"", "abc\\"}, WordCase{"\"a\\bc\"", "a\\bc"},
        WordCase{"\"a\\\"b\"", "a\"b"}, WordCase{"\"a\\$b\"", "a$b"}, WordCase{"\"abc\\\"", nullptr, "double-quote"},
        WordCase{"\"it's\"", "it's"}, WordCase{"'say \"hi\"'", "say \"hi\""}, WordCase{"a   b", "a   b"},
        // $V and ${V}
        WordCase{"he$PWD", "he/home"}, WordCase{"he${PWD}llo", "he/homello"}, WordCase{"he$PWDllo", "he"},
        WordCase{"he\\$PWD", "he$PWD"}, WordCase{"'he$PWD'", "he$PWD"}, WordCase{"\"he$PWD\"", "he/home"},
        WordCase{"\"he'$PWD'\"", "he'/home'"}, WordCase{"$X_Y.z", "xy.z"}, WordCase{"$", "$"},
        WordCase{"a$", "a$"}, WordCase{"$.", "$."}, WordCase{"$1", ""}, WordCase{"$12ab", "ab"},
        WordCase{"${PWD", nullptr, "missing '}'"}, WordCase{"${", nullptr, "missing '}'"},
        WordCase{"${}", nullptr, "bad substitution"}, WordCase{"${:x}", nullptr, "bad substitution"},
        WordCase{"${{PWD}}", nullptr, "bad substitution"}, WordCase{"$(echo hi)", "$(echo hi)"},
        WordCase{"${UNSET}x", "x"}, WordCase{"${EMPTY}x", "x"},
        // defaults and alternatives, with and without the colon
        WordCase{"he${PWD:-000}xx", "he/homexx"}, WordCase{"he${XXX:-000}xx", "he000xx"},
        WordCase{"he${PWD:+000}xx", "he000xx"}, WordCase{"he${XXX:+000}xx", "hexx"},
        WordCase{"${EMPTY:-d}", "d"}, WordCase{"${EMPTY-d}", ""}, WordCase{"${UNSET-d}", "d"},
        WordCase{"${EMPTY:+a}", ""}, WordCase{"${EMPTY+a}", "a"}, WordCase{"${UNSET+a}", ""},
        WordCase{"${UNSET:-a b}", "a b"}, WordCase{"${UNSET:-'q w'}", "q w"},
        WordCase{"${UNSET:-$FOO}", "foo"}, WordCase{"${UNSET:-${X:-${BAR}}}", "bar"},
        WordCase{"${UNSET:-\\}}", "}"}, WordCase{"${FOO:=x}", nullptr, "unsupported modifier (:=)"},
        WordCase{"${FOO=x}", nullptr, "unsupported modifier (=)"}, WordCase{"${FOO:-x", nullptr, "missing '}'"},
        // required variables
        WordCase{"${FOO:?}", "foo"}, WordCase{"${FOO?}", "foo"}, WordCase{"${EMPTY?}", ""},
        WordCase{"${UNSET?}", nullptr, "UNSET: is not allowed to be unset"},
        WordCase{"${EMPTY:?}", nullptr, "EMPTY: is not allowed to be empty"},
        WordCase{"${UNSET:?you must set it}", nullptr, "UNSET: you must set it"},
        // prefix and suffix removal
        WordCase{"${PATHLIKE#*/}", "usr/local/bin/tool.tar.gz"}, WordCase{"${PATHLIKE##*/}", "tool.tar.gz"},
        WordCase{"${PATHLIKE%.*}", "/usr/local/bin/tool.tar"}, WordCase{"${PATHLIKE%%.*}", "/usr/local/bin/tool"},
        WordCase{"${PATHLIKE#/usr}", "/local/bin/tool.tar.gz"}, WordCase{"${PATHLIKE#nomatch}", "/usr/local/bin/tool.tar.gz"},
        WordCase{"${FOO#?}", "oo"}, WordCase{"${FOO%?}", "fo"}, WordCase{"${FOO#\\*}", "foo"},
        WordCase{"${UNSET#x}", ""}, WordCase{"${FOO:#f}", nullptr, "unsupported modifier (:#)"},
        WordCase{"${FOO#\\x}", nullptr, "invalid escape"},
        // replacement
        WordCase{"${PATHLIKE/local/opt}", "/usr/opt/bin/tool.tar.gz"}, WordCase{"${PATHLIKE//\\//-}", "-usr-local-bin-tool.tar.gz"},
        WordCase{"${PATHLIKE/\\//-}", "-usr/local/bin/tool.tar.gz"}, WordCase{"${FOO/o/0}", "f0o"},
        WordCase{"${FOO//o/0}", "f00"}, WordCase{"${FOO/x/y}", "foo"}, WordCase{"${FOO/*/z}", "z"},
        WordCase{"${FOO/o", nullptr, "missing '/'"},
        // special parameters are names (always unset here)
        WordCase{"$@x", "x"}, WordCase{"$#", ""}, WordCase{"${#}", ""}));

struct WordsCase {
  const char* input;
  std::vector<std::string> expected;
};

class ExpandWords : public testing::TestWithParam<WordsCase> {};

TEST_P(ExpandWords, SplitsAfterExpansion) {
  const auto& c = GetParam();
  auto r = expand_words(c.input, test_env());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, c.expected) << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ExpandWords,
    testing::Values(WordsCase{"hello", {"hello"}}, WordsCase{"hello world", {"hello", "world"}},
                    WordsCase{"  a   b  ", {"a", "b"}}, WordsCase{"'a b' c", {"a b", "c"}},
                    WordsCase{"\"a b\"c d", {"a bc", "d"}}, WordsCase{"a\\ b", {"a b"}},
                    WordsCase{"$SPACED", {"a", "b", "c"}}, WordsCase{"\"$SPACED\"", {"a  b c"}},
                    WordsCase{"x$SPACED", {"xa", "b", "c"}}, WordsCase{"$EMPTY", {}},
                    WordsCase{"''", {}}, WordsCase{"a '' b", {"a", "b"}},
                    WordsCase{"80/tcp $FOO", {"80/tcp", "foo"}},
                    WordsCase{"pre${UNSET:-x y}post", {"prex", "ypost"}}));

TEST(ShellLex, BacktickEscapeLeavesBackslashesAlone) {
  Environment env;
  env.set("DIR", "C:\\data");
  auto r = expand_word("c:\\windows\\`$DIR `\"q`\"", env, '`');
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, "c:\\windows\\$DIR \"q\"");
  auto v = expand_word("$DIR\\sub", env, '`');
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, "C:\\data\\sub");
  auto w = expand_words("a` b c", env, '`');
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(*w, (std::vector<std::string>{"a b", "c"}));
}

TEST(ShellLex, OptionsMirrorBuildKitSwitches) {
  Environment env;
  env.set("A", "1");
  LexOptions raw_quotes;
  raw_quotes.raw_quotes = true;
  EXPECT_EQ(shell_lex("'x'\"$A\"", env, raw_quotes)->word, "'x'\"1\"");
  LexOptions raw_escapes;
  raw_escapes.raw_escapes = true;
  EXPECT_EQ(shell_lex("a\\ b", env, raw_escapes)->word, "a\\ b");
  LexOptions skip_unset;
  skip_unset.skip_unset_env = true;
  EXPECT_EQ(shell_lex("$A $B ${C} ${D:-x} ${E/a/b}", env, skip_unset)->word, "1 $B ${C} ${D:-x} ${E/a/b}");
  auto r = shell_lex("$A $B ${C:-$A}", env);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->matched, (std::set<std::string>{"A"}));
  EXPECT_EQ(r->unmatched, (std::set<std::string>{"B", "C"}));
}

TEST(ShellLex, HeredocBodiesKeepQuotes) {
  Environment env;
  env.set("NAME", "world");
  auto r = expand_heredoc("echo \"hello $NAME\" 'and ${NAME}'\n", env);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, "echo \"hello world\" 'and world'\n");
}

TEST(ShellLex, ManyWildcardsStayFast) {
  // Backtracking without memory would take exponential time here.
  Environment env;
  env.set("V", std::string(200, 'a'));
  std::string pattern;
  for (int i = 0; i < 20; ++i) pattern += "*a";
  auto r = expand_word("${V#" + pattern + "b}", env);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->size(), 200u);  // no match: unchanged
  auto all = expand_word("${V//" + pattern + "b/x}", env);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 200u);
  std::string too_many;
  for (int i = 0; i < 300; ++i) too_many += "*";
  auto refused = expand_word("${V#" + too_many + "}", env);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("wildcards"), std::string::npos);
  // A long literal pattern is matched without deep recursion.
  env.set("L", std::string(60000, 'b') + "c");
  auto lit = expand_word("${L#" + std::string(60000, 'b') + "}", env);
  ASSERT_TRUE(lit.has_value());
  EXPECT_EQ(*lit, "c");
}

TEST(ShellLex, ErrorNamesTheInput) {
  auto r = expand_word("x ${UNSET:?needed}", Environment{});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "failed to process \"x ${UNSET:?needed}\": UNSET: needed");
}

TEST(Environment, KeepsFirstDefinitionOrder) {
  auto env = Environment::from_strings({"PATH=/bin", "A=1", "B", "A=2"});
  EXPECT_EQ(env.to_strings(), (std::vector<std::string>{"PATH=/bin", "A=2", "B="}));
  EXPECT_TRUE(env.contains("B"));
  EXPECT_FALSE(env.get("b").has_value());
  EXPECT_TRUE(env.erase("A"));
  EXPECT_FALSE(env.contains("A"));
}

}  // namespace
}  // namespace sigil::build::dockerfile
