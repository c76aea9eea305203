// Key files for signing and verifying commands.
#include "cmd/sigil/key_files.hpp"

#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cmd/sigil/cli.hpp"
#include "common/file.hpp"

namespace sigil::cli {
namespace {

// Reads one line from the terminal with echo off; echo is restored even when reading fails.
Result<sign::SecretBytes> prompt(const char* text) {
  std::fputs(text, stderr);
  std::fflush(stderr);
  termios old_mode{};
  bool have_mode = tcgetattr(STDIN_FILENO, &old_mode) == 0;
  if (have_mode) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  bool ok = static_cast<bool>(std::getline(std::cin, line));
  if (have_mode) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old_mode);
  std::fputs("\n", stderr);
  if (!ok) return fail(ErrorCategory::usage, "no password: could not read it from the terminal");
  return sign::SecretBytes::adopt(line);
}

// A private key others can read is a leaked key in waiting; cosign is silent, ssh refuses. We warn.
void warn_if_readable_by_others(const std::string& path) {
  struct stat info{};
  if (::stat(path.c_str(), &info) != 0) return;
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    std::fprintf(stderr, "sigil: warning: private key %s is accessible by group or others (mode %03o); chmod 600 it\n",
                 path.c_str(), static_cast<unsigned>(info.st_mode & 0777));
  }
}

}  // namespace

Result<sign::SecretBytes> read_password(bool confirm) {
  for (const char* name : {"SIGIL_PASSWORD", "COSIGN_PASSWORD"}) {
    if (const char* value = std::getenv(name); value != nullptr) return sign::SecretBytes(value);
  }
  if (!is_terminal(stdin)) return fail(ErrorCategory::usage, "no password: set SIGIL_PASSWORD");
  auto first = prompt("Enter password for private key: ");
  if (!first || !confirm) return first;
  auto second = prompt("Enter password for private key again: ");
  if (!second) return second;
  if (first->reveal() != second->reveal()) return fail(ErrorCategory::usage, "passwords do not match");
  return first;
}

Result<sign::PrivateKey> load_signing_key(const std::string& path) {
  auto text = read_file(path, kMaxKeyFileBytes);
  if (!text) return std::unexpected(text.error());
  sign::SecretBytes pem = sign::SecretBytes::adopt(*text);
  // Only a private key is worth the warning; a public key given by mistake gets one error line.
  if (pem.reveal().find("PRIVATE KEY-----") != std::string_view::npos) warn_if_readable_by_others(path);
  // Only encrypted keys need a password; plain ones must not prompt.
  sign::SecretBytes password;
  if (pem.reveal().find("-----BEGIN ENCRYPTED") != std::string_view::npos) {
    auto pw = read_password(false);
    if (!pw) return std::unexpected(pw.error());
    password = std::move(*pw);
  }
  auto key = sign::load_private_key(pem.reveal(), password);
  if (!key) return std::unexpected(key.error().with_context("load key " + path));
  return key;
}

Result<sign::PublicKey> load_verification_key(const std::string& path) {
  auto text = read_file(path, kMaxKeyFileBytes);
  if (!text) return std::unexpected(text.error());
  auto key = sign::load_public_key(*text);
  if (!key) return std::unexpected(key.error().with_context("load public key " + path));
  return key;
}

}  // namespace sigil::cli
