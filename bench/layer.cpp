// Benchmark driver for the layer writer: `gen DIR MIB FILES` makes a context of text and random
// files; `write CTX OUT [gzip|zstd]` writes CTX as one layer (as COPY . /app/ does) and prints
// "diff_id digest size".
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "build/context/build_context.hpp"
#include "build/layer/layer_writer.hpp"

namespace fs = std::filesystem;
using namespace sigil::build;

namespace {

int generate(const fs::path& dir, std::uint64_t mib, std::uint64_t files) {
  const std::uint64_t per_file = mib * 1024 * 1024 / files;
  std::uint64_t x = 88172645463325252ULL;
  std::string buffer;
  for (std::uint64_t i = 0; i < files; ++i) {
    const fs::path path = dir / ("d" + std::to_string(i % 97)) / ("s" + std::to_string(i % 13)) / ("f" + std::to_string(i));
    fs::create_directories(path.parent_path());
    buffer.clear();
    // Sizes vary around the mean; half the files are text, half random bytes.
    const std::uint64_t size = per_file / 2 + (x % (per_file + 1));
    if (i % 2 == 0) {
      while (buffer.size() < size) buffer += "log line " + std::to_string(buffer.size() ^ i) + " status=ok path=/srv/app\n";
      buffer.resize(size);
    } else {
      buffer.resize(size);
      for (std::uint64_t k = 0; k < size; ++k) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buffer[k] = static_cast<char>(x);
      }
    }
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    std::ofstream(path, std::ios::binary).write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  }
  return 0;
}

int write(const fs::path& ctx_dir, const fs::path& out, Compression compression) {
  auto ctx = BuildContext::open(ctx_dir, {});
  if (!ctx) return std::fprintf(stderr, "%s\n", ctx.error().message.c_str()), 2;
  auto sources = ctx->resolve_source(".");
  if (!sources) return std::fprintf(stderr, "%s\n", sources.error().message.c_str()), 2;
  auto collected = ctx->collect((*sources)[0]);
  if (!collected) return std::fprintf(stderr, "%s\n", collected.error().message.c_str()), 2;
  std::vector<CollectedSource> list;
  list.push_back(std::move(*collected));
  auto entries = place_sources(std::move(list), Placement{"/app/", {}, nullptr});
  if (!entries) return std::fprintf(stderr, "%s\n", entries.error().message.c_str()), 2;
  fs::create_directories(out);
  auto layer = write_layer(std::move(*entries), out, LayerOptions{compression, -1, 0});
  if (!layer) return std::fprintf(stderr, "%s\n", layer.error().message.c_str()), 2;
  std::printf("%s %s %llu\n", layer->diff_id.str().c_str(), layer->digest.str().c_str(),
              static_cast<unsigned long long>(layer->size));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "gen" && argc == 5) return generate(argv[2], std::strtoull(argv[3], nullptr, 10), std::strtoull(argv[4], nullptr, 10));
  if (mode == "write" && (argc == 4 || argc == 5)) {
    auto compression = parse_compression(argc == 5 ? argv[4] : "gzip");
    if (!compression) return std::fprintf(stderr, "%s\n", compression.error().message.c_str()), 2;
    return write(argv[2], argv[3], *compression);
  }
  std::fprintf(stderr, "usage: sigil-bench-layer gen DIR MIB FILES | write CTX OUTDIR [gzip|zstd]\n");
  return 2;
}
