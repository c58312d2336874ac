// What a TLS endpoint of the fake presents: a certificate and its key, either
// made at start under a throwaway test CA or read from files the user gives.
// OpenSSL (libcrypto) in-process; nothing here touches the network.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fake/status.h"

namespace nasfake::tls {

// PEM texts. cert_pem: the server certificate, then any intermediate
// certificates; key_pem: its private key; ca_pem: the throwaway CA's
// certificate, the one clients must trust (empty for a given certificate).
struct ServerIdentity {
  std::string cert_pem;
  std::string key_pem;
  std::string ca_pem;
};

// The names a test certificate is for: 127.0.0.1, ::1, localhost, and `host`
// when it is none of them (e.g. the --host a server listens on).
std::vector<std::string> TestNames(std::string_view host);

// A throwaway CA (ECDSA P-256, CN "nasfake test CA", valid 30 days; its key
// is dropped once it has signed) and a server certificate it signed for
// `names`: an IPv4 or IPv6 address becomes an IP subjectAltName, anything
// else a DNS one (no CN is used for names). The server certificate has
// extendedKeyUsage serverAuth and CA:FALSE. Nothing is written to disk.
// INTERNAL when OpenSSL fails; INVALID_ARGUMENT for an empty name list.
StatusOr<ServerIdentity> MakeTestIdentity(const std::vector<std::string>& names);

// Reads --tls-cert (PEM: the certificate, then any intermediates) and
// --tls-key (PEM private key) and checks that the key is the certificate's.
// INVALID_ARGUMENT naming the file and what is wrong with it.
StatusOr<ServerIdentity> LoadIdentity(const std::filesystem::path& cert_file,
                                      const std::filesystem::path& key_file);

// Whether `path` holds at least one PEM certificate (a CA bundle for
// verifying a peer); INVALID_ARGUMENT naming the file otherwise.
Status CheckCertificateFile(const std::filesystem::path& path);

}  // namespace nasfake::tls
