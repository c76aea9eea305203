// Manifests, indexes, image configs, descriptors and platforms: what parses, what is kept
// byte-for-byte, and what is rejected with an error naming the field.
#include "oci/manifest.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/limits.hpp"
#include "oci/media_types.hpp"

namespace sigil::oci {
namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

// An OCI 1.1 artifact manifest with unusual spacing and key order: the bytes must survive as-is.
const std::string kArtifact = R"({ "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": ")" +
                              std::string(media_type::kEmptyJsonDigest) + R"(", "size": 2, "data": "e30="},
  "layers": [ {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "digest": ")" + kA +
                              R"(", "size": 1234} ],
  "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ")" + kB +
                              R"(", "size": 527},
  "annotations": {"dev.sigstore.bundle.content": "dsse-envelope",
                  "dev.sigstore.bundle.predicateType": "https://sigstore.dev/cosign/sign/v1"}
}
)";

const std::string kDockerManifest = R"({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023, "digest": ")" + kA + R"("},
   "layers": [
      {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654, "digest": ")" + kB + R"("},
      {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 16724, "digest": ")" + kC + R"(",
       "urls": ["https://example.com/layer"]}
   ]
})";

const std::string kDockerList = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
  "manifests": [
    {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 7143, "digest": ")" + kA + R"(",
     "platform": {"architecture": "ppc64le", "os": "linux"}},
    {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 7682, "digest": ")" + kB + R"(",
     "platform": {"architecture": "arm64", "os": "linux", "variant": "v8", "features": ["sse4"]}},
    {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 7682, "digest": ")" + kC + R"(",
     "platform": {"architecture": "amd64", "os": "windows", "os.version": "10.0.17763.1",
                  "os.features": ["win32k"]}}
  ]
})";

// Replaces the first occurrence of `from` in the artifact manifest.
std::string artifact_with(const std::string& from, const std::string& to) {
  std::string s = kArtifact;
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return s.replace(pos, from.size(), to);
}

TEST(Manifest, ArtifactRoundTripKeepsRawBytes) {
  auto m = Manifest::parse(kArtifact);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->raw, kArtifact);
  EXPECT_EQ(m->media_type, media_type::kOciManifest);
  EXPECT_EQ(m->artifact_type, "application/vnd.dev.sigstore.bundle.v0.3+json");
  EXPECT_EQ(m->config.media_type, media_type::kOciEmpty);
  EXPECT_EQ(m->config.data, "e30=");
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].size, 1234);
  ASSERT_TRUE(m->subject);
  EXPECT_EQ(m->subject->digest.str(), kB);
  EXPECT_EQ(m->annotations.at("dev.sigstore.bundle.content"), "dsse-envelope");

  // The descriptor is over the bytes received, with artifactType and annotations copied.
  Descriptor d = m->descriptor();
  EXPECT_EQ(d.digest, Digest::of(kArtifact));
  EXPECT_EQ(d.size, static_cast<std::int64_t>(kArtifact.size()));
  EXPECT_EQ(d.media_type, media_type::kOciManifest);
  EXPECT_EQ(d.artifact_type, m->artifact_type);
  EXPECT_EQ(d.annotations, m->annotations);

  // Serializing makes new compact bytes that parse back to the same fields.
  Manifest copy = *m;
  std::string bytes = copy.serialize();
  EXPECT_EQ(copy.raw, bytes);
  EXPECT_NE(bytes, kArtifact);
  auto again = Manifest::parse(bytes);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->artifact_type, m->artifact_type);
  EXPECT_EQ(again->config, m->config);
  EXPECT_EQ(again->layers, m->layers);
  EXPECT_EQ(again->subject, m->subject);
  EXPECT_EQ(again->annotations, m->annotations);
  EXPECT_EQ(again->raw, bytes);
}

