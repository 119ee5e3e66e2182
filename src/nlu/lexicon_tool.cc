// faqbot-lexicon: compiles Debian's WordNet into the lexicon file at build time.
//   faqbot-lexicon WORDNET_DIR OUT_FILE
// (The same as `faqbot nlu lexicon`, without depending on the whole application, so changing
// the application does not recompile the lexicon.)
#include <cstdio>

#include "common/file_util.h"
#include "nlu/lexicon_builder.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: faqbot-lexicon WORDNET_DIR OUT_FILE\n");
    return 64;
  }
  auto image = faqbot::nlu::BuildLexiconImage(argv[1]);
  if (!image.ok()) {
    std::fprintf(stderr, "faqbot-lexicon: %s\n", image.status().ToString().c_str());
    return 65;
  }
  const faqbot::Status s = faqbot::WriteFileAtomically(argv[2], *image);
  if (!s.ok()) {
    std::fprintf(stderr, "faqbot-lexicon: %s\n", s.ToString().c_str());
    return 73;
  }
  return 0;
}
