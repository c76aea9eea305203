// Sigstore signing_config.json (dev.sigstore.trustroot.v1.SigningConfig, media type
// "application/vnd.dev.sigstore.signingconfig.v0.2+json"): which Fulcio, Rekor, TSA and OIDC
// services a client signs with, each with its major API version and validity window.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "sign/trusted_root.hpp"

namespace sigil::sign::keyless {

/// One service of a signing config.
struct Service {
  std::string url;
  int major_api_version = 0;
  ValidityWindow valid_for;
  std::string operator_name;  ///< "operator" in the file
};

/// A parsed signing config. Selectors are "ANY", "ALL" or "EXACT" ("" when absent).
struct SigningConfig {
  std::string media_type;
  std::vector<Service> ca_urls;
  std::vector<Service> oidc_urls;
  std::vector<Service> rekor_tlog_urls;
  std::vector<Service> tsa_urls;
  std::string rekor_tlog_selector;
  std::string tsa_selector;
};

/// The media type sigil reads and writes.
inline constexpr std::string_view kSigningConfigMediaTypeV02 = "application/vnd.dev.sigstore.signingconfig.v0.2+json";

/// Parses a signing config (at most 1 MiB). Input error naming the member for malformed JSON, an
/// unknown media type, a service without url or validFor.start, a bad time, or an unknown selector.
[[nodiscard]] Result<SigningConfig> parse_signing_config(std::string_view json);

/// The service of `services` to use at `now` for `major_api_version`: the first one (file order, as
/// sigstore-go picks for selector ANY) whose window contains `now`. Input error naming `what`
/// ("no Rekor service with API version 1 valid at <time>") when none fits.
[[nodiscard]] Result<Service> select_service(const std::vector<Service>& services, int major_api_version,
                                             SigstoreTime now, std::string_view what);

/// Endpoints resolved for one keyless signing.
struct KeylessEndpoints {
  std::string fulcio_url;  ///< base URL ("https://fulcio.sigstore.dev")
  std::string rekor_url;   ///< base URL of a Rekor v1 log ("https://rekor.sigstore.dev")
  std::string tsa_url;     ///< full timestamp URL, "" for none
  std::string oidc_url;    ///< OIDC issuer for the interactive flow, "" for none
};

/// Fulcio (API version 1, i.e. /api/v2/signingCert), Rekor v1, TSA and OIDC services of `config`
/// valid at `now`. Fulcio and Rekor are required; TSA and OIDC are optional.
[[nodiscard]] Result<KeylessEndpoints> select_endpoints(const SigningConfig& config, SigstoreTime now);

/// The Sigstore public-good and staging services (as their signing configs name them), for when
/// no signing config is given.
[[nodiscard]] KeylessEndpoints public_good_endpoints();
[[nodiscard]] KeylessEndpoints staging_endpoints();

}  // namespace sigil::sign::keyless