TEST(Manifest, DockerSchema2) {
  auto m = Manifest::parse(kDockerManifest);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->media_type, media_type::kDockerManifest);
  EXPECT_EQ(m->config.media_type, media_type::kDockerConfig);
  ASSERT_EQ(m->layers.size(), 2u);
  EXPECT_EQ(m->layers[1].urls, std::vector<std::string>{"https://example.com/layer"});
  EXPECT_FALSE(m->subject);
  EXPECT_EQ(m->raw, kDockerManifest);
  // Without artifactType a referrer descriptor reports the config media type.
  EXPECT_EQ(m->descriptor().artifact_type, media_type::kDockerConfig);
  EXPECT_FALSE(Index::parse(kDockerManifest)) << "a manifest is not an index";
}

TEST(Manifest, MediaTypeDefaultsToOci) {
  auto m = Manifest::parse(R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":")" + kA +
                           R"(","size":1},"layers":[]})");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->media_type, media_type::kOciManifest);
}

TEST(Manifest, DockerManifestList) {
  auto idx = Index::parse(kDockerList);
  ASSERT_TRUE(idx) << idx.error().message;
  EXPECT_EQ(idx->media_type, media_type::kDockerManifestList);
  ASSERT_EQ(idx->manifests.size(), 3u);
  ASSERT_TRUE(idx->manifests[1].platform);
  EXPECT_EQ(idx->manifests[1].platform->str(), "linux/arm64/v8");
  const Platform& win = *idx->manifests[2].platform;
  EXPECT_EQ(win.os_version, "10.0.17763.1");
  EXPECT_EQ(win.os_features, std::vector<std::string>{"win32k"});
  EXPECT_EQ(idx->raw, kDockerList);
  EXPECT_FALSE(Manifest::parse(kDockerList)) << "an index is not a manifest";
}

TEST(Manifest, OciIndexRoundTrip) {
  const std::string raw = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
    "artifactType":"application/example","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",
    "digest":")" + kA + R"(","size":10,"artifactType":"application/x","annotations":{"k":"v"}}],
    "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + kB + R"(","size":3},
    "annotations":{"org.opencontainers.image.created":"2024-01-01T00:00:00Z"}})";
  auto idx = Index::parse(raw);
  ASSERT_TRUE(idx) << idx.error().message;
  EXPECT_EQ(idx->raw, raw);
  EXPECT_EQ(idx->artifact_type, "application/example");
  EXPECT_EQ(idx->manifests[0].artifact_type, "application/x");
  EXPECT_EQ(idx->manifests[0].annotations.at("k"), "v");
  ASSERT_TRUE(idx->subject);
  EXPECT_EQ(idx->descriptor().digest, Digest::of(raw));
  EXPECT_EQ(idx->descriptor().artifact_type, "application/example");
  Index copy = *idx;
  auto again = Index::parse(copy.serialize());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->manifests, idx->manifests);
  EXPECT_EQ(again->subject, idx->subject);
  EXPECT_EQ(again->annotations, idx->annotations);
  // An empty index serializes with an empty array, which parses.
  Index empty;
  auto parsed_empty = Index::parse(empty.serialize());
  ASSERT_TRUE(parsed_empty) << parsed_empty.error().message;
  EXPECT_TRUE(parsed_empty->manifests.empty());
}

TEST(Manifest, RejectsSchema1) {
  const std::string schema1 = R"({"schemaVersion":1,"name":"library/alpine","tag":"3","architecture":"amd64",
    "fsLayers":[{"blobSum":")" + kA + R"("}],"history":[],"signatures":[]})";
  auto m = Manifest::parse(schema1, "manifest docker.io/library/alpine:3");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "manifest docker.io/library/alpine:3: Docker schema 1 manifests are not supported");
  auto mt = detect_manifest_media_type(schema1, "manifest");
  ASSERT_FALSE(mt);
  EXPECT_NE(mt.error().message.find("schema 1"), std::string::npos) << mt.error().message;
}

TEST(Manifest, RejectsOversize) {
  std::string big = artifact_with("\"dsse-envelope\"",
                                  "\"" + std::string(limits::kMaxManifestBytes, 'x') + "\"");
  auto m = Manifest::parse(big);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("exceeds the limit of 4194304"), std::string::npos) << m.error().message;
  EXPECT_FALSE(Index::parse(big));
  EXPECT_FALSE(detect_manifest_media_type(big, "manifest"));
}

