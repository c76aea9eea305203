#include "support/test_pki.hpp"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "common/openssl_ptr.hpp"

namespace sigil::test {
namespace {

using Pkey = PkeyPtr;
using Cert = X509Ptr;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "test_pki: %s failed\n", what);
  std::abort();
}

Pkey new_key() {
  Pkey key(EVP_EC_gen("P-256"));
  if (!key) die("EVP_EC_gen");
  return key;
}

// Adds an extension given in OpenSSL's config syntax ("critical,CA:TRUE").
void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (extension == nullptr || X509_add_ext(cert, extension, -1) != 1) die("X509_add_ext");
  X509_EXTENSION_free(extension);
}

Cert new_cert(const std::string& common_name, EVP_PKEY* key) {
  static std::atomic<long> serial{1000};
  Cert cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) die("X509_new");
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  if (X509_set_pubkey(cert.get(), key) != 1) die("X509_set_pubkey");
  return cert;
}

std::string pem_of_cert(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_X509(bio, cert) != 1) die("PEM_write_bio_X509");
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return pem;
}

std::string pem_of_key(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    die("PEM_write_bio_PrivateKey");
  }
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return pem;
}

bool is_ip_address(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 || inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

}  // namespace

struct TestCa::Impl {
  Pkey key;
  Cert cert;
};

TestCa::TestCa(const std::string& common_name) : impl_(std::make_unique<Impl>()) {
  impl_->key = new_key();
  impl_->cert = new_cert(common_name, impl_->key.get());
  X509* cert = impl_->cert.get();
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  add_extension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert, cert, NID_subject_key_identifier, "hash");
  if (X509_sign(cert, impl_->key.get(), EVP_sha256()) <= 0) die("X509_sign");
  pem_ = {pem_of_cert(cert), pem_of_key(impl_->key.get())};
}

TestCa::~TestCa() = default;

PemPair TestCa::issue_server(const std::vector<std::string>& hosts) const {
  Pkey key = new_key();
  Cert cert = new_cert(hosts.empty() ? "localhost" : hosts.front(), key.get());
  X509_set_issuer_name(cert.get(), X509_get_subject_name(impl_->cert.get()));
  std::string names;
  for (const auto& host : hosts) {
    if (!names.empty()) names += ",";
    names += (is_ip_address(host) ? "IP:" : "DNS:") + host;
  }
  if (!names.empty()) add_extension(cert.get(), impl_->cert.get(), NID_subject_alt_name, names);
  add_extension(cert.get(), impl_->cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), impl_->cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), impl_->cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), impl_->cert.get(), NID_authority_key_identifier, "keyid:always");
  if (X509_sign(cert.get(), impl_->key.get(), EVP_sha256()) <= 0) die("X509_sign");
  return {pem_of_cert(cert.get()), pem_of_key(key.get())};
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) die("writing a test file");
  }
  std::error_code ec;
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
}

}  // namespace sigil::test
