// OpenSSL's error queue as text, for the messages of fake/tls/.
#pragma once

#include <openssl/err.h>

#include <string>

namespace nasfake::tls {

// The most recent error on this thread's OpenSSL error queue, which it then
// empties; "unknown OpenSSL error" when there is none.
inline std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace nasfake::tls
