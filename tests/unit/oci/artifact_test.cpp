// OCI 1.1 artifact manifests: exact member order of both styles, the empty descriptor, media type
// checks, and attach_artifact on a layout and on a real registry without the referrers API, where
// the fallback index must carry artifactType and annotations.
#include "oci/artifact.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "common/json.hpp"
#include "oci/layout_store.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "oci/registry_store.hpp"
#include "support/registry_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_image.hpp"

namespace sigil::oci {
namespace {

Descriptor subject_of(std::string_view bytes) {
  Descriptor d = Descriptor::of(bytes, media_type::kOciManifest);
  d.annotations["ignored"] = "x";  // a subject names the manifest only
  d.platform = Platform{"linux", "amd64", "", "", {}};
  return d;
}

TEST(Artifact, EmptyDescriptorIsTheSpecOne) {
  Descriptor with = empty_descriptor(true);
  EXPECT_EQ(with.media_type, "application/vnd.oci.empty.v1+json");
  EXPECT_EQ(with.digest.str(), "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  EXPECT_EQ(with.size, 2);
  ASSERT_TRUE(with.data.has_value());
  EXPECT_EQ(*with.data, "e30=");
  EXPECT_FALSE(empty_descriptor(false).data.has_value());
}

TEST(Artifact, CosignStyleMemberOrder) {
  ArtifactManifest m;
  m.artifact_type = "application/vnd.dev.sigstore.bundle.v0.3+json";
  m.subject = subject_of("image");
  Descriptor layer = Descriptor::of("bundle", "application/vnd.dev.sigstore.bundle.v0.3+json");
  layer.annotations["org.opencontainers.image.title"] = "t";
  m.layers.push_back(layer);
  m.annotations = {{"org.opencontainers.image.created", "2024-01-02T03:04:05Z"},
                   {"dev.sigstore.bundle.content", "dsse-envelope"}};
  m.style = ManifestStyle::cosign;
  std::string expected =
      std::string(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)") +
      R"("config":{"mediaType":"application/vnd.oci.empty.v1+json","size":2,)" +
      R"("digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",)" +
      R"("artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json"},)" +
      R"("layers":[{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","size":6,"digest":")" +
      layer.digest.str() + R"(","annotations":{"org.opencontainers.image.title":"t"}}],)" +
      R"("annotations":{"dev.sigstore.bundle.content":"dsse-envelope","org.opencontainers.image.created":"2024-01-02T03:04:05Z"},)" +
      R"("subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":5,"digest":")" +
      m.subject.digest.str() + R"("},"artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json"})";
  EXPECT_EQ(serialize_artifact_manifest(m), expected);
}

TEST(Artifact, OrasStyleMemberOrderAndItParses) {
  ArtifactManifest m;
  m.artifact_type = "application/vnd.example+json";
  m.subject = subject_of("image");
  m.layers.push_back(Descriptor::of("abc", "text/plain"));
  std::string raw = serialize_artifact_manifest(m);
  std::string expected =
      std::string(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)") +
      R"("artifactType":"application/vnd.example+json",)" +
      R"("config":{"mediaType":"application/vnd.oci.empty.v1+json",)" +
      R"("digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},)" +
      R"("layers":[{"mediaType":"text/plain","digest":")" + m.layers[0].digest.str() + R"(","size":3}],)" +
      R"("subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
      m.subject.digest.str() + R"(","size":5}})";
  EXPECT_EQ(raw, expected);
  auto parsed = Manifest::parse(raw);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->artifact_type, "application/vnd.example+json");
  ASSERT_TRUE(parsed->subject.has_value());
  EXPECT_EQ(parsed->subject->digest, m.subject.digest);
}

TEST(Artifact, MediaTypeCheck) {
  EXPECT_TRUE(is_media_type("application/vnd.dev.sigstore.bundle.v0.3+json"));
  EXPECT_TRUE(is_media_type("application/vnd.dev.sigstore.bundle+json;version=0.3"));
  EXPECT_TRUE(is_media_type("text/plain"));
  EXPECT_FALSE(is_media_type(""));
  EXPECT_FALSE(is_media_type("plain"));
  EXPECT_FALSE(is_media_type("text/"));
  EXPECT_FALSE(is_media_type("/plain"));
  EXPECT_FALSE(is_media_type("text/pla in"));
  EXPECT_FALSE(is_media_type("a/b/c"));
  EXPECT_FALSE(is_media_type("text/plain;"));
}

TEST(Artifact, Rfc3339AndSourceDateEpoch) {
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339_utc(1700000000), "2023-11-14T22:13:20Z");
  ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  EXPECT_EQ(creation_time(), "2023-11-14T22:13:20Z");
  ::setenv("SOURCE_DATE_EPOCH", "junk", 1);
  EXPECT_NE(creation_time(), "2023-11-14T22:13:20Z");
  ::unsetenv("SOURCE_DATE_EPOCH");
}

