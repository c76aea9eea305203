// Embedded SCTs are checked with OpenSSL's CT code (it rebuilds the precertificate TBS and the
// RFC 6962 signed structure, including Static CT extensions). OpenSSL offers no call to add a log
// to a CTLOG_STORE, only CTLOG_STORE_load_file, so the trusted root's CT logs are written as a
// log list into an anonymous in-memory file (memfd; a private temp file where memfd is missing)
// and loaded from there. Nothing else is trusted: the store starts empty.
#include <openssl/ct.h>
#include <openssl/x509v3.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>

#include "common/base64.hpp"
#include "common/file.hpp"
#include "sign/certificate.hpp"
#include "sign/detail/certificate_x509.hpp"
#include "sign/detail/key_pem.hpp"
#include "sign/detail/shared_cache.hpp"

namespace sigil::sign {
namespace {

using CtlogStorePtr = std::unique_ptr<CTLOG_STORE, sigil::detail::OpensslDeleter<CTLOG_STORE_free>>;
using CtlogPtr = std::unique_ptr<CTLOG, sigil::detail::OpensslDeleter<CTLOG_free>>;
using PolicyCtxPtr = std::unique_ptr<CT_POLICY_EVAL_CTX, sigil::detail::OpensslDeleter<CT_POLICY_EVAL_CTX_free>>;
using SctListPtr = std::unique_ptr<STACK_OF(SCT), sigil::detail::OpensslDeleter<SCT_LIST_free>>;

// The trusted root's CT logs as OpenSSL objects: the store, and the RFC 6962 log id OpenSSL
// computes for each key (SHA-256 of the SPKI, the id SCTs carry), by index into root.ctlogs ("" for
// a log whose key did not load). Built once per distinct set of keys (see shared_cache.hpp).
struct CtLogs {
  CtlogStorePtr store;
  std::vector<std::string> ids;
};

// The log's SPKI: as the trusted root gave it (always SPKI once parsed), else from its key.
std::string spki(const TransparencyLog& log) {
  if (!log.public_key) return {};
  return log.public_key_der.empty() ? log.public_key->to_der() : log.public_key_der;
}

std::vector<std::string> log_ids(const TrustedRoot& root) {
  std::vector<std::string> ids;
  for (const auto& log : root.ctlogs) {
    ids.emplace_back();
    if (!log.public_key || EVP_PKEY_up_ref(log.public_key->get()) != 1) continue;
    CtlogPtr ctlog(CTLOG_new(log.public_key->get(), log.base_url.c_str()));  // owns the reference
    if (!ctlog) {
      EVP_PKEY_free(log.public_key->get());
      continue;
    }
    const std::uint8_t* id = nullptr;
    std::size_t id_len = 0;
    CTLOG_get0_log_id(ctlog.get(), &id, &id_len);
    ids.back().assign(reinterpret_cast<const char*>(id), id_len);
  }
  sigil::sign::detail::clear_openssl_errors();
  return ids;
}

// OpenSSL's log list format (ct_log_list.cnf): section names and base64 SPKI keys only, so no
// character of the trusted root reaches the config parser's variable or quote syntax.
std::string log_list(const TrustedRoot& root, const std::vector<std::string>& ids) {
  std::string names, sections;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].empty()) continue;
    const std::string name = "log" + std::to_string(i);
    names += (names.empty() ? "" : ",") + name;
    sections += "[" + name + "]\ndescription = " + name + "\nkey = " + base64_encode(spki(root.ctlogs[i])) + "\n";
  }
  return "enabled_logs = " + names + "\n" + sections;
}

Result<CtlogStorePtr> load_store(const std::string& list) {
  CtlogStorePtr store(CTLOG_STORE_new());
  if (!store) return fail(ErrorCategory::internal, "CT log store: out of memory");
  int fd = memfd_create("sigil-ctlogs", MFD_CLOEXEC);
  if (fd >= 0) {
    const bool written = ::write(fd, list.data(), list.size()) == static_cast<ssize_t>(list.size());
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    const bool loaded = written && CTLOG_STORE_load_file(store.get(), path.c_str()) == 1;
    ::close(fd);
    if (loaded) return store;
    sigil::sign::detail::clear_openssl_errors();
  }
  std::error_code ec;
  auto dir = std::filesystem::temp_directory_path(ec);
  if (ec) return fail(ErrorCategory::internal, "CT log store: no temporary directory: " + ec.message());
  auto file = TempFile::create(dir);
  if (!file) return std::unexpected(file.error().with_context("CT log store"));
  if (auto w = file->write(list); !w) return std::unexpected(w.error().with_context("CT log store"));
  if (CTLOG_STORE_load_file(store.get(), file->path().c_str()) != 1) {
    sigil::sign::detail::clear_openssl_errors();
    return fail(ErrorCategory::internal, "CT log store: OpenSSL refused the trusted CT logs");
  }
  return store;
}

