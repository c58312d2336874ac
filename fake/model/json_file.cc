#include "fake/model/json_file.h"

#include <fstream>
#include <sstream>
#include <string>

#include "fake/model/json_text.h"

namespace nasfake::model {

StatusOr<nlohmann::json> ReadJsonFile(const std::filesystem::path& path) {
  auto error = [&](std::string_view where, std::string_view what) {
    return Status(StatusCode::kInvalidArgument,
                  path.string() + ": " + std::string(where) + ": " + std::string(what));
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return error("(file)", "is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return error("(file)", "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return error("(file)", "cannot be read");
  auto document = ParseJsonText(text.str());
  if (!document.ok()) return error("(json)", document.status().message());
  return document;
}

}  // namespace nasfake::model
