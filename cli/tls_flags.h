// --tls, --tls-cert FILE and --tls-key FILE, shared by `serve` and `replay`,
// and the file the throwaway CA's certificate is written to.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/flag_parser.h"
#include "fake/status.h"
#include "fake/tls/certificates.h"

namespace nasfake::cli {

// The flags' text in a command's --help.
inline constexpr char kTlsFlagsUsage[] =
    "  --tls                serve over TLS (https://; gRPC with ALPN h2) with a\n"
    "                       throwaway CA and a certificate it signed for 127.0.0.1,\n"
    "                       ::1, localhost and --host; prints NASFAKE_CA_FILE=PATH,\n"
    "                       the CA's certificate for clients to trust, after the\n"
    "                       endpoints (the file is removed on exit; the keys are\n"
    "                       never written to disk)\n"
    "  --tls-cert FILE      serve over TLS with this certificate (PEM, then any\n"
    "                       intermediates) instead; needs --tls-key\n"
    "  --tls-key FILE       the certificate's private key (PEM, unencrypted)\n";

struct TlsFlags {
  bool tls = false;  // any of the flags was given
  std::string cert_file;
  std::string key_file;

  // Adds the flags to a command's parser; they fill this.
  void AddTo(FlagParser& flags);
  // The usage error when only one of --tls-cert and --tls-key was given.
  std::string Check() const;
};

// A CA certificate in a new private directory (0700) under the temp dir
// ($TMPDIR or /tmp): <dir>/ca.pem. Both are removed when this is destroyed,
// so a command that stops (or fails after writing it) leaves nothing behind.
class CaFile {
 public:
  static StatusOr<std::unique_ptr<CaFile>> Write(const std::string& ca_pem);
  ~CaFile();
  CaFile(const CaFile&) = delete;
  CaFile& operator=(const CaFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit CaFile(std::filesystem::path dir) : dir_(std::move(dir)), path_(dir_ / "ca.pem") {}
  const std::filesystem::path dir_;
  const std::filesystem::path path_;
};

// What a command serves TLS with: the given certificate and key, or a
// throwaway CA and a certificate for tls::TestNames(host) with the CA's
// certificate written to a CaFile (null for a given certificate).
struct TlsSetup {
  tls::ServerIdentity identity;
  std::unique_ptr<CaFile> ca_file;
};
// INVALID_ARGUMENT naming a given file that does not load; UNAVAILABLE when
// the CA file cannot be written.
StatusOr<TlsSetup> SetUpTls(const TlsFlags& flags, const std::string& host);

}  // namespace nasfake::cli
