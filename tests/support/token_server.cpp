#include "support/token_server.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>

#include "common/base64.hpp"
#include "common/hex.hpp"
#include "common/json.hpp"
#include "common/openssl_ptr.hpp"

namespace sigil::test {
namespace {


[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "token_server: %s failed\n", what);
  std::abort();
}

// The signing identity: an RSA key and a self-signed certificate for it, made once per process
// (key generation is the slow part) and shared by every token server.
struct Signer {
  PkeyPtr key;
  X509Ptr cert;
  std::string cert_pem;
  std::string cert_der_base64;
};

const Signer& signer() {
  static const Signer instance = [] {
    Signer s;
    s.key.reset(EVP_RSA_gen(2048));
    if (!s.key) die("EVP_RSA_gen");
    s.cert.reset(X509_new());
    X509* cert = s.cert.get();
    if (cert == nullptr || X509_set_version(cert, 2) != 1) die("X509_new");
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 7L * 24 * 3600);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("sigil test token signer"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    if (X509_set_pubkey(cert, s.key.get()) != 1 || X509_sign(cert, s.key.get(), EVP_sha256()) <= 0) die("X509_sign");

    unsigned char* der = nullptr;
    int der_length = i2d_X509(cert, &der);
    if (der_length <= 0) die("i2d_X509");
    s.cert_der_base64 = base64_encode(std::span<const unsigned char>(der, static_cast<std::size_t>(der_length)));
    OPENSSL_free(der);

    BIO* bio = BIO_new(BIO_s_mem());
    if (bio == nullptr || PEM_write_bio_X509(bio, cert) != 1) die("PEM_write_bio_X509");
    char* data = nullptr;
    long length = BIO_get_mem_data(bio, &data);
    s.cert_pem.assign(data, static_cast<std::size_t>(length));
    BIO_free(bio);
    return s;
  }();
  return instance;
}

std::string sign_rs256(std::string_view input) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, signer().key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    die("EVP_DigestSignInit");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    die("EVP_DigestSign");
  }
  signature.resize(length);
  return signature;
}

std::string random_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) die("RAND_bytes");
  return hex_encode(std::span<const unsigned char>(bytes, sizeof bytes));
}

std::string rfc3339_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

StubResponse unauthorized(const std::string& why) {
  Json body = {{"errors", Json::array({{{"code", "UNAUTHORIZED"}, {"message", why}}})}};
  StubResponse response = StubResponse::text(401, dump_json(body), "application/json");
  response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"sigil-test-token\"");
  return response;
}

}  // namespace

std::vector<TokenAccess> parse_scopes(const std::string& scopes) {
  std::vector<TokenAccess> access;
  std::size_t start = 0;
  while (start < scopes.size()) {
    std::size_t end = scopes.find(' ', start);
    if (end == std::string::npos) end = scopes.size();
    std::string scope = scopes.substr(start, end - start);
    start = end + 1;
    auto first = scope.find(':');
    auto last = scope.rfind(':');
    if (first == std::string::npos || first == last) continue;
    TokenAccess entry{scope.substr(0, first), scope.substr(first + 1, last - first - 1), {}};
    std::string actions = scope.substr(last + 1);
    for (std::size_t pos = 0; pos <= actions.size();) {
      auto comma = actions.find(',', pos);
      if (comma == std::string::npos) comma = actions.size();
      if (comma > pos) entry.actions.push_back(actions.substr(pos, comma - pos));
      pos = comma + 1;
    }
    access.push_back(std::move(entry));
  }
  return access;
}

TokenServer::TokenServer(TokenServerOptions options)
    : options_(std::move(options)), stub_([this](const StubRequest& request) { return handle(request); }) {
  (void)signer();
}

void TokenServer::write_root_cert(const std::filesystem::path& path) const {
  std::ofstream out(path, std::ios::binary);
  out << signer().cert_pem;
  if (!out.flush()) die("writing the root certificate");
}

std::size_t TokenServer::tokens_issued() const {
  std::lock_guard lock(mutex_);
  return issued_;
}

std::string TokenServer::issue(const std::string& subject, const std::vector<TokenAccess>& access) const {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  // distribution 2.8 finds the verification key through "x5c" (checked against rootcertbundle)
  // before trying "jwk" or "kid", so the certificate travels in the header.
  Json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"x5c", Json::array({signer().cert_der_base64})}};
  Json grants = Json::array();
  for (const auto& entry : access) {
    grants.push_back({{"type", entry.type}, {"name", entry.name}, {"actions", entry.actions}});
  }
  Json claims = {{"iss", options_.issuer}, {"sub", subject},      {"aud", options_.service},
                 {"exp", now + options_.expires_in},  {"nbf", now - 10}, {"iat", now},
                 {"jti", random_id()},               {"access", grants}};
  std::string signing_input = base64url_encode(dump_json(header)) + "." + base64url_encode(dump_json(claims));
  return signing_input + "." + base64url_encode(sign_rs256(signing_input));
}

StubResponse TokenServer::handle(const StubRequest& request) {
  if (request.path != "/token") return StubResponse::text(404, "not found");
  std::string user;
  std::string password;
  std::vector<std::string> scopes;
  std::string service;
  bool has_credentials = false;
  if (request.method == "POST") {  // OAuth2 password grant, as docker clients with identity tokens use
    auto grant = form_values(request.body, "grant_type");
    if (grant.empty() || grant.front() != "password") return unauthorized("unsupported grant_type");
    auto users = form_values(request.body, "username");
    auto passwords = form_values(request.body, "password");
    has_credentials = !users.empty() && !passwords.empty();
    if (has_credentials) {
      user = users.front();
      password = passwords.front();
    }
    scopes = form_values(request.body, "scope");
    auto services = form_values(request.body, "service");
    if (!services.empty()) service = services.front();
  } else if (request.method == "GET") {
    if (auto authorization = request.header("authorization"); authorization && authorization->starts_with("Basic ")) {
      auto decoded = base64_decode(authorization->substr(6));
      auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos) return unauthorized("malformed basic credentials");
      has_credentials = true;
      user = decoded->substr(0, colon);
      password = decoded->substr(colon + 1);
    }
    scopes = request.query_params("scope");
    service = request.query_param("service").value_or("");
  } else {
    return StubResponse::text(405, "method not allowed");
  }
  if (service != options_.service) return unauthorized("unknown service \"" + service + "\"");
  if (has_credentials && (user != options_.username || password != options_.password)) {
    return unauthorized("invalid username or password");
  }
  if (!has_credentials && !options_.allow_anonymous) return unauthorized("authentication required");

  std::vector<TokenAccess> access;
  for (const auto& scope : scopes) {
    for (auto& entry : parse_scopes(scope)) {
      std::erase_if(entry.actions, [&](const std::string& action) {
        if (!has_credentials) return action != "pull";
        return std::find(options_.grantable_actions.begin(), options_.grantable_actions.end(), action) ==
               options_.grantable_actions.end();
      });
      access.push_back(std::move(entry));
    }
  }
  std::string token = issue(has_credentials ? user : "", access);
  {
    std::lock_guard lock(mutex_);
    ++issued_;
  }
  Json body = {{"token", token}, {"access_token", token}, {"expires_in", options_.expires_in}, {"issued_at", rfc3339_now()}};
  return StubResponse::text(200, dump_json(body), "application/json");
}

}  // namespace sigil::test