// The CT logs of `root`, from the cache when the same keys were loaded before; nullptr-free.
Result<std::shared_ptr<CtLogs>> ct_logs(const TrustedRoot& root) {
  static detail::SharedCache<CtLogs> cache(8);
  std::string key;
  for (const auto& log : root.ctlogs) {
    const std::string der = spki(log);
    key += std::to_string(der.size()) + ":" + der;
  }
  return cache.get(key, [&]() -> Result<std::shared_ptr<CtLogs>> {
    auto logs = std::make_shared<CtLogs>();
    logs->ids = log_ids(root);
    auto store = load_store(log_list(root, logs->ids));
    if (!store) return std::unexpected(store.error());
    logs->store = std::move(*store);
    return logs;
  });
}

}  // namespace

Result<void> verify_embedded_scts(std::string_view leaf_der, std::string_view issuer_der, const TrustedRoot& root) {
  auto leaf = detail::shared_certificate_der(leaf_der, "certificate");
  if (!leaf) return std::unexpected(leaf.error());
  auto issuer = detail::shared_certificate_der(issuer_der, "issuing certificate");
  if (!issuer) return std::unexpected(issuer.error());
  int critical = 0;
  SctListPtr scts(static_cast<STACK_OF(SCT)*>(X509_get_ext_d2i(leaf->get(), NID_ct_precert_scts, &critical, nullptr)));
  if (!scts) {
    detail::clear_openssl_errors();
    if (critical == -1) return fail(ErrorCategory::denied, "certificate: no embedded SCT");
    return fail(ErrorCategory::input, "certificate: malformed embedded SCT list");
  }
  if (sk_SCT_num(scts.get()) == 0) return fail(ErrorCategory::denied, "certificate: no embedded SCT");

  auto logs = ct_logs(root);
  if (!logs) return std::unexpected(logs.error());
  const std::vector<std::string>& ids = (*logs)->ids;
  if (std::all_of(ids.begin(), ids.end(), [](const std::string& id) { return id.empty(); })) {
    return fail(ErrorCategory::denied, "certificate: no SCT verifies with a trusted CT log");
  }

  PolicyCtxPtr policy(CT_POLICY_EVAL_CTX_new());
  if (!policy || CT_POLICY_EVAL_CTX_set1_cert(policy.get(), leaf->get()) != 1 ||
      CT_POLICY_EVAL_CTX_set1_issuer(policy.get(), issuer->get()) != 1) {
    detail::clear_openssl_errors();
    return fail(ErrorCategory::internal, "SCT check: out of memory");
  }
  CT_POLICY_EVAL_CTX_set_shared_CTLOG_STORE(policy.get(), (*logs)->store.get());
  // SCTs from the future are refused; the reference is the clock now, as for any other verifier.
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  CT_POLICY_EVAL_CTX_set_time(policy.get(), static_cast<std::uint64_t>(now_ms.count()));

  for (int i = 0; i < sk_SCT_num(scts.get()); ++i) {
    SCT* sct = sk_SCT_value(scts.get(), i);
    if (SCT_validate(sct, policy.get()) != 1) continue;
    unsigned char* id = nullptr;
    const std::size_t id_len = SCT_get0_log_id(sct, &id);
    const std::string_view sct_log(reinterpret_cast<const char*>(id), id_len);
    const SigstoreTime when{std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::milliseconds(static_cast<std::int64_t>(SCT_get_timestamp(sct))))};
    // One SCT from a log trusted at the SCT's time suffices (sigstore-go's threshold of 1).
    for (std::size_t l = 0; l < ids.size(); ++l) {
      if (!ids[l].empty() && ids[l] == sct_log && root.ctlogs[l].valid_for.contains(when)) {
        detail::clear_openssl_errors();
        return {};
      }
    }
  }
  detail::clear_openssl_errors();
  return fail(ErrorCategory::denied, "certificate: no SCT verifies with a trusted CT log");
}

}  // namespace sigil::sign