// Wrong types and values, each rejected with an error that names the field.
TEST(Manifest, RejectsWrongTypesNamingTheField) {
  const std::string size1234 = R"("size": 1234)";
  const std::pair<std::string, std::string> table[] = {
      {artifact_with(size1234, R"("size": "1234")"), "size"},
      {artifact_with(size1234, R"("size": -1)"), "size"},
      {artifact_with(size1234, R"("size": 12.5)"), "size"},
      {artifact_with(size1234, R"("sighs": 1234)"), "size"},
      {artifact_with(R"("dsse-envelope")", "7"), "annotation \"dev.sigstore.bundle.content\" is not a string"},
      {artifact_with(R"("annotations": {)", R"("annotations": [], "x": {)"), "\"annotations\" is not an object"},
      {artifact_with(kA, "sha256:abc"), "invalid digest \"sha256:abc\""},
      {artifact_with(kA, "md5:" + std::string(32, 'a')), "unsupported algorithm \"md5\""},
      {artifact_with(kA, "sha256:" + std::string(64, 'A')), "lower-case hex"},
      {artifact_with(R"("data": "e30=")", R"("data": "e30=!")"), "data is not base64"},
      {artifact_with(R"("data": "e30=")", R"("data": 5)"), "data is not base64"},
      {artifact_with(R"("schemaVersion": 2)", R"("schemaVersion": "2")"), "schemaVersion must be 2"},
      {artifact_with(R"("schemaVersion": 2)", R"("schemaVersion": 3)"), "schemaVersion must be 2"},
      {artifact_with(R"("schemaVersion": 2)", R"("schemaVersion": 4294967298)"), "schemaVersion must be 2"},
      {artifact_with(R"("artifactType": "application)", R"("artifactType": 1, "x": "application)"),
       "\"artifactType\" is not a string"},
      {artifact_with(R"("mediaType": "application/vnd.oci.image.manifest.v1+json",)", R"("mediaType": 1,)"),
       "\"mediaType\" is not a string"},
      {artifact_with(R"("mediaType": "application/vnd.oci.image.manifest.v1+json",)",
                     R"("mediaType": "application/vnd.oci.image.index.v1+json",)"),
       "is not an image manifest"},
      {artifact_with(R"("layers": [)", R"("layers": {}, "x": [)"), "\"layers\" is not an array"},
      {artifact_with(R"("layers": [)", R"("x": [)"), "missing \"layers\""},
      {artifact_with(R"("config": )", R"("x": )"), "missing \"config\""},
      {artifact_with(R"("config": )", R"("config": 1, "x": )"), "config: descriptor is not an object"},
      {artifact_with(R"("mediaType": "application/vnd.oci.empty.v1+json", )", ""), "config: descriptor has no mediaType"},
      {artifact_with(R"("subject": {)", R"("subject": "x", "y": {)"), "subject: descriptor is not an object"},
      {"[]", "not a JSON object"},
      {"{\"schemaVersion\":2,", "invalid JSON"},
  };
  for (const auto& [text, why] : table) {
    auto m = Manifest::parse(text, "manifest X");
    if (m) {
      ADD_FAILURE() << "accepted: " << text;
      continue;
    }
    EXPECT_EQ(m.error().category, ErrorCategory::input);
    EXPECT_NE(m.error().message.find(why), std::string::npos) << "want \"" << why << "\" in: " << m.error().message;
    EXPECT_EQ(m.error().message.rfind("manifest X", 0), 0u) << m.error().message;
    EXPECT_EQ(m.error().message.find('\n'), std::string::npos);
  }
  // Layer errors say which layer.
  auto layer = Manifest::parse(artifact_with(kA, "sha256:abc"), "manifest X");
  ASSERT_FALSE(layer);
  EXPECT_NE(layer.error().message.find("layers[0]"), std::string::npos) << layer.error().message;
}

