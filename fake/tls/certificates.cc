// Test certificates with OpenSSL 3's libcrypto (certificates.h).
#include "fake/tls/certificates.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "fake/tls/openssl_error.h"

namespace nasfake::tls {
namespace {

constexpr long kValiditySeconds = 30L * 24 * 3600;
// notBefore is backdated a little, for clocks that disagree by a few minutes.
constexpr long kBackdateSeconds = 3600;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
void FreeNames(GENERAL_NAMES* names) { GENERAL_NAMES_free(names); }
using Names = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, FreeNames>>;

Status Internal(std::string_view what) {
  return Status(StatusCode::kInternal, "cannot make the test certificates: " + std::string(what) +
                                           " (" + OpenSslError() + ")");
}

bool IsIpAddress(const std::string& name) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

bool AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// subjectAltName from `names`, built as values (a name is never parsed as
// OpenSSL configuration text).
bool AddSubjectAltNames(X509* cert, const std::vector<std::string>& names) {
  Names list(sk_GENERAL_NAME_new_null());
  if (!list) return false;
  for (const std::string& name : names) {
    GENERAL_NAME* entry = nullptr;
    if (IsIpAddress(name)) {
      ASN1_OCTET_STRING* ip = a2i_IPADDRESS(name.c_str());
      if (ip == nullptr) return false;
      entry = GENERAL_NAME_new();
      if (entry == nullptr) {
        ASN1_OCTET_STRING_free(ip);
        return false;
      }
      GENERAL_NAME_set0_value(entry, GEN_IPADD, ip);
    } else {
      ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
      if (dns == nullptr || ASN1_STRING_set(dns, name.data(), static_cast<int>(name.size())) != 1) {
        ASN1_IA5STRING_free(dns);
        return false;
      }
      entry = GENERAL_NAME_new();
      if (entry == nullptr) {
        ASN1_IA5STRING_free(dns);
        return false;
      }
      GENERAL_NAME_set0_value(entry, GEN_DNS, dns);
    }
    if (sk_GENERAL_NAME_push(list.get(), entry) == 0) {
      GENERAL_NAME_free(entry);
      return false;
    }
  }
  return X509_add1_ext_i2d(cert, NID_subject_alt_name, list.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

// A certificate for `key` with a random 127-bit serial and the validity
// window; its subject is CN=`common_name` (empty: no subject fields).
Cert NewCertificate(EVP_PKEY* key, const std::string& common_name) {
  Cert cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return nullptr;
  std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return nullptr;
  }
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return nullptr;
  }
  if (!common_name.empty() &&
      X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1) {
    return nullptr;
  }
  return cert;
}

std::string Pem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return "";
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string Pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return "";
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

StatusOr<std::string> ReadFile(const std::filesystem::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in.is_open()) text << in.rdbuf();
  if (!in.is_open() || in.bad()) {
    return Status(StatusCode::kInvalidArgument,
                  path.string() + ": cannot read the " + std::string(what));
  }
  return text.str();
}

// Every PEM certificate of `pem`, in order.
std::vector<Cert> ReadCertificates(const std::string& pem) {
  std::vector<Cert> certs;
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert);
  }
  ERR_clear_error();  // the end of the text reads as an error
  return certs;
}

}  // namespace

std::vector<std::string> TestNames(std::string_view host) {
  std::vector<std::string> names = {"127.0.0.1", "::1", "localhost"};
  if (!host.empty() && host != "127.0.0.1" && host != "::1" && host != "localhost") {
    names.emplace_back(host);
  }
  return names;
}

StatusOr<ServerIdentity> MakeTestIdentity(const std::vector<std::string>& names) {
  if (names.empty()) {
    return Status(StatusCode::kInvalidArgument, "a test certificate needs at least one name");
  }
  Key ca_key(EVP_EC_gen("P-256"));
  Key server_key(EVP_EC_gen("P-256"));
  if (!ca_key || !server_key) return Internal("generating keys");

  Cert ca = NewCertificate(ca_key.get(), "nasfake test CA");
  if (!ca || X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get())) != 1) {
    return Internal("the CA certificate");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca.get(), ca.get(), nullptr, nullptr, 0);
  if (!AddExtension(ca.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !AddExtension(ca.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !AddExtension(ca.get(), &ctx, NID_subject_key_identifier, "hash") ||
      X509_sign(ca.get(), ca_key.get(), EVP_sha256()) == 0) {
    return Internal("signing the CA certificate");
  }

  Cert server = NewCertificate(server_key.get(), "");
  if (!server || X509_set_issuer_name(server.get(), X509_get_subject_name(ca.get())) != 1) {
    return Internal("the server certificate");
  }
  X509V3_set_ctx(&ctx, ca.get(), server.get(), nullptr, nullptr, 0);
  if (!AddExtension(server.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExtension(server.get(), &ctx, NID_key_usage, "critical,digitalSignature") ||
      !AddExtension(server.get(), &ctx, NID_ext_key_usage, "serverAuth") ||
      !AddExtension(server.get(), &ctx, NID_authority_key_identifier, "keyid:always") ||
      !AddSubjectAltNames(server.get(), names) ||
      X509_sign(server.get(), ca_key.get(), EVP_sha256()) == 0) {
    return Internal("signing the server certificate");
  }

  ServerIdentity identity{Pem(server.get()), Pem(server_key.get()), Pem(ca.get())};
  if (identity.cert_pem.empty() || identity.key_pem.empty() || identity.ca_pem.empty()) {
    return Internal("writing PEM");
  }
  return identity;
}

StatusOr<ServerIdentity> LoadIdentity(const std::filesystem::path& cert_file,
                                      const std::filesystem::path& key_file) {
  auto cert_pem = ReadFile(cert_file, "certificate (--tls-cert)");
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = ReadFile(key_file, "private key (--tls-key)");
  if (!key_pem.ok()) return key_pem.status();
  std::vector<Cert> certs = ReadCertificates(*cert_pem);
  if (certs.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  cert_file.string() + ": no PEM certificate (--tls-cert)");
  }
  Bio bio(BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size())));
  Key key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    ERR_clear_error();
    return Status(StatusCode::kInvalidArgument,
                  key_file.string() + ": no unencrypted PEM private key (--tls-key)");
  }
  if (X509_check_private_key(certs.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return Status(StatusCode::kInvalidArgument,
                  key_file.string() + ": not the key of the certificate in " + cert_file.string());
  }
  return ServerIdentity{std::move(*cert_pem), std::move(*key_pem), ""};
}

Status CheckCertificateFile(const std::filesystem::path& path) {
  auto pem = ReadFile(path, "CA certificates");
  if (!pem.ok()) return pem.status();
  if (ReadCertificates(*pem).empty()) {
    return Status(StatusCode::kInvalidArgument, path.string() + ": no PEM certificate");
  }
  return Status();
}

}  // namespace nasfake::tls
