// Golden purls: each string is what syft (anchore/packageurl-go) writes for the same package.
#include <gtest/gtest.h>

#include "sbom/purl.hpp"

namespace sigil::sbom {
namespace {

Distro debian12() {
  Distro d;
  d.id = "debian";
  d.version_id = "12";
  return d;
}

// Qualifiers sorted by key, distro among them, as the purl spec and syft write them.
TEST(Purl, DebQualifiersInSyftOrder) {
  std::optional<Distro> d = debian12();
  EXPECT_EQ(deb_purl(d, "libc6", "2.36-9+deb12u4", "amd64", "glibc", ""),
            "pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12&upstream=glibc");
  EXPECT_EQ(deb_purl(d, "adduser", "3.134", "all", "", ""), "pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12");
  // An upstream with its version carries '@', so that value is escaped — and its '+' with it.
  EXPECT_EQ(deb_purl(d, "bsdutils", "1:2.38.1-5+b1", "amd64", "util-linux", "2.38.1-5+b1"),
            "pkg:deb/debian/bsdutils@1:2.38.1-5+b1?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5%2Bb1");
}

TEST(Purl, DebNeedsDebianLikeDistro) {
  EXPECT_EQ(deb_purl(std::nullopt, "a", "1", "amd64", "", ""), "");
  Distro alpine;
  alpine.id = "alpine";
  alpine.version_id = "3.19";
  EXPECT_EQ(deb_purl(alpine, "a", "1", "amd64", "", ""), "");
  Distro ubuntu;
  ubuntu.id = "ubuntu";
  ubuntu.version_id = "22.04";
  ubuntu.id_like = {"debian"};
  EXPECT_EQ(deb_purl(ubuntu, "a", "1", "amd64", "", ""), "pkg:deb/ubuntu/a@1?arch=amd64&distro=ubuntu-22.04");
  Distro sid;  // no VERSION_ID: no distro qualifier
  sid.id = "debian";
  EXPECT_EQ(deb_purl(sid, "a", "1", "amd64", "", ""), "pkg:deb/debian/a@1?arch=amd64");
}

TEST(Purl, Apk) {
  Distro d;
  d.id = "alpine";
  d.version_id = "3.14.2";
  EXPECT_EQ(apk_purl(d, "musl", "1.2.2-r3", "x86_64", "musl"), "pkg:apk/alpine/musl@1.2.2-r3?arch=x86_64&distro=alpine-3.14.2");
  EXPECT_EQ(apk_purl(d, "libcrypto1.1", "1.1.1l-r0", "x86_64", "openssl"),
            "pkg:apk/alpine/libcrypto1.1@1.1.1l-r0?arch=x86_64&distro=alpine-3.14.2&upstream=openssl");
}

TEST(Purl, RpmEpoch) {
  Distro d;
  d.id = "rhel";
  d.version_id = "9.3";
  // RHEL's packages are "redhat" in syft's purls; the distro qualifier keeps the os-release ID.
  EXPECT_EQ(rpm_purl(d, "bash", "5.1.8", "6.el9", 1, "x86_64", "bash-5.1.8-6.el9.src.rpm"),
            "pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.3&epoch=1&upstream=bash-5.1.8-6.el9.src.rpm");
  EXPECT_EQ(rpm_purl(d, "zlib", "1.2.11", "40.el9", std::nullopt, "x86_64", ""),
            "pkg:rpm/redhat/zlib@1.2.11-40.el9?arch=x86_64&distro=rhel-9.3");
}

// syft's own packageURL cases (syft/pkg/cataloger/redhat/package_test.go).
TEST(Purl, RpmAsSyft) {
  Distro rhel;
  rhel.id = "rhel";
  rhel.version_id = "8.4";
  EXPECT_EQ(rpm_purl(rhel, "p", "v", "r", std::nullopt, "", ""), "pkg:rpm/redhat/p@v-r?distro=rhel-8.4");
  EXPECT_EQ(rpm_purl(rhel, "p", "v", "r", std::nullopt, "", "sourcerpm"), "pkg:rpm/redhat/p@v-r?distro=rhel-8.4&upstream=sourcerpm");
  Distro centos;
  centos.id = "centos";
  centos.version_id = "7";
  EXPECT_EQ(rpm_purl(centos, "p", "v", "r", 1, "a", ""), "pkg:rpm/centos/p@v-r?arch=a&distro=centos-7&epoch=1");
  EXPECT_EQ(rpm_purl(std::nullopt, "p", "v", "r", std::nullopt, "", ""), "pkg:rpm/p@v-r");
  Distro suse;
  suse.id = "opensuse-leap";
  suse.version_id = "15.5";
  EXPECT_EQ(rpm_purl(suse, "p", "v", "r", std::nullopt, "x86_64", ""),
            "pkg:rpm/opensuse/p@v-r?arch=x86_64&distro=opensuse-leap-15.5");
  Distro hummingbird;
  hummingbird.id = "hummingbird";
  hummingbird.version_id = "1";
  EXPECT_EQ(rpm_namespace(hummingbird), "redhat");
  EXPECT_EQ(rpm_namespace(std::nullopt), "");
}

TEST(Purl, PypiNamesNormalized) {
  EXPECT_EQ(pypi_purl("PyYAML", "6.0"), "pkg:pypi/pyyaml@6.0");
  EXPECT_EQ(pypi_purl("typing_extensions", "4.4.0"), "pkg:pypi/typing-extensions@4.4.0");
  EXPECT_EQ(pypi_purl("zope.interface", "5.5.2"), "pkg:pypi/zope.interface@5.5.2");
}

TEST(Purl, NpmScopeEscaped) {
  EXPECT_EQ(npm_purl("@babel/core", "7.22.5"), "pkg:npm/%40babel/core@7.22.5");
  EXPECT_EQ(npm_purl("lodash", "4.17.21"), "pkg:npm/lodash@4.17.21");
  EXPECT_EQ(npm_purl("semver", "1.0.0+build.1"), "pkg:npm/semver@1.0.0+build.1");
}

TEST(Purl, OtherEcosystems) {
  EXPECT_EQ(golang_purl("github.com/anchore/syft", "v0.1.0"), "pkg:golang/github.com/anchore/syft@v0.1.0");
  EXPECT_EQ(golang_purl("stdlib", "go1.21.0"), "pkg:golang/stdlib@go1.21.0");
  EXPECT_EQ(maven_purl("org.apache.commons", "commons-lang3", "3.12.0"),
            "pkg:maven/org.apache.commons/commons-lang3@3.12.0");
  EXPECT_EQ(cargo_purl("serde", "1.0.188"), "pkg:cargo/serde@1.0.188");
  EXPECT_EQ(gem_purl("rails", "7.0.4"), "pkg:gem/rails@7.0.4");
  EXPECT_EQ(composer_purl("symfony/console", "v6.3.0"), "pkg:composer/symfony/console@v6.3.0");
  EXPECT_EQ(nuget_purl("Newtonsoft.Json", "13.0.1"), "pkg:nuget/Newtonsoft.Json@13.0.1");
}

TEST(Purl, EscapesReservedAndNonAscii) {
  EXPECT_EQ(purl_escape("a b"), "a%20b");
  EXPECT_EQ(purl_escape("a?b#c"), "a%3Fb%23c");
  EXPECT_EQ(purl_escape("caf\xc3\xa9"), "caf%C3%A9");
  EXPECT_EQ(purl_escape("1.0+x"), "1.0+x");
  EXPECT_EQ(purl_escape("1.0+x @y"), "1.0%2Bx%20%40y");
  Purl p{"generic", "", "name", "1.0", {{"k", ""}, {"a", "b c"}}, "sub/path x"};
  EXPECT_EQ(p.str(), "pkg:generic/name@1.0?a=b%20c#sub/path%20x");
}

}  // namespace
}  // namespace sigil::sbom
