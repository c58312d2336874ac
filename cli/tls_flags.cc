#include "cli/tls_flags.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace nasfake::cli {

void TlsFlags::AddTo(FlagParser& flags) {
  auto file = [this](std::string* out) {
    return [this, out](const std::string& value) -> std::string {
      if (value.empty()) return "expected a file (PEM)";
      tls = true;
      *out = value;
      return "";
    };
  };
  flags.Switch("--tls", [this] { tls = true; })
      .Flag("--tls-cert", file(&cert_file))
      .Flag("--tls-key", file(&key_file));
}

std::string TlsFlags::Check() const {
  if (cert_file.empty() != key_file.empty()) {
    return "--tls-cert and --tls-key go together (the certificate and its key)";
  }
  return "";
}

StatusOr<TlsSetup> SetUpTls(const TlsFlags& flags, const std::string& host) {
  auto identity = flags.cert_file.empty() ? tls::MakeTestIdentity(tls::TestNames(host))
                                          : tls::LoadIdentity(flags.cert_file, flags.key_file);
  if (!identity.ok()) return identity.status();
  TlsSetup setup{std::move(*identity), nullptr};
  if (!setup.identity.ca_pem.empty()) {
    auto written = CaFile::Write(setup.identity.ca_pem);
    if (!written.ok()) return written.status();
    setup.ca_file = std::move(*written);
  }
  return setup;
}

StatusOr<std::unique_ptr<CaFile>> CaFile::Write(const std::string& ca_pem) {
  std::error_code ec;
  std::filesystem::path temp = std::filesystem::temp_directory_path(ec);
  if (ec) temp = "/tmp";
  std::string pattern = (temp / "nasfake-tls-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {  // a new directory, mode 0700
    return Status(StatusCode::kUnavailable, "cannot create a directory for the CA file under " +
                                                temp.string() + " (" + std::strerror(errno) + ")");
  }
  std::unique_ptr<CaFile> file(new CaFile(pattern));
  int fd = ::open(file->path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  bool ok = fd >= 0;
  for (size_t done = 0; ok && done < ca_pem.size();) {
    ssize_t n = ::write(fd, ca_pem.data() + done, ca_pem.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  if (fd >= 0 && ::close(fd) != 0) ok = false;
  if (!ok) {  // `file` goes, and the directory with it
    return Status(StatusCode::kUnavailable, "cannot write " + file->path_.string());
  }
  return file;
}

CaFile::~CaFile() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace nasfake::cli
