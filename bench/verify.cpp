// In-process verification rates for bench/verify.sh: ECDSA P-256 verifications per second over a
// 32-byte digest (what `openssl speed ecdsap256` measures), and whole-bundle verifications per second
// (parse + verify_bundle of a key-signed messageSignature bundle, digest given).
// Rates divide by user CPU time, as `openssl speed` does by default (it would otherwise be unfair
// on a shared, loaded machine, where wall time includes waiting for a core).
// Usage: sigil-bench-verify SECONDS
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/hex.hpp"
#include "sign/bundle.hpp"
#include "sign/keys.hpp"
#include "sign/signature.hpp"
#include "sign/signer.hpp"
#include "sign/verifier.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double user_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec) + static_cast<double>(usage.ru_utime.tv_usec) / 1e6;
}

template <class F>
double rate(double seconds, F&& once) {
  long count = 0;
  const double cpu_start = user_cpu_seconds();
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < until) {
    for (int i = 0; i < 64; ++i) {
      if (!once()) {
        std::fprintf(stderr, "verification failed\n");
        std::exit(1);
      }
    }
    count += 64;
  }
  return static_cast<double>(count) / (user_cpu_seconds() - cpu_start);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  auto key = sigil::sign::generate_private_key(sigil::sign::KeyAlgorithm::ecdsa_p256);
  if (!key) return 2;
  const sigil::sign::PublicKey public_key = key->public_key();
  const std::string artifact = "benchmark artifact";
  const sigil::oci::Digest digest = sigil::oci::Digest::of(artifact);
  auto raw = sigil::hex_decode(digest.hex());
  const std::string digest_bytes(raw->begin(), raw->end());

  sigil::sign::KeySigner signer(std::move(*key));
  auto bundle = sigil::sign::sign_message_bundle(signer, artifact);
  if (!bundle) return 2;
  const std::string signature = std::get<sigil::sign::MessageSignature>(bundle->content).signature;
  const std::string json = sigil::sign::serialize_bundle(*bundle);

  const double raw_rate = rate(seconds, [&] {
    return sigil::sign::verify_digest_signature(public_key.get(), sigil::oci::DigestAlgorithm::sha256, digest_bytes,
                                                signature)
        .has_value();
  });
  sigil::sign::TrustedMaterial trusted;
  trusted.keys.push_back(signer.key().public_key());
  const double bundle_rate = rate(seconds, [&] {
    auto parsed = sigil::sign::parse_bundle(json);
    return parsed && sigil::sign::verify_bundle(*parsed, {std::nullopt, digest}, trusted).has_value();
  });
  std::printf("ecdsa_p256_verify_per_s %.1f\nbundle_verify_per_s %.1f\n", raw_rate, bundle_rate);
  return 0;
}
