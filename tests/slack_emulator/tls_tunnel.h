// TlsTunnel: a TLS front for a plain loopback server, so clients can be tested over wss:// and
// https:// with certificate verification on. It makes a fresh self-signed certificate (EC P-256,
// subject alternative name IP 127.0.0.1, valid one day), writes it to a temporary PEM file to
// trust (ca_file()), accepts TLS connections on 127.0.0.1 and pipes each, decrypted, to
// 127.0.0.1:target_port. Test-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace faqbot::slack_emulator {

class TlsTunnel {
 public:
  static Result<std::unique_ptr<TlsTunnel>> Start(uint16_t target_port);
  ~TlsTunnel();  // closes every connection, removes the files
  TlsTunnel(const TlsTunnel&) = delete;
  TlsTunnel& operator=(const TlsTunnel&) = delete;

  uint16_t port() const;
  // The certificate, to trust as a CA.
  const std::string& ca_file() const;
  // TLS handshakes completed so far.
  int handshakes() const;

 private:
  class Impl;
  explicit TlsTunnel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace faqbot::slack_emulator