TEST(Manifest, IndexRejectsBadEntries) {
  auto wrong_platform = Index::parse(R"({"schemaVersion":2,"manifests":[{"mediaType":"m/t","digest":")" + kA +
                                     R"(","size":1,"platform":{"os":"linux","architecture":5}}]})", "index Y");
  ASSERT_FALSE(wrong_platform);
  EXPECT_NE(wrong_platform.error().message.find("\"architecture\" is not a string"), std::string::npos)
      << wrong_platform.error().message;
  EXPECT_NE(wrong_platform.error().message.find("manifests[0]"), std::string::npos);
  auto missing = Index::parse(R"({"schemaVersion":2})", "index Y");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "index Y: missing \"manifests\"");
  auto features = Index::parse(R"({"schemaVersion":2,"manifests":[{"mediaType":"m/t","digest":")" + kA +
                               R"(","size":1,"platform":{"os":"linux","architecture":"amd64","os.features":[1]}}]})");
  ASSERT_FALSE(features);
  EXPECT_NE(features.error().message.find("os.features"), std::string::npos) << features.error().message;
}

TEST(Manifest, DetectMediaType) {
  EXPECT_EQ(detect_manifest_media_type(kArtifact, "m").value(), media_type::kOciManifest);
  EXPECT_EQ(detect_manifest_media_type(kDockerManifest, "m").value(), media_type::kDockerManifest);
  EXPECT_EQ(detect_manifest_media_type(kDockerList, "m").value(), media_type::kDockerManifestList);
  EXPECT_EQ(detect_manifest_media_type(R"({"schemaVersion":2,"manifests":[]})", "m").value(), media_type::kOciIndex);
  EXPECT_EQ(detect_manifest_media_type(R"({"schemaVersion":2,"config":{},"layers":[]})", "m").value(),
            media_type::kOciManifest);
  EXPECT_EQ(detect_manifest_media_type(R"({"layers":[]})", "m").value(), media_type::kOciManifest);
  auto unknown = detect_manifest_media_type(R"({"mediaType":"text/plain"})", "blob Z");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "blob Z: unsupported media type \"text/plain\"");
  auto neither = detect_manifest_media_type(R"({"schemaVersion":2})", "blob Z");
  ASSERT_FALSE(neither);
  EXPECT_NE(neither.error().message.find("neither a manifest nor an index"), std::string::npos);
  EXPECT_FALSE(detect_manifest_media_type("[1]", "blob Z"));
  EXPECT_FALSE(detect_manifest_media_type("not json", "blob Z"));
  EXPECT_FALSE(detect_manifest_media_type(R"({"mediaType":5})", "blob Z"));
}

TEST(ImageConfig, DiffIdsAndPlatform) {
  const std::string raw = R"({"architecture":"arm64","os":"linux","variant":"v8","created":"2024-05-01T00:00:00Z",
    "config":{"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":[")" + kA + R"(",")" + kB + R"("]},
    "history":[{"created_by":"x"}]})";
  auto c = ImageConfig::parse(raw);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->raw, raw);
  ASSERT_EQ(c->diff_ids.size(), 2u);
  EXPECT_EQ(c->diff_ids[0].str(), kA);
  EXPECT_EQ(c->diff_ids[1].str(), kB);
  EXPECT_EQ(c->created, "2024-05-01T00:00:00Z");
  EXPECT_EQ(c->json["config"]["Env"][0], "PATH=/bin");
  EXPECT_EQ(c->platform().str(), "linux/arm64/v8");

  auto no_rootfs = ImageConfig::parse(R"({"os":"linux","architecture":"amd64"})");
  ASSERT_TRUE(no_rootfs);
  EXPECT_TRUE(no_rootfs->diff_ids.empty());

  const std::pair<std::string, std::string> bad[] = {
      {R"({"rootfs":{"diff_ids":["sha256:zz"]}})", "invalid digest \"sha256:zz\""},
      {R"({"rootfs":{"diff_ids":[1]}})", "diff_id is not a string"},
      {R"({"rootfs":{"diff_ids":"x"}})", "\"rootfs.diff_ids\" is not an array"},
      {R"({"rootfs":[]})", "\"rootfs\" is not an object"},
      {R"({"os":7})", "\"os\" is not a string"},
      {R"("config")", "not a JSON object"},
  };
  for (const auto& [text, why] : bad) {
    auto r = ImageConfig::parse(text, "config Q");
    if (r) {
      ADD_FAILURE() << "accepted: " << text;
      continue;
    }
    EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.rfind("config Q", 0), 0u) << r.error().message;
  }
  std::string oversize = R"({"x":")" + std::string(limits::kMaxConfigBytes, 'x') + R"("})";
  EXPECT_FALSE(ImageConfig::parse(oversize));
}

