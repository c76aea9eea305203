#include "oci/copy.hpp"

#include <filesystem>
#include <mutex>
#include <system_error>

#include "oci/detail/copy_blobs.hpp"
#include "oci/detail/copy_plan.hpp"
#include "oci/layout_store.hpp"

namespace sigil::oci {

Result<Descriptor> copy(Store& src, Store& dst, const Descriptor& root, const CopyOptions& options) {
  std::string what = "copy " + root.digest.str() + " from " + src.name() + " to " + dst.name();
  // Everything is read and validated before the first write, so bad source content leaves the
  // destination untouched.
  auto plan = detail::plan_copy(src, root, options);
  if (!plan) return std::unexpected(plan.error().with_context(what));

  std::mutex event_mutex;
  detail::EmitEvent emit = [&](const CopyEvent& event) {
    if (!options.on_event) return;
    std::lock_guard lock(event_mutex);
    options.on_event(event);
  };

  auto* layout = dynamic_cast<LayoutStore*>(&dst);
  std::vector<Descriptor> written;
  // A failed copy takes back the blobs it wrote into a layout, so bad input changes nothing there.
  // (Registries have no reliable blob delete; unreferenced blobs wait for their garbage collection.)
  auto undo = [&] {
    if (layout == nullptr) return;
    std::error_code ec;
    for (const auto& d : written) std::filesystem::remove(layout->blob_path(d.digest), ec);
  };
  if (auto r = detail::copy_blobs(src, dst, plan->blobs, options.parallelism, emit, written); !r) {
    undo();
    return std::unexpected(r.error().with_context(what));
  }

  // Children before parents, the root last and only it tagged: a reader following the tag always
  // finds every manifest and blob it points to.
  bool listed = false;
  for (std::size_t i = 0; i < plan->manifests.size(); ++i) {
    const auto& node = plan->manifests[i];
    bool is_root = i + 1 == plan->manifests.size();
    if (!is_root && node.index_child && layout != nullptr) {
      // In a layout only roots and referrers are index.json entries; an index's children are
      // plain blobs (as skopeo and umoci write them), or they would show up as extra images.
      auto present = layout->has_blob(node.descriptor);
      if (!present) {
        undo();
        return std::unexpected(present.error().with_context(what));
      }
      if (!*present) {
        if (auto r = layout->push_blob_bytes(node.descriptor, node.raw); !r) {
          undo();
          return std::unexpected(r.error().with_context(what));
        }
        written.push_back(node.descriptor);
      }
      emit(CopyEvent{CopyEvent::Kind::manifest_pushed, node.descriptor, node.descriptor.size});
      continue;
    }
    std::optional<std::string> tag = is_root ? options.tag : std::nullopt;
    auto pushed = dst.push_manifest(node.raw, node.descriptor.media_type, tag);
    if (!pushed) {
      if (!listed) undo();  // once a manifest is listed in the store, it may reference the blobs
      return std::unexpected(pushed.error().with_context(what));
    }
    if (pushed->digest != node.descriptor.digest) {
      return fail(ErrorCategory::integrity, what + ": destination stored manifest " + node.descriptor.digest.str() +
                                                " as " + pushed->digest.str());
    }
    listed = true;
    emit(CopyEvent{CopyEvent::Kind::manifest_pushed, node.descriptor, node.descriptor.size});
  }
  return plan->result;
}

Platform host_platform() {
  Platform p;
  p.os = "linux";
  // GOARCH names, as image indexes spell them.
#if defined(__x86_64__)
  p.architecture = "amd64";
#elif defined(__aarch64__)
  p.architecture = "arm64";
#elif defined(__arm__)
  p.architecture = "arm";
#if defined(__ARM_ARCH) && __ARM_ARCH >= 7
  p.variant = "v7";
#elif defined(__ARM_ARCH) && __ARM_ARCH == 6
  p.variant = "v6";
#endif
#elif defined(__i386__)
  p.architecture = "386";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
  p.architecture = "ppc64le";
#elif defined(__s390x__)
  p.architecture = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  p.architecture = "riscv64";
#else
  p.architecture = "unknown";
#endif
  return p;
}

Result<Descriptor> select_platform(const Index& index, const Platform& want, std::string_view what) {
  std::string available;
  for (const auto& d : index.manifests) {
    if (!d.platform) continue;
    if (d.platform->satisfies(want)) return d;
    if (d.platform->os == "unknown") continue;  // buildx attestation manifests, not images
    available += (available.empty() ? "" : ", ") + d.platform->str();
  }
  return fail(ErrorCategory::input, std::string(what) + ": no manifest for platform " + want.str() +
                                        (available.empty() ? " (no platforms listed)" : " (has " + available + ")"));
}

}  // namespace sigil::oci
