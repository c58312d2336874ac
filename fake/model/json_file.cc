#include "fake/model/json_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "fake/errors.h"
#include "fake/model/json_text.h"

namespace nasfake::model {

StatusOr<nlohmann::json> ReadJsonFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errors::CannotReadFile(path.string(), errno);
  std::string text;
  char buffer[64 * 1024];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;  // a directory: EISDIR
      ::close(fd);
      return errors::CannotReadFile(path.string(), error);
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  auto document = ParseJsonText(text);
  if (!document.ok()) {
    return Status(StatusCode::kInvalidArgument,
                  path.string() + ": (json): " + document.status().message());
  }
  return document;
}

}  // namespace nasfake::model
