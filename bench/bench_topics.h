// Topic texts for the assistant benchmarks, from BANKING77 (../shared/data/banking77): each
// category becomes a topic (one example as its question, a few more as phrasings, a generated
// answer), and the test split gives paraphrases to ask with.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/store_types.h"

namespace faqbot::bench {

// The utterances of one BANKING77 category.
struct Category {
  std::string name;
  std::vector<std::string> train;  // train.csv texts
  std::vector<std::string> test;   // test.csv texts (paraphrases never trained on)
};

// Reads `dir`/train.csv and `dir`/test.csv (text,category with RFC 4180 quoting). Categories in
// order of first appearance. Errors: NotFound (missing file), InvalidArgument (no rows).
Result<std::vector<Category>> ReadBanking77(const std::string& dir);

// The default data directory: FAQBOT_SOURCE_DIR/../shared/data/banking77.
std::string DefaultBanking77Dir();

// `count` topics for owner number `owner_index`: categories (owner_index + k * stride) mod the
// category count, so owners differ in which categories, which examples and which phrasings they
// teach; `phrasings` extra examples each; the answer names the owner and the category.
std::vector<store::TopicContent> TopicsForOwner(const std::vector<Category>& categories,
                                                size_t owner_index, size_t count,
                                                size_t phrasings = 2);

// The categories TopicsForOwner uses for `owner_index`, in the same order.
std::vector<size_t> CategoriesForOwner(size_t category_count, size_t owner_index, size_t count);

}  // namespace faqbot::bench
