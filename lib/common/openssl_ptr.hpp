// Owning pointers for OpenSSL objects, so no handle leaks on an early return.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace sigil {

namespace detail {
template <auto Free>
struct OpensslDeleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
}  // namespace detail

using PkeyPtr = std::unique_ptr<EVP_PKEY, detail::OpensslDeleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, detail::OpensslDeleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, detail::OpensslDeleter<EVP_MD_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, detail::OpensslDeleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, detail::OpensslDeleter<BIO_free_all>>;

}  // namespace sigil
