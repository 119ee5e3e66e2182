#include "tls_tunnel.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

namespace faqbot::slack_emulator {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

struct Pem {
  std::string certificate;
  std::string private_key;
};

std::string Drain(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(size));
  BIO_free(bio);
  return out;
}

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool added = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return added;
}

// A self-signed certificate for 127.0.0.1 and its key.
Result<Pem> SelfSigned() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) return InternalError("OpenSSL: cannot make a key or a certificate");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(getpid()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (!AddExtension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1") ||
      !AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return InternalError("OpenSSL: cannot sign the certificate");
  }
  BIO* cert_bio = BIO_new(BIO_s_mem());
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, cert.get());
  PEM_write_bio_PrivateKey(key_bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return Pem{Drain(cert_bio), Drain(key_bio)};
}

}  // namespace

class TlsTunnel::Impl {
 public:
  explicit Impl(uint16_t target) : target_(target) {}
  ~Impl() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Status Start() {
    FAQBOT_ASSIGN_OR_RETURN(Pem pem, SelfSigned());
    dir_ = std::filesystem::temp_directory_path() /
           ("faqbot-tls-" + std::to_string(getpid()) + "-" + std::to_string(target_));
    std::filesystem::create_directories(dir_);
    ca_file_ = (dir_ / "ca.pem").string();
    std::ofstream(ca_file_) << pem.certificate;
    boost::system::error_code ec;
    ctx_.use_certificate_chain(asio::buffer(pem.certificate), ec);
    if (!ec) ctx_.use_private_key(asio::buffer(pem.private_key), ssl::context::pem, ec);
    if (ec) return InternalError("TLS tunnel: " + ec.message());
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return UnavailableError("TLS tunnel: " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
    return Status::Ok();
  }

  uint16_t port() const { return port_; }
  const std::string& ca_file() const { return ca_file_; }
  int handshakes() const { return handshakes_.load(); }

 private:
  using TlsSocket = ssl::stream<tcp::socket>;

  asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      asio::co_spawn(io_, Serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    auto tls = std::make_shared<TlsSocket>(std::move(socket), ctx_);
    auto [hec] = co_await tls->async_handshake(ssl::stream_base::server, kNoThrow);
    if (hec) co_return;
    ++handshakes_;
    auto upstream = std::make_shared<tcp::socket>(io_);
    auto [cec] = co_await upstream->async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), target_), kNoThrow);
    if (cec) co_return;
    asio::co_spawn(io_, Pipe(tls, upstream, *upstream, *tls), asio::detached);
    co_await Pipe(tls, upstream, *tls, *upstream);
  }

  // Copies `from` to `to` until either side fails or closes, then closes both.
  template <typename From, typename To>
  asio::awaitable<void> Pipe(std::shared_ptr<TlsSocket> tls, std::shared_ptr<tcp::socket> plain,
                             From& from, To& to) {
    std::array<char, 16 * 1024> buffer;
    for (;;) {
      auto [rec, n] = co_await from.async_read_some(asio::buffer(buffer), kNoThrow);
      if (rec) break;
      auto [wec, written] =
          co_await asio::async_write(to, asio::buffer(buffer.data(), n), kNoThrow);
      if (wec) break;
    }
    boost::system::error_code ignored;
    tls->lowest_layer().close(ignored);
    plain->close(ignored);
  }

  const uint16_t target_;
  asio::io_context io_;
  ssl::context ctx_{ssl::context::tls_server};
  tcp::acceptor acceptor_{io_};
  uint16_t port_ = 0;
  std::filesystem::path dir_;
  std::string ca_file_;
  std::atomic<int> handshakes_{0};
  std::thread thread_;
};

Result<std::unique_ptr<TlsTunnel>> TlsTunnel::Start(uint16_t target_port) {
  auto impl = std::make_unique<Impl>(target_port);
  FAQBOT_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<TlsTunnel>(new TlsTunnel(std::move(impl)));
}

TlsTunnel::TlsTunnel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsTunnel::~TlsTunnel() = default;
uint16_t TlsTunnel::port() const { return impl_->port(); }
const std::string& TlsTunnel::ca_file() const { return impl_->ca_file(); }
int TlsTunnel::handshakes() const { return impl_->handshakes(); }

}  // namespace faqbot::slack_emulator
