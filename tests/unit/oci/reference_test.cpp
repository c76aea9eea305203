// Reference parsing as one golden table: each input either yields a canonical string or an
// error containing a substring. Cases include the tricky ones of distribution/reference's
// reference_test.go and normalize_test.go, plus sigil's transports.
#include "oci/reference.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sigil::oci {
namespace {

const std::string kHex64(64, 'f');
const std::string kD = "sha256:" + kHex64;
const std::string kD512 = "sha512:" + std::string(128, 'f');
const std::string kRedis = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
const std::string kImageId = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct Case {
  std::string input;
  std::string canonical;  ///< expected str() on success
  std::string error;      ///< expected error substring; empty for success
};

Case ok(std::string input, std::string canonical) { return {std::move(input), std::move(canonical), {}}; }
Case bad(std::string input, std::string error) { return {std::move(input), {}, std::move(error)}; }

std::vector<Case> cases() {
  const std::string long_ns =
      "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_"
      "its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_"
      "not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker";
  return {
      // Docker Hub normalization.
      ok("alpine", "docker.io/library/alpine"),
      ok("alpine:3.20", "docker.io/library/alpine:3.20"),
      ok("user/app", "docker.io/user/app"),
      ok("docker.io/alpine", "docker.io/library/alpine"),
      ok("docker.io/library/redis:latest", "docker.io/library/redis:latest"),
      ok("index.docker.io/debian", "docker.io/library/debian"),
      ok("index.docker.io/docker/docker", "docker.io/docker/docker"),
      ok("library/foo/bar", "docker.io/library/foo/bar"),
      ok("docker.io/library/foo/bar", "docker.io/library/foo/bar"),
      ok("store/foo/bar", "docker.io/store/foo/bar"),
      ok("test_com", "docker.io/library/test_com"),
      ok("test_com/foo", "docker.io/test_com/foo"),
      ok("redis@" + kRedis, "docker.io/library/redis@" + kRedis),
      ok("dmcgowan/myapp@" + kRedis, "docker.io/dmcgowan/myapp@" + kRedis),
      ok("busybox:latest@" + kRedis, "docker.io/library/busybox:latest@" + kRedis),
      ok("docker.io/" + kImageId, "docker.io/library/" + kImageId),
      ok("thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
         "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev"),
      // A single element is never a host: "host:port" alone is a Docker Hub name and tag.
      ok("test.com:tag", "docker.io/library/test.com:tag"),
      ok("test.com:5000", "docker.io/library/test.com:5000"),
      ok("localhost:5000", "docker.io/library/localhost:5000"),
      ok("192.168.1.1", "docker.io/library/192.168.1.1"),
      ok("foo_bar.com:8080", "docker.io/library/foo_bar.com:8080"),
      ok("foo/foo_bar.com:8080", "docker.io/foo/foo_bar.com:8080"),
      ok("lowercase:Uppercase", "docker.io/library/lowercase:Uppercase"),
      // Separators.
      ok("docker-rules/docker", "docker.io/docker-rules/docker"),
      ok("docker---rules/docker", "docker.io/docker---rules/docker"),
      ok("dock__er/docker", "docker.io/dock__er/docker"),
      ok("d/docker", "docker.io/d/docker"),
      ok("jess/t", "docker.io/jess/t"),
      ok("ns/a.b_c__d-e--f", "docker.io/ns/a.b_c__d-e--f"),
      // Registries: names, ports, IPv4, IPv6, localhost, upper case.
      ok("test.com/repo:tag", "test.com/repo:tag"),
      ok("test:5000/repo", "test:5000/repo"),
      ok("test:5000/repo:tag@" + kD, "test:5000/repo:tag@" + kD),
      ok("test-com:8080/foo", "test-com:8080/foo"),
      ok("localhost/foo", "localhost/foo"),
      ok("localhost:5000/a/b:v1", "localhost:5000/a/b:v1"),
      ok("127.0.0.1:5000/debian", "127.0.0.1:5000/debian"),
      ok("192.168.0.1:8/debian", "192.168.0.1:8/debian"),
      ok("192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo:5050"),
      ok("[2001:db8::1]/repo", "[2001:db8::1]/repo"),
      ok("[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]/repo:tag"),
      ok("[2001:db8::1]:5000/repo:tag@" + kD, "[2001:db8::1]:5000/repo:tag@" + kD),
      ok("[2001:db8::]:5000/repo", "[2001:db8::]:5000/repo"),
      ok("[::1]:5000/repo", "[::1]:5000/repo"),
      ok("[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000/library/debian"),
      ok("sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com/bar/baz/quux:some-long-tag"),
      ok("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io/test.example.com/my-app:test.example.com"),
      ok("xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo"),
      ok("xn--7o8h.com/myimage:xn--7o8h.com@" + kD512, "xn--7o8h.com/myimage:xn--7o8h.com@" + kD512),
      ok("Foo/bar", "Foo/bar"),  // upstream: an upper-case first element is a host
      ok("DOCKER/docker", "DOCKER/docker"),
      ok("LOCALHOST:5000/x", "LOCALHOST:5000/x"),
      // Length: the path (with library/) may have 255 characters, not more.
      ok(repeat("a/", 127) + "a:tag-puts-this-over-max", "docker.io/" + repeat("a/", 127) + "a:tag-puts-this-over-max"),
      ok("x:" + std::string(128, 't'), "docker.io/library/x:" + std::string(128, 't')),
      bad(repeat("a/", 128) + "a:tag", "more than 255"),
      bad(long_ns, "more than 255"),
      bad(std::string(248, 'a'), "more than 255"),  // 248 + "library/" = 256
      // docker:// is a plain registry reference.
      ok("docker://alpine", "docker.io/library/alpine"),
      ok("docker://localhost:5000/x@" + kD, "localhost:5000/x@" + kD),
      bad("docker://", "empty reference"),
      // Empty and missing names.
      bad("", "empty reference"),
      bad(":justtag", "missing repository name"),
      bad("@" + kD, "missing repository name"),
      bad(kImageId, "image ID"),
      // Upper case.
      bad("Uppercase:tag", "must be lowercase"),
      bad("test:5000/Uppercase/lowercase:tag", "must be lowercase"),
      bad("docker/Docker", "must be lowercase"),
      bad("docker.io/docker/Docker", "must be lowercase"),
      bad("Foo_Bar/x", "must be lowercase"),
      // Path components.
      bad("aa/asdf$$^/aa", "invalid repository name component \"asdf$$^\""),
      bad("-docker", "invalid repository name component"),
      bad("-docker/docker", "invalid repository name component \"-docker\""),
      bad("docker-/docker", "invalid repository name component"),
      bad("-docker-/docker", "invalid repository name component"),
      bad("____/____", "invalid repository name component"),
      bad("_docker/_docker", "invalid repository name component"),
      bad("ns/dock..er", "invalid repository name component \"dock..er\""),
      bad("ns/dock_.er", "invalid repository name component"),
      bad("ns/dock-.er", "invalid repository name component"),
      // A first element with '.' or ':' is a host, so these fail as hosts.
      bad("dock..er/docker", "invalid registry host \"dock..er\""),
      bad("dock_.er/docker", "invalid registry host"),
      bad("dock-.er/docker", "invalid registry host"),
      bad("dock___er/docker", "invalid repository name component"),
      bad("docker///docker", "empty path component"),
      bad("docker.io/docker///docker", "empty path component"),
      bad("docker/", "empty path component"),
      // Hosts.
      bad("-docker.io/docker/docker", "invalid registry host \"-docker.io\""),
      bad("[2001:db8::1]", "invalid repository name component"),
      bad("[2001:db8::1]:5000", "invalid repository name component"),
      bad("[2001:db8::1]:tag", "invalid repository name component"),
      bad("[fe80::1%eth0]:5000/repo", "invalid registry host"),
      bad("[fe80::1%@invalidzone]:5000/repo", "invalid registry host"),
      bad("[2001:db8:3:4::192.0.2.33]:5000/debian", "invalid registry host"),
      bad("fc00::1:5000/debian", "invalid registry host"),
      bad("[]:5000/x", "invalid registry host"),
      bad("example.com:/x", "invalid registry host"),
      bad("example.com:port/x", "invalid registry host"),
      bad("exa_mple.com/x", "invalid registry host"),
      bad("a..b.com/x", "invalid registry host"),
      // Tags.
      bad("repo:", "empty tag"),
      bad("repo:-bad", "invalid tag \"-bad\""),
      bad("repo:.bad", "invalid tag"),
      bad("repo:a/b", "invalid registry host \"repo:a\""),
      bad("ns/repo:a/b", "invalid tag \"a/b\""),
      bad("repo:tag:tag2", "invalid tag \"tag:tag2\""),
      bad("repo:" + std::string(129, 't'), "invalid tag"),
      // Digests.
      bad("repo@sha256:ffffffffffffffffffffffffffffffffff", "expected 64 lower-case hex characters"),
      bad("validname@invaliddigest:" + kHex64, "unsupported algorithm \"invaliddigest\""),
      bad("repo@sha256:" + std::string(64, 'F'), "lower-case hex"),
      bad("repo@sha512:" + kHex64, "expected 128"),
      bad("repo@" + kHex64, "expected ALGORITHM:HEX"),
      bad("repo@", "invalid digest"),
      // Transports.
      ok("oci:/tmp/layout", "oci:/tmp/layout"),
      ok("oci:/tmp/layout:v1", "oci:/tmp/layout:v1"),
      ok("oci:layout@" + kD, "oci:layout@" + kD),
      ok("oci:./rel:tag@" + kD, "oci:./rel:tag@" + kD),
      ok("oci:/tmp/a:b:latest", "oci:/tmp/a:b:latest"),
      ok("oci:/tmp/my:dir/layout", "oci:/tmp/my:dir/layout"),  // ':' followed by '/' is no tag
      ok("oci:dir:-bad", "oci:dir:-bad"),                      // not a valid tag: part of DIR
      ok("oci:/tmp/user@host/layout", "oci:/tmp/user@host/layout"),
      bad("oci:", "empty layout directory"),
      bad("oci::tag", "empty layout directory"),
      bad("oci:@" + kD, "empty layout directory"),
      bad("oci:/tmp/x:", "empty tag"),
      bad("oci:/tmp/x@sha256:abc", "expected 64 lower-case hex characters"),
      bad("docker-archive:img.tar", "unsupported transport \"docker-archive\""),
      bad("docker-daemon:alpine:latest", "unsupported transport \"docker-daemon\""),
      bad("dir:/tmp/x", "unsupported transport \"dir\""),
      bad("oci-archive:x.tar:tag", "unsupported transport \"oci-archive\""),
      bad("containers-storage:alpine", "unsupported transport \"containers-storage\""),
      bad("oci-layout://foo", "unsupported transport \"oci-layout\""),
      bad("https://github.com/docker/docker", "unsupported transport \"https\""),
      bad(std::string("oci:/tmp/a\0b", 12), "NUL"),
  };
}

TEST(Reference, GoldenTable) {
  int checked = 0;
  for (const Case& c : cases()) {
    SCOPED_TRACE("input: \"" + c.input + "\"");
    auto r = Reference::parse(c.input);
    if (c.error.empty()) {
      if (!r) {
        ADD_FAILURE() << r.error().message;
        continue;
      }
      EXPECT_EQ(r->str(), c.canonical);
      // Canonical text is a fixed point: parsing it again gives the same reference.
      auto again = Reference::parse(r->str());
      EXPECT_TRUE(again.has_value() && *again == *r) << "canonical form does not parse back the same";
    } else {
      if (r) {
        ADD_FAILURE() << "parsed as " << r->str();
        continue;
      }
      EXPECT_EQ(r.error().category, ErrorCategory::input);
      EXPECT_NE(r.error().message.find(c.error), std::string::npos) << r.error().message;
      EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
      if (c.input.find('\0') == std::string::npos) {
        EXPECT_NE(r.error().message.find("invalid reference \"" + c.input + "\""), std::string::npos)
            << "error must name the input: " << r.error().message;
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

TEST(Reference, Fields) {
  auto r = Reference::parse("localhost:5000/a/b:v1@" + kD);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->transport, Transport::registry);
  EXPECT_EQ(r->registry, "localhost:5000");
  EXPECT_EQ(r->repository, "a/b");
  EXPECT_EQ(r->tag, "v1");
  ASSERT_TRUE(r->digest);
  EXPECT_EQ(r->digest->str(), kD);
  EXPECT_EQ(r->repository_name(), "localhost:5000/a/b");
  EXPECT_EQ(r->identifier(), kD);

  auto hub = Reference::parse("alpine");
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->registry, "docker.io");
  EXPECT_EQ(hub->repository, "library/alpine");
  EXPECT_EQ(hub->identifier(), "latest");
  EXPECT_EQ(hub->api_host(), "registry-1.docker.io");

  auto layout = Reference::parse("oci:/tmp/a:b:latest");
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->transport, Transport::layout);
  EXPECT_EQ(layout->layout_path, std::filesystem::path("/tmp/a:b"));
  EXPECT_EQ(layout->tag, "latest");
  EXPECT_EQ(layout->repository_name(), "/tmp/a:b");
  EXPECT_EQ(layout->identifier(), "latest");
  EXPECT_EQ(layout->api_host(), "");
  EXPECT_TRUE(layout->registry.empty());
}

TEST(Reference, ApiHost) {
  EXPECT_EQ(Reference::parse("index.docker.io/x/y")->api_host(), "registry-1.docker.io");
  EXPECT_EQ(Reference::parse("ghcr.io/x/y")->api_host(), "ghcr.io");
  EXPECT_EQ(Reference::parse("localhost:5000/x")->api_host(), "localhost:5000");
  EXPECT_EQ(Reference::parse("[::1]:5000/x")->api_host(), "[::1]:5000");
}

TEST(Reference, LoopbackRegistries) {
  const std::pair<const char*, bool> table[] = {
      {"localhost/x", true},          {"localhost:5000/x", true},      {"LOCALHOST:5000/x", true},
      {"127.0.0.1/x", true},          {"127.0.0.1:5000/x", true},      {"127.255.3.9:80/x", true},
      {"[::1]/x", true},              {"[::1]:5000/x", true},          {"[0:0:0:0:0:0:0:1]:5000/x", true},
      {"128.0.0.1:5000/x", false},    {"10.0.0.1/x", false},           {"[::2]:5000/x", false},
      {"localhost.example.com/x", false}, {"127.0.0.1.nip.io/x", false}, {"alpine", false},
      {"oci:/tmp/localhost", false},  {"docker.io/library/localhost", false},
  };
  for (auto [text, expected] : table) {
    auto r = Reference::parse(text);
    ASSERT_TRUE(r) << text << ": " << r.error().message;
    EXPECT_EQ(r->is_loopback_registry(), expected) << text;
  }
}

TEST(Reference, WithDigestAndWithTag) {
  auto digest = Digest::parse(kRedis);
  ASSERT_TRUE(digest);
  auto tagged = Reference::parse("alpine:3.20");
  ASSERT_TRUE(tagged);
  Reference pinned = tagged->with_digest(*digest);
  EXPECT_EQ(pinned.str(), "docker.io/library/alpine@" + kRedis);
  EXPECT_EQ(pinned.identifier(), kRedis);
  Reference retagged = pinned.with_tag("edge");
  EXPECT_EQ(retagged.str(), "docker.io/library/alpine:edge");
  EXPECT_FALSE(retagged.digest);

  auto layout = Reference::parse("oci:/tmp/l:v1");
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->with_digest(*digest).str(), "oci:/tmp/l@" + kRedis);
  EXPECT_EQ(layout->with_tag("v2").str(), "oci:/tmp/l:v2");
}

TEST(Reference, TagAndPathPredicates) {
  EXPECT_TRUE(is_valid_tag("latest"));
  EXPECT_TRUE(is_valid_tag("_x"));
  EXPECT_TRUE(is_valid_tag("V1.2-rc_3"));
  EXPECT_TRUE(is_valid_tag(std::string(128, 'a')));
  EXPECT_FALSE(is_valid_tag(std::string(129, 'a')));
  EXPECT_FALSE(is_valid_tag(""));
  EXPECT_FALSE(is_valid_tag(".x"));
  EXPECT_FALSE(is_valid_tag("-x"));
  EXPECT_FALSE(is_valid_tag("a:b"));
  EXPECT_FALSE(is_valid_tag("a+b"));

  EXPECT_TRUE(is_valid_repository_path("library/alpine"));
  EXPECT_TRUE(is_valid_repository_path("a/b/c"));
  EXPECT_FALSE(is_valid_repository_path(""));
  EXPECT_FALSE(is_valid_repository_path("Library/alpine"));
  EXPECT_FALSE(is_valid_repository_path("a//b"));
  EXPECT_FALSE(is_valid_repository_path(repeat("a/", 128) + "a"));
}

}  // namespace
}  // namespace sigil::oci