TEST(Platform, ParseAndSatisfies) {
  auto p = Platform::parse("linux/arm64/v8");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->os, "linux");
  EXPECT_EQ(p->architecture, "arm64");
  EXPECT_EQ(p->variant, "v8");
  EXPECT_EQ(p->str(), "linux/arm64/v8");
  EXPECT_EQ(Platform::parse("linux/amd64")->str(), "linux/amd64");
  for (const char* text : {"", "linux", "linux/", "/amd64", "linux//v7", "linux/arm/v7/x", "linux/arm/"}) {
    auto bad = Platform::parse(text);
    ASSERT_FALSE(bad) << text;
    EXPECT_NE(bad.error().message.find("expected OS/ARCH[/VARIANT]"), std::string::npos);
  }

  auto plat = [](const char* text) { return *Platform::parse(text); };
  EXPECT_TRUE(plat("linux/amd64").satisfies(plat("linux/amd64")));
  EXPECT_FALSE(plat("linux/amd64").satisfies(plat("linux/arm64")));
  EXPECT_FALSE(plat("windows/amd64").satisfies(plat("linux/amd64")));
  EXPECT_TRUE(plat("linux/arm/v7").satisfies(plat("linux/arm")));   // no variant wanted: any
  EXPECT_FALSE(plat("linux/arm/v6").satisfies(plat("linux/arm/v7")));
  EXPECT_FALSE(plat("linux/arm").satisfies(plat("linux/arm/v7")));
  EXPECT_TRUE(plat("linux/arm64").satisfies(plat("linux/arm64/v8")));  // arm64 images omit v8
  EXPECT_TRUE(plat("linux/arm64/v8").satisfies(plat("linux/arm64")));

  Platform full = plat("windows/amd64");
  full.os_version = "10.0.17763.1";
  full.os_features = {"win32k"};
  auto back = Platform::from_json(full.to_json(), "platform");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, full);
  EXPECT_FALSE(Platform::from_json(Json::array(), "platform"));
  // The image spec requires both os and architecture in a platform object.
  auto no_arch = Platform::from_json(Json{{"os", "linux"}}, "platform");
  ASSERT_FALSE(no_arch);
  EXPECT_NE(no_arch.error().message.find("architecture"), std::string::npos);
  EXPECT_FALSE(Platform::from_json(Json{{"architecture", "amd64"}}, "platform"));
}

TEST(Descriptor, OfAndJsonRoundTrip) {
  Descriptor d = Descriptor::of("{}", media_type::kOciEmpty);
  EXPECT_EQ(d.digest.str(), media_type::kEmptyJsonDigest);
  EXPECT_EQ(d.size, 2);
  d.urls = {"https://example.com/blob"};
  d.annotations = {{"a", "b"}};
  d.data = "e30=";
  d.platform = *Platform::parse("linux/amd64");
  d.artifact_type = "application/x";
  auto back = Descriptor::from_json(d.to_json(), "descriptor");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, d);
  // Sizes beyond int64 wrap to negative in a naive read; they must be refused.
  auto huge = Descriptor::from_json(
      parse_json(R"({"mediaType":"a/b","digest":")" + kA + R"(","size":18446744073709551615})", "d").value(), "d");
  EXPECT_FALSE(huge);
}

}  // namespace
}  // namespace sigil::oci

namespace sigil::oci {
namespace {

// The distribution spec: a referrer without artifactType is listed with its config media type,
// the empty-config type included.
TEST(Manifest, ReferrerWithoutArtifactTypeReportsEmptyConfigType) {
  auto m = Manifest::parse(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                           R"("config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":")" +
                           std::string(media_type::kEmptyJsonDigest) +
                           R"(","size":2},"layers":[],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                           R"("digest":")" + kA + R"(","size":7}})");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->descriptor().artifact_type, media_type::kOciEmpty);
}

}  // namespace
}  // namespace sigil::oci