TEST(Artifact, AttachOnLayoutIsFoundByReferrers) {
  test::TempDir dir;
  auto store = LayoutStore::open(dir / "layout", true);
  ASSERT_TRUE(store) << store.error().message;
  auto image = test::write_test_image(**store, {.tag = "v1"});
  ASSERT_TRUE(image) << image.error().message;
  Annotations ann{{"k", "v"}};
  auto pushed =
      attach_artifact(**store, image->manifest, "application/vnd.example+json",
                      {{"text/plain", "hello", {{std::string(kAnnotationTitle), "hello.txt"}}}}, ann);
  ASSERT_TRUE(pushed) << pushed.error().message;
  EXPECT_EQ(pushed->artifact_type, "application/vnd.example+json");
  EXPECT_EQ(pushed->annotations, ann);

  auto found = (*store)->referrers(image->manifest.digest, "application/vnd.example+json");
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].digest, pushed->digest);
  EXPECT_EQ((*found)[0].annotations, ann);
  auto none = (*store)->referrers(image->manifest.digest, "application/other");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  auto raw = (*store)->fetch_manifest(*pushed);
  ASSERT_TRUE(raw) << raw.error().message;
  auto m = Manifest::parse(*raw);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->layers.size(), 1u);
  auto layer = (*store)->fetch_blob_bytes(m->layers[0], 100);
  ASSERT_TRUE(layer);
  EXPECT_EQ(*layer, "hello");
  auto config = (*store)->fetch_blob_bytes(m->config, 100);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(*config, "{}");
}

TEST(Artifact, BadInputPushesNothing) {
  test::TempDir dir;
  auto store = LayoutStore::open(dir / "layout", true);
  ASSERT_TRUE(store);
  auto image = test::write_test_image(**store, {.tag = "v1"});
  ASSERT_TRUE(image);
  auto bad_type = attach_artifact(**store, image->manifest, "not a type", {{"text/plain", "x", {}}}, {});
  ASSERT_FALSE(bad_type);
  EXPECT_EQ(bad_type.error().category, ErrorCategory::input);
  EXPECT_NE(bad_type.error().message.find("not a media type"), std::string::npos) << bad_type.error().message;
  auto bad_layer = attach_artifact(**store, image->manifest, "application/x", {{"nope", "x", {}}}, {});
  ASSERT_FALSE(bad_layer);
  auto no_layers = attach_artifact(**store, image->manifest, "application/x", {}, {});
  ASSERT_FALSE(no_layers);
  auto has = (*store)->has_blob(Descriptor::of("x", "text/plain"));
  ASSERT_TRUE(has);
  EXPECT_FALSE(*has);
  auto refs = (*store)->referrers(image->manifest.digest);
  ASSERT_TRUE(refs);
  EXPECT_TRUE(refs->empty());
}

TEST(Artifact, RegistryFallbackIndexCarriesArtifactTypeAndAnnotations) {
  SIGIL_SKIP_WITHOUT_REGISTRY(test::RegistryAuth::none);
  test::RegistryServer registry;
  ASSERT_TRUE(registry.running()) << registry.failure();
  test::TempDir dir;
  auto ref = Reference::parse(registry.host_port() + "/artifact/test");
  ASSERT_TRUE(ref) << ref.error().message;
  RegistryOptions options;
  options.docker_config_dir = dir.path();
  auto store = RegistryStore::open(*ref, options);
  ASSERT_TRUE(store) << store.error().message;
  auto image = test::write_test_image(**store, {.tag = "v1"});
  ASSERT_TRUE(image) << image.error().message;
  Annotations ann{{"dev.sigstore.bundle.content", "dsse-envelope"},
                  {"org.opencontainers.image.created", "2024-01-01T00:00:00Z"}};
  auto pushed = attach_artifact(**store, image->manifest, "application/vnd.dev.sigstore.bundle.v0.3+json",
                                {{"application/vnd.dev.sigstore.bundle.v0.3+json", "{}", {}}}, ann,
                                ManifestStyle::cosign);
  ASSERT_TRUE(pushed) << pushed.error().message;

  // Distribution 2.8 has no referrers API: the tag-schema index is what other tools read.
  auto index_desc = (*store)->resolve("sha256-" + image->manifest.digest.hex());
  ASSERT_TRUE(index_desc) << index_desc.error().message;
  auto raw = (*store)->fetch_manifest(*index_desc);
  ASSERT_TRUE(raw) << raw.error().message;
  auto index = Index::parse(*raw);
  ASSERT_TRUE(index) << index.error().message;
  ASSERT_EQ(index->manifests.size(), 1u);
  EXPECT_EQ(index->manifests[0].digest, pushed->digest);
  EXPECT_EQ(index->manifests[0].artifact_type, "application/vnd.dev.sigstore.bundle.v0.3+json");
  EXPECT_EQ(index->manifests[0].annotations, ann);

  auto found = (*store)->referrers(image->manifest.digest, "application/vnd.dev.sigstore.bundle.v0.3+json");
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].annotations, ann);
}

}  // namespace
}  // namespace sigil::oci
