// Fuzzes the model loader: any bytes must load as a model or fail with DataLoss, and a loaded
// model must answer queries without crashing. The first input byte chooses the mode: the rest
// as a whole file, or the rest as a payload inside a header with a correct size and checksum
// (of any format this build reads: 1, 2 or 3), so the fuzzer also reaches the
// payload parser behind the checksum.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "nlu/checksum.h"
#include "nlu/lexicon_builder.h"
#include "nlu/model.h"

namespace {

using faqbot::nlu::Model;

std::shared_ptr<const faqbot::nlu::Lexicon> SharedLexicon() {
  static auto lexicon = [] {
    auto l = faqbot::nlu::OpenLexicon();  // FAQBOT_LEXICON, beside the binary, or the cache
    if (!l.ok()) std::abort();
    return *l;
  }();
  return lexicon;
}

// Wraps `payload` in a header of `version` with a correct size and checksum.
std::string WithValidHeader(std::string_view payload, uint32_t version) {
  std::string header = std::string("FAQBOTMD", 8);
  const uint32_t reserved = 0;
  const uint64_t fingerprint = 0, size = payload.size();
  header.append(reinterpret_cast<const char*>(&version), 4);
  header.append(reinterpret_cast<const char*>(&reserved), 4);
  header.append(reinterpret_cast<const char*>(&fingerprint), 8);
  header.append(reinterpret_cast<const char*>(&size), 8);
  const uint64_t checksum = faqbot::nlu::Checksum64(header + std::string(payload));
  header.append(reinterpret_cast<const char*>(&checksum), 8);
  return header + std::string(payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  // Bits 1-2 choose the format: 1, 2 or 3 (the newest).
  const uint32_t version = std::min<uint32_t>((data[0] >> 1 & 3) + 1, Model::kFormatVersion);
  const std::string bytes = (data[0] & 1) ? WithValidHeader(rest, version) : std::string(rest);
  auto model = Model::Load(bytes, SharedLexicon());
  if (!model.ok()) {
    if (model.status().code() != faqbot::StatusCode::kDataLoss) std::abort();
    return 0;
  }
  (void)(*model)->Predict("where is the wifi password");
  (void)(*model)->Predict(rest.substr(0, 200));
  if ((*model)->Serialize().empty()) std::abort();
  return 0;
}
