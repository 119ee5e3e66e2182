#include "nlu/stemmer.h"

#include <libstemmer.h>

#include <new>

namespace faqbot::nlu {

Stemmer::Stemmer() : stemmer_(sb_stemmer_new("english", "UTF_8")) {
  if (stemmer_ == nullptr) throw std::bad_alloc();  // only on out-of-memory
}

Stemmer::~Stemmer() { sb_stemmer_delete(stemmer_); }

std::string Stemmer::Stem(std::string_view word) {
  if (word.size() <= 1 || word.size() > 64) return std::string(word);
  const sb_symbol* out = sb_stemmer_stem(stemmer_, reinterpret_cast<const sb_symbol*>(word.data()),
                                         static_cast<int>(word.size()));
  if (out == nullptr) return std::string(word);
  return std::string(reinterpret_cast<const char*>(out),
                     static_cast<size_t>(sb_stemmer_length(stemmer_)));
}

Stemmer& ThreadLocalStemmer() {
  thread_local Stemmer stemmer;
  return stemmer;
}

}  // namespace faqbot::nlu
