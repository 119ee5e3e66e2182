// Stemmer: the Snowball English (Porter 2) stemmer from libstemmer.
// One instance is not thread-safe (libstemmer reuses one buffer per stemmer); create one per
// thread. Not copyable.
#pragma once

#include <string>
#include <string_view>

struct sb_stemmer;

namespace faqbot::nlu {

class Stemmer {
 public:
  Stemmer();
  ~Stemmer();
  Stemmer(const Stemmer&) = delete;
  Stemmer& operator=(const Stemmer&) = delete;

  // The stem of a lower-case word ("arrived" → "arriv"). Words of one byte or over 64 bytes are
  // returned unchanged.
  std::string Stem(std::string_view word);

 private:
  sb_stemmer* stemmer_;
};

// A per-thread Stemmer, for const code that must stay thread-safe.
Stemmer& ThreadLocalStemmer();

}  // namespace faqbot::nlu
